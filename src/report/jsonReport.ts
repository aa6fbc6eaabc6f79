/**
 * The JSON report of a plan or a run: the plan's decisions with their estimates, and after a real
 * run what was done, measured. Its shape is {@link JsonReportSchema} (documented in the README,
 * "The report"); the human table is rendered from it, so both always say the same.
 */
import type { OperationStats } from '../aws/callAws.js';
import { tallyOf, type GroupResult, type RunOutput, type StreamResult } from '../plan/results.js';
import type { Prices } from '../types.js';
import type { GroupPlan, Plan, StreamPlan } from '../plan/planTypes.js';
import { StreamAction } from '../plan/planTypes.js';
import {
  estimateOf,
  estimatedTotals,
  exportOf,
  notAttempted,
  optionalTime,
  streamResultOf,
  time,
  windowOf,
} from './jsonParts.js';
import { leftOf, measuredOf, runTimes } from './jsonRun.js';
import { JsonReportSchema, STREAM_OUTCOMES } from './jsonSchema.js';
import type { JsonGroup, JsonGroupResult, JsonReport, JsonStreamEntry, JsonStreamOutcome } from './jsonSchema.js';

/** Streams listed per group (keep streams are only counted): bounds a report over 100,000 streams. */
const DEFAULT_MAX_STREAMS_PER_GROUP = 500;

interface ReportMeta {
  readonly runId: string;
  /** `deps.call.stats.snapshot()`: API calls per operation. */
  readonly apiCalls?: Readonly<Record<string, OperationStats>>;
  /** The prices the estimates used, to state them in the notes. */
  readonly prices?: Prices;
  /** @default 500 */
  readonly maxStreamsPerGroup?: number;
}

const NOT_REACHED = { exports: [], streams: [], notReached: true } as const;
const acts = (s: StreamPlan): boolean => s.action === StreamAction.Delete || s.action === StreamAction.Rebuild;

/** A group's planned streams with the result the run gave each (delete and rebuild only). */
function resultsOf(
  group: GroupPlan,
  result: GroupResult | undefined,
  run: boolean,
): Map<string, JsonStreamEntry['result']> {
  const byName = new Map<string, StreamResult>((result?.streams ?? []).map((r) => [r.logStreamName, r]));
  return new Map(
    group.streams.map((s) => {
      if (!run || !acts(s)) return [s.logStreamName, null];
      const r = byName.get(s.logStreamName);
      return [s.logStreamName, r ? streamResultOf(r) : notAttempted(result)];
    }),
  );
}

/** Which streams are listed: unfinished actions, then rebuilds, skips, deletes; plan order kept. */
function listed(group: GroupPlan, results: Map<string, JsonStreamEntry['result']>, max: number): Set<number> {
  const rank = (s: StreamPlan): number => {
    const outcome = results.get(s.logStreamName)?.outcome;
    if (outcome !== undefined && outcome !== 'done') return 0;
    return s.action === StreamAction.Rebuild ? 1 : s.action === StreamAction.Skip ? 2 : 3;
  };
  const candidates = group.streams
    .map((s, index) => ({ index, rank: rank(s), keep: s.action === StreamAction.Keep }))
    .filter((c) => !c.keep)
    .sort((a, b) => a.rank - b.rank || a.index - b.index);
  return new Set(candidates.slice(0, max).map((c) => c.index));
}

function streamEntry(s: StreamPlan, result: JsonStreamEntry['result']): JsonStreamEntry {
  return {
    logStreamName: s.logStreamName,
    action: s.action,
    reason: s.reason,
    detail: s.detail,
    firstEvent: optionalTime(s.snapshot.firstEventTimestampMs),
    lastEvent: optionalTime(s.snapshot.lastEventTimestampMs),
    lastIngestion: optionalTime(s.snapshot.lastIngestionTimeMs),
    estimate: estimateOf(s.estimate),
    result,
  };
}

