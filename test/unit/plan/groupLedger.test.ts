import { describe, expect, it } from 'vitest';
import { streamWeight } from '../../../src/plan/estimateStream.js';
import { GroupLedger } from '../../../src/plan/groupLedger.js';
import { planGroup } from '../../../src/plan/planRun.js';
import { StreamAction, StreamReason, type StreamPlan } from '../../../src/plan/planTypes.js';
import { NOW, configFactory, groupFactory, stateFactory, streamFactory } from '../../helpers/factories.js';

const estimate = (bytes: number) => ({
  storedBytes: bytes,
  removeStoredBytes: bytes,
  reputBytes: 2 * bytes,
  reputCostUsd: 3 * bytes,
  monthlySavingUsd: 4 * bytes,
  cloudWatchMonthlyUsd: 5 * bytes,
  archiveMonthlyUsd: 6 * bytes,
  lifetimeSavingUsd: 7 * bytes,
  stayMonths: 12,
  paybackMonths: 0.75,
});

function planned(name: string, action: StreamPlan['action'], bytes = 1): StreamPlan {
  const reason =
    action === 'delete'
      ? StreamReason.Expired
      : action === 'rebuild'
        ? StreamReason.Straddling
        : action === 'skip'
          ? StreamReason.Active
          : StreamReason.Current;
  return {
    logStreamName: name,
    action,
    reason,
    detail: `${action} ${name}`,
    snapshot: streamFactory(name, 10, 9),
    estimate: estimate(bytes),
  };
}

describe('GroupLedger', () => {
  it('keeps exact totals and reason counts however few streams it lists', () => {
    const ledger = new GroupLedger(3);
    for (let i = 0; i < 1_000; i += 1) ledger.add(planned(`d${i}`, StreamAction.Delete));
    ledger.add(planned('k', StreamAction.Keep));
    const summary = ledger.summary();
    expect(summary.totals).toMatchObject({ streams: 1_001, delete: 1_000, keep: 1, removeStoredBytes: 1_000 });
    expect(summary.reasons).toEqual([
      { action: 'delete', reason: 'expired', count: 1_000, example: 'delete d0', detailsVary: true },
      { action: 'keep', reason: 'current', count: 1, example: 'keep k', detailsVary: false },
    ]);
    expect(summary.streams).toHaveLength(3);
    expect(summary.streamsOmitted).toEqual({ delete: 997, rebuild: 0, skip: 0 });
  });

  it('lists rebuilds and skips before deletes, and keeps last, in the order they were planned', () => {
    const ledger = new GroupLedger(3);
    ledger.add(planned('d1', StreamAction.Delete));
    ledger.add(planned('k1', StreamAction.Keep));
    ledger.add(planned('d2', StreamAction.Delete));
    ledger.add(planned('s1', StreamAction.Skip));
    ledger.add(planned('r1', StreamAction.Rebuild));
    const summary = ledger.summary();
    expect(summary.streams.map((s) => s.logStreamName)).toEqual(['d1', 's1', 'r1']);
    expect(summary.streamsOmitted).toEqual({ delete: 1, rebuild: 0, skip: 0 });
  });

  it('lists a pinned (unfinished) action ahead of everything, even one it had dropped', () => {
    const ledger = new GroupLedger(2);
    const late = planned('d3', StreamAction.Delete);
    ledger.add(planned('r1', StreamAction.Rebuild));
    ledger.add(planned('r2', StreamAction.Rebuild));
    ledger.add(late);
    expect(ledger.isListed('d3')).toBe(false);
    ledger.pin(late);
    expect(ledger.isListed('d3')).toBe(true);
    const summary = ledger.summary();
    expect(summary.streams.map((s) => s.logStreamName)).toEqual(['r1', 'd3']);
    expect(summary.streamsOmitted).toEqual({ delete: 0, rebuild: 1, skip: 0 });
  });

  it('scales every money figure of the totals and of the listed streams, and leaves payback as it is', () => {
    const ledger = new GroupLedger(10);
    ledger.add(planned('d', StreamAction.Delete, 2), 2);
    ledger.add(planned('k', StreamAction.Keep, 5), 5);
    expect(ledger.totalWeight).toBe(7);
    const summary = ledger.summary(10);
    expect(summary.totals).toMatchObject({
      removeStoredBytes: 20,
      reputBytes: 40,
      reputCostUsd: 60,
      monthlySavingUsd: 80,
      cloudWatchMonthlyUsd: 100,
      archiveMonthlyUsd: 120,
      lifetimeSavingUsd: 140,
    });
    expect(summary.streams[0]!.estimate).toEqual({ ...estimate(20), paybackMonths: 0.75 });
  });

  it('gives a group plan planned by weight the same figures as one planned by bytes', () => {
    const config = configFactory({ forceRebuild: true });
    const group = groupFactory({ storedBytes: 7 * 1024 ** 3 });
    const streams = [streamFactory('old', 30, 20), streamFactory('straddling', 10, 0.2), streamFactory('new', 3, 1)];
    const plan = planGroup({ group, streams, state: stateFactory(group.logGroupName) }, config, NOW);
    const total = streams.reduce((n, s) => n + streamWeight(s), 0);
    const old = plan.streams.find((s) => s.logStreamName === 'old')!;
    expect(old.estimate.storedBytes).toBeCloseTo((group.storedBytes * streamWeight(streams[0]!)) / total, 3);
    expect(plan.totals.removeStoredBytes).toBeCloseTo(
      plan.streams
        .filter((s) => s.action === 'delete' || s.action === 'rebuild')
        .reduce((n, s) => n + s.estimate.removeStoredBytes, 0),
      3,
    );
  });
});
