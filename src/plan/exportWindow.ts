import { FIRST_EXPORT_LOOKBACK_MS, MS_PER_DAY, RETENTION_EXPORT_LAG_MS } from '../constants.js';
import type {
  ArchivedWindow,
  GroupInfo,
  GroupState,
  InFlightExport,
  Strategy,
  StreamInfo,
  TimeWindow,
} from '../types.js';

/**
 * The trim cutoff: events with a timestamp before it are archived and then removed.
 * @example cutoffMs(Date.UTC(2026, 10, 21), 30) === Date.UTC(2026, 9, 22)
 */
function cutoffMs(nowMs: number, days: number): number {
  return nowMs - days * MS_PER_DAY;
}

/**
 * The last timestamp this run archives. The rebuild strategy archives up to the cutoff; the
 * retention strategy archives continuously, a day behind now, so events are safe long before the
 * retention it sets expires them.
 */
function archiveThroughMs(nowMs: number, days: number, strategy: Strategy): number {
  return strategy === 'retention' ? nowMs - RETENTION_EXPORT_LAG_MS - 1 : cutoffMs(nowMs, days) - 1;
}

interface ExportDecision {
  readonly resumeExport?: InFlightExport;
  readonly exportWindow?: TimeWindow;
  /** Why no new window is exported, when none is. */
  readonly noExportReason?: string;
}

/**
 * Decides what a group exports this run: first the window a previous run left in flight, then the
 * new window `[archivedThrough + 1, throughMs]` (disjoint from every earlier one, with no gap). On the
 * first run the window starts 15 days before the group's creation, since events may be back-dated.
 * No new window is exported when no stream can have an event in it (the watermark then stays put, so
 * the next run's window covers the same range: nothing is skipped). `mayHaveEvents` may say yes
 * wrongly (an export of nothing costs a task, not an event), never no wrongly.
 *
 * @example planExport(group, state, cutoffMs(now, 30) - 1, (w) => streamsHaveEventsIn(streams, w))
 */
function planExport(
  group: GroupInfo,
  state: GroupState,
  throughMs: number,
  mayHaveEvents: (window: TimeWindow) => boolean,
): ExportDecision {
  const resumeExport = state.inFlight;
  const archivedThrough = resumeExport?.toMs ?? state.archivedThroughMs;
  const fromMs =
    archivedThrough === undefined ? Math.max(0, group.creationTimeMs - FIRST_EXPORT_LOOKBACK_MS) : archivedThrough + 1;
  const base = resumeExport ? { resumeExport } : {};
  if (fromMs > throughMs) return { ...base, noExportReason: 'archived through the cutoff already' };
  if (throughMs < group.creationTimeMs) {
    // CreateExportTask refuses a `to` before the group's creation time.
    return { ...base, noExportReason: 'the group was created after the cutoff' };
  }
  if (!mayHaveEvents({ fromMs, toMs: throughMs }))
    return { ...base, noExportReason: 'no stream has events in the window' };
  return { ...base, exportWindow: { fromMs, toMs: throughMs } };
}

/** Whether any of these streams has an event in the window, by its metadata. */
function streamsHaveEventsIn(streams: readonly StreamInfo[], window: TimeWindow): boolean {
  return streams.some(
    (s) =>
      s.firstEventTimestampMs !== undefined &&
      s.firstEventTimestampMs <= window.toMs &&
      (s.lastEventTimestampMs ?? Number.POSITIVE_INFINITY) >= window.fromMs,
  );
}

/**
 * Whether a group whose latest-written stream last wrote at `newestLastEventMs` (DescribeLogStreams
 * ordered by LastEventTime, descending: its first page) can have an event in the window: no stream has an
 * event after that, so a window starting later holds nothing. One call instead of a whole listing; it
 * may say yes for a window that only current streams overlap, which costs an empty export, not an event.
 */
function newestEventMayFallIn(newestLastEventMs: number | undefined, window: TimeWindow): boolean {
  return newestLastEventMs !== undefined && newestLastEventMs >= window.fromMs;
}

/**
 * The earliest creation time among the export tasks that cover `[fromMs, toMs]`: any event in that
 * range ingested later than this minus the 12-hour export lag may be missing from the archive.
 * `planned` stands for this run's own exports, with the earliest time their task can have been created.
 */
function coveringExportCreatedAtMs(
  windows: readonly ArchivedWindow[],
  range: TimeWindow,
  planned: readonly { readonly window: TimeWindow; readonly createdAtMs: number }[] = [],
): number | undefined {
  let earliest: number | undefined;
  const consider = (w: TimeWindow, createdAtMs: number): void => {
    if (w.toMs < range.fromMs || w.fromMs > range.toMs) return;
    earliest = earliest === undefined ? createdAtMs : Math.min(earliest, createdAtMs);
  };
  for (const w of windows) consider(w, w.taskCreatedAtMs);
  for (const p of planned) consider(p.window, p.createdAtMs);
  return earliest;
}

/**
 * Whether a group's export decision can do without a look at its streams: its first window (nothing
 * archived, nothing in flight) starts 15 days before the group's creation, before any event the group
 * can hold (PutLogEvents refuses events more than 14 days older than their ingestion), so a group that
 * stores bytes has events there or later, and the look ({@link newestEventMayFallIn}) would say yes too.
 * A group storing nothing is looked at (its stored bytes may lag).
 *
 * @example firstWindowHoldsAnyEvent({ ...group, storedBytes: 1024 }, { logGroupName, windows: [] }) // true
 */
function firstWindowHoldsAnyEvent(
  group: Pick<GroupInfo, 'storedBytes'>,
  state: Pick<GroupState, 'archivedThroughMs' | 'inFlight'>,
): boolean {
  return state.archivedThroughMs === undefined && state.inFlight === undefined && group.storedBytes > 0;
}

export {
  archiveThroughMs,
  firstWindowHoldsAnyEvent,
  coveringExportCreatedAtMs,
  cutoffMs,
  newestEventMayFallIn,
  planExport,
  streamsHaveEventsIn,
};
export type { ExportDecision };
