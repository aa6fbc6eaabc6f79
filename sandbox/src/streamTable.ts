/**
 * A group's streams: a map by name that also keeps them sorted by name and by last event time, so
 * DescribeLogStreams pages in O(log n + page) in either order and direction.
 */
import { NamedMap, SortedIndex, byCodeUnit } from './sortedIndex.js';
/** What the table needs of a stream (state.ts's LogStream): its name and its events in time order. */
interface LogStream {
  readonly name: string;
  readonly events: readonly { readonly timestamp: number }[];
}

/** [last event timestamp (0 for a stream without events), name]: the LastEventTime order. */
type StreamKey = [number, string];

/** A stream without events sorts as if its last event were at 0, i.e. oldest. */
const lastEventMs = (stream: LogStream): number => stream.events.at(-1)?.timestamp ?? 0;

const compareStreamKeys = (a: StreamKey, b: StreamKey): number => a[0] - b[0] || byCodeUnit(a[1], b[1]);

class StreamTable<S extends LogStream = LogStream> extends NamedMap<S> {
  readonly byLastEvent: SortedIndex<StreamKey> = new SortedIndex<StreamKey>(
    compareStreamKeys,
    ([ms, name]) => {
      const stream = this.get(name);
      return stream !== undefined && lastEventMs(stream) === ms;
    },
    () => this.#allLastEventKeys(),
  );

  public override set(name: string, stream: S): this {
    const previous = this.get(name);
    if (previous !== undefined && previous !== stream) this.byLastEvent?.removed();
    super.set(name, stream);
    if (previous !== stream) this.#index(stream);
    return this;
  }

  public override delete(name: string): boolean {
    const deleted = super.delete(name);
    if (deleted) this.byLastEvent.removed();
    return deleted;
  }

  public override clear(): void {
    super.clear();
    this.byLastEvent.reset();
  }

  /**
   * Call after adding events to a stream, with its last event time before: moves it in the
   * LastEventTime order if its last event moved.
   */
  public touch(stream: S, previousLastMs: number): void {
    if (this.get(stream.name) !== stream || previousLastMs === lastEventMs(stream)) return;
    this.byLastEvent.removed();
    this.#index(stream);
  }

  #index(stream: S): void {
    this.byLastEvent?.add([lastEventMs(stream), stream.name]);
  }

  *#allLastEventKeys(): Generator<StreamKey> {
    for (const stream of this.values()) yield [lastEventMs(stream), stream.name];
  }
}

export { StreamTable, compareStreamKeys, lastEventMs };
export type { StreamKey };
