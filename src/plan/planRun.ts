import { ALLOWED_RETENTION_DAYS, MS_PER_DAY, RETENTION_EXPORT_LAG_MS, RETENTION_MIN_HEADROOM_MS } from '../constants.js';
import {
  StreamAction,
  StreamReason,
  type Config,
  type GroupInfo,
  type GroupPlan,
  type GroupState,
  type GroupTotals,
  type PendingRebuild,
  type Plan,
  type RetentionChange,
  type StreamInfo,
  type StreamPlan,
  type TimeWindow,
} from '../types.js';
import { ZERO_ESTIMATE, streamStoredBytes } from './estimateStream.js';
import { archiveThroughMs, cutoffMs as computeCutoffMs, planExport } from './exportWindow.js';
import { classSkip, guardRetention, guardStream, planGroupDeletion } from './groupGuards.js';
import { planStream } from './planStream.js';

/** What discovery read about one group: the whole input of its plan. */
interface GroupInventory {
  readonly group: GroupInfo;
  readonly streams: readonly StreamInfo[];
  readonly state: GroupState;
  /** The state object's version, so the run's first state write is conditional on it. */
  readonly stateEtag?: string;
}

const EMPTY_TOTALS: GroupTotals = Object.freeze({
  streams: 0,
  delete: 0,
  rebuild: 0,
  keep: 0,
  skip: 0,
  removeStoredBytes: 0,
  reputBytes: 0,
  reputCostUsd: 0,
  monthlySavingUsd: 0,
});

/**
 * Builds the whole plan from what discovery read and the settings, without calling AWS and without
 * reading a clock: the dry-run prints it, a real run carries it out. Same input, same plan.
 *
 * @example
 * const plan = planRun(inventory, config, Date.now());
 * console.log(JSON.stringify(plan, null, 2));
 */
function planRun(
  inventory: readonly GroupInventory[],
  config: Readonly<Config>,
  nowMs: number,
  pendingRebuilds: readonly PendingRebuild[] = [],
): Plan {
  const cutoffMs = computeCutoffMs(nowMs, config.days);
  const groups = inventory.map((entry) => planGroup(entry, config, nowMs, pendingRebuilds));
  const totals = groups.reduce((sum, g) => addTotals(sum, g.totals), EMPTY_TOTALS);
  const exports = groups.reduce((n, g) => n + (g.resumeExport ? 1 : 0) + (g.exportWindow ? 1 : 0), 0);
  return {
    nowMs,
    cutoffMs,
    days: config.days,
    strategy: config.strategy,
    dryRun: config.dryRun,
    bucket: config.bucket,
    bucketPrefix: config.bucketPrefix,
    pendingRebuilds,
    groups,
    totals: { ...totals, groups: groups.length, exports },
  };
}

/**
 * One group's plan: the export window(s), the retention change (retention strategy) and every
 * stream's action with its reason and estimate.
 */
function planGroup(
  entry: GroupInventory,
  config: Readonly<Config>,
  nowMs: number,
  pendingRebuilds: readonly PendingRebuild[] = [],
): GroupPlan {
  const { group, streams, state } = entry;
  const base = {
    logGroupName: group.logGroupName,
    arn: group.arn,
    storedBytes: group.storedBytes,
    ...(group.retentionInDays === undefined ? {} : { retentionInDays: group.retentionInDays }),
    ...(state.archivedThroughMs === undefined ? {} : { archivedThroughMs: state.archivedThroughMs }),
  };
  const groupSkip = skipWholeGroup(group);
  if (groupSkip) return { ...base, skip: groupSkip, streams: [], totals: EMPTY_TOTALS, warnings: [] };

  const cutoffMs = computeCutoffMs(nowMs, config.days);
  const decision = planExport(group, state, streams, archiveThroughMs(nowMs, config.days, config.strategy));
  const plannedExports: { window: TimeWindow; createdAtMs: number }[] = [];
  if (decision.resumeExport) {
    const r = decision.resumeExport;
    plannedExports.push({ window: r, createdAtMs: r.taskCreatedAtMs ?? r.intentAtMs });
  }
  if (decision.exportWindow) plannedExports.push({ window: decision.exportWindow, createdAtMs: nowMs });
  const archivedThroughAfterMs = decision.exportWindow?.toMs ?? decision.resumeExport?.toMs ?? state.archivedThroughMs;

  const bytesByStream = streamStoredBytes(streams, group.storedBytes);
  const journaled = new Set(
    pendingRebuilds.filter((p) => p.logGroupName === group.logGroupName && p.phase !== 'incomplete-save').map((p) => p.logStreamName),
  );
  const streamPlans = streams.map((stream) => guardStream(
    journaled.has(stream.logStreamName)
      ? journalPending(stream)
      : planStream(stream, {
      nowMs,
      cutoffMs,
      settings: config,
      group,
      windows: state.windows,
      ...(state.archivedThroughMs === undefined ? {} : { archivedThroughBeforeMs: state.archivedThroughMs }),
      plannedExports,
      ...(archivedThroughAfterMs === undefined ? {} : { archivedThroughAfterMs }),
      storedBytes: bytesByStream.get(stream.logStreamName) ?? 0,
        }),
    group, config));
  const retention = config.strategy === 'retention' ? guardRetention(planRetention(group, config.days), group) : undefined;
  const advice = config.strategy === 'rebuild' ? retentionAdvice(streamPlans) : undefined;
  return {
    ...base,
    ...(decision.resumeExport ? { resumeExport: decision.resumeExport } : {}),
    ...(decision.exportWindow ? { exportWindow: decision.exportWindow } : {}),
    ...(retention ? { retention } : {}),
    streams: streamPlans,
    totals: totalsOf(streamPlans),
    ...(advice ? { retentionAdvised: advice } : {}),
    ...(group.extras ? { storageTier: group.extras.storageTier } : {}),
    ...deletion(entry, config, pendingRebuilds),
    warnings: groupWarnings(group, config),
  };
}

