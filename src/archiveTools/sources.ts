/**
 * What `archive cat` reads, decided before anything is read: the objects (sources) that can hold
 * events of the query, each with the time span it can hold, in the order the merge opens them.
 * Pure: the archive index and the extra objects found by listing come in as plain data.
 */
import { streamOfKey } from '../archive/runExport.js';

/** How an object's bytes are read. */
const SourceFormat = {
  /** An export object: gzip text lines `<ISO-8601 UTC ms> <message>` (AWS's layout). */
  ExportLines: 'export-lines',
  /** gzip (or plain) JSON `{ "events": [{ "timestamp", "message" }] }`: what cwl-trim itself writes. */
  JsonEvents: 'json-events',
} as const;
type SourceFormatName = (typeof SourceFormat)[keyof typeof SourceFormat];

/** One object that holds archived events of one stream. */
interface EventSource {
  /** `export` (a manifest lists it), or the extra layout it was found under (`rejected`, `late`, …). */
  readonly kind: string;
  readonly key: string;
  readonly logStreamName: string;
  readonly format: SourceFormatName;
  /** Every event it holds has `fromMs ≤ timestamp ≤ toMs`; ±Infinity when unknown. */
  readonly fromMs: number;
  readonly toMs: number;
  readonly size?: number;
}

/** The events asked for: `startMs` inclusive, `endMs` exclusive (as GetLogEvents). */
interface EventQuery {
  readonly startMs?: number;
  readonly endMs?: number;
  /** Exactly this stream. */
  readonly stream?: string;
  /** Streams whose name starts with this. */
  readonly streamPrefix?: string;
}

/** A source with its place in the merge: ties between equal timestamps and streams go to the lower ordinal. */
interface OrderedSource extends EventSource {
  readonly ordinal: number;
}

/** An archived window as the manifest lists it (see archiveIndex.ts). */
interface IndexedWindow {
  readonly fromMs: number;
  readonly toMs: number;
  readonly taskId: string;
  readonly destinationPrefix: string;
  readonly objects: readonly { readonly key: string; readonly size?: number }[];
}

/**
 * The export objects of the manifests' windows. An export holds the events of its window only, and
 * its objects sit at `<destinationPrefix>/<taskId>/<stream>/<chunk>.gz`.
 *
 * @example exportSources([{ fromMs: 0, toMs: 99, taskId: 't', destinationPrefix: 'p', objects: [{ key: 'p/t/s/000000.gz' }] }]);
 */
function exportSources(windows: readonly IndexedWindow[]): EventSource[] {
  return windows.flatMap((w) => {
    const taskPrefix = `${w.destinationPrefix}/${w.taskId}/`;
    return w.objects.map((o) => ({
      kind: 'export',
      key: o.key,
      logStreamName: streamOfKey(o.key, taskPrefix),
      format: SourceFormat.ExportLines,
      fromMs: w.fromMs,
      toMs: w.toMs,
      ...(o.size === undefined ? {} : { size: o.size }),
    }));
  });
}

const streamMatches = (name: string, query: EventQuery): boolean =>
  (query.stream === undefined || name === query.stream) &&
  (query.streamPrefix === undefined || name.startsWith(query.streamPrefix));

/**
 * The sources that can hold events of the query (stream and span overlap), ordered for the merge:
 * by the earliest timestamp they can hold, then by key. The ordinal is the position in that order,
 * so the merge's output order is the same on every run (restore relies on it to resume).
 *
 * @example selectSources(sources, { startMs: Date.parse('2026-10-01'), endMs: Date.parse('2026-11-01') });
 */
function selectSources(sources: readonly EventSource[], query: EventQuery): OrderedSource[] {
  const startMs = query.startMs ?? Number.NEGATIVE_INFINITY;
  const endMs = query.endMs ?? Number.POSITIVE_INFINITY;
  return sources
    .filter((s) => streamMatches(s.logStreamName, query) && s.toMs >= startMs && s.fromMs < endMs)
    .sort((a, b) => a.fromMs - b.fromMs || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
    .map((s, ordinal) => ({ ...s, ordinal }));
}

/** The earliest timestamp a source can contribute to the query: the merge opens it no later than that. */
const earliestOf = (source: EventSource, query: EventQuery): number =>
  Math.max(source.fromMs, query.startMs ?? Number.NEGATIVE_INFINITY);

/** Whether an event falls in the query's time range (streams are chosen with the sources). */
const inRange = (timestamp: number, query: EventQuery): boolean =>
  (query.startMs === undefined || timestamp >= query.startMs) && (query.endMs === undefined || timestamp < query.endMs);

export { SourceFormat, earliestOf, exportSources, inRange, selectSources, streamMatches };
export type { EventQuery, EventSource, IndexedWindow, OrderedSource, SourceFormatName };
