/**
 * One stream's decision at the edges of each guard: the quiet period, the archive's reach, the
 * export lag, the put window. Each pair of cases sits one millisecond either side of a limit.
 * Pure code, literal data.
 */
import { describe, expect, it } from 'vitest';
import { planStream, type StreamContext } from '../../../src/plan/planStream.js';
import type { StreamInfo } from '../../../src/types.js';
import { configFactory, groupFactory } from '../../helpers/factories.js';

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
const NOW = Date.UTC(2026, 10, 21, 12);
const CUTOFF = NOW - 7 * DAY;

function ctx(overrides: Partial<StreamContext> = {}, settings: Partial<StreamContext['settings']> = {}): StreamContext {
  return {
    nowMs: NOW,
    cutoffMs: CUTOFF,
    settings: { ...configFactory({ days: 7, forceRebuild: true, quietMinutes: 180 }), ...settings },
    group: groupFactory({ creationTimeMs: NOW - 90 * DAY }),
    windows: [],
    plannedExports: [{ window: { fromMs: 0, toMs: CUTOFF - 1 }, createdAtMs: NOW }],
    archivedThroughAfterMs: CUTOFF - 1,
    storedBytes: 1024 ** 3,
    ...overrides,
  };
}

const stream = (first: number, last: number, lastIngestion = last): StreamInfo => ({
  logStreamName: 's',
  creationTimeMs: first,
  firstEventTimestampMs: first,
  lastEventTimestampMs: last,
  lastIngestionTimeMs: lastIngestion,
});

const expired = (lastIngestion: number) => stream(NOW - 30 * DAY, NOW - 20 * DAY, lastIngestion);
const straddling = (lastIngestion: number) => stream(NOW - 30 * DAY, NOW - 20 * HOUR, lastIngestion);