/** DELETE_EMPTY_GROUPS (groupGuards.ts). */
function deletion(entry: GroupInventory, config: Readonly<Config>, pending: readonly PendingRebuild[]): Pick<GroupPlan, 'deleteGroup'> {
  const deleteGroup = planGroupDeletion(entry, config, pending.some((p) => p.logGroupName === entry.group.logGroupName));
  return deleteGroup ? { deleteGroup } : {};
}

/** A stream an earlier run was rebuilding: its journal is finished first, nothing else is decided. */
function journalPending(stream: StreamInfo): StreamPlan {
  return {
    logStreamName: stream.logStreamName,
    action: StreamAction.Keep,
    reason: StreamReason.JournalPending,
    detail: 'an earlier run left its rebuild unfinished; this run finishes it from the journal first',
    snapshot: stream,
    estimate: ZERO_ESTIMATE,
  };
}

/** Log classes cwl-trim cannot export or read (groupGuards.ts). */
const skipWholeGroup = classSkip;

/**
 * The retention strategy sets the smallest allowed retention ≥ DAYS, but only when that leaves at
 * least two days between the archive's lag and expiry: otherwise events could expire unarchived.
 */
function planRetention(group: GroupInfo, days: number): RetentionChange {
  const targetDays = ALLOWED_RETENTION_DAYS.find((d) => d >= days) ?? ALLOWED_RETENTION_DAYS[ALLOWED_RETENTION_DAYS.length - 1]!;
  const headroomMs = targetDays * MS_PER_DAY - RETENTION_EXPORT_LAG_MS;
  const safe = headroomMs >= RETENTION_MIN_HEADROOM_MS;
  const current = group.retentionInDays;
  const detail = !safe
    ? `a ${targetDays}-day retention leaves less than 2 days to archive events before they expire; use DAYS ≥ 3`
    : current === targetDays
      ? `retention is already ${targetDays} days`
      : `set retention ${current === undefined ? 'never expire' : `${current} days`} → ${targetDays} days once the archive is verified`;
  return { ...(current === undefined ? {} : { currentDays: current }), targetDays, safe, detail };
}

function retentionAdvice(streams: readonly StreamPlan[]): string | undefined {
  if (streams.some((s) => s.reason === StreamReason.OutsidePutWindow)) {
    return 'safer: a rebuild cannot put back events this old; STRATEGY=retention removes them without re-putting';
  }
  if (streams.some((s) => s.reason === StreamReason.NotWorthIt)) {
    return 'cheaper: re-ingesting the events to keep costs more than the storage it saves';
  }
  return undefined;
}

function groupWarnings(group: GroupInfo, config: Readonly<Config>): string[] {
  const warnings: string[] = [];
  if (config.strategy === 'rebuild' && group.retentionInDays !== undefined && group.retentionInDays < config.days) {
    warnings.push(
      `retention (${group.retentionInDays} days) is shorter than DAYS (${config.days}): CloudWatch expires events before cwl-trim archives them`,
    );
  }
  return warnings;
}

function totalsOf(streams: readonly StreamPlan[]): GroupTotals {
  return streams.reduce(
    (t, s) => ({
      streams: t.streams + 1,
      delete: t.delete + (s.action === StreamAction.Delete ? 1 : 0),
      rebuild: t.rebuild + (s.action === StreamAction.Rebuild ? 1 : 0),
      keep: t.keep + (s.action === StreamAction.Keep ? 1 : 0),
      skip: t.skip + (s.action === StreamAction.Skip ? 1 : 0),
      ...(s.action === StreamAction.Delete || s.action === StreamAction.Rebuild
        ? {
            removeStoredBytes: t.removeStoredBytes + s.estimate.removeStoredBytes,
            reputBytes: t.reputBytes + s.estimate.reputBytes,
            reputCostUsd: t.reputCostUsd + s.estimate.reputCostUsd,
            monthlySavingUsd: t.monthlySavingUsd + s.estimate.monthlySavingUsd,
          }
        : {
            removeStoredBytes: t.removeStoredBytes,
            reputBytes: t.reputBytes,
            reputCostUsd: t.reputCostUsd,
            monthlySavingUsd: t.monthlySavingUsd,
          }),
    }),
    EMPTY_TOTALS,
  );
}

function addTotals(a: GroupTotals, b: GroupTotals): GroupTotals {
  return {
    streams: a.streams + b.streams,
    delete: a.delete + b.delete,
    rebuild: a.rebuild + b.rebuild,
    keep: a.keep + b.keep,
    skip: a.skip + b.skip,
    removeStoredBytes: a.removeStoredBytes + b.removeStoredBytes,
    reputBytes: a.reputBytes + b.reputBytes,
    reputCostUsd: a.reputCostUsd + b.reputCostUsd,
    monthlySavingUsd: a.monthlySavingUsd + b.monthlySavingUsd,
  };
}

export { EMPTY_TOTALS, addTotals, planGroup, planRun };
export type { GroupInventory };
