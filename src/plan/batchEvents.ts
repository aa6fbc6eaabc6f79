import {
  PUT_EVENT_OVERHEAD_BYTES,
  PUT_MAX_BATCH_BYTES,
  PUT_MAX_EVENT_BYTES,
  PUT_MAX_EVENTS,
  PUT_MAX_SPAN_MS,
} from '../constants.js';
import { CwlTrimError } from '../errors.js';

/** One event as PutLogEvents takes it. */
interface LogEvent {
  readonly timestamp: number;
  readonly message: string;
}

/** A PutLogEvents-ready batch: sorted, ≤ 10,000 events, ≤ 1,048,576 bytes, ≤ 24 h span. */
interface EventBatch {
  readonly events: readonly LogEvent[];
  /** Σ (UTF-8 message bytes + 26): what PutLogEvents counts against its 1 MiB. */
  readonly bytes: number;
  readonly firstTimestampMs: number;
  readonly lastTimestampMs: number;
}

interface BatchLimits {
  readonly maxBytes: number;
  readonly maxEvents: number;
  readonly maxSpanMs: number;
  readonly maxEventBytes: number;
}

const PUT_LIMITS: BatchLimits = Object.freeze({
  maxBytes: PUT_MAX_BATCH_BYTES,
  maxEvents: PUT_MAX_EVENTS,
  maxSpanMs: PUT_MAX_SPAN_MS,
  maxEventBytes: PUT_MAX_EVENT_BYTES,
});

/** The bytes PutLogEvents counts for one event. */
const eventPutBytes = (event: LogEvent): number => Buffer.byteLength(event.message, 'utf8') + PUT_EVENT_OVERHEAD_BYTES;

/**
 * Stateful packer behind {@link batchEvents}: feed it events in timestamp order, it returns a finished
 * batch whenever the next event would break a limit. It holds at most one batch (≤ 1 MiB of messages).
 *
 * @example
 * const packer = new BatchPacker();
 * for (const e of page) { const full = packer.add(e); if (full) await save(full); }
 * const rest = packer.flush(); if (rest) await save(rest);
 */
class BatchPacker {
  readonly #limits: BatchLimits;
  #events: LogEvent[] = [];
  #bytes = 0;
  #lastTimestampMs = Number.NEGATIVE_INFINITY;

  public constructor(limits: BatchLimits = PUT_LIMITS) {
    this.#limits = limits;
  }

  /** Adds one event; returns the batch it closed, if any. Throws on unsorted input or an oversized event. */
  public add(event: LogEvent): EventBatch | undefined {
    if (event.timestamp < this.#lastTimestampMs) {
      throw new CwlTrimError(
        'EVENTS_UNSORTED',
        `events must arrive in timestamp order: ${event.timestamp} after ${this.#lastTimestampMs}`,
      );
    }
    const bytes = eventPutBytes(event);
    if (bytes - PUT_EVENT_OVERHEAD_BYTES > this.#limits.maxEventBytes) {
      throw new CwlTrimError(
        'EVENT_TOO_LARGE',
        `an event of ${bytes - PUT_EVENT_OVERHEAD_BYTES} bytes at ${event.timestamp} exceeds PutLogEvents' ` +
          `${this.#limits.maxEventBytes}-byte limit per event`,
      );
    }
    this.#lastTimestampMs = event.timestamp;
    const first = this.#events[0];
    const full =
      first !== undefined &&
      (this.#events.length + 1 > this.#limits.maxEvents ||
        this.#bytes + bytes > this.#limits.maxBytes ||
        // AWS: a batch cannot span more than 24 h; we keep the span strictly under it.
        event.timestamp - first.timestamp >= this.#limits.maxSpanMs);
    const closed = full ? this.flush() : undefined;
    this.#events.push(event);
    this.#bytes += bytes;
    return closed;
  }

  /** Returns what is held as a batch (undefined when empty) and starts a new one. */
  public flush(): EventBatch | undefined {
    const events = this.#events;
    const first = events[0];
    const last = events[events.length - 1];
    if (first === undefined || last === undefined) return undefined;
    const batch: EventBatch = {
      events,
      bytes: this.#bytes,
      firstTimestampMs: first.timestamp,
      lastTimestampMs: last.timestamp,
    };
    this.#events = [];
    this.#bytes = 0;
    return batch;
  }
}

/**
 * Packs events (already in timestamp order, as GetLogEvents returns them) into PutLogEvents-ready
 * batches: a batch closes before the event that would make it exceed 10,000 events, 1,048,576 bytes
 * (UTF-8 message bytes + 26 per event) or reach a 24-hour span between its first and last event.
 * Memory: it buffers one batch at most (≤ 1 MiB of messages) plus what the source holds.
 *
 * @example
 * for await (const batch of batchEvents(readStream(...))) await journal.saveBatch(batch);
 */
async function* batchEvents(
  events: AsyncIterable<LogEvent> | Iterable<LogEvent>,
  limits: BatchLimits = PUT_LIMITS,
): AsyncGenerator<EventBatch> {
  const packer = new BatchPacker(limits);
  for await (const event of events) {
    const closed = packer.add(event);
    if (closed) yield closed;
  }
  const rest = packer.flush();
  if (rest) yield rest;
}

/**
 * The fewest PutLogEvents calls that can carry these events: a lower bound used by benchmarks,
 * `max(ceil(bytes / 1 MiB), ceil(events / 10,000), number of 24-hour spans)`.
 */
function minimumPutCalls(totals: { events: number; bytes: number; spanMs: number }): number {
  if (totals.events === 0) return 0;
  return Math.max(
    Math.ceil(totals.bytes / PUT_MAX_BATCH_BYTES),
    Math.ceil(totals.events / PUT_MAX_EVENTS),
    Math.floor(totals.spanMs / PUT_MAX_SPAN_MS) + 1,
  );
}

export { BatchPacker, PUT_LIMITS, batchEvents, eventPutBytes, minimumPutCalls };
export type { BatchLimits, EventBatch, LogEvent };
