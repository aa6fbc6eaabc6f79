/**
 * The k-way merge behind `archive cat`: sorted runs (one per source object) merged into one stream in
 * timestamp order, opening each source only when the merge reaches the earliest timestamp it can hold.
 * Export windows are disjoint, so at any moment only the objects of the window being read are open:
 * memory follows one window's objects, not the range.
 *
 * Order: timestamp, then stream name, then the source's ordinal, then the position in the source (the
 * sort of one source is stable). The same archive and query give the same sequence on every run.
 */
import type { ArchivedEvent } from './exportLines.js';

/**
 * A block of a source's events in order, read where they lie: the merge compares timestamps and stream
 * names in place and makes an event object only when it emits that event. Objects made ahead and held
 * by the merge (a chunk per open source, for as long as the other sources take to catch up) outlive
 * the young generation, and once V8 sees an allocation site's objects survive it allocates all of them
 * in the old generation ("pretenuring"), which then grows with garbage: the RSS followed the range.
 */
interface EventChunk {
  readonly count: number;
  timestampAt(i: number): number;
  logStreamNameAt(i: number): string;
  eventAt(i: number): ArchivedEvent;
}

/** A source's events in order, a chunk at a time; an empty chunk means the run is done. */
interface EventRun {
  next(): Promise<EventChunk>;
}

interface Cursor {
  readonly run: EventRun;
  readonly ordinal: number;
  chunk: EventChunk;
  index: number;
}

interface MergeOptions<S = unknown> {
  /** Sources opened at once when several are due (their GETs overlap). @default 4 */
  readonly openAtOnce?: number;
  /** Events per yielded batch: small, so that a batch (and the text made of it) dies young. @default 256 */
  readonly batchSize?: number;
  /**
   * Sources open at once, at most (with `combine`; at least 2): when more are due together (a window of
   * thousands of streams), they are merged in groups first, each group into one run by `combine`
   * (which spills it to disk), and the groups' runs are merged. @default unbounded
   */
  readonly maxOpen?: number;
  /** Merges a group of sources (in merge order) into one sorted run; called with groups of at least two. */
  readonly combine?: (group: readonly S[]) => Promise<EventRun>;
}

const headTimestamp = (c: Cursor): number => c.chunk.timestampAt(c.index);

/** a before b: timestamp, then stream name, then ordinal. */
function before(a: Cursor, b: Cursor): boolean {
  const x = headTimestamp(a);
  const y = headTimestamp(b);
  if (x !== y) return x < y;
  const sa = a.chunk.logStreamNameAt(a.index);
  const sb = b.chunk.logStreamNameAt(b.index);
  if (sa !== sb) return sa < sb;
  return a.ordinal < b.ordinal;
}

/** A binary min-heap of cursors by their head event. */
class CursorHeap {
  readonly #items: Cursor[] = [];

  public get size(): number {
    return this.#items.length;
  }

  public peek(): Cursor | undefined {
    return this.#items[0];
  }

  public push(cursor: Cursor): void {
    const items = this.#items;
    items.push(cursor);
    let i = items.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(items[i]!, items[parent]!)) break;
      [items[i], items[parent]] = [items[parent]!, items[i]!];
      i = parent;
    }
  }

  public pop(): Cursor | undefined {
    const items = this.#items;
    const top = items[0];
    const last = items.pop();
    if (items.length > 0 && last !== undefined) {
      items[0] = last;
      this.#siftDown(0);
    }
    return top;
  }

  #siftDown(start: number): void {
    const items = this.#items;
    let i = start;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < items.length && before(items[l]!, items[m]!)) m = l;
      if (r < items.length && before(items[r]!, items[m]!)) m = r;
      if (m === i) return;
      [items[i], items[m]] = [items[m]!, items[i]!];
      i = m;
    }
  }
}

async function cursorOf(run: EventRun, ordinal: number): Promise<Cursor | undefined> {
  const chunk = await run.next();
  return chunk.count === 0 ? undefined : { run, ordinal, chunk, index: 0 };
}

/**
 * Merges sources into timestamp order, yielding batches. `sources` must be sorted by `earliest`
 * (as selectSources returns them); `open` turns one into a sorted run. A source is opened before the
 * merge emits any event at or after its earliest timestamp, so no event can come out of order.
 *
 * @example
 * for await (const batch of mergeSources(sources, (s) => s.fromMs, (s) => loadRun(s))) write(batch);
 */
