import { BYTES_PER_GB, DAYS_PER_MONTH, MS_PER_DAY, MS_PER_MINUTE } from '../constants.js';
import type { Prices, StreamEstimate, StreamInfo } from '../types.js';

/**
 * CloudWatch reports stored bytes per group only (stream `storedBytes` has read 0 since 2019), so a
 * stream's share is estimated from how long it was written to: weight = its event time span (at least
 * a minute), share = weight ÷ Σ weights × group stored bytes.
 *
 * @example streamStoredBytes(streams, 10 * 1024 ** 3) // Map of stream name → estimated bytes
 */
function streamStoredBytes(streams: readonly StreamInfo[], groupStoredBytes: number): Map<string, number> {
  const total = streams.reduce((sum, s) => sum + streamWeight(s), 0);
  return new Map(
    streams.map((s) => [s.logStreamName, total === 0 ? 0 : (groupStoredBytes * streamWeight(s)) / total] as const),
  );
}

/** A stream's weight in its group's stored bytes: its event time span, at least a minute (0 when empty). */
function streamWeight(s: StreamInfo): number {
  return s.firstEventTimestampMs === undefined || s.lastEventTimestampMs === undefined
    ? 0
    : Math.max(s.lastEventTimestampMs - s.firstEventTimestampMs, MS_PER_MINUTE);
}

/** Bytes per unit of weight, once a group's total weight is known (0 when it has no events). */
const bytesPerWeight = (groupStoredBytes: number, totalWeight: number): number =>
  totalWeight === 0 ? 0 : groupStoredBytes / totalWeight;

/** The fraction of a stream's events (by time) older than the cutoff. */
function fractionBefore(stream: StreamInfo, cutoffMs: number): number {
  const first = stream.firstEventTimestampMs;
  const last = stream.lastEventTimestampMs;
  if (first === undefined || last === undefined || last < cutoffMs) return 1;
  if (first >= cutoffMs) return 0;
  return (cutoffMs - first) / Math.max(last - first, 1);
}

interface EstimateInput {
  readonly storedBytes: number;
  /** Fraction of the stored bytes the action removes. */
  readonly removeFraction: number;
  /** Whether the rest is re-put (a rebuild) or simply kept. */
  readonly reput: boolean;
  readonly prices: Prices;
  readonly days: number;
  readonly retentionInDays?: number;
}

/**
 * Money of one action. The saving lasts as long as the removed data would have stayed: until the
 * group's retention would have expired it, and never counted beyond the payback horizon.
 * A rebuild pays off when `monthly saving × months it would have stayed ≥ ingestion × bytes re-put`.
 */
function estimateAction(input: EstimateInput): StreamEstimate & { readonly savingOverStayUsd: number } {
  const { storedBytes, removeFraction, reput, prices } = input;
  const removeStoredBytes = storedBytes * removeFraction;
  const reputBytes = reput ? storedBytes * (1 - removeFraction) * prices.compressionRatio : 0;
  const reputCostUsd = (reputBytes / BYTES_PER_GB) * prices.ingestionPerGb;
  const monthlySavingUsd =
    (removeStoredBytes / BYTES_PER_GB) * Math.max(prices.storagePerGbMonth - prices.archivePerGbMonth, 0);
  const stayMonths =
    input.retentionInDays === undefined
      ? prices.paybackHorizonMonths
      : Math.min(prices.paybackHorizonMonths, Math.max(input.retentionInDays - input.days, 0) / DAYS_PER_MONTH);
  const paybackMonths = reputCostUsd === 0 ? 0 : monthlySavingUsd === 0 ? null : reputCostUsd / monthlySavingUsd;
  return {
    storedBytes,
    removeStoredBytes,
    reputBytes,
    reputCostUsd,
    monthlySavingUsd,
    paybackMonths,
    savingOverStayUsd: monthlySavingUsd * stayMonths,
  };
}

const ZERO_ESTIMATE: StreamEstimate = Object.freeze({
  storedBytes: 0,
  removeStoredBytes: 0,
  reputBytes: 0,
  reputCostUsd: 0,
  monthlySavingUsd: 0,
  paybackMonths: 0,
});

/** Whole days, for messages. */
const days = (ms: number): string => `${Math.round((ms / MS_PER_DAY) * 10) / 10} d`;

export { ZERO_ESTIMATE, bytesPerWeight, days, estimateAction, fractionBefore, streamStoredBytes, streamWeight };
export type { EstimateInput };
