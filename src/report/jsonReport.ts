/**
 * The JSON report of a plan or a run: the plan's decisions with their estimates, and after a real
 * run what was done, measured. Its shape is {@link JsonReportSchema} (documented in the README,
 * "The report"); the human table is rendered from it, so both always say the same.
 */
import type { OperationStats } from '../aws/callAws.js';
import type { GroupResult, RunResult, StreamResult } from '../execute/results.js';
import type { RunOutput } from '../run.js';
import type { GroupPlan, Plan, Prices, StreamPlan } from '../types.js';
import { StreamAction } from '../types.js';
import {
  NO_MONEY,
  addMoney,
  estimateOf,
  estimatedTotals,
  exportOf,
  notAttempted,
  optionalTime,
  streamResultOf,
  time,
  windowOf,
  type Money,
} from './jsonParts.js';
import { JsonReportSchema } from './jsonSchema.js';
import type { JsonGroup, JsonGroupResult, JsonLeftItem, JsonReport, JsonStreamEntry, JsonStreamOutcome } from './jsonSchema.js';

/** Streams listed per group (keep streams are only counted): bounds a report over 100,000 streams. */
const DEFAULT_MAX_STREAMS_PER_GROUP = 500;
/** Items listed under leftForNextRun; `omitted` counts the rest. */
const MAX_LEFT_ITEMS = 200;

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
const OUTCOMES: readonly JsonStreamOutcome[] = ['done', 'skipped', 'failed', 'abandoned', 'deadline', 'not-attempted'];
const acts = (s: StreamPlan): boolean => s.action === StreamAction.Delete || s.action === StreamAction.Rebuild;

/** A group's planned streams with the result the run gave each (delete and rebuild only). */
function resultsOf(group: GroupPlan, result: GroupResult | undefined, run: boolean): Map<string, JsonStreamEntry['result']> {
  const byName = new Map<string, StreamResult>((result?.streams ?? []).map((r) => [r.logStreamName, r]));
  return new Map(group.streams.map((s) => {
    if (!run || !acts(s)) return [s.logStreamName, null];
    const r = byName.get(s.logStreamName);
    return [s.logStreamName, r ? streamResultOf(r) : notAttempted(result)];
  }));
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

function reasonsOf(group: GroupPlan): JsonGroup['reasons'] {
  const counts = new Map<string, JsonGroup['reasons'][number]>();
  for (const s of group.streams) {
    const key = `${s.action}|${s.reason}`;
    const seen = counts.get(key);
    counts.set(key, seen
      ? { ...seen, count: seen.count + 1, detailsVary: seen.detailsVary || seen.example !== s.detail }
      : { action: s.action, reason: s.reason, count: 1, example: s.detail, detailsVary: false });
  }
  const order: readonly string[] = [StreamAction.Delete, StreamAction.Rebuild, StreamAction.Skip, StreamAction.Keep];
  return [...counts.values()].sort((a, b) => order.indexOf(a.action) - order.indexOf(b.action) || b.count - a.count);
}

function groupResultOf(result: GroupResult, results: Map<string, JsonStreamEntry['result']>): JsonGroupResult {
  const outcomes = Object.fromEntries(OUTCOMES.map((o) => [o, 0])) as Record<JsonStreamOutcome, number>;
  for (const r of results.values()) if (r) outcomes[r.outcome] += 1;
  const done = result.streams.filter((s) => s.outcome === 'done');
  const rebuilt = done.filter((s) => s.action === 'rebuild');
  return {
    exports: result.exports.map(exportOf),
    archivedThrough: optionalTime(result.archivedThroughMs),
    retention: result.retention ? { ...result.retention } : null,
    error: result.error ?? null,
    notReached: result.notReached === true,
    ...(result.lockedBy === undefined ? {} : { lockedBy: result.lockedBy }),
    outcomes,
    deleted: done.length - rebuilt.length,
    rebuilt: rebuilt.length,
    reputEvents: rebuilt.reduce((n, s) => n + (s.events ?? 0), 0),
    reputBytes: rebuilt.reduce((n, s) => n + (s.bytes ?? 0), 0),
    rejectedEvents: result.streams.reduce((n, s) => n + (s.rejected ?? 0), 0),
    ...(result.caughtUpEvents || result.streams.some((s) => s.caughtUp)
      ? { caughtUpEvents: (result.caughtUpEvents ?? 0) + result.streams.reduce((n, s) => n + (s.caughtUp ?? 0), 0) }
      : {}),
  };
}

function groupOf(group: GroupPlan, result: GroupResult | undefined, run: boolean, max: number): JsonGroup {
  const results = resultsOf(group, result, run);
  const shown = listed(group, results, max);
  const omitted = { delete: 0, rebuild: 0, skip: 0 };
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
    warnings: [...group.warnings],
    totals: {
      streams: t.streams, delete: t.delete, rebuild: t.rebuild, keep: t.keep, skip: t.skip, estimated: estimatedTotals(t),
    },
    reasons: reasonsOf(group),
    streams: group.streams.flatMap((s, i) => (shown.has(i) ? [streamEntry(s, results.get(s.logStreamName) ?? null)] : [])),
    streamsOmitted: omitted,
    // A group the run has no result for was never reached (executePlan reports every group it starts).
    result: run && !group.skip ? groupResultOf(result ?? { ...NOT_REACHED, logGroupName: group.logGroupName }, results) : null,
  };
}

