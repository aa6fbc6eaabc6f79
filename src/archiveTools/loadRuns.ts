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
import { mkdtemp, open, rm } from 'node:fs/promises';
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
import { encodeStreamName, fileRun } from './spilledRun.js';

/** Bytes of sorted runs held in memory before new runs go to disk. */
const DEFAULT_MEMORY_BUDGET_BYTES = 32 * 1024 * 1024;
/** Compressed objects up to this size are inflated in one call (their text is at most a few MB). */
const SMALL_GZIP_BYTES = 64 * 1024;
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
    throw new CwlTrimError(
      'ARCHIVE_OBJECT_INVALID',
      `s3 object ${source.key} has no "events" array: it is not an archive object cwl-trim can read`,
    );
  }
  const events: { timestamp: number; message: string }[] = [];
  for (const e of body.events as { timestamp?: unknown; message?: unknown }[]) {
    if (typeof e.timestamp !== 'number' || typeof e.message !== 'string') {
      throw new CwlTrimError(
        'ARCHIVE_OBJECT_INVALID',
        `s3 object ${source.key} holds an event without a numeric timestamp and a message`,
      );
    }
    const message = e.message;
    if (wanted(e.timestamp, () => message)) events.push({ timestamp: e.timestamp, message });
  }
  events.sort((a, b) => a.timestamp - b.timestamp);
  const heldBytes = events.reduce((n, e) => n + 2 * e.message.length + 64, 0);
  return {
    count: events.length,
    heldBytes,
    timestampAt: (k) => events[k]!.timestamp,
    at: (k, logStreamName) => ({ ...events[k]!, logStreamName }),
  };
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
    if (source.format === SourceFormat.JsonEvents)
      return this.#hold(jsonEvents(bytes, source, wanted), source.logStreamName);
    // A small object (a window of many streams has many) is cheaper inflated at once than through a stream.
    const text = !isGzip(bytes)
      ? bytes
      : bytes.length <= SMALL_GZIP_BYTES
        ? gunzipSync(bytes)
        : await this.#gunzip(bytes);
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
        if (need > SPILL_WRITE_BYTES)
          throw new CwlTrimError(
            'EVENT_TOO_LARGE',
            `an event of ${end - start} bytes in ${source.key} is larger than cat can spill`,
          );
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
    const handle = await open(path, 'w');
    const out = Buffer.allocUnsafe(SPILL_WRITE_BYTES);
    let used = 0;
    try {
      for await (const batch of batches) {
        for (const e of batch) {
          const message = e.message.includes('\n') || e.message.startsWith('"') ? JSON.stringify(e.message) : e.message;
          const line = `${e.timestamp}\t${encodeStreamName(e.logStreamName)}\t${message}\n`;
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
    return fileRun(path, undefined);
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
    for await (const chunk of Readable.from([bytes]).pipe(
      createGunzip({ chunkSize: 64 * 1024 }),
    ) as AsyncIterable<Buffer>) {
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

export { DEFAULT_MEMORY_BUDGET_BYTES, RunStore };
export type { Wanted };
