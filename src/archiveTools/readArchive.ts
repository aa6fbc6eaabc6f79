/**
 * `archive cat`'s engine, shared with `archive restore`: the index says which objects can hold the
 * query's events, and the merge reads them in timestamp order, a window at a time.
 */
import type { Deps } from '../deps.js';
import { readGroupIndex, readableWindows, type IndexConfig } from './archiveIndex.js';
import { wants, type CatRequest } from './catQuery.js';
import type { ArchivedEvent } from './exportLines.js';
import { listExtraSources } from './extraSources.js';
import { RunStore, type Wanted } from './loadRuns.js';
import { mergeSources, type MergeOptions } from './mergeEvents.js';
import { earliestOf, exportSources, selectSources, type OrderedSource } from './sources.js';

type ReadDeps = Pick<Deps, 'clients' | 'call'>;

/**
 * Runs read at once, at most: a window of more objects (streams) than this is merged a group at a time
 * into runs on disk first. Each open run costs its chunk buffer (16 KiB when spilled) and a heap entry.
 */
const DEFAULT_MAX_OPEN_RUNS = 128;

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

/** The objects one query needs, in merge order (export windows from the index, plus the extra layouts). */
async function plannedSources(deps: ReadDeps, config: IndexConfig, logGroupName: string, request: CatRequest, options: ReadOptions = {}): Promise<OrderedSource[]> {
  const index = await readGroupIndex(deps, config, logGroupName);
  for (const w of index.windows) if (w.problem !== undefined) options.onUnreadableWindow?.(w.window.fromMs, w.window.toMs, w.problem);
  const extra = await listExtraSources(deps, config, logGroupName);
  if (index.state === undefined && index.stateProblem === undefined && extra.length === 0) options.onNoArchive?.();
  return selectSources([...exportSources(readableWindows(index)), ...extra], request.query);
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
  yield* readSources(deps, config, await plannedSources(deps, config, logGroupName, request, options), request, options);
}

/**
 * {@link readArchive} over sources already selected (as plannedSources returns them, or a subset):
 * a restore reads the index once and then each stream's sources.
 */
async function* readSources(
  deps: ReadDeps,
  config: IndexConfig,
  sources: readonly OrderedSource[],
  request: CatRequest,
  options: ReadOptions = {},
): AsyncGenerator<ArchivedEvent[]> {
  const store = new RunStore(options.memoryBudgetBytes);
  const wanted: Wanted = wants(request);
  let objectsRead = 0;
  let events = 0;
  const report = (): void => options.onProgress?.({ objects: sources.length, objectsRead, events, spilledRuns: store.spilled });
  try {
    const open = async (source: OrderedSource) => {
      const run = await store.load(deps, config.bucket, source, wanted);
      objectsRead += 1;
      report();
      return run;
    };
    const earliest = (s: OrderedSource): number => earliestOf(s, request.query);
    const merge: MergeOptions<OrderedSource> = {
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

export { plannedSources, readArchive, readSources };
export type { ReadDeps, ReadOptions, ReadProgress };
