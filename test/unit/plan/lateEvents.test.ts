import { describe, expect, it } from 'vitest';
import { EXPORT_LAG_MS, MS_PER_DAY, MS_PER_HOUR } from '../../../src/constants.js';
import {
  eventsToCatchUp,
  exportLine,
  lateRanges,
  parseExportLine,
  retentionCatchUpWindows,
} from '../../../src/plan/lateEvents.js';
import { planRun } from '../../../src/plan/planRun.js';
import type { ArchivedWindow } from '../../../src/types.js';
import type { CatchUpRange } from '../../../src/plan/planTypes.js';
import { NOW, configFactory, daysAgo, groupFactory, stateFactory, streamFactory } from '../../helpers/factories.js';

/** An export of [fromDaysAgo, toDaysAgo) whose task was created `createdDaysAgo`. */
const windowOf = (
  fromDaysAgo: number,
  toDaysAgo: number,
  createdDaysAgo: number,
  taskId = `t-${fromDaysAgo}`,
): ArchivedWindow => ({
  fromMs: daysAgo(fromDaysAgo),
  toMs: daysAgo(toDaysAgo) - 1,
  taskId,
  destinationPrefix: `p/${taskId}`,
  taskCreatedAtMs: daysAgo(createdDaysAgo),
  objectCount: 1,
  bytes: 1,
});

describe('lateRanges: which archived windows a stream may hold late events in', () => {
  const w1 = windowOf(60, 8, 1);
  const w2 = windowOf(8, 7, 0.5);

  it('none when the stream was last written long before every export covering it', () => {
    const s = streamFactory('s', 30, 20, { lastIngestionTimeMs: daysAgo(20) });
    expect(lateRanges(s, { fromMs: daysAgo(30), toMs: daysAgo(20) }, [w1, w2])).toEqual([]);
  });

  it('each overlapping window the stream was written into after its export began (less the lag), clipped to the range', () => {
    const s = streamFactory('s', 30, 7.5, { lastIngestionTimeMs: daysAgo(0.2) });
    const ranges = lateRanges(s, { fromMs: daysAgo(30), toMs: daysAgo(7.5) }, [w2, w1]);
    expect(ranges).toEqual([
      {
        fromMs: daysAgo(30),
        toMs: w1.toMs,
        ingestedFromMs: w1.taskCreatedAtMs - EXPORT_LAG_MS,
        taskId: w1.taskId,
        destinationPrefix: w1.destinationPrefix,
      },
      {
        fromMs: w2.fromMs,
        toMs: daysAgo(7.5),
        ingestedFromMs: w2.taskCreatedAtMs - EXPORT_LAG_MS,
        taskId: w2.taskId,
        destinationPrefix: w2.destinationPrefix,
      },
    ]);
  });

  it('counts the metadata lag: an ingestion reported just under the threshold still needs a look', () => {
    const s = streamFactory('s', 30, 20, { lastIngestionTimeMs: w1.taskCreatedAtMs - EXPORT_LAG_MS - 30 * 60_000 });
    expect(lateRanges(s, { fromMs: daysAgo(30), toMs: daysAgo(20) }, [w1])).toHaveLength(1);
  });

  it('nothing for a range past every window (a rebuilt stream starts after them: nothing to read)', () => {
    const s = streamFactory('s', 6, 0, { lastIngestionTimeMs: NOW });
    expect(lateRanges(s, { fromMs: daysAgo(6), toMs: daysAgo(7) }, [w1, w2])).toEqual([]);
  });
});