/** A group's result; `plannedActions` without a result count as not attempted. */
function groupResultOf(result: GroupResult, plannedActions: number): JsonGroupResult {
  const t = tallyOf(result);
  const outcomes = Object.fromEntries(STREAM_OUTCOMES.map((o) => [o, 0])) as Record<JsonStreamOutcome, number>;
  let counted = 0;
  for (const [o, n] of Object.entries(t.outcomes)) {
    outcomes[o as JsonStreamOutcome] += n;
    counted += n;
  }
  outcomes['not-attempted'] += Math.max(plannedActions - counted, 0);
  return {
    exports: result.exports.map(exportOf),
    archivedThrough: optionalTime(result.archivedThroughMs),
    retention: result.retention ? { ...result.retention } : null,
    error: result.error ?? null,
    notReached: result.notReached === true,
    ...(result.lockedBy === undefined ? {} : { lockedBy: result.lockedBy }),
    outcomes,
    deleted: t.deleted,
    rebuilt: t.rebuilt,
    reputEvents: t.reputEvents,
    reputBytes: t.reputBytes,
    rejectedEvents: t.rejectedEvents,
    groupDeletion: result.groupDeletion ? { ...result.groupDeletion } : null,
    ...(t.caughtUpEvents > 0 || (result.caughtUpEvents ?? 0) > 0
      ? { caughtUpEvents: (result.caughtUpEvents ?? 0) + t.caughtUpEvents }
      : {}),
  };
}

function groupOf(group: GroupPlan, result: GroupResult | undefined, run: boolean, max: number): JsonGroup {
  const results = resultsOf(group, result, run);
  const shown = listed(group, results, max);
  const omitted = { ...group.streamsOmitted };
  group.streams.forEach((s, i) => {
    if (s.action !== StreamAction.Keep && !shown.has(i)) omitted[s.action] += 1;
  });
  const t = group.totals;
  return {
    logGroupName: group.logGroupName,
    arn: group.arn,
    storedBytes: group.storedBytes,
    retentionInDays: group.retentionInDays ?? null,
    skipped: group.skip ? { ...group.skip } : null,
    archivedThroughBefore: optionalTime(group.archivedThroughMs),
    resumeExport: group.resumeExport ? windowOf(group.resumeExport) : null,
    exportWindow: group.exportWindow ? windowOf(group.exportWindow) : null,
    retention: group.retention ? { ...group.retention, currentDays: group.retention.currentDays ?? null } : null,
    retentionAdvice: group.retentionAdvised ?? null,
    deleteGroup: group.deleteGroup ? { ...group.deleteGroup } : null,
    warnings: [...group.warnings],
    totals: {
      streams: t.streams,
      delete: t.delete,
      rebuild: t.rebuild,
      keep: t.keep,
      skip: t.skip,
      estimated: estimatedTotals(t),
    },
    reasons: group.reasons.map((r) => ({ ...r })),
    streams: group.streams.flatMap((s, i) =>
      shown.has(i) ? [streamEntry(s, results.get(s.logStreamName) ?? null)] : [],
    ),
    streamsOmitted: omitted,
    // A group the run has no result for was never reached (runGroups reports every group it starts).
    result:
      run && !group.skip
        ? groupResultOf(result ?? { ...NOT_REACHED, logGroupName: group.logGroupName }, t.delete + t.rebuild)
        : null,
  };
}

/** The prices and ratios the estimates used, and where the compression ratio came from. */
function pricingOf(plan: Plan, prices: Prices): NonNullable<JsonReport['pricing']> {
  return {
    ingestionPerGb: prices.ingestionPerGb,
    storagePerGbMonth: prices.storagePerGbMonth,
    archivePerGbMonth: prices.archivePerGbMonth,
    archiveStorageClass: 'STANDARD',
    storageTier: plan.groups.find((g) => g.storageTier !== undefined)?.storageTier ?? null,
    tier30To90PerGbMonth: prices.tier30To90PerGbMonth,
    tierOver90PerGbMonth: prices.tierOver90PerGbMonth,
    compressionRatio: prices.compressionRatio,
    compressionRatioSource: prices.compressionRatioSource ?? 'setting',
    paybackHorizonMonths: prices.paybackHorizonMonths,
  };
}

