/**
 * Turning one source object into a sorted run: GET it (through the limiter), gunzip it into one
 * reusable buffer, index its events in place, keep those the query wants in timestamp order (AWS does
 * not sort inside an export object), and hand them to the merge — copied compactly into memory while the
 * budget lasts, else written to a temporary file and read back a block at a time.
 *
 * Memory, whatever the range: the decompression buffer (the largest object so far), the budget of runs
 * held in memory, a 16 KiB read buffer per spilled run, and the compressed bodies of the objects being
 * fetched. Objects are decompressed one at a time: nothing of that size is left behind for the garbage
 * collector, which is what keeps the process's RSS near its live memory.
 */
import { mkdtemp, open, rm, type FileHandle } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { createGunzip, gunzipSync } from 'node:zlib';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { callAws } from '../aws/callAws.js';
import type { S3Deps } from '../archive/s3Objects.js';
import { CwlTrimError } from '../errors.js';
import type { ArchivedEvent } from './exportLines.js';
import { NO_EVENTS, type EventChunk, type EventRun } from './mergeEvents.js';
import { compactCopy, indexExportBytes, keptInOrder, type CompactEvents } from './objectIndex.js';
import { SourceFormat, type EventSource } from './sources.js';

/** Bytes of sorted runs held in memory before new runs go to disk. */
const DEFAULT_MEMORY_BUDGET_BYTES = 32 * 1024 * 1024;
/** Bytes read from a spilled run at a time (its buffer, reused for every block). */
const SPILL_READ_BYTES = 16 * 1024;
/** Bytes written to a spill file at a time. */
const SPILL_WRITE_BYTES = 1024 * 1024;

/** Decides whether an event is wanted; `message` decodes it only if the filter reads it. */
type Wanted = (timestamp: number, message: () => string) => boolean;

const isGzip = (b: Uint8Array): boolean => b.length >= 2 && b[0] === 0x1f && b[1] === 0x8b;

/** GETs an object whole (compressed: a few MB per export chunk); retried like every call, body included. */
async function getBytes(deps: S3Deps, bucket: string, key: string): Promise<Buffer> {
  return callAws(deps.call, 'GetObject', async () => {
    const out = await deps.clients.s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    const array = await out.Body!.transformToByteArray();
    return Buffer.from(array.buffer, array.byteOffset, array.byteLength);
  });
}

/** Small JSON objects cwl-trim writes itself (rejected, late): parsed whole. */
function jsonEvents(bytes: Buffer, source: EventSource, wanted: Wanted): CompactEvents {
  const body = JSON.parse((isGzip(bytes) ? gunzipSync(bytes) : bytes).toString('utf8')) as { events?: unknown };
  if (!Array.isArray(body.events)) {
    throw new CwlTrimError('ARCHIVE_OBJECT_INVALID', `s3 object ${source.key} has no "events" array: it is not an archive object cwl-trim can read`);
  }
  const events: { timestamp: number; message: string }[] = [];
  for (const e of body.events as { timestamp?: unknown; message?: unknown }[]) {
    if (typeof e.timestamp !== 'number' || typeof e.message !== 'string') {
      throw new CwlTrimError('ARCHIVE_OBJECT_INVALID', `s3 object ${source.key} holds an event without a numeric timestamp and a message`);
    }
    const message = e.message;
    if (wanted(e.timestamp, () => message)) events.push({ timestamp: e.timestamp, message });
  }
  events.sort((a, b) => a.timestamp - b.timestamp);
  const heldBytes = events.reduce((n, e) => n + 2 * e.message.length + 64, 0);
  return { count: events.length, heldBytes, timestampAt: (k) => events[k]!.timestamp, at: (k, logStreamName) => ({ ...events[k]!, logStreamName }) };
}

/** A run over sorted events in memory, as one chunk; `onDone` once it is read. */
function memoryRun(events: CompactEvents, logStreamName: string, onDone: () => void): EventRun {
  let chunk: EventChunk | undefined = {
    count: events.count,
    timestampAt: (k) => events.timestampAt(k),
    logStreamNameAt: () => logStreamName,
    eventAt: (k) => events.at(k, logStreamName),
  };
  return {
    next: () => {
      const out = chunk ?? NO_EVENTS;
      if (chunk === undefined) onDone(); // let the memory go as soon as the run is read
      chunk = undefined;
      return Promise.resolve(out);
    },
  };
}

/**
 * A sorted run on disk: `<timestamp>\t<message>` a line (one stream's run), or `<timestamp>\t<n>\t<message>`
 * with `streams[n]` the event's stream (a combined run, several streams); a message with a newline, or
 * starting with `"`, as JSON. Read a block at a time into one buffer per run, reused for every block (the
 * merge asks for the next chunk only once it is done with the last): each chunk is the block's complete
 * lines, found in place, and a message is decoded only when the merge emits it.
 */
