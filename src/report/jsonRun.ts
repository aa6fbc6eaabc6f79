/**
 * The parts of the JSON report only a real run has: its times, what it measured (with the estimated
 * money of what it did), and what it left for the next run.
 */
import { storedBytesInWindow } from '../plan/estimateStream.js';
import type { Plan } from '../plan/planTypes.js';
import { runTally, type RunResult } from '../plan/results.js';
import { addMoney, estimatedTotals, time, type Money } from './jsonParts.js';
import type { JsonGroup, JsonLeftItem, JsonReport } from './jsonSchema.js';

/** The groups a walk cut short did not reach, as one item of leftForNextRun. */
const WALK_LEFT_GROUPS = '(every group after the last one reached)';
/** Why they are left. */
const WALK_LEFT = 'the deadline came first; the next run goes on where this one stopped';
/** Items listed under leftForNextRun; `omitted` counts the rest. */
const MAX_LEFT_ITEMS = 200;

/** Estimated money of the actions that were done, and what the run counted itself. */
function measuredOf(plan: Plan, result: RunResult, groups: readonly JsonGroup[], ratioUsed: number | undefined) {
  const t = runTally(result);
  // A result without a tally lists every action: its money is the plan's estimates of those done.
  let done: Money = t.doneEstimate;
  const plans = new Map(plan.groups.map((g) => [g.logGroupName, g]));
  for (const g of result.groups) {
    if (g.tally) continue;
    const doneNames = new Set(g.streams.filter((s) => s.outcome === 'done').map((s) => s.logStreamName));
    for (const s of plans.get(g.logGroupName)?.streams ?? [])
      if (doneNames.has(s.logStreamName)) done = addMoney(done, s.estimate);
  }
  const exports = result.groups.flatMap((g) => g.exports);
  const archived = exports.filter((e) => e.status === 'archived');
  const planned =
    result.resumedRebuilds.length + groups.reduce((n, g) => n + (g.result ? g.totals.delete + g.totals.rebuild : 0), 0);
  return {
    estimatedDone: estimatedTotals(done),
    measured: {
      exportsArchived: archived.length,
      exportsNotArchived: exports.length - archived.length,
      archivedObjects: archived.reduce((n, e) => n + (e.objects ?? 0), 0),
      archivedBytes: archived.reduce((n, e) => n + (e.bytes ?? 0), 0),
      deleted: t.deleted,
      rebuilt: t.rebuilt,
      notDone: Math.max(planned - t.outcomes.done, 0),
      reputEvents: t.reputEvents,
      reputBytes: t.reputBytes,
      rejectedEvents: t.rejectedEvents,
      ...measuredRatios(plan, result, ratioUsed),
    },
  };
}

/** Work this run meant to do and did not: the next run picks it up. */
function leftOf(result: RunResult, groups: readonly JsonGroup[]): NonNullable<JsonReport['leftForNextRun']> {
  const items: JsonLeftItem[] = [];
  const why = (outcome: string, detail: string | null | undefined): string =>
    detail ? `${outcome}: ${detail}` : outcome;
  for (const r of result.resumedRebuilds) {
    if (r.outcome === 'done') continue;
    items.push({
      logGroupName: r.logGroupName,
      logStreamName: r.logStreamName,
      what: 'rebuild',
      why: why(r.outcome, r.detail),
    });
  }
  if (result.walkLeft) {
    items.push({ logGroupName: WALK_LEFT_GROUPS, logStreamName: null, what: 'group', why: WALK_LEFT });
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
    if (r.groupDeletion && r.groupDeletion.outcome !== 'deleted')
      left('group', `not deleted: ${r.groupDeletion.detail}`);
    for (const s of g.streams) {
      const outcome = s.result?.outcome;
      // A not-attempted action is covered by its group's line above.
      if (outcome === undefined || outcome === 'done' || outcome === 'not-attempted') continue;
      left(s.action === 'rebuild' ? 'rebuild' : 'delete', why(outcome, s.result?.detail), s.logStreamName);
    }
  }
  return {
    count: items.length,
    items: items.slice(0, MAX_LEFT_ITEMS),
    omitted: Math.max(items.length - MAX_LEFT_ITEMS, 0),
  };
}

function runTimes(result: RunResult): NonNullable<JsonReport['run']> {
  return {
    startedAt: time(result.startedAtMs),
    finishedAt: time(result.finishedAtMs),
    durationMs: Math.max(0, Math.round(result.finishedAtMs - result.startedAtMs)),
    deadlineReached: result.deadlineReached,
  };
}

/** Measured ÷ estimated, rounded; null when nothing was measured. */
const ratioOf = (measured: number, estimated: number): number | null =>
  measured > 0 && estimated > 0 ? Number((measured / estimated).toPrecision(3)) : null;

/**
 * What a run measured of the two ratios the estimates assume: the uncompressed bytes its rebuilds put
 * back against the stored bytes they were estimated from (the compression ratio), and the bytes its
 * exports wrote to S3 against the stored bytes of the windows they exported (what the archive holds
 * per stored byte).
 */
function measuredRatios(
  plan: Plan,
  result: RunResult,
  ratioUsed: number | undefined,
): { compressionRatio: number | null; archiveRatio: number | null } {
  let putBack = 0;
  let keptStored = 0;
  let exported = 0;
  let windowStored = 0;
  for (const r of result.groups) {
    const g = plan.groups.find((p) => p.logGroupName === r.logGroupName);
    if (!g) continue;
    for (const s of r.streams) {
      const planned = g.streams.find((p) => p.logStreamName === s.logStreamName);
      if (s.action !== 'rebuild' || s.outcome !== 'done' || !planned || s.bytes === undefined) continue;
      putBack += s.bytes;
      keptStored += planned.estimate.reputBytes;
    }
    const streams = g.streams.map((p) => p.snapshot);
    for (const e of r.exports) {
      if (e.status !== 'archived' || e.bytes === undefined) continue;
      exported += e.bytes;
      windowStored += storedBytesInWindow(streams, g.storedBytes, e);
    }
  }
  // reputBytes = kept stored bytes × the ratio used, so the stored bytes are reputBytes ÷ that ratio.
  return {
    compressionRatio: ratioUsed === undefined ? null : ratioOf(putBack * ratioUsed, keptStored),
    archiveRatio: ratioOf(exported, windowStored),
  };
}

export { leftOf, measuredOf, runTimes };
