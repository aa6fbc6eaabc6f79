/**
 * The export window at its edges: both ends inclusive, disjoint from the last one, never before
 * the group existed, and only when some stream has an event in it. Pure code, literal data.
 */
import { describe, expect, it } from 'vitest';
import {
  archiveThroughMs,
  coveringExportCreatedAtMs,
  cutoffMs,
  planExport,
  streamsHaveEventsIn,
} from '../../../src/plan/exportWindow.js';
import type { ArchivedWindow, StreamInfo } from '../../../src/types.js';
import { groupFactory, stateFactory } from '../../helpers/factories.js';

const DAY = 86_400_000;
const T = Date.UTC(2026, 10, 21, 12);
const stream = (first: number | undefined, last: number | undefined): StreamInfo => ({
  logStreamName: 's',
  creationTimeMs: first ?? T,
  ...(first === undefined ? {} : { firstEventTimestampMs: first }),
  ...(last === undefined ? {} : { lastEventTimestampMs: last }),
});
const archived = (fromMs: number, toMs: number, taskCreatedAtMs: number): ArchivedWindow => ({
  fromMs,
  toMs,
  taskCreatedAtMs,
  taskId: `t-${fromMs}`,
  destinationPrefix: 'p',
  objectCount: 1,
  bytes: 1,
});

describe('cutoffMs and archiveThroughMs', () => {
  it('cuts DAYS whole days before now, and archives through the millisecond before', () => {
    expect(cutoffMs(T, 30)).toBe(T - 30 * DAY);
    expect(archiveThroughMs(T, 30, 'rebuild')).toBe(T - 30 * DAY - 1);
  });

  it('archives a day behind now with the retention strategy, whatever DAYS is', () => {
    expect(archiveThroughMs(T, 30, 'retention')).toBe(T - DAY - 1);
    expect(archiveThroughMs(T, 3, 'retention')).toBe(T - DAY - 1);
  });
});

describe('planExport', () => {
  const group = groupFactory({ creationTimeMs: T - 90 * DAY });
  const through = T - 30 * DAY - 1;

  it('starts the first window 15 days before the group was created (never before 0)', () => {
    const first = planExport(group, stateFactory(), through, (w) =>
      streamsHaveEventsIn([stream(T - 80 * DAY, T - 40 * DAY)], w),
    );
    expect(first.exportWindow).toEqual({ fromMs: T - 90 * DAY - 15 * DAY, toMs: through });
    const ancient = planExport(groupFactory({ creationTimeMs: 1_000 }), stateFactory(), through, (w) =>
      streamsHaveEventsIn([stream(2_000, 3_000)], w),
    );
    expect(ancient.exportWindow?.fromMs).toBe(0);
  });

  it('starts right after the watermark: a one-millisecond window is still exported', () => {
    const state = stateFactory(undefined, { archivedThroughMs: through - 1 });
    expect(
      planExport(group, state, through, (w) => streamsHaveEventsIn([stream(through, through)], w)).exportWindow,
    ).toEqual({ fromMs: through, toMs: through });
    const done = planExport(group, stateFactory(undefined, { archivedThroughMs: through }), through, (w) =>
      streamsHaveEventsIn([stream(through, through)], w),
    );
    expect(done).toEqual({ noExportReason: 'archived through the cutoff already' });
  });

  it('resumes the window in flight and starts the next one after it', () => {
    const inFlight = { fromMs: T - 60 * DAY, toMs: T - 40 * DAY, destinationPrefix: 'p', intentAtMs: T - DAY };
    const state = stateFactory(undefined, { archivedThroughMs: T - 60 * DAY - 1, inFlight });
    const decision = planExport(group, state, through, (w) =>
      streamsHaveEventsIn([stream(T - 80 * DAY, T - 35 * DAY)], w),
    );
    expect(decision).toEqual({ resumeExport: inFlight, exportWindow: { fromMs: T - 40 * DAY + 1, toMs: through } });
  });

  it('exports up to a cutoff equal to the group creation time, not before it', () => {
    const young = groupFactory({ creationTimeMs: through });
    expect(
      planExport(young, stateFactory(), through, (w) => streamsHaveEventsIn([stream(through, through)], w)).exportWindow
        ?.toMs,
    ).toBe(through);
    const younger = groupFactory({ creationTimeMs: through + 1 });
    expect(
      planExport(younger, stateFactory(), through, (w) => streamsHaveEventsIn([stream(through + 1, through + 5)], w)),
    ).toEqual({
      noExportReason: 'the group was created after the cutoff',
    });
  });

  it('exports only when some stream has an event in the window, both ends inclusive', () => {
    const state = stateFactory(undefined, { archivedThroughMs: T - 50 * DAY });
    const fromMs = T - 50 * DAY + 1;
    const decide = (s: StreamInfo) => planExport(group, state, through, (w) => streamsHaveEventsIn([s], w));
    expect(decide(stream(through, T)).exportWindow).toBeDefined(); // first event on the last millisecond
    expect(decide(stream(T - 70 * DAY, fromMs)).exportWindow).toBeDefined(); // last event on the first millisecond
    expect(decide(stream(T - 70 * DAY, undefined)).exportWindow).toBeDefined(); // last event unknown yet
    expect(decide(stream(through + 1, T)).noExportReason).toBe('no stream has events in the window');
    expect(decide(stream(T - 70 * DAY, fromMs - 1)).noExportReason).toBe('no stream has events in the window');
    expect(decide(stream(undefined, undefined)).noExportReason).toBe('no stream has events in the window');
  });
});

describe('coveringExportCreatedAtMs', () => {
  const range = { fromMs: 1_000, toMs: 2_000 };

  it('is the earliest creation among the windows touching the range, edges included', () => {
    expect(
      coveringExportCreatedAtMs(
        [archived(0, 1_000, 50), archived(1_001, 1_999, 40), archived(2_000, 3_000, 60)],
        range,
      ),
    ).toBe(40);
    expect(coveringExportCreatedAtMs([archived(0, 1_000, 70), archived(2_000, 3_000, 60)], range)).toBe(60);
    expect(coveringExportCreatedAtMs([archived(0, 1_000, 10), archived(1_500, 1_600, 60)], range)).toBe(10);
    expect(coveringExportCreatedAtMs([archived(2_000, 3_000, 10), archived(1_500, 1_600, 60)], range)).toBe(10);
  });

  it('ignores windows outside the range, and counts this run’s planned exports', () => {
    expect(coveringExportCreatedAtMs([archived(0, 999, 10), archived(2_001, 3_000, 20)], range)).toBeUndefined();
    expect(
      coveringExportCreatedAtMs([archived(0, 999, 10)], range, [
        { window: { fromMs: 1_500, toMs: 2_500 }, createdAtMs: 99 },
      ]),
    ).toBe(99);
    expect(
      coveringExportCreatedAtMs([archived(1_000, 1_500, 150)], range, [
        { window: { fromMs: 1_500, toMs: 2_500 }, createdAtMs: 99 },
      ]),
    ).toBe(99);
  });
});
