import { BYTES_PER_GB, DAYS_PER_MONTH, MS_PER_DAY, MS_PER_MINUTE } from '../constants.js';
import type { Prices, StorageTierName, StreamInfo } from '../types.js';
import type { StreamEstimate } from './planTypes.js';

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

/**
 * The stored bytes of a group's events inside a window, estimated as {@link streamStoredBytes} shares
 * them out, each stream's share cut to the part of its event span inside the window. What an export of
 * that window should hold, to compare with the bytes it wrote.
 *
 * @example storedBytesInWindow(streams, group.storedBytes, { fromMs, toMs })
 */
function storedBytesInWindow(
  streams: readonly StreamInfo[],
  groupStoredBytes: number,
  window: { readonly fromMs: number; readonly toMs: number },
): number {
  const shares = streamStoredBytes(streams, groupStoredBytes);
  return streams.reduce((sum, s) => {
    const first = s.firstEventTimestampMs;
    const last = s.lastEventTimestampMs;
    if (first === undefined || last === undefined) return sum;
    const inside = Math.max(0, Math.min(last, window.toMs) - Math.max(first, window.fromMs));
    const fraction =
      last === first ? (first >= window.fromMs && first <= window.toMs ? 1 : 0) : inside / (last - first);
    return sum + (shares.get(s.logStreamName) ?? 0) * fraction;
  }, 0);
}

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
  /** INTELLIGENT_TIERING: CloudWatch bills old data at the tier prices (GetStorageTierPolicy). */
  readonly storageTier?: StorageTierName;
  /** Age of the removed data in days; at least DAYS (the default), since it is older than the cutoff. */
  readonly removedAgeDays?: number;
}

/** Days after which Intelligent-Tiering bills data at the lower tiers (the tier prices' source, README). */
const TIER_AGES_DAYS = [30, 90] as const;

/** CloudWatch's price of one GB-month of data this many days old. */
function storagePriceAt(prices: Prices, tier: StorageTierName | undefined, ageDays: number): number {
  if (tier !== 'INTELLIGENT_TIERING' || ageDays < TIER_AGES_DAYS[0]) return prices.storagePerGbMonth;
  return ageDays < TIER_AGES_DAYS[1] ? prices.tier30To90PerGbMonth : prices.tierOver90PerGbMonth;
}

/**
 * Σ over the removed data's remaining life of (CloudWatch price at its age − archive price), in
 * USD per GB: the price steps down at the tier ages as the data ages, so the life is cut there.
 */
function netPerGbOverLife(
  prices: Prices,
  tier: StorageTierName | undefined,
  ageDays: number,
  lifeMonths: number,
): number {
  const endDays = ageDays + lifeMonths * DAYS_PER_MONTH;
  const cuts = [ageDays, ...TIER_AGES_DAYS.filter((d) => d > ageDays && d < endDays), endDays];
  let total = 0;
  for (let i = 0; i + 1 < cuts.length; i += 1) {
    const months = (cuts[i + 1]! - cuts[i]!) / DAYS_PER_MONTH;
    total += months * (storagePriceAt(prices, tier, cuts[i]!) - prices.archivePerGbMonth);
  }
  return total;
}

/**
 * Money of one action, both sides: the CloudWatch storage no longer billed and the archive's S3
 * storage billed instead, each a month, and the net saving over the removed data's remaining life —
 * until the group's retention would have expired it, and never counted beyond the payback horizon.
 * With INTELLIGENT_TIERING old data is priced at the tier prices, so the net can be negative (the
 * archive then costs more than CloudWatch would have). A rebuild pays off when that lifetime saving ≥
 * ingestion × bytes re-put.
 */
function estimateAction(input: EstimateInput): StreamEstimate & { readonly savingOverStayUsd: number } {
  const { storedBytes, removeFraction, reput, prices } = input;
  const removeStoredBytes = storedBytes * removeFraction;
  const reputBytes = reput ? storedBytes * (1 - removeFraction) * prices.compressionRatio : 0;
  const reputCostUsd = (reputBytes / BYTES_PER_GB) * prices.ingestionPerGb;
  const ageDays = Math.max(input.removedAgeDays ?? input.days, input.days);
  const removedGb = removeStoredBytes / BYTES_PER_GB;
  const cloudWatchMonthlyUsd = removedGb * storagePriceAt(prices, input.storageTier, ageDays);
  const archiveMonthlyUsd = removedGb * prices.archivePerGbMonth;
  const monthlySavingUsd = cloudWatchMonthlyUsd - archiveMonthlyUsd;
  const stayMonths =
    input.retentionInDays === undefined
      ? prices.paybackHorizonMonths
      : Math.min(prices.paybackHorizonMonths, Math.max(input.retentionInDays - input.days, 0) / DAYS_PER_MONTH);
  const lifetimeSavingUsd = removedGb * netPerGbOverLife(prices, input.storageTier, ageDays, stayMonths);
  const paybackMonths = reputCostUsd === 0 ? 0 : monthlySavingUsd <= 0 ? null : reputCostUsd / monthlySavingUsd;
  return {
    storedBytes,
    removeStoredBytes,
    reputBytes,
    reputCostUsd,
    monthlySavingUsd,
    cloudWatchMonthlyUsd,
    archiveMonthlyUsd,
    stayMonths,
    lifetimeSavingUsd,
    paybackMonths,
    savingOverStayUsd: lifetimeSavingUsd,
  };
}

const ZERO_ESTIMATE: StreamEstimate = Object.freeze({
  storedBytes: 0,
  removeStoredBytes: 0,
  reputBytes: 0,
  reputCostUsd: 0,
  monthlySavingUsd: 0,
  cloudWatchMonthlyUsd: 0,
  archiveMonthlyUsd: 0,
  stayMonths: 0,
  lifetimeSavingUsd: 0,
  paybackMonths: 0,
});

/** Whole days, for messages. */
const days = (ms: number): string => `${Math.round((ms / MS_PER_DAY) * 10) / 10} d`;

export {
  TIER_AGES_DAYS,
  ZERO_ESTIMATE,
  bytesPerWeight,
  days,
  estimateAction,
  fractionBefore,
  storagePriceAt,
  storedBytesInWindow,
  streamStoredBytes,
  streamWeight,
};
export type { EstimateInput };
