/**
 * Late writers at their edges, in literal milliseconds: a range one millisecond wide, a range that
 * touches a window on one millisecond, an ingestion exactly at the threshold, an event exactly on a
 * range's ends, and export lines without a message. Each boundary from both sides and at equality:
 * a late event missed at any of them would be deleted unarchived.
 */
import { describe, expect, it } from 'vitest';
import { EXPORT_LAG_MS, METADATA_LAG_MS, MS_PER_HOUR } from '../../../src/constants.js';
import { eventsToCatchUp, lateRanges, parseExportLine } from '../../../src/plan/lateEvents.js';
import type { CatchUpRange } from '../../../src/plan/planTypes.js';
import type { ArchivedWindow, StreamInfo } from '../../../src/types.js';

const CREATED = 100 * MS_PER_HOUR;
/** The export covered [1 000, 2 000], its task created at CREATED. */
const w: ArchivedWindow = {
  fromMs: 1_000,
  toMs: 2_000,
  taskId: 't',
  destinationPrefix: 'p/t',
  taskCreatedAtMs: CREATED,
  objectCount: 1,
  bytes: 1,
};
const INGESTED_FROM = CREATED - EXPORT_LAG_MS;
/** A stream whose last ingestion (as reported, METADATA_LAG_MS behind) is this. */
const written = (lastIngestionTimeMs: number): StreamInfo => ({
  logStreamName: 's',
  creationTimeMs: 0,
  firstEventTimestampMs: 0,
  lastEventTimestampMs: 3_000,
  lastIngestionTimeMs,
});
const late = written(CREATED);
const range = (fromMs: number, toMs: number): CatchUpRange => ({
  fromMs,
  toMs,
  ingestedFromMs: INGESTED_FROM,
  taskId: 't',
  destinationPrefix: 'p/t',
});

describe('lateRanges at the edges of a range and a window', () => {
  it('reads a range one millisecond wide inside a window', () => {
    expect(lateRanges(late, { fromMs: 1_500, toMs: 1_500 }, [w])).toEqual([range(1_500, 1_500)]);
  });

  it('reads the window’s last millisecond when the range starts on it, nothing when it starts after', () => {
    expect(lateRanges(late, { fromMs: 2_000, toMs: 3_000 }, [w])).toEqual([range(2_000, 2_000)]);
    expect(lateRanges(late, { fromMs: 2_001, toMs: 3_000 }, [w])).toEqual([]);
  });

  it('reads the window’s first millisecond when the range ends on it, nothing when it ends before', () => {
    expect(lateRanges(late, { fromMs: 0, toMs: 1_000 }, [w])).toEqual([range(1_000, 1_000)]);
    expect(lateRanges(late, { fromMs: 0, toMs: 999 }, [w])).toEqual([]);
  });

  it('reads nothing for a range that ends before it starts', () => {
    expect(lateRanges(late, { fromMs: 1_501, toMs: 1_500 }, [w])).toEqual([]);
  });
});

describe('lateRanges at the ingestion threshold (the export’s creation less the lag)', () => {
  // The reported last ingestion may lag the real one by METADATA_LAG_MS.
  const atThreshold = INGESTED_FROM - METADATA_LAG_MS;

  it('reads a stream last written exactly at the threshold, and after it', () => {
    expect(lateRanges(written(atThreshold), { fromMs: 1_000, toMs: 2_000 }, [w])).toEqual([range(1_000, 2_000)]);
    expect(lateRanges(written(atThreshold + 1), { fromMs: 1_000, toMs: 2_000 }, [w])).toHaveLength(1);
  });

  it('reads nothing of a stream last written a millisecond before it', () => {
    expect(lateRanges(written(atThreshold - 1), { fromMs: 1_000, toMs: 2_000 }, [w])).toEqual([]);
  });
});

describe('eventsToCatchUp at the ends of its range', () => {
  const at = (timestamp: number, ingestionTime = INGESTED_FROM) => ({
    timestamp,
    message: `m${timestamp}`,
    ingestionTime,
  });

  it('keeps events on the first and last millisecond, drops those just outside', () => {
    const read = [at(999), at(1_000), at(1_500), at(2_000), at(2_001)];
    expect(eventsToCatchUp(read, range(1_000, 2_000), [])).toEqual([at(1_000), at(1_500), at(2_000)]);
  });

  it('keeps an event ingested exactly at the threshold, drops one ingested a millisecond before', () => {
    const read = [at(1_500, INGESTED_FROM - 1), at(1_600, INGESTED_FROM), at(1_700, INGESTED_FROM + 1)];
    expect(eventsToCatchUp(read, range(1_000, 2_000), [])).toEqual([
      at(1_600, INGESTED_FROM),
      at(1_700, INGESTED_FROM + 1),
    ]);
  });
});

describe('parseExportLine without a message', () => {
  it('reads a timestamp followed by a space as an empty message', () => {
    expect(parseExportLine('2021-04-21T00:00:00.000Z ')).toEqual({ timestamp: Date.UTC(2021, 3, 21), message: '' });
  });

  it('refuses a line with no space, even one that is a timestamp', () => {
    expect(parseExportLine('2021-04-21T00:00:00.000Z')).toBeUndefined();
  });

  it('refuses a line that starts with a space (no timestamp)', () => {
    expect(parseExportLine(' 2021-04-21T00:00:00.000Z')).toBeUndefined();
  });
});