function fileRun(path: string, stream: string | readonly string[]): EventRun {
  const streams = typeof stream === 'string' ? undefined : stream;
  let position = 0;
  let done = false;
  let buffer = Buffer.allocUnsafe(SPILL_READ_BYTES);
  /** An incomplete last line, `rest` bytes at `carryAt`, read again with the next block. */
  let rest = 0;
  let carryAt = 0;
  let ts = new Float64Array(SPILL_READ_BYTES / 8);
  let start = new Int32Array(ts.length);
  let end = new Int32Array(ts.length);
  let streamOf = new Int32Array(streams === undefined ? 0 : ts.length);
  const nameAt = streams === undefined ? () => stream as string : (i: number) => streams[streamOf[i]!]!;
  const chunk: EventChunk & { count: number } = {
    count: 0,
    timestampAt: (i) => ts[i]!,
    logStreamNameAt: nameAt,
    eventAt: (i) => {
      const text = buffer.toString('utf8', start[i]!, end[i]!);
      return { timestamp: ts[i]!, logStreamName: nameAt(i), message: buffer[start[i]!] === 34 ? JSON.parse(text) as string : text };
    },
  };
  /** The non-negative integer written in `buffer[from, to)`. */
  const digits = (from: number, to: number): number => {
    let n = 0;
    for (let i = from; i < to; i += 1) n = n * 10 + buffer[i]! - 48;
    return n;
  };
  const push = (lineStart: number, lineEnd: number): void => {
    if (chunk.count === ts.length) {
      const ts2 = new Float64Array(ts.length * 2);
      const start2 = new Int32Array(ts2.length);
      const end2 = new Int32Array(ts2.length);
      ts2.set(ts);
      start2.set(start);
      end2.set(end);
      [ts, start, end] = [ts2, start2, end2];
      if (streams !== undefined) {
        const streamOf2 = new Int32Array(ts2.length);
        streamOf2.set(streamOf);
        streamOf = streamOf2;
      }
    }
    let tab = buffer.indexOf(9, lineStart);
    const negative = buffer[lineStart] === 45;
    const timestamp = digits(negative ? lineStart + 1 : lineStart, tab);
    ts[chunk.count] = negative ? -timestamp : timestamp;
    if (streams !== undefined) {
      const second = buffer.indexOf(9, tab + 1);
      streamOf[chunk.count] = digits(tab + 1, second);
      tab = second;
    }
    start[chunk.count] = tab + 1;
    end[chunk.count] = lineEnd;
    chunk.count += 1;
  };
  return {
    async next(): Promise<EventChunk> {
      chunk.count = 0;
      while (chunk.count === 0 && !done) {
        // The last block's incomplete line to the front: the merge is done with the chunk that held its events.
        if (carryAt > 0) buffer.copy(buffer, 0, carryAt, carryAt + rest);
        carryAt = 0;
        if (rest === buffer.length) {
          // One line longer than the buffer: a bigger buffer for this run.
          const bigger = Buffer.allocUnsafe(buffer.length * 2);
          buffer.copy(bigger, 0, 0, rest);
          buffer = bigger;
        }
        // Opened per block: thousands of spilled runs never hold thousands of descriptors.
        const handle: FileHandle = await open(path, 'r');
        let bytesRead: number;
        try {
          ({ bytesRead } = await handle.read(buffer, rest, buffer.length - rest, position));
        } finally {
          await handle.close();
        }
        position += bytesRead;
        if (bytesRead === 0) done = true;
        const filled = rest + bytesRead;
        let at = 0;
        for (let nl = buffer.indexOf(10, at); nl >= 0 && nl < filled; nl = buffer.indexOf(10, at)) {
          if (nl > at) push(at, nl);
          at = nl + 1;
        }
        if (done && at < filled) push(at, filled);
        rest = done ? 0 : filled - at;
        carryAt = at;
      }
      if (done && chunk.count === 0) await rm(path, { force: true });
      return chunk;
    },
  };
}

/**
 * Loads sources into runs. One object is decompressed and indexed at a time, into a buffer kept for the
 * next one; runs stay in memory while the budget lasts and go to a temporary directory after that,
 * removed by {@link RunStore.close}.
 */
class RunStore {
  readonly #budgetBytes: number;
  #heldBytes = 0;
  #dir: string | undefined;
  #spilled = 0;
  #scratch = Buffer.allocUnsafe(1024 * 1024);
  #busy: Promise<unknown> = Promise.resolve();

  public constructor(budgetBytes: number = DEFAULT_MEMORY_BUDGET_BYTES) {
    this.#budgetBytes = budgetBytes;
  }

  /** Runs written to disk so far. */
  public get spilled(): number {
    return this.#spilled;
  }

  /**
   * The source's wanted events as a sorted run. GETs may overlap; decompressing and sorting go one at a time.
   *
   * @example const run = await store.load(deps, 'my-archive', source, (ts) => ts >= startMs);
   */
  public async load(deps: S3Deps, bucket: string, source: EventSource, wanted: Wanted): Promise<EventRun> {
    const bytes = await getBytes(deps, bucket, source.key);
    const turn = this.#busy.then(() => this.#toRun(bytes, source, wanted));
    this.#busy = turn.catch(() => undefined);
    return turn;
  }