async function* mergeSources<S extends { readonly ordinal: number }>(
  sources: readonly S[],
  earliest: (source: S) => number,
  open: (source: S) => Promise<EventRun>,
  options: MergeOptions<S> = {},
): AsyncGenerator<ArchivedEvent[]> {
  const { openAtOnce = 4, batchSize = 256, maxOpen = Number.POSITIVE_INFINITY, combine } = options;
  if (maxOpen < 2) throw new RangeError(`maxOpen must be at least 2, got ${maxOpen}`);
  const heap = new CursorHeap();
  let next = 0;
  let out: ArchivedEvent[] = [];
  /** Whether the next source must be open before an event at `thresholdMs` may come out. */
  const due = (thresholdMs: number | undefined): boolean => {
    const source = sources[next];
    return source !== undefined && (thresholdMs === undefined || earliest(source) <= thresholdMs);
  };
  const threshold = (): number | undefined => {
    const top = heap.peek();
    return top === undefined ? undefined : headTimestamp(top);
  };
  for (;;) {
    while (due(threshold())) {
      // With nothing open, the first source sets the bar: only sources that start no later open with it.
      const bar = threshold() ?? earliest(sources[next]!);
      let end = next;
      while (end < sources.length && earliest(sources[end]!) <= bar) end += 1;
      if (combine !== undefined && heap.size + (end - next) > maxOpen) {
        // More sources due at once than may be open: each group of them merged into one run first. A group
        // holds consecutive ordinals and gets the first as its own, so ties come out as without groups.
        const groups = inGroups(sources.slice(next, end), Math.max(1, maxOpen - heap.size));
        next = end;
        for (const group of groups) {
          const cursor = await cursorOf(
            group.length === 1 ? await open(group[0]!) : await combine(group),
            group[0]!.ordinal,
          );
          if (cursor) heap.push(cursor);
        }
        continue;
      }
      const opening: S[] = [];
      while (opening.length < openAtOnce && due(bar)) opening.push(sources[next++]!);
      const cursors = await Promise.all(opening.map(async (s) => cursorOf(await open(s), s.ordinal)));
      for (const c of cursors) if (c) heap.push(c);
    }
    const top = heap.pop();
    if (top === undefined) break;
    out.push(top.chunk.eventAt(top.index));
    top.index += 1;
    if (top.index >= top.chunk.count) {
      top.chunk = await top.run.next();
      top.index = 0;
    }
    if (top.chunk.count > 0) heap.push(top);
    if (out.length >= batchSize) {
      yield out;
      out = [];
    }
  }
  if (out.length > 0) yield out;
}

/** `items` in order, cut into at most `count` consecutive groups of near-equal size. */
function inGroups<T>(items: readonly T[], count: number): T[][] {
  const size = Math.ceil(items.length / count);
  const groups: T[][] = [];
  for (let i = 0; i < items.length; i += size) groups.push(items.slice(i, i + size));
  return groups;
}

/** A chunk over events already made (an array, or a slice of one). */
function arrayChunk(events: readonly ArchivedEvent[]): EventChunk {
  return {
    count: events.length,
    timestampAt: (i) => events[i]!.timestamp,
    logStreamNameAt: (i) => events[i]!.logStreamName,
    eventAt: (i) => events[i]!,
  };
}

/** A run over events already in memory and sorted, handed out in chunks. */
function arrayRun(sorted: readonly ArchivedEvent[], chunkSize = 4096, onDone?: () => void): EventRun {
  let events: readonly ArchivedEvent[] | undefined = sorted;
  let at = 0;
  return {
    next: () => {
      const chunk = events?.slice(at, at + chunkSize) ?? [];
      at += chunk.length;
      if (chunk.length === 0 && events !== undefined) {
        events = undefined; // let the memory go as soon as the run is read
        onDone?.();
      }
      return Promise.resolve(arrayChunk(chunk));
    },
  };
}

/** The chunk that ends a run. */
const NO_EVENTS: EventChunk = arrayChunk([]);

export { CursorHeap, NO_EVENTS, arrayChunk, arrayRun, mergeSources };
export type { EventChunk, EventRun, MergeOptions };