describe('planStream at the edge of each guard', () => {
  it('splits on the cutoff: first event at the cutoff is current, last event just before it is expired', () => {
    expect(planStream(stream(CUTOFF, NOW - HOUR, NOW - 5 * HOUR), ctx()).action).toBe('keep');
    expect(planStream(stream(CUTOFF - 1, CUTOFF - 1, NOW - 5 * HOUR), ctx({ plannedExports: [] })).action).toBe(
      'delete',
    );
    expect(planStream(stream(CUTOFF - 1, CUTOFF, NOW - 5 * HOUR), ctx({ plannedExports: [] })).action).toBe('rebuild');
  });

  it('waits for exactly the quiet period since the last ingestion', () => {
    const quiet = 180 * MIN;
    expect(planStream(straddling(NOW - quiet), ctx({ plannedExports: [] })).action).toBe('rebuild');
    expect(planStream(straddling(NOW - quiet + 1), ctx({ plannedExports: [] }))).toMatchObject({
      action: 'skip',
      reason: 'active',
    });
  });

  it('deletes only what the archive reaches: archived through the last event, not one ms less', () => {
    const s = expired(NOW - 20 * DAY);
    expect(planStream(s, ctx({ archivedThroughAfterMs: NOW - 20 * DAY, plannedExports: [] }))).toMatchObject({
      action: 'delete',
      requiresArchivedThroughMs: NOW - 20 * DAY,
    });
    expect(planStream(s, ctx({ archivedThroughAfterMs: NOW - 20 * DAY - 1, plannedExports: [] }))).toMatchObject({
      action: 'skip',
      reason: 'not-archived',
    });
    const { archivedThroughAfterMs: _none, ...unarchived } = ctx({ plannedExports: [] });
    expect(planStream(s, unarchived as StreamContext)).toMatchObject({ action: 'skip', reason: 'not-archived' });
  });

  it('rebuilds only when archived through the cutoff − 1, and requires exactly that', () => {
    const s = straddling(NOW - 20 * HOUR);
    expect(planStream(s, ctx({ plannedExports: [] }))).toMatchObject({
      action: 'rebuild',
      requiresArchivedThroughMs: CUTOFF - 1,
    });
    expect(planStream(s, ctx({ archivedThroughAfterMs: CUTOFF - 2, plannedExports: [] }))).toMatchObject({
      action: 'skip',
      reason: 'not-archived',
    });
  });

  it('keeps a stream last ingested within 12 h (+ 1 h metadata lag) of the export that covers it', () => {
    const exportAt = NOW - DAY;
    const covering = (lastIngestion: number) =>
      planStream(
        expired(lastIngestion),
        ctx({ plannedExports: [{ window: { fromMs: 0, toMs: CUTOFF - 1 }, createdAtMs: exportAt }] }),
      );
    const edge = exportAt - 12 * HOUR - HOUR; // lastIngestion + 1 h < created − 12 h
    expect(covering(edge - 1).action).toBe('delete');
    expect(covering(edge)).toMatchObject({ action: 'skip', reason: 'ingested-after-export' });
  });

  it('checks a straddling stream’s late writes against this run’s export only, not the windows trimmed before', () => {
    // Window 1 (archived 20 days ago) holds the stream's oldest events; this run exports the rest.
    const window1 = {
      fromMs: 0,
      toMs: NOW - 25 * DAY,
      taskCreatedAtMs: NOW - 20 * DAY,
      taskId: 't1',
      destinationPrefix: 'p',
      objectCount: 1,
      bytes: 1,
    };
    const s = straddling(NOW - 20 * HOUR);
    const decided = planStream(
      s,
      ctx({
        windows: [window1],
        archivedThroughBeforeMs: NOW - 25 * DAY,
        plannedExports: [{ window: { fromMs: NOW - 25 * DAY + 1, toMs: CUTOFF - 1 }, createdAtMs: NOW }],
      }),
    );
    expect(decided.action).toBe('rebuild');
  });

  it('ignores exports that do not cover the stream’s events', () => {
    const s = expired(NOW - 20 * DAY);
    const elsewhere = ctx({
      plannedExports: [{ window: { fromMs: NOW - 10 * DAY, toMs: CUTOFF - 1 }, createdAtMs: NOW - 20 * DAY + HOUR }],
    });
    expect(planStream(s, elsewhere).action).toBe('delete');
  });

  it('refuses a rebuild whose kept events would be within 25 h of the 14-day put limit', () => {
    const margin = 25 * HOUR;
    const limit = 14 * DAY;
    // The oldest kept event is `nowMs − cutoffMs` old; the rebuild needs that + 25 h < 14 days.
    const at = (ageMs: number) =>
      planStream(
        stream(NOW - ageMs - DAY, NOW - 20 * HOUR, NOW - 20 * HOUR),
        ctx({ cutoffMs: NOW - ageMs, archivedThroughAfterMs: NOW - ageMs - 1, plannedExports: [] }, { days: 12 }),
      );
    expect(at(limit - margin - 1).action).toBe('rebuild');
    expect(at(limit - margin)).toMatchObject({ action: 'skip', reason: 'outside-put-window' });
  });

  it('says DAYS is the reason from 14 days on, and the put window below that', () => {
    const at = (days: number) =>
      planStream(
        stream(NOW - 40 * DAY, NOW - 20 * HOUR, NOW - 20 * HOUR),
        ctx({ cutoffMs: NOW - days * DAY, archivedThroughAfterMs: NOW - days * DAY - 1, plannedExports: [] }, { days }),
      );
    expect(at(14).detail).toMatch(/^DAYS=14: PutLogEvents refuses events older than 14 days/);
    expect(at(13).detail).toMatch(/^events to keep reach 13/);
  });

  it('takes the group retention as the put limit when it is shorter than 14 days', () => {
    const group = groupFactory({ creationTimeMs: NOW - 90 * DAY, retentionInDays: 7 });
    const s = straddling(NOW - 20 * HOUR);
    // Kept events up to 3 days old: 3 d + 25 h < 7 d.
    const ok = ctx(
      { group, cutoffMs: NOW - 3 * DAY, archivedThroughAfterMs: NOW - 3 * DAY - 1, plannedExports: [] },
      { days: 3 },
    );
    expect(planStream(s, ok).action).toBe('rebuild');
    // 6 days: 6 d + 25 h ≥ 7 d.
    const late = ctx(
      { group, cutoffMs: NOW - 6 * DAY, archivedThroughAfterMs: NOW - 6 * DAY - 1, plannedExports: [] },
      { days: 6 },
    );
    expect(planStream(s, late)).toMatchObject({ action: 'skip', reason: 'outside-put-window' });
  });

  it('deletes an old empty stream only once it is idle, and keeps a recent one', () => {
    const empty = (creationTimeMs: number, lastIngestionTimeMs?: number): StreamInfo => ({
      logStreamName: 'e',
      creationTimeMs,
      ...(lastIngestionTimeMs === undefined ? {} : { lastIngestionTimeMs }),
    });
    expect(planStream(empty(CUTOFF - 1), ctx()).action).toBe('delete');
    expect(planStream(empty(CUTOFF), ctx()).action).toBe('keep');
    expect(planStream(empty(CUTOFF - 1, NOW - MIN), ctx()).action).toBe('keep');
    // The retention strategy deletes them too: retention empties streams but never removes them.
    expect(planStream(empty(CUTOFF - 1), ctx({}, { strategy: 'retention' })).action).toBe('delete');
  });
});

