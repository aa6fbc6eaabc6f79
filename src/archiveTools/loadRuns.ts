/**
 * Turning one source object into a sorted run: GET it (through the limiter), gunzip and parse it as
 * the data arrives, keep the events the query wants, sort them (AWS does not sort inside an export
 * object), and hand them to the merge — from memory, or, once the runs held in memory pass the budget,
 * from a temporary file on disk. Memory: at most one object being parsed per concurrent open, plus
 * the budget, plus a read buffer per spilled run.
 */
import { mkdtemp, open, rm, type FileHandle } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { createGunzip, gunzipSync } from 'node:zlib';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { callAws } from '../aws/callAws.js';
import type { S3Deps } from '../archive/s3Objects.js';
import { CwlTrimError } from '../errors.js';
import { ExportLineParser, type ArchivedEvent } from './exportLines.js';
import { arrayRun, type EventRun } from './mergeEvents.js';
import { SourceFormat, type EventSource } from './sources.js';

/** Bytes of sorted runs held in memory before new runs go to disk (estimated: 2 bytes a character + 80 an event). */
const DEFAULT_MEMORY_BUDGET_BYTES = 96 * 1024 * 1024;
/** Bytes read from a spilled run at a time. */
const SPILL_READ_BYTES = 128 * 1024;

const estimateBytes = (e: ArchivedEvent): number => 2 * e.message.length + 80;
const isGzip = (b: Uint8Array): boolean => b.length >= 2 && b[0] === 0x1f && b[1] === 0x8b;

/** GETs an object whole (compressed: a few MB per export chunk); retried like every call, body included. */
async function getBytes(deps: S3Deps, bucket: string, key: string): Promise<Buffer> {
  return callAws(deps.call, 'GetObject', async () => {
    const out = await deps.clients.s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    const array = await out.Body!.transformToByteArray();
    return Buffer.from(array.buffer, array.byteOffset, array.byteLength);
  });
}

/** Parses export lines as gunzip produces them, without ever holding the whole text. */
async function parseExportBytes(bytes: Buffer, logStreamName: string, keep: (e: ArchivedEvent) => void): Promise<void> {
  const parser = new ExportLineParser(logStreamName, keep);
  const decoder = new StringDecoder('utf8');
  let rest = '';
  const feed = (text: string): void => {
    const lines = (rest + text).split('\n');
    rest = lines.pop()!;
    for (const line of lines) parser.line(line);
  };
  if (isGzip(bytes)) {
    for await (const chunk of Readable.from([bytes]).pipe(createGunzip())) feed(decoder.write(chunk as Buffer));
  } else {
    feed(decoder.write(bytes));
  }
  feed(decoder.end());
  if (rest !== '') parser.line(rest);
  parser.end();
}

function parseJsonEvents(bytes: Buffer, source: EventSource, keep: (e: ArchivedEvent) => void): void {
  const text = (isGzip(bytes) ? gunzipSync(bytes) : bytes).toString('utf8');
  const body = JSON.parse(text) as { events?: unknown };
  if (!Array.isArray(body.events)) {
    throw new CwlTrimError('ARCHIVE_OBJECT_INVALID', `s3 object ${source.key} has no "events" array: it is not an archive object cwl-trim can read`);
  }
  for (const e of body.events as { timestamp?: unknown; message?: unknown }[]) {
    if (typeof e.timestamp !== 'number' || typeof e.message !== 'string') {
      throw new CwlTrimError('ARCHIVE_OBJECT_INVALID', `s3 object ${source.key} holds an event without a numeric timestamp and a message`);
    }
    keep({ timestamp: e.timestamp, logStreamName: source.logStreamName, message: e.message });
  }
}

/**
 * Every event of one source that `wanted` accepts, sorted by timestamp (stable: equal timestamps keep
 * the object's order).
 *
 * @example const events = await readSource(deps, 'my-archive', source, (e) => e.timestamp >= startMs);
 */
