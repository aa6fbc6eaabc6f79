import { describe, expect, it } from 'vitest';
import {
  BatchPacker,
  batchEvents,
  eventPutBytes,
  minimumPutCalls,
  type EventBatch,
  type LogEvent,
} from '../../../src/plan/batchEvents.js';
import {
  MS_PER_HOUR,
  PUT_EVENT_OVERHEAD_BYTES,
  PUT_MAX_BATCH_BYTES,
  PUT_MAX_EVENT_BYTES,
  PUT_MAX_SPAN_MS,
} from '../../../src/constants.js';

const T0 = Date.UTC(2026, 10, 1);

async function collect(events: Iterable<LogEvent>): Promise<EventBatch[]> {
  const batches: EventBatch[] = [];
  for await (const batch of batchEvents(events)) batches.push(batch);
  return batches;
}

function flat(batches: readonly EventBatch[]): LogEvent[] {
  return batches.flatMap((b) => [...b.events]);
}

function assertPutReady(batch: EventBatch): void {
  expect(batch.events.length).toBeGreaterThan(0);
  expect(batch.events.length).toBeLessThanOrEqual(10_000);
  const bytes = batch.events.reduce((sum, e) => sum + eventPutBytes(e), 0);
  expect(bytes).toBe(batch.bytes);
  expect(bytes).toBeLessThanOrEqual(PUT_MAX_BATCH_BYTES);
  expect(batch.lastTimestampMs - batch.firstTimestampMs).toBeLessThan(PUT_MAX_SPAN_MS);
  for (let i = 1; i < batch.events.length; i += 1) {
    expect(batch.events[i]!.timestamp).toBeGreaterThanOrEqual(batch.events[i - 1]!.timestamp);
  }
}

