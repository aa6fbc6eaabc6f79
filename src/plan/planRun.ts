import {
  ALLOWED_RETENTION_DAYS,
  MS_PER_DAY,
  RETENTION_EXPORT_LAG_MS,
  RETENTION_MIN_HEADROOM_MS,
} from '../constants.js';
import type { Config, GroupInfo, GroupState, StreamInfo, TimeWindow } from '../types.js';
import {
  StreamAction,
  StreamReason,
  type GroupPlan,
  type PendingRebuild,
  type Plan,
  type ReasonCount,
  type RetentionChange,
  type StreamPlan,
} from './planTypes.js';
import { ZERO_ESTIMATE, bytesPerWeight, streamWeight } from './estimateStream.js';
import {
  archiveThroughMs,
  cutoffMs as computeCutoffMs,
  planExport,
  streamsHaveEventsIn,
  type ExportDecision,
} from './exportWindow.js';
import { classSkip, guardRetention, guardStream, planGroupDeletion } from './groupGuards.js';
import { EMPTY_TOTALS, GroupLedger, addTotals, type LedgerSummary } from './groupLedger.js';
import { planStream, type StreamContext } from './planStream.js';

/** What discovery read about one group: the whole input of its plan. */
interface GroupInventory {
  readonly group: GroupInfo;
  readonly streams: readonly StreamInfo[];
  readonly state: GroupState;
  /** The state object's version, so the run's first state write is conditional on it. */
  readonly stateEtag?: string;
}

