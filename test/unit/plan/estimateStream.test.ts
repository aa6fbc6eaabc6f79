import { describe, expect, it } from 'vitest';
import { BYTES_PER_GB, DAYS_PER_MONTH } from '../../../src/constants.js';
import { estimateAction, storedBytesInWindow } from '../../../src/plan/estimateStream.js';
import { toJsonReport } from '../../../src/report/jsonReport.js';
import { renderGroup } from '../../../src/report/renderGroup.js';
import { configFactory, daysAgo, streamFactory } from '../../helpers/factories.js';
import { busyGroup, planOf, runOf } from '../report/reportFixtures.js';

const prices = configFactory().prices; // storage 0.03, archive 0.023, tiers 0.018 / 0.006, horizon 12
const GB = BYTES_PER_GB;

describe("estimateAction: both sides, over the data's remaining life", () => {
  it('shows the CloudWatch and the S3 side a month, and the net', () => {
    const e = estimateAction({ storedBytes: 10 * GB, removeFraction: 1, reput: false, prices, days: 7 });
    expect(e.cloudWatchMonthlyUsd).toBeCloseTo(0.3);
    expect(e.archiveMonthlyUsd).toBeCloseTo(0.23);
    expect(e.monthlySavingUsd).toBeCloseTo(0.07);
  });

  it('counts the saving only while the data would have stayed: retention − DAYS, at most the horizon', () => {
    const short = estimateAction({
      storedBytes: 10 * GB,
      removeFraction: 1,
      reput: false,
      prices,
      days: 7,
      retentionInDays: 30,
    });
    expect(short.stayMonths).toBeCloseTo(23 / DAYS_PER_MONTH);
    expect(short.lifetimeSavingUsd).toBeCloseTo(0.07 * (23 / DAYS_PER_MONTH));
    const never = estimateAction({ storedBytes: 10 * GB, removeFraction: 1, reput: false, prices, days: 7 });
    expect(never.stayMonths).toBe(12);
    expect(never.lifetimeSavingUsd).toBeCloseTo(0.07 * 12);
  });

  it('with Intelligent-Tiering prices old data at the tiers: the archive can cost more than it saves', () => {
    // Data 100 days old is billed $0.006 by CloudWatch, the archive $0.023: a loss every month.
    const old = estimateAction({
      storedBytes: 10 * GB,
      removeFraction: 1,
      reput: false,
      prices,
      days: 100,
      storageTier: 'INTELLIGENT_TIERING',
    });
    expect(old.cloudWatchMonthlyUsd).toBeCloseTo(0.06);
    expect(old.monthlySavingUsd).toBeCloseTo(-0.17);
    expect(old.lifetimeSavingUsd).toBeCloseTo(-0.17 * 12);
    expect(old.paybackMonths).toBe(0);
    // Data 7 days old starts at the standard price and steps down at 30 and 90 days.
    const young = estimateAction({
      storedBytes: 1 * GB,
      removeFraction: 1,
      reput: false,
      prices,
      days: 7,
      storageTier: 'INTELLIGENT_TIERING',
    });
    const months = (d: number) => d / DAYS_PER_MONTH;
    const expected = months(23) * (0.03 - 0.023) + months(60) * (0.018 - 0.023) + (12 - months(83)) * (0.006 - 0.023);
    expect(young.lifetimeSavingUsd).toBeCloseTo(expected, 6);
    const standard = estimateAction({ storedBytes: 1 * GB, removeFraction: 1, reput: false, prices, days: 7 });
    expect(standard.lifetimeSavingUsd).toBeGreaterThan(young.lifetimeSavingUsd);
  });

  it('a rebuild whose re-put costs more than it saves never pays back', () => {
    const tiered = estimateAction({
      storedBytes: 10 * GB,
      removeFraction: 0.5,
      reput: true,
      prices,
      days: 100,
      storageTier: 'INTELLIGENT_TIERING',
    });
    expect(tiered.reputCostUsd).toBeGreaterThan(0);
    expect(tiered.paybackMonths).toBeNull();
  });
});

describe('storedBytesInWindow', () => {
  it("shares the group's bytes by time span and cuts each share to the window", () => {
    const streams = [streamFactory('a', 10, 0), streamFactory('b', 10, 0)];
    expect(storedBytesInWindow(streams, 1_000, { fromMs: daysAgo(10), toMs: daysAgo(5) })).toBeCloseTo(500);
    expect(storedBytesInWindow(streams, 1_000, { fromMs: daysAgo(30), toMs: daysAgo(20) })).toBe(0);
  });
});

describe('money in the report', () => {
  it("the group panel shows both sides and the saving over the data's life, and the totals add up to the streams", () => {
    const plan = planOf([busyGroup('/app', 3)], { forceRebuild: true });
    const report = toJsonReport({ plan }, { runId: 't', prices });
    const g = report.groups[0]!;
    const sum = (k: 'cloudWatchMonthlyUsd' | 'archiveMonthlyUsd' | 'lifetimeSavingUsd') =>
      g.streams.filter((s) => s.action === 'delete' || s.action === 'rebuild').reduce((n, s) => n + s.estimate[k], 0);
    expect(g.totals.estimated.cloudWatchMonthlyUsd).toBeCloseTo(sum('cloudWatchMonthlyUsd'), 5);
    expect(g.totals.estimated.archiveMonthlyUsd).toBeCloseTo(sum('archiveMonthlyUsd'), 5);
    expect(g.totals.estimated.lifetimeSavingUsd).toBeCloseTo(sum('lifetimeSavingUsd'), 5);
    const text = renderGroup(g);
    expect(text).toMatch(/CloudWatch \$[\d.]+ a month less, S3 Standard \$[\d.]+ more/);
    expect(text).toMatch(/over the data's remaining life/);
    expect(report.pricing).toMatchObject({ compressionRatio: 5, archiveStorageClass: 'STANDARD' });
  });

  it('advice to use STRATEGY=retention carries the numbers it follows from', () => {
    const plan = planOf([busyGroup('/app', 0)], { prices: { ...prices, ingestionPerGb: 50 } });
    const g = toJsonReport({ plan }, { runId: 't', prices }).groups[0]!;
    const notWorth = g.streams.filter((s) => s.reason === 'not-worth-it');
    expect(notWorth.length).toBeGreaterThan(0);
    const cost = notWorth.reduce((n, s) => n + s.estimate.reputCostUsd, 0);
    expect(renderGroup(g)).toContain(`re-putting would cost $${cost.toFixed(2)} to save`);
  });

  it('a run reports the compression and archive ratios it measured', () => {
    const plan = planOf([busyGroup('/app', 3)], { forceRebuild: true });
    const report = toJsonReport({ plan, result: runOf(plan) }, { runId: 't', prices });
    expect(report.totals.measured?.compressionRatio).toBeGreaterThan(0);
    expect(report.totals.measured?.archiveRatio).toBeGreaterThan(0);
    expect(toJsonReport({ plan }, { runId: 't', prices }).totals.measured).toBeNull();
  });
});