describe('batchEvents', () => {
  it('yields nothing for no events', async () => {
    expect(await collect([])).toEqual([]);
  });

  it('keeps exactly 10,000 events in one batch and starts a second at the 10,001st', async () => {
    const events = Array.from({ length: 10_001 }, (_, i) => ({ timestamp: T0 + i, message: 'x' }));
    const batches = await collect(events.slice(0, 10_000));
    expect(batches).toHaveLength(1);
    const more = await collect(events);
    expect(more.map((b) => b.events.length)).toEqual([10_000, 1]);
    more.forEach(assertPutReady);
  });

  it('fills a batch to exactly 1,048,576 bytes counting 26 bytes per event', async () => {
    // 4 events of 262,118 message bytes = 4 × 262,144 = 1,048,576 bytes exactly.
    const message = 'a'.repeat(262_144 - PUT_EVENT_OVERHEAD_BYTES);
    const events = Array.from({ length: 5 }, (_, i) => ({ timestamp: T0 + i, message }));
    const batches = await collect(events);
    expect(batches.map((b) => b.events.length)).toEqual([4, 1]);
    expect(batches[0]!.bytes).toBe(PUT_MAX_BATCH_BYTES);
    batches.forEach(assertPutReady);
  });

  it('closes a batch before the event that would overflow it', async () => {
    const quarter = 262_144 - PUT_EVENT_OVERHEAD_BYTES; // four of them fill a batch
    const events = [
      ...Array.from({ length: 3 }, (_, i) => ({ timestamp: T0 + i, message: 'b'.repeat(quarter) })),
      { timestamp: T0 + 3, message: 'c'.repeat(quarter - 1) }, // batch at 1,048,575 bytes
      { timestamp: T0 + 4, message: '' }, // 26 more bytes would overflow
    ];
    const batches = await collect(events);
    expect(batches.map((b) => b.events.length)).toEqual([4, 1]);
    expect(batches[0]!.bytes).toBe(PUT_MAX_BATCH_BYTES - 1);
  });

  it('accepts an event at the per-event limit and refuses one byte more', async () => {
    const atLimit = 'd'.repeat(PUT_MAX_EVENT_BYTES);
    const batches = await collect([{ timestamp: T0, message: atLimit }]);
    expect(batches).toHaveLength(1);
    await expect(collect([{ timestamp: T0, message: `${atLimit}d` }])).rejects.toMatchObject({
      code: 'EVENT_TOO_LARGE',
    });
  });

  it('counts multi-byte UTF-8 characters by their bytes, not their length', async () => {
    const emoji = '😀'.repeat(20_000); // 4 bytes each: 80,000 bytes, 40,000 UTF-16 units
    expect(eventPutBytes({ timestamp: T0, message: emoji })).toBe(80_000 + PUT_EVENT_OVERHEAD_BYTES);
    const events = Array.from({ length: 14 }, (_, i) => ({ timestamp: T0 + i, message: emoji }));
    const batches = await collect(events);
    // 13 × 80,026 = 1,040,338 fits; 14 × 80,026 = 1,120,364 does not.
    expect(batches.map((b) => b.events.length)).toEqual([13, 1]);
    batches.forEach(assertPutReady);
  });

  it('keeps equal timestamps together and in their original order', async () => {
    const events = Array.from({ length: 50 }, (_, i) => ({ timestamp: T0, message: `m${i}` }));
    const batches = await collect(events);
    expect(batches).toHaveLength(1);
    expect(flat(batches).map((e) => e.message)).toEqual(events.map((e) => e.message));
  });

  it('splits at the 24-hour boundary: a span of 24 h minus 1 ms fits, 24 h does not', async () => {
    const fits = await collect([
      { timestamp: T0, message: 'a' },
      { timestamp: T0 + PUT_MAX_SPAN_MS - 1, message: 'b' },
    ]);
    expect(fits).toHaveLength(1);
    const splits = await collect([
      { timestamp: T0, message: 'a' },
      { timestamp: T0 + PUT_MAX_SPAN_MS, message: 'b' },
    ]);
    expect(splits.map((b) => b.events.length)).toEqual([1, 1]);
  });

  it('refuses events out of timestamp order', async () => {
    await expect(
      collect([
        { timestamp: T0 + 1, message: 'a' },
        { timestamp: T0, message: 'b' },
      ]),
    ).rejects.toMatchObject({ code: 'EVENTS_UNSORTED' });
  });

  it('loses, duplicates and reorders nothing over a long mixed stream', async () => {
    const events: LogEvent[] = [];
    let t = T0;
    for (let i = 0; i < 30_000; i += 1) {
      t += i % 997 === 0 ? 5 * MS_PER_HOUR : i % 3;
      events.push({ timestamp: t, message: `event ${i} ${'z'.repeat(i % 200)}` });
    }
    const batches = await collect(events);
    batches.forEach(assertPutReady);
    expect(flat(batches)).toEqual(events);
  });
});

describe('BatchPacker', () => {
  it('returns the closed batch from add and the rest from flush', () => {
    const packer = new BatchPacker({ maxBytes: 1_000, maxEvents: 2, maxSpanMs: PUT_MAX_SPAN_MS, maxEventBytes: 100 });
    expect(packer.add({ timestamp: 1, message: 'a' })).toBeUndefined();
    expect(packer.add({ timestamp: 2, message: 'b' })).toBeUndefined();
    const closed = packer.add({ timestamp: 3, message: 'c' });
    expect(closed?.events.map((e) => e.message)).toEqual(['a', 'b']);
    expect(packer.flush()?.events.map((e) => e.message)).toEqual(['c']);
    expect(packer.flush()).toBeUndefined();
  });
});

describe('minimumPutCalls', () => {
  it('is the largest of the byte, count and span bounds', () => {
    expect(minimumPutCalls({ events: 0, bytes: 0, spanMs: 0 })).toBe(0);
    expect(minimumPutCalls({ events: 25_000, bytes: 100, spanMs: 0 })).toBe(3);
    expect(minimumPutCalls({ events: 10, bytes: 3 * PUT_MAX_BATCH_BYTES + 1, spanMs: 0 })).toBe(4);
    expect(minimumPutCalls({ events: 10, bytes: 10, spanMs: 3 * PUT_MAX_SPAN_MS })).toBe(4);
  });
});