/**
 * Builds the whole plan from what discovery read and the settings, without calling AWS and without
 * reading a clock: same input, same plan. A run plans page by page with the same functions
 * ({@link groupContext}, {@link planStreamIn}, {@link groupPlanOf}); this plans a whole inventory at once.
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
  return planOf(
    inventory.map((entry) => planGroup(entry, config, nowMs, pendingRebuilds)),
    config,
    nowMs,
    pendingRebuilds,
  );
}

/** A run's plan from its groups' plans. */
function planOf(
  groups: readonly GroupPlan[],
  config: Readonly<Config>,
  nowMs: number,
  pendingRebuilds: readonly PendingRebuild[],
): Plan {
  const totals = groups.reduce((sum, g) => addTotals(sum, g.totals), EMPTY_TOTALS);
  const exports = groups.reduce((n, g) => n + (g.resumeExport ? 1 : 0) + (g.exportWindow ? 1 : 0), 0);
  return {
    nowMs,
    cutoffMs: computeCutoffMs(nowMs, config.days),
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

/** What every stream decision of one group shares: worked out once per group, used for every page. */
interface GroupContext {
  readonly group: GroupInfo;
  readonly state: GroupState;
  readonly config: Readonly<Config>;
  readonly decision: ExportDecision;
  /** Its streams an earlier run was rebuilding (finished from their journals first). */
  readonly journaled: ReadonlySet<string>;
  /** Any rebuild of the group an earlier run left, whatever its phase. */
  readonly hasPendingRebuild: boolean;
  readonly stream: Omit<StreamContext, 'storedBytes'>;
}

/** What a real run found when it carried out a group's exports, for planning its streams after them. */
interface ExportsDone {
  /** Creation time of each export task, in the decision's order (resumed window first). */
  readonly createdAtMs: readonly number[];
  /** The watermark now verified: the old one when an export did not archive. */
  readonly archivedThroughMs?: number;
}

/**
 * A group's export decision and the context its streams are planned in. `mayHaveEvents` tells whether
 * the new window can hold events (see {@link planExport}). A dry run plans as if the exports archive;
 * a real run that has carried them out passes what it found (`exported`).
 *
 * @example const ctx = groupContext(group, state, config, now, pending, (w) => newestEventMayFallIn(newest, w));
 */
function groupContext(
  group: GroupInfo,
  state: GroupState,
  config: Readonly<Config>,
  nowMs: number,
  pendingRebuilds: readonly PendingRebuild[],
  mayHaveEvents: (window: TimeWindow) => boolean,
  exported?: ExportsDone,
): GroupContext {
  const decision = planExport(group, state, archiveThroughMs(nowMs, config.days, config.strategy), mayHaveEvents);
  const plannedExports: { window: TimeWindow; createdAtMs: number }[] = [];
  if (decision.resumeExport) {
    const r = decision.resumeExport;
    plannedExports.push({ window: r, createdAtMs: exported?.createdAtMs[0] ?? r.taskCreatedAtMs ?? r.intentAtMs });
  }
  if (decision.exportWindow) {
    plannedExports.push({
      window: decision.exportWindow,
      createdAtMs: exported?.createdAtMs[plannedExports.length] ?? nowMs,
    });
  }
  const archivedThroughAfterMs = exported
    ? exported.archivedThroughMs
    : (decision.exportWindow?.toMs ?? decision.resumeExport?.toMs ?? state.archivedThroughMs);
  const journaled = new Set(
    pendingRebuilds
      .filter((p) => p.logGroupName === group.logGroupName && p.phase !== 'incomplete-save')
      .map((p) => p.logStreamName),
  );
  return {
    group,
    state,
    config,
    decision,
    journaled,
    hasPendingRebuild: pendingRebuilds.some((p) => p.logGroupName === group.logGroupName),
    stream: {
      nowMs,
      cutoffMs: computeCutoffMs(nowMs, config.days),
      settings: config,
      group,
      windows: state.windows,
      ...(state.archivedThroughMs === undefined ? {} : { archivedThroughBeforeMs: state.archivedThroughMs }),
      plannedExports,
      ...(archivedThroughAfterMs === undefined ? {} : { archivedThroughAfterMs }),
    },
  };
}

/**
 * One stream's plan in its group's context. `storedBytes` may be its weight ({@link streamWeight})
 * while the group's total is unknown: the ledger scales every estimate at the end.
 */
function planStreamIn(ctx: GroupContext, stream: StreamInfo, storedBytes: number): StreamPlan {
  const plan = ctx.journaled.has(stream.logStreamName)
    ? journalPending(stream)
    : planStream(stream, { ...ctx.stream, storedBytes });
  // Account policies, transformers, deletion protection: guards over the stream's own decision.
  return guardStream(plan, ctx.group, ctx.config);
}

/** A group's plan from its context and its ledger's summary. */
function groupPlanOf(ctx: GroupContext, summary: LedgerSummary): GroupPlan {
  const { group, config, decision } = ctx;
  const retention =
    config.strategy === 'retention' ? guardRetention(planRetention(group, config.days), group) : undefined;
  const advice = config.strategy === 'rebuild' ? retentionAdvice(summary.reasons) : undefined;
  const deleteGroup = planGroupDeletion(
    { group, streams: { length: summary.totals.streams }, state: ctx.state },
    config,
    ctx.hasPendingRebuild,
  );
  return {
    ...groupBase(group, ctx.state),
    ...(decision.resumeExport ? { resumeExport: decision.resumeExport } : {}),
    ...(decision.exportWindow ? { exportWindow: decision.exportWindow } : {}),
    ...(retention ? { retention } : {}),
    ...summary,
    ...(advice ? { retentionAdvised: advice } : {}),
    ...(group.extras ? { storageTier: group.extras.storageTier } : {}),
    ...(deleteGroup ? { deleteGroup } : {}),
    warnings: groupWarnings(group, config),
  };
}

const groupBase = (group: GroupInfo, state: GroupState) => ({
  logGroupName: group.logGroupName,
  arn: group.arn,
  storedBytes: group.storedBytes,
  ...(group.retentionInDays === undefined ? {} : { retentionInDays: group.retentionInDays }),
  ...(state.archivedThroughMs === undefined ? {} : { archivedThroughMs: state.archivedThroughMs }),
});

/** The plan of a group left alone as a whole (its class, say): nothing is listed. */
function skippedGroupPlan(group: GroupInfo, state: GroupState, skip: NonNullable<GroupPlan['skip']>): GroupPlan {
  return { ...groupBase(group, state), skip, ...new GroupLedger(0).summary(), warnings: [] };
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
  const groupSkip = skipWholeGroup(group);
  if (groupSkip) return skippedGroupPlan(group, state, groupSkip);
  const ctx = groupContext(group, state, config, nowMs, pendingRebuilds, (w) => streamsHaveEventsIn(streams, w));
  const ledger = new GroupLedger(Number.POSITIVE_INFINITY);
  for (const stream of streams) ledger.add(planStreamIn(ctx, stream, streamWeight(stream)), streamWeight(stream));
  return groupPlanOf(ctx, ledger.summary(bytesPerWeight(group.storedBytes, ledger.totalWeight)));
}

/** DELETE_EMPTY_GROUPS (groupGuards.ts). */
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
  const targetDays =
    ALLOWED_RETENTION_DAYS.find((d) => d >= days) ?? ALLOWED_RETENTION_DAYS[ALLOWED_RETENTION_DAYS.length - 1]!;
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

function retentionAdvice(reasons: readonly ReasonCount[]): string | undefined {
  if (reasons.some((r) => r.reason === StreamReason.OutsidePutWindow)) {
    return 'safer: a rebuild cannot put back events this old; STRATEGY=retention removes them without re-putting';
  }
  if (reasons.some((r) => r.reason === StreamReason.NotWorthIt)) {
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

export {
  EMPTY_TOTALS,
  addTotals,
  groupContext,
  groupPlanOf,
  planGroup,
  planOf,
  planRun,
  planStreamIn,
  skipWholeGroup,
  skippedGroupPlan,
};
export type { ExportsDone, GroupContext, GroupInventory };