/** Estimated money of the actions that were done, and what the run counted itself. */
function measuredOf(plan: Plan, result: RunResult, groups: readonly JsonGroup[]) {
  const key = (group: string, stream: string): string => `${group}\u0000${stream}`;
  const doneKeys = new Set(result.groups.flatMap((g) =>
    g.streams.filter((s) => s.outcome === 'done').map((s) => key(g.logGroupName, s.logStreamName))));
  let done: Money = NO_MONEY;
  for (const g of plan.groups) {
    for (const s of g.streams) if (doneKeys.has(key(g.logGroupName, s.logStreamName))) done = addMoney(done, s.estimate);
  }
  const exports = result.groups.flatMap((g) => g.exports);
  const archived = exports.filter((e) => e.status === 'archived');
  const streams = [...result.resumedRebuilds, ...result.groups.flatMap((g) => g.streams)];
  const rebuilt = streams.filter((s) => s.action === 'rebuild' && s.outcome === 'done');
  const planned = result.resumedRebuilds.length
    + groups.reduce((n, g) => n + (g.result ? g.totals.delete + g.totals.rebuild : 0), 0);
  const finished = streams.filter((s) => s.outcome === 'done').length;
  return {
    estimatedDone: estimatedTotals(done),
    measured: {
      exportsArchived: archived.length,
      exportsNotArchived: exports.length - archived.length,
      archivedObjects: archived.reduce((n, e) => n + (e.objects ?? 0), 0),
      archivedBytes: archived.reduce((n, e) => n + (e.bytes ?? 0), 0),
      deleted: streams.filter((s) => s.action === 'delete' && s.outcome === 'done').length,
      rebuilt: rebuilt.length,
      notDone: Math.max(planned - finished, 0),
      reputEvents: rebuilt.reduce((n, s) => n + (s.events ?? 0), 0),
      reputBytes: rebuilt.reduce((n, s) => n + (s.bytes ?? 0), 0),
      rejectedEvents: streams.reduce((n, s) => n + (s.rejected ?? 0), 0),
    },
  };
}

