/**
 * The ledger's bounded sample, as a dry run's report shows it to an operator: which streams are listed
 * when there are more than it keeps, in which order, what a pinned (unfinished) action does to the
 * counts, the order of the reasons, and the estimates' scale. Pure code, literal data.
 */
import { describe, expect, it } from 'vitest';
import { GroupLedger } from '../../../src/plan/groupLedger.js';
import {
  StreamAction,
  type StreamActionKind,
  StreamReason,
  type StreamPlan,
  type StreamReasonCode,
} from '../../../src/plan/planTypes.js';
import { streamFactory } from '../../helpers/factories.js';

const DEFAULT_REASON: Record<StreamActionKind, StreamReasonCode> = {
  delete: StreamReason.Expired,
  rebuild: StreamReason.Straddling,
  skip: StreamReason.Active,
  keep: StreamReason.Current,
};

function planned(
  name: string,
  action: StreamActionKind,
  { reason = DEFAULT_REASON[action], detail = `${action} ${name}`, bytes = 1 } = {},
): StreamPlan {
  return {
    logStreamName: name,
    action,
    reason,
    detail,
    snapshot: streamFactory(name, 10, 9),
    estimate: {
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
    },
  };
}

const names = (ledger: GroupLedger): string[] => ledger.summary().streams.map((s) => s.logStreamName);

describe('GroupLedger when full', () => {
  it('keeps the first streams of an action planned, not the latest', () => {
    const ledger = new GroupLedger(2);
    for (const n of ['d1', 'd2', 'd3', 'd4']) ledger.add(planned(n, StreamAction.Delete));
    expect(names(ledger)).toEqual(['d1', 'd2']);
    expect(ledger.summary().streamsOmitted).toEqual({ delete: 2, rebuild: 0, skip: 0 });
  });

  it('keeps the first pinned actions when pins alone fill it', () => {
    const ledger = new GroupLedger(2);
    const plans = ['r1', 'r2', 'r3'].map((n) => planned(n, StreamAction.Rebuild));
    for (const p of plans) ledger.add(p);
    for (const p of plans) ledger.pin(p);
    expect(names(ledger)).toEqual(['r1', 'r2']);
    expect(ledger.summary().streamsOmitted).toEqual({ delete: 0, rebuild: 1, skip: 0 });
  });

  it('lists streams pinned after being dropped in the order they were pinned', () => {
    const ledger = new GroupLedger(2);
    ledger.add(planned('r1', StreamAction.Rebuild));
    ledger.add(planned('r2', StreamAction.Rebuild));
    const d3 = planned('d3', StreamAction.Delete);
    const d4 = planned('d4', StreamAction.Delete);
    ledger.add(d3);
    ledger.add(d4);
    ledger.pin(d3);
    ledger.pin(d4);
    expect(names(ledger)).toEqual(['d3', 'd4']);
    expect(ledger.summary().streamsOmitted).toEqual({ delete: 0, rebuild: 2, skip: 0 });
  });

  it('pinning a keep it could not list counts nothing as omitted (keeps never are)', () => {
    const ledger = new GroupLedger(1);
    ledger.add(planned('r1', StreamAction.Rebuild));
    const k = planned('k1', StreamAction.Keep);
    ledger.add(k);
    expect(ledger.isListed('k1')).toBe(false);
    ledger.pin(k);
    expect(names(ledger)).toEqual(['k1']);
    expect(ledger.summary().streamsOmitted).toEqual({ delete: 0, rebuild: 1, skip: 0 });
  });
});