  async #toRun(bytes: Buffer, source: EventSource, wanted: Wanted): Promise<EventRun> {
    if (source.format === SourceFormat.JsonEvents) return this.#hold(jsonEvents(bytes, source, wanted), source.logStreamName);
    const text = isGzip(bytes) ? await this.#gunzip(bytes) : bytes;
    const index = indexExportBytes(text);
    const order = keptInOrder(index, wanted, (i) => text.toString('utf8', index.start[i]!, index.end[i]!));
    let bytesKept = 0;
    for (const i of order) bytesKept += index.end[i]! - index.start[i]!;
    if (order.length === 0 || this.#heldBytes + bytesKept + 12 * order.length <= this.#budgetBytes) {
      return this.#hold(compactCopy(text, index, order), source.logStreamName);
    }
    // Straight from the decompression buffer to disk, in order: nothing of the object's size is allocated.
    this.#dir ??= await mkdtemp(join(tmpdir(), 'cwl-trim-cat-'));
    const path = join(this.#dir, `run-${this.#spilled++}.tsv`);
    const handle = await open(path, 'w');
    const out = Buffer.allocUnsafe(SPILL_WRITE_BYTES);
    let used = 0;
    const flush = async (): Promise<void> => {
      if (used > 0) await handle.write(out, 0, used);
      used = 0;
    };
    try {
      for (const i of order) {
        const start = index.start[i]!;
        const end = index.end[i]!;
        const nl = text.indexOf(10, start);
        const raw = (nl < 0 || nl >= end) && text[start] !== 34;
        const message = raw ? undefined : Buffer.from(JSON.stringify(text.toString('utf8', start, end)), 'utf8');
        const need = 24 + (message?.length ?? end - start);
        if (used + need > SPILL_WRITE_BYTES) await flush();
        if (need > SPILL_WRITE_BYTES) throw new CwlTrimError('EVENT_TOO_LARGE', `an event of ${end - start} bytes in ${source.key} is larger than cat can spill`);
        used += out.write(`${index.ts[i]!}\t`, used, 'latin1');
        used += message ? message.copy(out, used) : text.copy(out, used, start, end);
        out[used++] = 10;
      }
      await flush();
    } finally {
      await handle.close();
    }
    return fileRun(path, source.logStreamName);
  }

  /**
   * Writes merged events (several streams) to one sorted run on disk and returns it: how the merge
   * keeps the runs open at once bounded when a window holds more objects than that (mergeSources' combine).
   *
   * @example const run = await store.combine(mergeSources(group, earliest, open, options));
   */
  public async combine(batches: AsyncIterable<readonly ArchivedEvent[]>): Promise<EventRun> {
    this.#dir ??= await mkdtemp(join(tmpdir(), 'cwl-trim-cat-'));
    const path = join(this.#dir, `run-${this.#spilled++}.tsv`);
    const streams: string[] = [];
    const numbers = new Map<string, number>();
    const handle = await open(path, 'w');
    const out = Buffer.allocUnsafe(SPILL_WRITE_BYTES);
    let used = 0;
    try {
      for await (const batch of batches) {
        for (const e of batch) {
          let n = numbers.get(e.logStreamName);
          if (n === undefined) {
            n = streams.push(e.logStreamName) - 1;
            numbers.set(e.logStreamName, n);
          }
          const message = e.message.includes('\n') || e.message.startsWith('"') ? JSON.stringify(e.message) : e.message;
          const line = `${e.timestamp}\t${n}\t${message}\n`;
          const need = Buffer.byteLength(line);
          if (used + need > SPILL_WRITE_BYTES) {
            await handle.write(out, 0, used);
            used = 0;
          }
          if (need > SPILL_WRITE_BYTES) await handle.write(line);
          else used += out.write(line, used);
        }
      }
      if (used > 0) await handle.write(out, 0, used);
    } finally {
      await handle.close();
    }
    return fileRun(path, streams);
  }

  #hold(events: CompactEvents, logStreamName: string): EventRun {
    this.#heldBytes += events.heldBytes;
    return memoryRun(events, logStreamName, () => {
      this.#heldBytes -= events.heldBytes;
    });
  }

  /** Decompresses into the reusable buffer (grown to the largest object seen); returns a view of it. */
  async #gunzip(bytes: Buffer): Promise<Buffer> {
    let length = 0;
    for await (const chunk of Readable.from([bytes]).pipe(createGunzip({ chunkSize: 64 * 1024 })) as AsyncIterable<Buffer>) {
      if (length + chunk.length > this.#scratch.length) {
        const bigger = Buffer.allocUnsafe(Math.max(this.#scratch.length * 2, length + chunk.length));
        this.#scratch.copy(bigger, 0, 0, length);
        this.#scratch = bigger;
      }
      length += chunk.copy(this.#scratch, length);
    }
    return this.#scratch.subarray(0, length);
  }

  public async close(): Promise<void> {
    if (this.#dir !== undefined) await rm(this.#dir, { recursive: true, force: true });
  }
}

export { DEFAULT_MEMORY_BUDGET_BYTES, RunStore, fileRun };
export type { Wanted };