/** Work this run meant to do and did not: the next run picks it up. */
function leftOf(result: RunResult, groups: readonly JsonGroup[]): NonNullable<JsonReport['leftForNextRun']> {
  const items: JsonLeftItem[] = [];
  const why = (outcome: string, detail: string | null | undefined): string => (detail ? `${outcome}: ${detail}` : outcome);
  for (const r of result.resumedRebuilds) {
    if (r.outcome === 'done') continue;
    items.push({ logGroupName: r.logGroupName, logStreamName: r.logStreamName, what: 'rebuild', why: why(r.outcome, r.detail) });
  }
  for (const g of groups) {
    const r = g.result;
    if (!r) continue;
    const left = (what: JsonLeftItem['what'], reason: string, logStreamName: string | null = null): void => {
      items.push({ logGroupName: g.logGroupName, logStreamName, what, why: reason });
    };
    if (r.notReached) left('group', 'not reached before the deadline');
    if (r.error !== null) left('group', r.error);
    if (r.lockedBy) left('group', r.lockedBy);
    for (const e of r.exports) if (e.status !== 'archived') left('export', e.message ?? `export ${e.status}`);
    if (r.retention?.outcome === 'skipped' || r.retention?.outcome === 'failed') left('retention', r.retention.detail);
    for (const s of g.streams) {
      const outcome = s.result?.outcome;
      // A not-attempted action is covered by its group's line above.
      if (outcome === undefined || outcome === 'done' || outcome === 'not-attempted') continue;
      left(s.action === 'rebuild' ? 'rebuild' : 'delete', why(outcome, s.result?.detail), s.logStreamName);
    }
  }
  return { count: items.length, items: items.slice(0, MAX_LEFT_ITEMS), omitted: Math.max(items.length - MAX_LEFT_ITEMS, 0) };
}

function runTimes(result: RunResult): NonNullable<JsonReport['run']> {
  return {
    startedAt: time(result.startedAtMs),
    finishedAt: time(result.finishedAtMs),
    durationMs: Math.max(0, Math.round(result.finishedAtMs - result.startedAtMs)),
    deadlineReached: result.deadlineReached,
  };
}

function notesOf(plan: Plan, run: boolean, max: number, prices?: Prices): string[] {
  const priced = prices
    ? ` Prices: ingestion $${prices.ingestionPerGb}/GB, CloudWatch storage $${prices.storagePerGbMonth}/GB-month, `
      + `archive $${prices.archivePerGbMonth}/GB-month; re-put bytes = kept share × compression ratio `
      + `${prices.compressionRatio}; a rebuild must pay back within ${prices.paybackHorizonMonths} months.`
    : '';
  const notes = [
    'Estimates (estimate, totals.estimated) come from CloudWatch metadata, not from reading events: each group\'s '
      + `storedBytes (compressed) is shared among its streams by their event time span.${priced}`,
    `Streams whose action is keep are counted under reasons, not listed; at most ${max} other streams are listed `
      + 'per group, unfinished actions, rebuilds and skips first (the rest are counted in streamsOmitted).',
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
    run: result ? runTimes(result) : null,
    totals: {
      groups: t.groups,
      groupsSkipped: plan.groups.filter((g) => g.skip).length,
      exports: t.exports,
      streams: t.streams, delete: t.delete, rebuild: t.rebuild, keep: t.keep, skip: t.skip,
      estimated: estimatedTotals(t),
      ...(result ? measuredOf(plan, result, groups) : { estimatedDone: null, measured: null }),
    },
    groups,
    pendingRebuilds: plan.pendingRebuilds.map((p) => ({ ...p })),
    resumedRebuilds: result
      ? result.resumedRebuilds.map((r) => ({ logGroupName: r.logGroupName, logStreamName: r.logStreamName, ...streamResultOf(r) }))
      : null,
    leftForNextRun: result ? leftOf(result, groups) : null,
    warnings: plan.groups.flatMap((g) => g.warnings.map((w) => `${g.logGroupName}: ${w}`)),
    notes: notesOf(plan, run, max, meta.prices),
    apiCalls: meta.apiCalls ? Object.fromEntries(Object.entries(meta.apiCalls).map(([op, s]) => [op, { ...s }])) : null,
  };
}

export { DEFAULT_MAX_STREAMS_PER_GROUP, JsonReportSchema, toJsonReport };
export type { JsonReport, ReportMeta };
