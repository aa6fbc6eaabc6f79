import { describe, expect, it } from 'vitest';
import { BYTES_PER_GB, DAYS_PER_MONTH, MS_PER_MINUTE } from '../../../src/constants.js';
import {
  estimateAction,
  fractionBefore,
  storedBytesInWindow,
  streamStoredBytes,
  streamWeight,
} from '../../../src/plan/estimateStream.js';
import type { StreamInfo } from '../../../src/types.js';
import { configFactory, daysAgo, streamFactory } from '../../helpers/factories.js';

// The edges of the estimates the plan's money and the export check rest on: empty streams, streams of
// one instant, a cutoff on an event, tier ages inside a short stay, a partial removal, a zero saving.
const prices = configFactory().prices; // storage 0.03, archive 0.023, tiers 0.018 / 0.006, horizon 12
const GB = BYTES_PER_GB;
const months = (d: number) => d / DAYS_PER_MONTH;
/** A stream that DescribeLogStreams returned without that event time (a stream never written to). */
function without(key: 'firstEventTimestampMs' | 'lastEventTimestampMs', name: string): StreamInfo {
  const { [key]: _, ...rest } = streamFactory(name, 10, 5);
  return rest;
}

describe("a stream's weight and share of its group's stored bytes", () => {
  it('a stream missing its first or its last event time weighs nothing; the others share all the bytes', () => {
    const noFirst = without('firstEventTimestampMs', 'no-first');
    const noLast = without('lastEventTimestampMs', 'no-last');
    expect(streamWeight(noFirst)).toBe(0);
    expect(streamWeight(noLast)).toBe(0);
    const shares = streamStoredBytes([noFirst, streamFactory('full', 10, 5), noLast], 1_000);
    expect(Object.fromEntries(shares)).toEqual({ 'no-first': 0, full: 1_000, 'no-last': 0 });
  });

  it('a stream of one instant weighs a minute', () => {
    const t = daysAgo(3);
    expect(streamWeight(streamFactory('one', 3, 3, { firstEventTimestampMs: t, lastEventTimestampMs: t }))).toBe(
      MS_PER_MINUTE,
    );
  });
});

describe('storedBytesInWindow: a stream of one instant', () => {
  const at = daysAgo(8);
  const instant = streamFactory('instant', 8, 8, { firstEventTimestampMs: at, lastEventTimestampMs: at });

  it('counts whole when its instant is inside the window, on either edge included', () => {
    expect(storedBytesInWindow([instant], 1_000, { fromMs: daysAgo(10), toMs: daysAgo(5) })).toBe(1_000);
    expect(storedBytesInWindow([instant], 1_000, { fromMs: at, toMs: daysAgo(5) })).toBe(1_000);
    expect(storedBytesInWindow([instant], 1_000, { fromMs: daysAgo(10), toMs: at })).toBe(1_000);
  });

  it('counts nothing when its instant is before or after the window', () => {
    expect(storedBytesInWindow([instant], 1_000, { fromMs: at + 1, toMs: daysAgo(5) })).toBe(0);
    expect(storedBytesInWindow([instant], 1_000, { fromMs: daysAgo(10), toMs: at - 1 })).toBe(0);
  });
});

describe('fractionBefore: the share of a stream older than the cutoff', () => {
  const cutoff = daysAgo(7);

  it('a stream without event times is taken as wholly old', () => {
    expect(fractionBefore(without('firstEventTimestampMs', 'a'), cutoff)).toBe(1);
    expect(fractionBefore(without('lastEventTimestampMs', 'b'), cutoff)).toBe(1);
  });

  it('a stream ending before the cutoff is wholly old; one starting on or after it is wholly new', () => {
    expect(fractionBefore(streamFactory('old', 10, 8), cutoff)).toBe(1);
    expect(fractionBefore(streamFactory('new', 6, 1), cutoff)).toBe(0);
    expect(fractionBefore(streamFactory('on', 7, 1), cutoff)).toBe(0);
  });

  it('a stream of one instant on the cutoff is new (the cutoff itself is kept)', () => {
    expect(
      fractionBefore(streamFactory('i', 7, 7, { firstEventTimestampMs: cutoff, lastEventTimestampMs: cutoff }), cutoff),
    ).toBe(0);
  });

  it('a straddling stream is cut in proportion to its time span', () => {
    expect(fractionBefore(streamFactory('s', 10, 6), cutoff)).toBeCloseTo(0.75);
  });
});

describe('estimateAction: partial removals, old data, zero savings', () => {
  it('a rebuild removes its fraction of the stored bytes and re-puts the rest, uncompressed', () => {
    const e = estimateAction({ storedBytes: 10 * GB, removeFraction: 0.25, reput: true, prices, days: 7 });
    expect(e.removeStoredBytes).toBeCloseTo(2.5 * GB);
    expect(e.reputBytes).toBeCloseTo(7.5 * GB * prices.compressionRatio);
    expect(e.cloudWatchMonthlyUsd).toBeCloseTo(2.5 * 0.03);
  });

  it('removed data older than DAYS is priced at its own age; younger than DAYS is taken as DAYS old', () => {
    const tiered = {
      storedBytes: GB,
      removeFraction: 1,
      reput: false,
      prices,
      storageTier: 'INTELLIGENT_TIERING' as const,
    };
    const old = estimateAction({ ...tiered, days: 7, removedAgeDays: 100 });
    expect(old.cloudWatchMonthlyUsd).toBeCloseTo(0.006);
    const young = estimateAction({ ...tiered, days: 40, removedAgeDays: 10 });
    expect(young.cloudWatchMonthlyUsd).toBeCloseTo(0.018);
  });

  it("a short stay is not cut at tier ages past its end: a retention ending before 30 days' age", () => {
    const e = estimateAction({
      storedBytes: GB,
      removeFraction: 1,
      reput: false,
      prices,
      days: 7,
      retentionInDays: 14,
      storageTier: 'INTELLIGENT_TIERING',
    });
    expect(e.stayMonths).toBeCloseTo(months(7));
    expect(e.lifetimeSavingUsd).toBeCloseTo(months(7) * (0.03 - 0.023), 9);
  });

  it('payback: the re-put cost over the monthly saving; none when the saving is zero', () => {
    const e = estimateAction({ storedBytes: 10 * GB, removeFraction: 0.5, reput: true, prices, days: 7 });
    expect(e.paybackMonths).toBeCloseTo(e.reputCostUsd / e.monthlySavingUsd, 9);
    expect(e.paybackMonths).toBeGreaterThan(1);
    const even = { ...prices, archivePerGbMonth: prices.storagePerGbMonth };
    const zero = estimateAction({ storedBytes: 10 * GB, removeFraction: 0.5, reput: true, prices: even, days: 7 });
    expect(zero.monthlySavingUsd).toBe(0);
    expect(zero.paybackMonths).toBeNull();
  });
});