async function readSource(deps: S3Deps, bucket: string, source: EventSource, wanted: (e: ArchivedEvent) => boolean): Promise<ArchivedEvent[]> {
  const bytes = await getBytes(deps, bucket, source.key);
  const events: ArchivedEvent[] = [];
  const keep = (e: ArchivedEvent): void => {
    if (wanted(e)) events.push(e);
  };
  if (source.format === SourceFormat.JsonEvents) parseJsonEvents(bytes, source, keep);
  else await parseExportBytes(bytes, source.logStreamName, keep);
  let sorted = true;
  for (let i = 1; i < events.length && sorted; i += 1) sorted = events[i - 1]!.timestamp <= events[i]!.timestamp;
  return sorted ? events : events.sort((a, b) => a.timestamp - b.timestamp);
}

/** A sorted run written to disk, `<timestamp>\t<JSON message>` a line, read back a block at a time. */
function fileRun(path: string, logStreamName: string): EventRun {
  let position = 0;
  let rest = '';
  let done = false;
  const decoder = new StringDecoder('utf8');
  return {
    async next(): Promise<readonly ArchivedEvent[]> {
      const events: ArchivedEvent[] = [];
      while (events.length === 0 && !done) {
        // Opened per block: thousands of spilled runs never hold thousands of descriptors.
        const handle: FileHandle = await open(path, 'r');
        let bytesRead: number;
        const buffer = Buffer.alloc(SPILL_READ_BYTES);
        try {
          ({ bytesRead } = await handle.read(buffer, 0, SPILL_READ_BYTES, position));
        } finally {
          await handle.close();
        }
        position += bytesRead;
        if (bytesRead === 0) done = true;
        const lines = (rest + (done ? decoder.end() : decoder.write(buffer.subarray(0, bytesRead)))).split('\n');
        rest = done ? '' : lines.pop()!;
        for (const line of lines) {
          if (line === '') continue;
          const tab = line.indexOf('\t');
          events.push({ timestamp: Number(line.slice(0, tab)), logStreamName, message: JSON.parse(line.slice(tab + 1)) as string });
        }
      }
      if (done && events.length === 0) await rm(path, { force: true });
      return events;
    },
  };
}

/** Hands out runs: from memory while the budget lasts, else spilled to a temporary directory removed by {@link RunStore.close}. */
class RunStore {
  readonly #budgetBytes: number;
  #heldBytes = 0;
  #dir: string | undefined;
  #spilled = 0;

  public constructor(budgetBytes: number = DEFAULT_MEMORY_BUDGET_BYTES) {
    this.#budgetBytes = budgetBytes;
  }

  /** Runs written to disk so far. */
  public get spilled(): number {
    return this.#spilled;
  }

  public async runOf(events: readonly ArchivedEvent[], logStreamName: string): Promise<EventRun> {
    let bytes = 0;
    for (const e of events) bytes += estimateBytes(e);
    if (this.#heldBytes + bytes <= this.#budgetBytes || events.length === 0) {
      this.#heldBytes += bytes;
      return arrayRun(events, 4096, () => {
        this.#heldBytes -= bytes;
      });
    }
    this.#dir ??= await mkdtemp(join(tmpdir(), 'cwl-trim-cat-'));
    const path = join(this.#dir, `run-${this.#spilled++}.tsv`);
    const handle = await open(path, 'w');
    try {
      for (let i = 0; i < events.length; i += 4096) {
        await handle.write(events.slice(i, i + 4096).map((e) => `${e.timestamp}\t${JSON.stringify(e.message)}\n`).join(''));
      }
    } finally {
      await handle.close();
    }
    return fileRun(path, logStreamName);
  }

  public async close(): Promise<void> {
    if (this.#dir !== undefined) await rm(this.#dir, { recursive: true, force: true });
  }
}

export { DEFAULT_MEMORY_BUDGET_BYTES, RunStore, readSource };