describe('eventsToCatchUp', () => {
  const range: CatchUpRange = { fromMs: 100, toMs: 200, ingestedFromMs: 1_000, taskId: 't', destinationPrefix: 'p' };
  it('keeps the events in range ingested at or after the threshold that the export does not hold (as a multiset)', () => {
    const read = [
      { timestamp: 100, message: 'early', ingestionTime: 999 },
      { timestamp: 150, message: 'twice', ingestionTime: 1_000 },
      { timestamp: 150, message: 'twice', ingestionTime: 1_001 },
      { timestamp: 160, message: 'in export', ingestionTime: 1_200 },
      { timestamp: 201, message: 'out of range', ingestionTime: 5_000 },
    ];
    const exported = [
      { timestamp: 150, message: 'twice' },
      { timestamp: 160, message: 'in export' },
    ];
    expect(eventsToCatchUp(read, range, exported)).toEqual([
      { timestamp: 150, message: 'twice', ingestionTime: 1_001 },
    ]);
  });

  it('writes and reads the export line format', () => {
    const line = exportLine({ timestamp: Date.UTC(2021, 3, 21), message: 'a b  c' });
    expect(line).toBe('2021-04-21T00:00:00.000Z a b  c');
    expect(parseExportLine(line)).toEqual({ timestamp: Date.UTC(2021, 3, 21), message: 'a b  c' });
    expect(parseExportLine('garbage')).toBeUndefined();
  });
});

describe('the planner and late writers', () => {
  const group = groupFactory({ creationTimeMs: daysAgo(90) });
  const state = stateFactory(group.logGroupName, { archivedThroughMs: daysAgo(8) - 1, windows: [windowOf(80, 8, 1)] });
  const planOne = (stream: ReturnType<typeof streamFactory>) =>
    planRun([{ group, streams: [stream], state }], configFactory({ days: 7, forceRebuild: true }), NOW).groups[0]!
      .streams[0]!;

  it('deletes an expired stream written after its export, archiving its late events first, instead of skipping it forever', () => {
    const s = planOne(streamFactory('recreated', 13, 10, { lastIngestionTimeMs: NOW - 20 * MS_PER_HOUR }));
    expect(s).toMatchObject({ action: 'delete', reason: 'expired' });
    expect(s.catchUp).toEqual([expect.objectContaining({ fromMs: daysAgo(13), toMs: daysAgo(10), taskId: 't-80' })]);
    expect(s.detail).toContain('late events in 1 archived window(s) are archived first');
  });

  it('rebuilds a straddling stream with late events in earlier windows only after catching them up', () => {
    const s = planOne(streamFactory('straddling', 12, 0.5, { lastIngestionTimeMs: NOW - 20 * MS_PER_HOUR }));
    expect(s.action).toBe('rebuild');
    expect(s.catchUp?.[0]).toMatchObject({ fromMs: daysAgo(12), toMs: daysAgo(8) - 1 });
  });

  it('reads nothing for a stream last written before the export began (less the lag)', () => {
    expect(planOne(streamFactory('old', 30, 20, { lastIngestionTimeMs: daysAgo(20) })).catchUp).toBeUndefined();
  });
});

describe('retentionCatchUpWindows: when the retention strategy looks for late events', () => {
  const w = windowOf(10, 9, 8); // one day archived 8 days ago
  it('from two days before its first events can expire, until its last can', () => {
    const seven = 7 * MS_PER_DAY;
    expect(retentionCatchUpWindows([w], w.fromMs + seven - 2 * MS_PER_DAY - 1, seven)).toEqual([]);
    expect(retentionCatchUpWindows([w], w.fromMs + seven - 2 * MS_PER_DAY, seven)).toEqual([w]);
    expect(retentionCatchUpWindows([w], w.toMs + seven, seven)).toEqual([w]);
    expect(retentionCatchUpWindows([w], w.toMs + seven + 1, seven)).toEqual([]);
  });

  it('with a long retention, once no more late writes can reach the window (14 days, plus the metadata lag)', () => {
    const year = 365 * MS_PER_DAY;
    expect(retentionCatchUpWindows([w], w.toMs + 14 * MS_PER_DAY, year)).toEqual([]);
    expect(retentionCatchUpWindows([w], w.toMs + 14 * MS_PER_DAY + MS_PER_HOUR, year)).toEqual([w]);
  });
});
