/**
 * `archive cat`'s engine, shared with `archive restore`: the index says which objects can hold the
 * query's events, and the merge reads them in timestamp order, a window at a time.
 */
import type { Deps } from '../deps.js';
import { readGroupIndex, readableEntries, type IndexConfig, type StateWindow } from './archiveIndex.js';
import { wants, type CatRequest } from './catQuery.js';
import type { ArchivedEvent } from './exportLines.js';
import { listExtraSources } from './extraSources.js';
import { RunStore, type Wanted } from './loadRuns.js';
import { NO_EVENTS, arrayChunk, mergeSources, type EventRun, type MergeOptions } from './mergeEvents.js';
import { exportSources, selectSources, streamMatches, type EventSource, type OrderedSource } from './sources.js';
import { readPage, windowPages, type PageRef } from './windowPages.js';

type ReadDeps = Pick<Deps, 'clients' | 'call'>;

/**
 * Runs read at once, at most: a window of more objects (streams) than this is merged a group at a time
 * into runs on disk first. Each open run costs its chunk buffer (16 KiB when spilled) and a heap entry.
 */
const DEFAULT_MAX_OPEN_RUNS = 128;
/** GETs in flight at once over the objects of a large manifest's page (small objects, one per stream). */
const PAGE_GETS_AT_ONCE = 8;

interface ReadProgress {
  /** Objects the query needs, of every kind. */
  readonly objects: number;
  readonly objectsRead: number;
  readonly events: number;
  /** Sorted runs written to disk because the memory budget was spent. */
  readonly spilledRuns: number;
}

interface ReadOptions {
  /** Bytes of sorted runs held in memory before runs are spilled to disk. */
  readonly memoryBudgetBytes?: number;
  /** Sorted runs (objects, or groups of them merged on disk) read at once. @default DEFAULT_MAX_OPEN_RUNS */
  readonly maxOpenRuns?: number;
  /** Events per batch handed out. @default 256 */
  readonly batchSize?: number;
  /** Called after each object is read, and once at the end. */
  readonly onProgress?: (progress: ReadProgress) => void;
  /** Windows whose manifest could not be read: their events cannot be found (`archive verify` says why). */
  readonly onUnreadableWindow?: (fromMs: number, toMs: number, problem: string) => void;
  /** The group has no archive at all (no state object, nothing kept outside exports): a typo in its name? */
  readonly onNoArchive?: () => void;
}

/** A window of the index, read when the merge reaches it: its objects are merged as one run. */
interface WindowSource {
  readonly kind: 'window';
  readonly ordinal: number;
  readonly fromMs: number;
  readonly toMs: number;
  readonly window: StateWindow;
}

/** What the merge reads: objects, or whole windows whose objects are read when it gets there. */
type ReadSource = OrderedSource | WindowSource;

/** A run over the batches of a merge (a window's objects merged). */
function mergedRun(batches: AsyncGenerator<ArchivedEvent[]>): EventRun {
  return {
    next: async () => {
      const step = await batches.next();
      return step.done === true ? NO_EVENTS : arrayChunk(step.value);
    },
  };
}

/**
 * What cat reads, in merge order: the windows that can hold the range (their objects read only when the
 * merge reaches each: the index of a long range never holds every window's objects), and the objects
 * kept outside exports. Ordered by the earliest timestamp each can hold, then by key.
 */
async function plannedReads(
  deps: ReadDeps,
  config: IndexConfig,
  logGroupName: string,
  request: CatRequest,
  options: ReadOptions = {},
): Promise<ReadSource[]> {
  const index = await readGroupIndex(deps, config, logGroupName);
  for (const w of index.windows)
    if (w.problem !== undefined) options.onUnreadableWindow?.(w.window.fromMs, w.window.toMs, w.problem);
  const extra = await listExtraSources(deps, config, logGroupName);
  if (index.state === undefined && index.stateProblem === undefined && extra.length === 0) options.onNoArchive?.();
  const { startMs = Number.NEGATIVE_INFINITY, endMs = Number.POSITIVE_INFINITY } = request.query;
  const inRange = (s: { fromMs: number; toMs: number }): boolean => s.toMs >= startMs && s.fromMs < endMs;
  const reads: (EventSource | Omit<WindowSource, 'ordinal'>)[] = [
    ...readableEntries(index)
      .filter(inRange)
      .map((window) => ({ kind: 'window' as const, fromMs: window.fromMs, toMs: window.toMs, window })),
    ...extra.filter((s) => inRange(s) && streamMatches(s.logStreamName, request.query)),
  ];
  const keyOf = (s: (typeof reads)[number]): string => ('key' in s ? s.key : s.window.destinationPrefix);
  return reads
    .sort((a, b) => a.fromMs - b.fromMs || (keyOf(a) < keyOf(b) ? -1 : keyOf(a) > keyOf(b) ? 1 : 0))
    .map((s, ordinal) => ({ ...s, ordinal }) as ReadSource);
}

/**
 * Every archived event of the group that the request asks for, in timestamp order (then stream name),
 * in batches. Reads only the objects whose window and stream can hold them; holds at most the
 * memory budget of sorted runs (the rest waits on disk) plus the object being indexed.
 *
 * @example
 * for await (const batch of readArchive(deps, config, '/app/orders', catRequest({ start: '30d' }, Date.now()))) print(batch);
 */
