/**
 * One export object's events, found in its decompressed bytes without copying them: per event a
 * timestamp and where its message lies. Then the events a query keeps, in timestamp order, either
 * copied out compactly (to stay in memory) or written straight from the bytes (to spill to disk).
 * No event object is made here: the merge makes them a chunk at a time, and they die young.
 */
import { STAMP_LENGTH, stampAt, type ArchivedEvent } from './exportLines.js';

/** Growable typed arrays: 20 bytes an event. */
class EventIndex {
  public ts = new Float64Array(4096);
  public start = new Int32Array(4096);
  public end = new Int32Array(4096);
  public count = 0;

  public push(timestamp: number, start: number, end: number): void {
    if (this.count === this.ts.length) {
      const ts = new Float64Array(this.count * 2);
      const starts = new Int32Array(this.count * 2);
      const ends = new Int32Array(this.count * 2);
      ts.set(this.ts);
      starts.set(this.start);
      ends.set(this.end);
      [this.ts, this.start, this.end] = [ts, starts, ends];
    }
    this.ts[this.count] = timestamp;
    this.start[this.count] = start;
    this.end[this.count] = end;
    this.count += 1;
  }
}

/**
 * Finds every event in export-line bytes: a line starting with `<ISO-8601 UTC ms> ` starts an event,
 * any other line continues the message before (a message with newlines, newline included). Lines before
 * the first event (never seen in AWS's output) are skipped.
 *
 * @example const index = indexExportBytes(Buffer.from('2026-10-01T00:00:00.000Z hello\n'));
 */
function indexExportBytes(bytes: Uint8Array): EventIndex {
  const index = new EventIndex();
  const code = (i: number): number => bytes[i]!;
  let open = -1;
  for (let pos = 0; pos < bytes.length; ) {
    const found = bytes.indexOf(10, pos);
    const nl = found < 0 ? bytes.length : found;
    const timestamp = stampAt(code, pos, nl);
    if (timestamp !== undefined) {
      index.push(timestamp, pos + STAMP_LENGTH + 1, nl);
      open = index.count - 1;
    } else if (open >= 0) {
      index.end[open] = nl;
    }
    pos = nl + 1;
  }
  return index;
}

/**
 * The positions (into `index`) of the events `wanted` keeps, sorted by timestamp; equal timestamps keep
 * the object's order. `message` decodes one event's message, for filters that read it.
 */
function keptInOrder(
  index: EventIndex,
  wanted: (timestamp: number, message: () => string) => boolean,
  message: (i: number) => string,
): Uint32Array {
  const kept = new Uint32Array(index.count);
  let n = 0;
  for (let i = 0; i < index.count; i += 1) if (wanted(index.ts[i]!, () => message(i))) kept[n++] = i;
  const order = kept.subarray(0, n);
  let sorted = true;
  for (let k = 1; k < n && sorted; k += 1) sorted = index.ts[order[k - 1]!]! <= index.ts[order[k]!]!;
  if (!sorted) order.sort((a, b) => index.ts[a]! - index.ts[b]! || a - b);
  return order;
}

/** Sorted events held in memory: the kept messages copied into one buffer, back to back. */
interface CompactEvents {
  readonly count: number;
  readonly heldBytes: number;
  timestampAt(k: number): number;
  at(k: number, logStreamName: string): ArchivedEvent;
}

/**
 * Copies the kept messages, in order, out of `bytes` (which the caller reuses for the next object).
 *
 * @example const events = compactCopy(bytes, index, order); events.at(0, 'worker-1');
 */
function compactCopy(bytes: Buffer, index: EventIndex, order: Uint32Array): CompactEvents {
  let total = 0;
  for (const i of order) total += index.end[i]! - index.start[i]!;
  const text = Buffer.allocUnsafe(total);
  const ts = new Float64Array(order.length);
  const offsets = new Int32Array(order.length + 1);
  let at = 0;
  for (let k = 0; k < order.length; k += 1) {
    const i = order[k]!;
    ts[k] = index.ts[i]!;
    offsets[k] = at;
    at += bytes.copy(text, at, index.start[i]!, index.end[i]!);
  }
  offsets[order.length] = at;
  return {
    count: order.length,
    heldBytes: total + 12 * order.length,
    timestampAt: (k) => ts[k]!,
    at: (k, logStreamName) => ({
      timestamp: ts[k]!,
      logStreamName,
      message: text.toString('utf8', offsets[k]!, offsets[k + 1]!),
    }),
  };
}

export { EventIndex, compactCopy, indexExportBytes, keptInOrder };
export type { CompactEvents };
