/**
 * The two shortcuts of a group's export decision at their edges: the newest stream's last event
 * exactly on the window's first millisecond, and a first window only when nothing is archived AND
 * nothing is in flight. A wrong "no" here would leave a window unexported (and its events unarchived).
 */
import { describe, expect, it } from 'vitest';
import { firstWindowHoldsAnyEvent, newestEventMayFallIn } from '../../../src/plan/exportWindow.js';

describe('newestEventMayFallIn', () => {
  const window = { fromMs: 1_000, toMs: 2_000 };

  it('says yes when the newest event is on the window’s first millisecond or later', () => {
    expect(newestEventMayFallIn(1_000, window)).toBe(true);
    expect(newestEventMayFallIn(1_001, window)).toBe(true);
    expect(newestEventMayFallIn(5_000, window)).toBe(true);
  });

  it('says no when the newest event is a millisecond before the window, or when no stream has one', () => {
    expect(newestEventMayFallIn(999, window)).toBe(false);
    expect(newestEventMayFallIn(undefined, window)).toBe(false);
  });
});

describe('firstWindowHoldsAnyEvent', () => {
  const inFlight = { fromMs: 0, toMs: 1_000, destinationPrefix: 'p', intentAtMs: 5 };

  it('is true only for a group that stores bytes and has nothing archived or in flight', () => {
    expect(firstWindowHoldsAnyEvent({ storedBytes: 1 }, {})).toBe(true);
  });

  it('is false when an export is in flight, when something is archived, or when it stores nothing', () => {
    expect(firstWindowHoldsAnyEvent({ storedBytes: 1 }, { inFlight })).toBe(false);
    expect(firstWindowHoldsAnyEvent({ storedBytes: 1 }, { archivedThroughMs: 1_000 })).toBe(false);
    expect(firstWindowHoldsAnyEvent({ storedBytes: 0 }, {})).toBe(false);
  });
});