async function* readArchive(
  deps: ReadDeps,
  config: IndexConfig,
  logGroupName: string,
  request: CatRequest,
  options: ReadOptions = {},
): AsyncGenerator<ArchivedEvent[]> {
  yield* readSources(deps, config, await plannedReads(deps, config, logGroupName, request, options), request, options);
}

/**
 * {@link readArchive} over sources already selected (a restore's: one stream's objects, streamSources.ts).
 */
async function* readSources(
  deps: ReadDeps,
  config: IndexConfig,
  sources: readonly ReadSource[],
  request: CatRequest,
  options: ReadOptions = {},
): AsyncGenerator<ArchivedEvent[]> {
  const store = new RunStore(options.memoryBudgetBytes);
  const wanted: Wanted = wants(request);
  // Objects to read: a window counts its objects until it is opened, then those its streams select.
  let objects = sources.reduce((n, s) => n + ('window' in s ? s.window.objectCount : 1), 0);
  let objectsRead = 0;
  let events = 0;
  const report = (): void => options.onProgress?.({ objects, objectsRead, events, spilledRuns: store.spilled });
  try {
    /** The earliest timestamp a source can contribute to the query: the merge opens it no later than that. */
    const earliest = (s: { readonly fromMs: number }): number =>
      Math.max(s.fromMs, request.query.startMs ?? Number.NEGATIVE_INFINITY);
    const openObject = async (source: OrderedSource): Promise<EventRun> => {
      const run = await store.load(deps, config.bucket, source, wanted);
      objectsRead += 1;
      report();
      return run;
    };
    const objectMerge: MergeOptions<OrderedSource> = {
      batchSize: options.batchSize ?? 256,
      maxOpen: options.maxOpenRuns ?? DEFAULT_MAX_OPEN_RUNS,
      combine: (group) => store.combine(mergeSources(group, earliest, openObject, objectMerge)),
    };
    const pageObjectMerge: MergeOptions<OrderedSource> = {
      ...objectMerge,
      openAtOnce: PAGE_GETS_AT_ONCE,
      combine: (group) => store.combine(mergeSources(group, earliest, openObject, pageObjectMerge)),
    };
    /** A page's objects the query selects, merged into one run (on disk when they are several and `spill`). */
    const openPage = async (window: StateWindow, page: PageRef, spill: boolean): Promise<EventRun> => {
      const read = await readPage(deps, config.bucket, page);
      if (read.problem !== undefined) options.onUnreadableWindow?.(window.fromMs, window.toMs, read.problem);
      const selected = selectSources(exportSources([{ ...window, objects: read.objects }]), request.query);
      objects += selected.length - page.count;
      if (selected.length === 0) return { next: () => Promise.resolve(NO_EVENTS) };
      if (selected.length === 1) return openObject(selected[0]!);
      // A page of a large manifest is a window of many streams, mostly small objects: more GETs overlap.
      const merged = mergeSources(selected, earliest, openObject, spill ? pageObjectMerge : objectMerge);
      return spill ? store.combine(merged) : mergedRun(merged);
    };
    const open = async (source: ReadSource): Promise<EventRun> => {
      if (!('window' in source)) return openObject(source);
      const { window } = source;
      const { pages, problem } = await windowPages(deps, config, window, request.query);
      if (problem !== undefined) options.onUnreadableWindow?.(window.fromMs, window.toMs, problem);
      objects += pages.reduce((n, p) => n + p.count, 0) - window.objectCount;
      if (pages.length === 1) return openPage(window, pages[0]!, false);
      // Several pages: each page's objects merged into one run on disk as it is read (a page at a time in
      // memory), then the pages' runs merged, in groups when more than maxOpen. A page's run takes the
      // page's position as its ordinal: pages are in key order, so ties come out as one merge would give them.
      const pageSources = pages.map((page, ordinal) => ({ ordinal, fromMs: source.fromMs, page }));
      const pageMerge: MergeOptions<(typeof pageSources)[number]> = {
        openAtOnce: 1,
        batchSize: options.batchSize ?? 256,
        maxOpen: options.maxOpenRuns ?? DEFAULT_MAX_OPEN_RUNS,
        combine: (group) =>
          store.combine(mergeSources(group, earliest, (p) => openPage(window, p.page, true), pageMerge)),
      };
      return mergedRun(mergeSources(pageSources, earliest, (p) => openPage(window, p.page, true), pageMerge));
    };
    const merge: MergeOptions<ReadSource> = {
      batchSize: options.batchSize ?? 256,
      maxOpen: options.maxOpenRuns ?? DEFAULT_MAX_OPEN_RUNS,
      combine: (group) => store.combine(mergeSources(group, earliest, open, merge)),
    };
    for await (const batch of mergeSources(sources, earliest, open, merge)) {
      events += batch.length;
      yield batch;
    }
    report();
  } finally {
    await store.close();
  }
}

export { DEFAULT_MAX_OPEN_RUNS, readArchive, readSources };
export type { ReadDeps, ReadOptions, ReadProgress, ReadSource };
