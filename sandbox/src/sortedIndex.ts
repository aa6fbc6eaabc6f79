/**
 * Sorted indexes beside the sandbox's maps, so that a page of DescribeLogStreams, DescribeLogGroups or
 * ListObjectsV2 costs a binary search and the page itself, not a sort of the whole group or bucket.
 *
 * An index is a sorted array of keys that may hold dead ones: a deletion only counts itself (the entry
 * is skipped on read, since the map no longer holds it) and the array is compacted once a quarter of it
 * is dead. Additions wait in a small buffer until the next read, then are spliced in one by one (a few)
 * or sorted and merged (many: bulk seeding). The array is built on the first read only, so a map
 * nobody pages costs nothing.
 */

/** Compaction waits for at least this many dead entries (and a quarter of the array). */
const MIN_DEAD_TO_COMPACT = 1024;
/** Up to this many pending keys are spliced in one at a time; more are sorted and merged. */
const MAX_SPLICED = 64;

/** First index in [lo, hi) whose key satisfies `pred`, which must be false then true along `keys`. */
function firstIndex<K>(keys: readonly K[], pred: (key: K) => boolean, lo = 0, hi = keys.length): number {
  let a = lo;
  let b = hi;
  while (a < b) {
    const mid = (a + b) >>> 1;
    if (pred(keys[mid] as K)) b = mid;
    else a = mid + 1;
  }
  return a;
}

/** Index of the first key that does not start with `prefix`, from `from` on (keys sorted by code unit). */
function endOfPrefix(keys: readonly string[], prefix: string, from = 0): number {
  return firstIndex(keys, (k) => !(k < prefix || k.startsWith(prefix)), from);
}

class SortedIndex<K> {
  readonly #compare: (a: K, b: K) => number;
  readonly #isLive: (key: K) => boolean;
  readonly #allKeys: () => Iterable<K>;
  #keys: K[] | undefined;
  #pending: K[] = [];
  #dead = 0;

  /**
   * @param compare - the listing order of keys.
   * @param isLive - whether a key in the array still names an entry with that key.
   * @param allKeys - every live key, to build the array from scratch.
   */
  public constructor(compare: (a: K, b: K) => number, isLive: (key: K) => boolean, allKeys: () => Iterable<K>) {
    this.#compare = compare;
    this.#isLive = isLive;
    this.#allKeys = allKeys;
  }

  /** A key that became live (a new entry, or an entry's new sort key). */
  public add(key: K): void {
    if (this.#keys !== undefined) this.#pending.push(key);
  }

  /** A key that died (an entry removed, or an entry's old sort key). */
  public removed(): void {
    if (this.#keys !== undefined) this.#dead += 1;
  }

  /** Forgets the array: the next read builds it again. */
  public reset(): void {
    this.#keys = undefined;
    this.#pending = [];
    this.#dead = 0;
  }

  public isLive(key: K): boolean {
    return this.#isLive(key);
  }

  /** The sorted array, dead keys included (skip them with `isLive`). */
  public keys(): readonly K[] {
    if (this.#keys === undefined) {
      this.#keys = [...this.#allKeys()].sort(this.#compare);
      this.#pending = [];
      this.#dead = 0;
    }
    if (this.#pending.length > 0) this.#mergePending(this.#keys);
    if (this.#dead >= MIN_DEAD_TO_COMPACT && this.#dead * 4 >= this.#keys.length) {
      this.#keys = this.#keys.filter((k) => this.#isLive(k));
      this.#dead = 0;
    }
    return this.#keys;
  }

  /** Index of the first key ordered after `key`. */
  public upperBound(key: K): number {
    return firstIndex(this.keys(), (k) => this.#compare(k, key) > 0);
  }

  /** Index of the first key not ordered before `key`. */
  public lowerBound(key: K): number {
    return firstIndex(this.keys(), (k) => this.#compare(k, key) >= 0);
  }

  #mergePending(keys: K[]): void {
    const pending = this.#pending.sort(this.#compare);
    this.#pending = [];
    if (pending.length <= MAX_SPLICED) {
      for (const key of pending) {
        const at = this.lowerBoundIn(keys, key);
        // Already there as a dead entry (a name deleted, then created again): it is live again.
        if (at < keys.length && this.#compare(keys[at] as K, key) === 0) this.#dead = Math.max(0, this.#dead - 1);
        else keys.splice(at, 0, key);
      }
      return;
    }
    const merged: K[] = [];
    let i = 0;
    let j = 0;
    while (i < keys.length || j < pending.length) {
      const a = keys[i];
      const b = pending[j];
      const order = a === undefined ? 1 : b === undefined ? -1 : this.#compare(a, b);
      if (order < 0) merged.push(keys[i++] as K);
      else if (order > 0) merged.push(pending[j++] as K);
      else {
        merged.push(keys[i++] as K);
        j++;
        this.#dead = Math.max(0, this.#dead - 1);
      }
    }
    // Equal pending keys collapse too.
    this.#keys = merged.filter((k, n) => n === 0 || this.#compare(merged[n - 1] as K, k) !== 0);
  }

  private lowerBoundIn(keys: readonly K[], key: K): number {
    return firstIndex(keys, (k) => this.#compare(k, key) >= 0);
  }
}

/** Code-unit order, as AWS lists names and S3 lists keys. */
const byCodeUnit = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/**
 * A Map from names that keeps a sorted index of its keys: `set` and `delete` keep the index current,
 * so nothing that changes the map can forget to.
 */
class NamedMap<V> extends Map<string, V> {
  readonly byName: SortedIndex<string> = new SortedIndex(
    byCodeUnit,
    (k) => this.has(k),
    () => this.keys(),
  );

  public override set(key: string, value: V): this {
    // Map's constructor may call set before the field exists; this map is always built empty.
    if (!super.has(key)) this.byName?.add(key);
    return super.set(key, value);
  }

  public override delete(key: string): boolean {
    const deleted = super.delete(key);
    if (deleted) this.byName.removed();
    return deleted;
  }

  public override clear(): void {
    super.clear();
    this.byName.reset();
  }

  /** Values whose name starts with `prefix`, in name order. */
  public *sortedValues(prefix = ''): Generator<V> {
    const keys = this.byName.keys();
    const end = endOfPrefix(keys, prefix);
    for (let i = firstIndex(keys, (k) => k >= prefix); i < end; i++) {
      const value = this.get(keys[i] as string);
      if (value !== undefined) yield value;
    }
  }
}

export { NamedMap, SortedIndex, byCodeUnit, endOfPrefix, firstIndex };
