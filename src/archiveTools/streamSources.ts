/**
 * A restore's objects, stream by stream in name order, with bounded memory. A window's objects come a
 * page at a time in key order (windowPages.ts), not in stream order across windows: each page's objects
 * become records sorted by stream, and the pages of every window are merged by stream name with cat's
 * k-way merge (a record is an "event" at timestamp 0 named by its stream: the merge orders by stream),
 * spilled in groups like cat's runs. No list of every object, or of every stream, is ever held: at
 * most {@link OPEN_PAGES} pages of records in memory, plus one stream's objects.
 */
import type { S3Deps } from '../archive/s3Objects.js';
import { readGroupIndex, readableEntries, type IndexConfig, type StateWindow } from './archiveIndex.js';
import type { ArchivedEvent } from './exportLines.js';
import { listExtraSources } from './extraSources.js';
import { RunStore } from './loadRuns.js';
import { NO_EVENTS, arrayRun, mergeSources, type EventRun, type MergeOptions } from './mergeEvents.js';
import { exportSources, selectSources, type EventQuery, type EventSource, type OrderedSource } from './sources.js';
import { readPage, windowPages, type PageRef } from './windowPages.js';

/** Pages of records (10,000 objects, a few MB) open at once, at most; more are merged in groups on disk first. */
const OPEN_PAGES = 8;

interface StreamSources {
  readonly stream: string;
  /** The stream's objects that can hold the query's events, ordered for the merge (selectSources). */
  readonly sources: readonly OrderedSource[];
}

interface StreamSourcesOptions {
  /** Windows whose manifest (or a part of it) could not be read: their objects are not restored. */
  readonly onUnreadableWindow?: (fromMs: number, toMs: number, problem: string) => void;
  /** The group has no archive at all. */
  readonly onNoArchive?: () => void;
}

/** One object as a record: `<window>\t<size>\t<key>`, the window's position in `windows`. */
const record = (window: number, source: EventSource): ArchivedEvent => ({
  timestamp: 0,
  logStreamName: source.logStreamName,
  message: `${window}\t${source.size ?? 0}\t${source.key}`,
});

/** The export source a record stands for. */
function sourceOf(windows: readonly StateWindow[], e: ArchivedEvent): EventSource {
  const tab = e.message.indexOf('\t');
  const second = e.message.indexOf('\t', tab + 1);
  const window = windows[Number(e.message.slice(0, tab))]!;
  const [source] = exportSources([
    { ...window, objects: [{ key: e.message.slice(second + 1), size: Number(e.message.slice(tab + 1, second)) }] },
  ]);
  return source!;
}

/** One page's objects as records sorted by stream name (the order `<` gives, as the merge compares). */
async function pageRecords(
  deps: S3Deps,
  bucket: string,
  windows: readonly StateWindow[],
  at: number,
  page: PageRef,
  query: EventQuery,
  options: StreamSourcesOptions,
): Promise<EventRun> {
  const window = windows[at]!;
  const read = await readPage(deps, bucket, page);
  if (read.problem !== undefined) options.onUnreadableWindow?.(window.fromMs, window.toMs, read.problem);
  const records = selectSources(exportSources([{ ...window, objects: read.objects }]), query).map((s) => record(at, s));
  records.sort((a, b) => (a.logStreamName < b.logStreamName ? -1 : a.logStreamName > b.logStreamName ? 1 : 0));
  return records.length === 0 ? { next: () => Promise.resolve(NO_EVENTS) } : arrayRun(records);
}

/**
 * Every stream of the query with its objects, in stream-name order (as `Array.prototype.sort` orders
 * names), each stream once. Read-only; the records spilled to disk are removed when done.
 *
 * @example for await (const { stream, sources } of sourcesByStream(deps, config, '/app', query)) restore(stream, sources);
 */
async function* sourcesByStream(
  deps: S3Deps,
  config: IndexConfig,
  logGroupName: string,
  query: EventQuery,
  options: StreamSourcesOptions = {},
): AsyncGenerator<StreamSources> {
  const index = await readGroupIndex(deps, config, logGroupName);
  for (const w of index.windows)
    if (w.problem !== undefined) options.onUnreadableWindow?.(w.window.fromMs, w.window.toMs, w.problem);
  const extra = selectSources(await listExtraSources(deps, config, logGroupName), query);
  if (index.state === undefined && index.stateProblem === undefined && extra.length === 0) options.onNoArchive?.();
  const { startMs = Number.NEGATIVE_INFINITY, endMs = Number.POSITIVE_INFINITY } = query;
  const windows = readableEntries(index).filter((w) => w.toMs >= startMs && w.fromMs < endMs);
  // Every window's pages (a manifest read per window, its objects not yet), each a source of the merge.
  const pages: { ordinal: number; window: number; page: PageRef }[] = [];
  for (const [at, window] of windows.entries()) {
    const found = await windowPages(deps, config, window, query);
    if (found.problem !== undefined) options.onUnreadableWindow?.(window.fromMs, window.toMs, found.problem);
    for (const page of found.pages) pages.push({ ordinal: pages.length, window: at, page });
  }
  const store = new RunStore();
  const open = (p: (typeof pages)[number]): Promise<EventRun> =>
    pageRecords(deps, config.bucket, windows, p.window, p.page, query, options);
  const merge: MergeOptions<(typeof pages)[number]> = {
    openAtOnce: 1,
    maxOpen: OPEN_PAGES,
    combine: (group) => store.combine(mergeSources(group, () => 0, open, merge)),
  };
  // The extra objects (a listing, already in memory) by stream, merged in by name.
  const extraOf = new Map<string, EventSource[]>();
  for (const s of extra) extraOf.set(s.logStreamName, [...(extraOf.get(s.logStreamName) ?? []), s]);
  const extraNames = [...extraOf.keys()].sort();
  let nextExtra = 0;
  /** The streams found only among the extra objects that come before `stream` (every one left, without it). */
  const extraBefore = function* (stream?: string): Generator<StreamSources> {
    while (nextExtra < extraNames.length && (stream === undefined || extraNames[nextExtra]! < stream)) {
      const name = extraNames[nextExtra++]!;
      yield { stream: name, sources: selectSources(extraOf.get(name)!, query) };
    }
  };
  const withExtra = function* (stream: string, sources: EventSource[]): Generator<StreamSources> {
    yield* extraBefore(stream);
    if (extraNames[nextExtra] === stream) {
      nextExtra += 1;
      sources.push(...extraOf.get(stream)!);
    }
    yield { stream, sources: selectSources(sources, query) };
  };
  try {
    let stream: string | undefined;
    let sources: EventSource[] = [];
    for await (const batch of mergeSources(pages, () => 0, open, merge)) {
      for (const e of batch) {
        if (e.logStreamName !== stream) {
          if (stream !== undefined) yield* withExtra(stream, sources);
          stream = e.logStreamName;
          sources = [];
        }
        sources.push(sourceOf(windows, e));
      }
    }
    if (stream !== undefined) yield* withExtra(stream, sources);
    yield* extraBefore();
  } finally {
    await store.close();
  }
}

export { OPEN_PAGES, sourcesByStream };
export type { StreamSources, StreamSourcesOptions };