describe('GroupLedger pinning a stream it lists already', () => {
  it('lists it once, leaves the other actions listed, and counts nothing as omitted', () => {
    const ledger = new GroupLedger(5);
    ledger.add(planned('r1', StreamAction.Rebuild));
    ledger.add(planned('s1', StreamAction.Skip));
    const d1 = planned('d1', StreamAction.Delete);
    ledger.add(d1);
    ledger.add(planned('d2', StreamAction.Delete));
    ledger.pin(d1);
    const summary = ledger.summary();
    expect(summary.streams.map((s) => s.logStreamName)).toEqual(['r1', 's1', 'd1', 'd2']);
    expect(summary.streamsOmitted).toEqual({ delete: 0, rebuild: 0, skip: 0 });
  });

  it('frees its old place: a stream planned after it is still listed', () => {
    const ledger = new GroupLedger(3);
    ledger.add(planned('r1', StreamAction.Rebuild));
    const d1 = planned('d1', StreamAction.Delete);
    ledger.add(d1);
    ledger.pin(d1);
    ledger.add(planned('s1', StreamAction.Skip));
    expect(names(ledger)).toEqual(['r1', 'd1', 's1']);
    expect(ledger.summary().streamsOmitted).toEqual({ delete: 0, rebuild: 0, skip: 0 });
  });

  it('when full, moves it to the front without dropping another stream', () => {
    const ledger = new GroupLedger(2);
    const d1 = planned('d1', StreamAction.Delete);
    ledger.add(d1);
    ledger.add(planned('d2', StreamAction.Delete));
    ledger.add(planned('r3', StreamAction.Rebuild)); // drops d2
    expect(names(ledger)).toEqual(['d1', 'r3']);
    ledger.pin(d1);
    expect(names(ledger)).toEqual(['d1', 'r3']);
    expect(ledger.summary().streamsOmitted).toEqual({ delete: 1, rebuild: 0, skip: 0 });
  });
});

describe('GroupLedger reasons', () => {
  it('orders them delete, rebuild, skip, keep, whatever order they were planned in', () => {
    const ledger = new GroupLedger(10);
    ledger.add(planned('k1', StreamAction.Keep));
    ledger.add(planned('s1', StreamAction.Skip));
    ledger.add(planned('r1', StreamAction.Rebuild));
    ledger.add(planned('d1', StreamAction.Delete));
    for (const n of ['k2', 'k3', 'k4']) ledger.add(planned(n, StreamAction.Keep));
    for (const n of ['s2', 's3']) ledger.add(planned(n, StreamAction.Skip));
    expect(ledger.summary().reasons.map((r) => [r.action, r.count])).toEqual([
      ['delete', 1],
      ['rebuild', 1],
      ['skip', 3],
      ['keep', 4],
    ]);
  });

  it('orders the reasons of one action by count, most first', () => {
    const ledger = new GroupLedger(10);
    const skip = (name: string, reason: StreamReasonCode) => ledger.add(planned(name, StreamAction.Skip, { reason }));
    skip('a1', StreamReason.Active);
    skip('n1', StreamReason.NotWorthIt);
    skip('n2', StreamReason.NotWorthIt);
    skip('i1', StreamReason.IngestedAfterExport);
    skip('i2', StreamReason.IngestedAfterExport);
    skip('i3', StreamReason.IngestedAfterExport);
    ledger.add(planned('d1', StreamAction.Delete));
    expect(ledger.summary().reasons.map((r) => [r.action, r.reason, r.count])).toEqual([
      ['delete', 'expired', 1],
      ['skip', 'ingested-after-export', 3],
      ['skip', 'not-worth-it', 2],
      ['skip', 'active', 1],
    ]);
  });

  it('says the details vary only when a stream of the same reason had another detail', () => {
    const ledger = new GroupLedger(10);
    ledger.add(planned('d1', StreamAction.Delete, { detail: 'every event archived' }));
    ledger.add(planned('d2', StreamAction.Delete, { detail: 'every event archived' }));
    ledger.add(planned('s1', StreamAction.Skip, { detail: 'written 1 h ago' }));
    ledger.add(planned('s2', StreamAction.Skip, { detail: 'written 2 h ago' }));
    ledger.add(planned('s3', StreamAction.Skip, { detail: 'written 1 h ago' }));
    expect(ledger.summary().reasons).toEqual([
      { action: 'delete', reason: 'expired', count: 2, example: 'every event archived', detailsVary: false },
      { action: 'skip', reason: 'active', count: 3, example: 'written 1 h ago', detailsVary: true },
    ]);
  });
});

describe('GroupLedger estimates', () => {
  it('gives the listed streams as planned at scale 1, and scaled otherwise', () => {
    const ledger = new GroupLedger(10);
    ledger.add(planned('d1', StreamAction.Delete, { bytes: 3 }), 3);
    expect(ledger.summary().streams[0]!.estimate).toMatchObject({ storedBytes: 3, removeStoredBytes: 3 });
    expect(ledger.summary(0.5).streams[0]!.estimate).toMatchObject({ storedBytes: 1.5, removeStoredBytes: 1.5 });
    expect(ledger.summary(Number.NaN).streams[0]!.estimate).toMatchObject({ storedBytes: 0, removeStoredBytes: 0 });
  });
});
