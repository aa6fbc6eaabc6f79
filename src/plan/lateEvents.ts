/**
 * Late writers, as pure code. PutLogEvents accepts events up to 14 days old, so a producer can write
 * into a window that was exported already: the export misses every event ingested after its task
 * began (less the 12-hour export lag). Before a stream loses events (delete, rebuild) those events are
 * archived by cwl-trim itself ("caught up", src/archive/catchUp.ts): these functions say which ranges
 * of which stream must be read for them, from metadata alone.
 */
import { EXPORT_LAG_MS, METADATA_LAG_MS, PUT_MAX_AGE_MS, RETENTION_MIN_HEADROOM_MS } from '../constants.js';
import type { ArchivedWindow, StreamInfo, TimeWindow } from '../types.js';
import type { CatchUpRange } from './planTypes.js';

/**
 * The ranges of `stream` within `range` that earlier exports may have missed: for each archived
 * window overlapping both, when the stream was written (by its last ingestion, plus the metadata lag)
 * at or after `taskCreatedAt − EXPORT_LAG`. A stream last written long before every export needs
 * nothing read; after a rebuild its first event is past the old windows, so nothing is read either.
 *
 * @example lateRanges(stream, { fromMs: first, toMs: last }, state.windows)
 */
function lateRanges(stream: StreamInfo, range: TimeWindow, windows: readonly ArchivedWindow[]): CatchUpRange[] {
  if (range.fromMs > range.toMs) return [];
  const lastIngestion = (stream.lastIngestionTimeMs ?? stream.creationTimeMs) + METADATA_LAG_MS;
  const ranges: CatchUpRange[] = [];
  for (const w of windows) {
    const fromMs = Math.max(w.fromMs, range.fromMs);
    const toMs = Math.min(w.toMs, range.toMs);
    if (fromMs > toMs) continue;
    const ingestedFromMs = w.taskCreatedAtMs - EXPORT_LAG_MS;
    if (lastIngestion < ingestedFromMs) continue;
    ranges.push({ fromMs, toMs, ingestedFromMs, taskId: w.taskId, destinationPrefix: w.destinationPrefix });
  }
  return ranges.sort((a, b) => a.fromMs - b.fromMs);
}

/**
 * The retention strategy removes nothing itself: CloudWatch expires events `retention` after their
 * timestamp. A window is caught up from the moment no more late writes can reach it (PutLogEvents
 * refuses events older than 14 days or than the retention) or, when that comes too late, two days
 * before its first events can expire — and on every run after, until they do (the catch-up rewrites
 * the same object with a superset, so a second pass archives nothing twice).
 *
 * @example retentionCatchUpWindows(state.windows, nowMs, 7 * MS_PER_DAY)
 */
function retentionCatchUpWindows(
  windows: readonly ArchivedWindow[],
  nowMs: number,
  retentionMs: number,
): ArchivedWindow[] {
  return windows.filter((w) => {
    const settled = w.toMs + Math.min(PUT_MAX_AGE_MS, retentionMs) + METADATA_LAG_MS;
    const beforeExpiry = w.fromMs + retentionMs - RETENTION_MIN_HEADROOM_MS;
    const from = Math.min(settled, beforeExpiry);
    // Until its last events can expire: about two runs a window on a daily schedule.
    return nowMs >= from && nowMs <= w.toMs + retentionMs;
  });
}

/** An event read back from CloudWatch, with its ingestion time. */
interface ReadEvent {
  readonly timestamp: number;
  readonly message: string;
  readonly ingestionTime: number;
}

/**
 * The events a catch-up must archive: those in `range` ingested at or after its threshold, minus
 * the ones its export did hold after all (a multiset difference on timestamp and message: an export
 * may include events ingested a little after its task began).
 */
function eventsToCatchUp(
  read: readonly ReadEvent[],
  range: CatchUpRange,
  exported: readonly { readonly timestamp: number; readonly message: string }[],
): ReadEvent[] {
  const key = (e: { timestamp: number; message: string }): string => `${e.timestamp}\u0000${e.message}`;
  const present = new Map<string, number>();
  for (const e of exported) present.set(key(e), (present.get(key(e)) ?? 0) + 1);
  return read.filter((e) => {
    if (e.timestamp < range.fromMs || e.timestamp > range.toMs || e.ingestionTime < range.ingestedFromMs) return false;
    const n = present.get(key(e)) ?? 0;
    if (n === 0) return true;
    present.set(key(e), n - 1);
    return false;
  });
}

/**
 * AWS's export line format: `2021-04-21T00:00:00.000Z message`, one event a line, so that readers of
 * the archive read caught-up events like exported ones.
 */
const exportLine = (e: { timestamp: number; message: string }): string =>
  `${new Date(e.timestamp).toISOString()} ${e.message}`;

/** The inverse of {@link exportLine}. */
function parseExportLine(line: string): { timestamp: number; message: string } | undefined {
  const space = line.indexOf(' ');
  if (space < 0) return undefined;
  const timestamp = Date.parse(line.slice(0, space));
  return Number.isNaN(timestamp) ? undefined : { timestamp, message: line.slice(space + 1) };
}

export { eventsToCatchUp, exportLine, lateRanges, parseExportLine, retentionCatchUpWindows };
export type { ReadEvent };