function notesOf(plan: Plan, run: boolean, max: number, prices?: Prices): string[] {
  const ratio =
    prices?.compressionRatioSource === 'default'
      ? "the default, from the AWS pricing calculator's stored = 15 % of ingested"
      : 'the COMPRESSION_RATIO setting';
  const priced = prices
    ? ` Prices: ingestion $${prices.ingestionPerGb}/GB, CloudWatch storage $${prices.storagePerGbMonth}/GB-month ` +
      `(with Intelligent-Tiering $${prices.tier30To90PerGbMonth} for data 30–90 days old, $${prices.tierOver90PerGbMonth} ` +
      `older), archive (S3 Standard) $${prices.archivePerGbMonth}/GB-month; re-put bytes = kept share × compression ratio ` +
      `${prices.compressionRatio} (${ratio}). A saving counts for as long as the removed data would have stayed (until ` +
      `retention expires it, at most ${prices.paybackHorizonMonths} months): lifetimeSavingUsd; a rebuild must pay its ` +
      're-put back within that.'
    : '';
  const notes = [
    "Estimates (estimate, totals.estimated) come from CloudWatch metadata, not from reading events: each group's " +
      `storedBytes (compressed) is shared among its streams by their event time span.${priced}`,
    `Streams whose action is keep are counted under reasons, not listed; at most ${max} other streams are listed ` +
      'per group, unfinished actions, rebuilds and skips first (the rest are counted in streamsOmitted).',
  ];
  if (run) notes.push('Results, totals.measured and export objects/bytes were counted by this run itself.');
  if (plan.dryRun) notes.push('Dry run: read-only calls only, nothing was changed.');
  return notes;
}

/**
 * Builds the JSON report of a plan (`result` absent: mode `plan`, outcome `planned`) or of a real
 * run (mode `run`, outcome from the run). Bounded: keep streams are counted, not listed, and at most
 * `maxStreamsPerGroup` other streams are listed per group.
 *
 * @example
 * const output = await runCwlTrim(config, deps);
 * const report = toJsonReport(output, { runId: deps.runId, apiCalls: deps.call.stats.snapshot() });
 * process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
 */
function toJsonReport(output: RunOutput, meta: ReportMeta): JsonReport {
  const { plan, result } = output;
  const run = result !== undefined;
  const max = meta.maxStreamsPerGroup ?? DEFAULT_MAX_STREAMS_PER_GROUP;
  const byName = new Map((result?.groups ?? []).map((g) => [g.logGroupName, g]));
  const groups = plan.groups.map((g) => groupOf(g, byName.get(g.logGroupName), run, max));
  const t = plan.totals;
  return {
    schemaVersion: 1,
    runId: meta.runId,
    mode: run ? 'run' : 'plan',
    outcome: result?.outcome ?? 'planned',
    plannedAt: time(plan.nowMs),
    cutoff: time(plan.cutoffMs),
    days: plan.days,
    strategy: plan.strategy,
    archive: { bucket: plan.bucket, prefix: plan.bucketPrefix, uri: `s3://${plan.bucket}/${plan.bucketPrefix}/` },
    pricing: meta.prices ? pricingOf(plan, meta.prices) : null,
    run: result ? runTimes(result) : null,
    totals: {
      groups: t.groups,
      groupsSkipped: plan.groups.filter((g) => g.skip).length,
      exports: t.exports,
      streams: t.streams,
      delete: t.delete,
      rebuild: t.rebuild,
      keep: t.keep,
      skip: t.skip,
      estimated: estimatedTotals(t),
      ...(result
        ? measuredOf(plan, result, groups, meta.prices?.compressionRatio)
        : { estimatedDone: null, measured: null }),
    },
    groups,
    pendingRebuilds: plan.pendingRebuilds.map((p) => ({ ...p })),
    resumedRebuilds: result
      ? result.resumedRebuilds.map((r) => ({
          logGroupName: r.logGroupName,
          logStreamName: r.logStreamName,
          ...streamResultOf(r),
        }))
      : null,
    leftForNextRun: result ? leftOf(result, groups) : null,
    warnings: plan.groups.flatMap((g) => g.warnings.map((w) => `${g.logGroupName}: ${w}`)),
    notes: notesOf(plan, run, max, meta.prices),
    apiCalls: meta.apiCalls ? Object.fromEntries(Object.entries(meta.apiCalls).map(([op, s]) => [op, { ...s }])) : null,
  };
}

export { DEFAULT_MAX_STREAMS_PER_GROUP, JsonReportSchema, toJsonReport };
export type { JsonReport, ReportMeta };