describe('planStream: what a dry run says about each stream', () => {
  const empty = (creationTimeMs: number): StreamInfo => ({ logStreamName: 'e', creationTimeMs });

  it('says why an empty stream goes or stays, with nothing added about late events', () => {
    expect(planStream(empty(CUTOFF - 1), ctx()).detail).toBe('no events, created before the cutoff');
    expect(planStream(empty(CUTOFF), ctx()).detail).toBe('no events yet');
  });

  it("names an earlier version's in-group lock stream, which is never trimmed", () => {
    const lock = { ...expired(NOW - 20 * DAY), logStreamName: '__cwl-trim-lock__' };
    expect(planStream(lock, ctx())).toMatchObject({
      action: 'keep',
      reason: 'cwl-trim-lock',
      detail: 'the in-group lock stream of an earlier cwl-trim version; never trimmed',
    });
  });

  it('leaves to the retention, with STRATEGY=retention, a stream with an event before the cutoff; one from the cutoff on is current', () => {
    const retention = ctx({}, { strategy: 'retention' });
    expect(planStream(stream(CUTOFF - 1, NOW - HOUR, NOW - 5 * HOUR), retention)).toMatchObject({
      action: 'keep',
      reason: 'retention-strategy',
      detail: 'the group retention expires these events once archived',
    });
    expect(planStream(stream(CUTOFF, NOW - HOUR, NOW - 5 * HOUR), retention)).toMatchObject({
      action: 'keep',
      reason: 'current',
    });
  });

  it('says which setting accepts a data protection policy, and why a stream written near its export waits', () => {
    const masked = ctx({ group: groupFactory({ creationTimeMs: NOW - 90 * DAY, hasDataProtectionPolicy: true }) });
    expect(planStream(straddling(NOW - 20 * HOUR), masked).detail).toBe(
      'events read back masked would replace the originals; set UNMASK=true (needs logs:Unmask)',
    );
    const exportAt = NOW - DAY;
    const near = ctx({ plannedExports: [{ window: { fromMs: 0, toMs: CUTOFF - 1 }, createdAtMs: exportAt }] });
    expect(planStream(expired(exportAt - 13 * HOUR), near).detail).toBe(
      'written within 12 h of the export that covers it, so the export may miss events; kept',
    );
  });

  it('says how old the kept events get against the put window, and both ways out', () => {
    const s = stream(NOW - 40 * DAY, NOW - 20 * HOUR, NOW - 20 * HOUR);
    const plan = planStream(
      s,
      ctx({ cutoffMs: NOW - 13 * DAY, archivedThroughAfterMs: NOW - 13 * DAY - 1, plannedExports: [] }, { days: 13 }),
    );
    expect(plan.detail).toBe(
      'events to keep reach 13 d old; put back they must be younger than 14 d (14 days or the group retention) with a 1 d margin; use STRATEGY=retention or a smaller DAYS',
    );
  });
});
