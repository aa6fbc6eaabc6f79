/**
 * The re-check before a stream is touched, as a pure decision: literal states and plans, no AWS.
 */
import { describe, expect, it } from 'vitest';
import { recheck } from '../../../src/plan/recheck.js';
import type { ArchivedWindow, GroupState } from '../../../src/types.js';
import { StreamAction, type StreamPlan } from '../../../src/plan/planTypes.js';

const w = (fromMs: number, toMs: number, taskId: string): ArchivedWindow => ({
  fromMs,
  toMs,
  taskId,
  destinationPrefix: `p/${taskId}`,
  taskCreatedAtMs: toMs + 1,
  objectCount: 1,
  bytes: 1,
});
const W1 = w(0, 99, 't1');
const W2 = w(100, 199, 't2');
const state: GroupState = { logGroupName: '/g', archivedThroughMs: 199, windows: [W1, W2] };

const plan = (action: StreamPlan['action'], first: number, last: number, extra: Partial<StreamPlan> = {}): StreamPlan =>
  ({
    logStreamName: 's',
    action,
    reason: 'expired',
    detail: '',
    snapshot: { logStreamName: 's', creationTimeMs: 0, firstEventTimestampMs: first, lastEventTimestampMs: last },
    estimate: {} as StreamPlan['estimate'],
    requiresArchivedThroughMs: last,
    ...extra,
  }) as StreamPlan;

describe('recheck', () => {
  it('blocks a stream whose window the watermark has not reached', () => {
    expect(recheck({ ...state, archivedThroughMs: 150 }, plan(StreamAction.Delete, 10, 160))).toEqual({
      blocked: 'its window is not archived yet',
    });
    expect(recheck({ logGroupName: '/g', windows: [] }, plan(StreamAction.Delete, 10, 20))).toEqual({
      blocked: 'its window is not archived yet',
    });
  });

  it('looks up the windows of the first and the last event of a delete', () => {
    expect(recheck(state, plan(StreamAction.Delete, 10, 160))).toEqual({ lookups: [W1, W2] });
    expect(recheck(state, plan(StreamAction.Delete, 10, 20))).toEqual({ lookups: [W1] });
  });

  it('looks up only the first event of a rebuild (its newer events are saved, not archived)', () => {
    expect(recheck(state, plan(StreamAction.Rebuild, 10, 160, { requiresArchivedThroughMs: 99 }))).toEqual({
      lookups: [W1],
    });
  });

  it('blocks an event that no archived window holds, naming its time', () => {
    const holed: GroupState = { ...state, windows: [W2] };
    expect(recheck(holed, plan(StreamAction.Delete, 10, 160))).toEqual({
      blocked: `no archived window holds its event at ${new Date(10).toISOString()}`,
    });
  });

  it('leaves to the catch-up an event in a range it archives first', () => {
    const holed: GroupState = { ...state, windows: [W2] };
    expect(
      recheck(
        holed,
        plan(StreamAction.Delete, 10, 160, {
          catchUp: [{ fromMs: 0, toMs: 99 }] as unknown as NonNullable<StreamPlan['catchUp']>,
        }),
      ),
    ).toEqual({ lookups: [W2] });
  });

  it('has no requirement for a stream without events', () => {
    const empty = {
      ...plan(StreamAction.Delete, 0, 0),
      snapshot: { logStreamName: 's', creationTimeMs: 0 },
    } as StreamPlan;
    const { requiresArchivedThroughMs: _r, ...noRequirement } = empty;
    expect(recheck({ logGroupName: '/g', windows: [] }, noRequirement)).toEqual({ lookups: [] });
  });

  it('counts a catch-up range with both ends in, and nothing outside it', () => {
    const holed: GroupState = { ...state, windows: [W2] };
    const range = (fromMs: number, toMs: number) => ({
      catchUp: [{ fromMs, toMs }] as unknown as NonNullable<StreamPlan['catchUp']>,
    });
    // The first event at 10: a range starting or ending exactly there covers it.
    expect(recheck(holed, plan(StreamAction.Delete, 10, 160, range(10, 20)))).toEqual({ lookups: [W2] });
    expect(recheck(holed, plan(StreamAction.Delete, 10, 160, range(0, 10)))).toEqual({ lookups: [W2] });
    // A range that stops short of it, or starts after it, does not.
    expect(recheck(holed, plan(StreamAction.Delete, 10, 160, range(0, 9)))).toMatchObject({
      blocked: expect.stringMatching(/no archived window/),
    });
    expect(recheck(holed, plan(StreamAction.Delete, 10, 160, range(11, 99)))).toMatchObject({
      blocked: expect.stringMatching(/no archived window/),
    });
  });
});
