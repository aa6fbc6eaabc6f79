/**
 * A sorted run spilled to disk by `archive cat`, read back a block at a time: `<timestamp>\t<message>` a
 * line (one stream's run), or `<timestamp>\t<stream>\t<message>` (a combined run, several streams: the
 * name on each line, so that a run of a million streams holds no million names); a message with a
 * newline, or starting with `"`, as JSON, and a stream name with a tab or newline, or starting with `"`,
 * too (JSON has no raw tab, so the name ends at the next tab). One buffer per
 * run, reused for every block (the merge asks for the next chunk only once it is done with the last):
 * each chunk is the block's complete lines, found in place, and a message is decoded only when the
 * merge emits it.
 */
import { open, rm } from 'node:fs/promises';
import type { EventChunk, EventRun } from './mergeEvents.js';

/** Bytes read from a spilled run at a time (its buffer, reused for every block). */
const SPILL_READ_BYTES = 16 * 1024;

const TAB = 9;
const NEWLINE = 10;
const MINUS = 45;
const QUOTE = 34;

/** Where each line of the current block is: its timestamp, its message's bytes and its stream; grows by doubling. */
class LineTable {
  public count = 0;
  public ts: Float64Array;
  public start: Int32Array;
  public end: Int32Array;
  /** Each line's stream (combined runs), decoded as the block is read; a name repeated line after line is one string. */
  public readonly names: string[] = [];

  public constructor(size: number) {
    this.ts = new Float64Array(size);
    this.start = new Int32Array(size);
    this.end = new Int32Array(size);
  }

  /** Room for one more line. */
  public reserve(): void {
    if (this.count < this.ts.length) return;
    const grow = <T extends Float64Array | Int32Array>(a: T, make: (n: number) => T): T => {
      const b = make(a.length * 2);
      b.set(a);
      return b;
    };
    this.ts = grow(this.ts, (n) => new Float64Array(n));
    this.start = grow(this.start, (n) => new Int32Array(n));
    this.end = grow(this.end, (n) => new Int32Array(n));
  }
}

/** Reads `buffer.length - offset` bytes of `path` at `position` into `buffer` from `offset`; opened per block, so thousands of spilled runs never hold thousands of descriptors. */
async function readBlock(path: string, buffer: Buffer, offset: number, position: number): Promise<number> {
  const handle = await open(path, 'r');
  try {
    return (await handle.read(buffer, offset, buffer.length - offset, position)).bytesRead;
  } finally {
    await handle.close();
  }
}

/** How a stream name is written in a combined run's line (see the module's comment). */
const encodeStreamName = (name: string): string =>
  name.includes('\t') || name.includes('\n') || name.startsWith('"') ? JSON.stringify(name) : name;

/** Decodes the stream names of a block's lines: a name repeated line after line is decoded once. */
function nameDecoder(): { decode(buffer: Buffer, from: number, to: number): string; reset(): void } {
  let last = '';
  let lastFrom = -1;
  let lastTo = -1;
  return {
    decode: (buffer, from, to) => {
      const same =
        lastFrom >= 0 && to - from === lastTo - lastFrom && buffer.compare(buffer, lastFrom, lastTo, from, to) === 0;
      if (!same) {
        const text = buffer.toString('utf8', from, to);
        last = buffer[from] === QUOTE ? (JSON.parse(text) as string) : text;
      }
      lastFrom = from;
      lastTo = to;
      return last;
    },
    reset: () => {
      lastFrom = -1;
    },
  };
}

/**
 * The run spilled at `path`, for one stream (`stream` its name) or several (`undefined`: each line
 * names its stream). The file is removed once read to its end.
 */
function fileRun(path: string, stream: string | undefined): EventRun {
  const multi = stream === undefined;
  let position = 0;
  let done = false;
  let buffer = Buffer.allocUnsafe(SPILL_READ_BYTES);
  /** An incomplete last line, `rest` bytes at `carryAt`, read again with the next block. */
  let rest = 0;
  let carryAt = 0;
  // Room for a block of 128-byte lines; grown for shorter ones (a merge holds a table per open run).
  const lines = new LineTable(SPILL_READ_BYTES / 128);
  const nameAt = multi ? (i: number) => lines.names[i]! : () => stream;
  const names = nameDecoder();
  const chunk: EventChunk & { count: number } = {
    count: 0,
    timestampAt: (i) => lines.ts[i]!,
    logStreamNameAt: nameAt,
    eventAt: (i) => {
      const text = buffer.toString('utf8', lines.start[i]!, lines.end[i]!);
      return {
        timestamp: lines.ts[i]!,
        logStreamName: nameAt(i),
        message: buffer[lines.start[i]!] === QUOTE ? (JSON.parse(text) as string) : text,
      };
    },
  };
  /** The non-negative integer written in `buffer[from, to)`. */
  const digits = (from: number, to: number): number => {
    let n = 0;
    for (let i = from; i < to; i += 1) n = n * 10 + buffer[i]! - 48;
    return n;
  };
  const push = (lineStart: number, lineEnd: number): void => {
    lines.reserve();
    const i = lines.count;
    let tab = buffer.indexOf(TAB, lineStart);
    const negative = buffer[lineStart] === MINUS;
    const timestamp = digits(negative ? lineStart + 1 : lineStart, tab);
    lines.ts[i] = negative ? -timestamp : timestamp;
    if (multi) {
      const second = buffer.indexOf(TAB, tab + 1);
      lines.names[i] = names.decode(buffer, tab + 1, second);
      tab = second;
    }
    lines.start[i] = tab + 1;
    lines.end[i] = lineEnd;
    lines.count += 1;
  };
  return {
    async next(): Promise<EventChunk> {
      lines.count = 0;
      while (lines.count === 0 && !done) {
        // The last block's incomplete line to the front: the merge is done with the chunk that held its events.
        if (carryAt > 0) buffer.copy(buffer, 0, carryAt, carryAt + rest);
        names.reset(); // the bytes move

        carryAt = 0;
        if (rest === buffer.length) {
          // One line longer than the buffer: a bigger buffer for this run.
          const bigger = Buffer.allocUnsafe(buffer.length * 2);
          buffer.copy(bigger, 0, 0, rest);
          buffer = bigger;
        }
        const bytesRead = await readBlock(path, buffer, rest, position);
        position += bytesRead;
        if (bytesRead === 0) done = true;
        const filled = rest + bytesRead;
        let at = 0;
        for (let nl = buffer.indexOf(NEWLINE, at); nl >= 0 && nl < filled; nl = buffer.indexOf(NEWLINE, at)) {
          if (nl > at) push(at, nl);
          at = nl + 1;
        }
        if (done && at < filled) push(at, filled);
        rest = done ? 0 : filled - at;
        carryAt = at;
      }
      chunk.count = lines.count;
      if (done && lines.count === 0) await rm(path, { force: true });
      return chunk;
    },
  };
}

export { encodeStreamName, fileRun };
