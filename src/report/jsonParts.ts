/**
 * Small pieces of the JSON report: times, windows, estimates and per-stream results, rounded so
 * that the report carries whole bytes and micro-dollars (estimates are fractional by nature, and
 * sixteen digits of a guess would only look precise).
 */
import { addMoney, type Money } from '../plan/groupLedger.js';
import type { ExportResult, GroupResult, StreamResult } from '../plan/results.js';
import type { TimeWindow } from '../types.js';
import type { StreamEstimate, StreamPlan } from '../plan/planTypes.js';
import type { JsonEstimatedTotals, JsonStreamOutcome, JsonStreamResult, JsonTime, JsonWindow } from './jsonSchema.js';

/** A stream result as the run gives it, or one the report infers (`not-attempted`). */
type ResultLike = Omit<Partial<StreamResult>, 'outcome'> & { readonly outcome: JsonStreamOutcome };

/** @example time(0) // { ms: 0, iso: '1970-01-01T00:00:00.000Z' } */
function time(ms: number): JsonTime {
  const whole = Math.round(ms);
  return { ms: whole, iso: new Date(whole).toISOString() };
}

/** @example optionalTime(undefined) // null */
const optionalTime = (ms: number | undefined): JsonTime | null => (ms === undefined ? null : time(ms));

/** @example windowOf({ fromMs: 0, toMs: 999 }) // { from: time(0), to: time(999) } */
function windowOf(w: TimeWindow): JsonWindow {
  return { from: time(w.fromMs), to: time(w.toMs) };
}

const wholeBytes = (n: number): number => Math.max(0, Math.round(n));
const microUsd = (n: number): number => Math.max(0, Math.round(n * 1e6) / 1e6);
/** Signed: a net figure may be negative. `+ 0` turns -0 into 0. */
const netMicroUsd = (n: number): number => Math.round(n * 1e6) / 1e6 + 0;

/**
 * Months of saving that pay for the re-put: 0 when nothing is re-put, null when it never pays back.
 *
 * @example paybackOf(1.36, 0.24) // 5.67
 */
function paybackOf(reputCostUsd: number, monthlySavingUsd: number): number | null {
  if (reputCostUsd === 0) return 0;
  if (monthlySavingUsd <= 0) return null;
  return Math.round((reputCostUsd / monthlySavingUsd) * 100) / 100;
}

/** @example estimateOf(streamPlan.estimate) */
function estimateOf(e: StreamEstimate) {
  return {
    storedBytes: wholeBytes(e.storedBytes),
    removeStoredBytes: wholeBytes(e.removeStoredBytes),
    reputBytes: wholeBytes(e.reputBytes),
    reputCostUsd: microUsd(e.reputCostUsd),
    monthlySavingUsd: netMicroUsd(e.monthlySavingUsd),
    cloudWatchMonthlyUsd: microUsd(e.cloudWatchMonthlyUsd),
    archiveMonthlyUsd: microUsd(e.archiveMonthlyUsd),
    stayMonths: Math.round(e.stayMonths * 100) / 100,
    lifetimeSavingUsd: netMicroUsd(e.lifetimeSavingUsd),
    paybackMonths: e.paybackMonths === null ? null : Math.round(e.paybackMonths * 100) / 100,
  };
}

/** The sum of no estimates. */
const NO_MONEY: Money = {
  removeStoredBytes: 0,
  reputBytes: 0,
  reputCostUsd: 0,
  monthlySavingUsd: 0,
  cloudWatchMonthlyUsd: 0,
  archiveMonthlyUsd: 0,
  lifetimeSavingUsd: 0,
};

/** The money of a group's planned deletes and rebuilds (skips and keeps remove nothing). */
function moneyOfStreams(streams: readonly StreamPlan[]): Money {
  return streams.reduce(
    (sum, s) => (s.action === 'delete' || s.action === 'rebuild' ? addMoney(sum, s.estimate) : sum),
    NO_MONEY,
  );
}

/** @example estimatedTotals(moneyOfStreams(group.streams)) */
function estimatedTotals(t: Money): JsonEstimatedTotals {
  return {
    removeStoredBytes: wholeBytes(t.removeStoredBytes),
    reputBytes: wholeBytes(t.reputBytes),
    reputCostUsd: microUsd(t.reputCostUsd),
    monthlySavingUsd: netMicroUsd(t.monthlySavingUsd),
    cloudWatchMonthlyUsd: microUsd(t.cloudWatchMonthlyUsd),
    archiveMonthlyUsd: microUsd(t.archiveMonthlyUsd),
    lifetimeSavingUsd: netMicroUsd(t.lifetimeSavingUsd),
    paybackMonths: paybackOf(t.reputCostUsd, t.monthlySavingUsd),
  };
}

/** @example streamResultOf(result) // { outcome: 'done', detail: null, events: 56, … } */
function streamResultOf(r: ResultLike): JsonStreamResult {
  return {
    outcome: r.outcome,
    detail: r.detail ?? null,
    events: r.events ?? null,
    bytes: r.bytes ?? null,
    batches: r.batches ?? null,
    rejected: r.rejected ?? null,
    ...(r.caughtUp === undefined ? {} : { caughtUp: r.caughtUp }),
  };
}

/**
 * Why a planned delete or rebuild has no result: the run never got to it.
 *
 * @example notAttempted(groupResult) // { outcome: 'not-attempted', detail: 'the group was not reached…', … }
 */
function notAttempted(group: GroupResult | undefined): JsonStreamResult {
  const detail =
    group === undefined || group.notReached === true
      ? 'the group was not reached before the deadline'
      : group.error !== undefined
        ? `the group failed: ${group.error}`
        : group.lockedBy !== undefined
          ? `another run holds the group: ${group.lockedBy}`
          : "the group's export was not archived this run";
  return streamResultOf({ outcome: 'not-attempted', detail });
}

/** @example exportOf(groupResult.exports[0]) */
function exportOf(e: ExportResult) {
  return {
    window: windowOf(e),
    status: e.status,
    taskId: e.taskId ?? null,
    objects: e.objects ?? null,
    bytes: e.bytes ?? null,
    message: e.message ?? null,
  };
}

export {
  NO_MONEY,
  addMoney,
  estimateOf,
  estimatedTotals,
  exportOf,
  moneyOfStreams,
  notAttempted,
  optionalTime,
  paybackOf,
  streamResultOf,
  time,
  windowOf,
};
export type { Money };
