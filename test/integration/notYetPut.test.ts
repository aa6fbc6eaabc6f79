/**
 * What a rebuild puts again after a crash or a lost answer: the batch's events the stream does not
 * hold yet, as a multiset on (timestamp, message). Each case is one that loses an event if the
 * counting is wrong: identical events, several batches ending in the very millisecond the batch
 * starts, two messages in one millisecond.
 */
import { describe, expect, it } from 'vitest';
import type { EventBatch, LogEvent } from '../../src/plan/batchEvents.js';
import { eventPutBytes } from '../../src/plan/batchEvents.js';
import { Journal, type BatchEntry, type JournalManifest } from '../../src/trim/journal.js';
import { notYetPut } from '../../src/trim/putBack.js';
import type { Sandbox } from '@cwl-trim/sandbox';
import { BUCKET, MS_PER_DAY, testConfig, testDeps } from '../helpers/runHarness.js';
import { GROUP, NOW, useRunSandbox } from '../helpers/scenario.js';

let sandbox: Sandbox;
useRunSandbox((s) => {
  sandbox = s;
});

const STREAM = 'rebuilt';
const T = NOW - MS_PER_DAY;

const ev = (timestamp: number, message: string): LogEvent => ({ timestamp, message });
const asBatch = (events: LogEvent[]): EventBatch => ({
  events,
  bytes: events.reduce((n, e) => n + eventPutBytes(e), 0),
  firstTimestampMs: events[0]!.timestamp,
  lastTimestampMs: events[events.length - 1]!.timestamp,
});

/** Saves the batches as a journal, puts `inStream` into the stream, and asks what batch `index` still needs. */
async function missingOf(batches: LogEvent[][], inStream: LogEvent[], index: number): Promise<LogEvent[]> {
  const config = testConfig(sandbox);
  const deps = testDeps(sandbox, config);
  const journal = Journal.of(deps, BUCKET, config.bucketPrefix, GROUP, STREAM);
  const batchList: BatchEntry[] = [];
  for (const [i, events] of batches.entries()) batchList.push(await journal.saveBatch(i, asBatch(events)));
  sandbox.seedStream(GROUP, STREAM, inStream);
  const manifest = {
    logGroupName: GROUP,
    logStreamName: STREAM,
    unmasked: false,
    batches: batches.length,
    batchList,
  } as unknown as JournalManifest;
  return notYetPut(deps, journal, manifest, index, batches[index]!);
}

describe('notYetPut: the events of a batch the stream does not hold', () => {
  it("counts earlier batches ending in the batch's first millisecond, however many, so an identical event is still put", async () => {
    const x = ev(T, 'same');
    // Batch 1 lies wholly in millisecond T; batch 0 ends in it and batch 2 starts in it.
    const batches = [
      [ev(T - 1, 'a'), x],
      [x, x],
      [x, ev(T + 1, 'b')],
    ];
    // Batches 0 and 1 are in the stream: three of the four `same` events at T are theirs.
    const missing = await missingOf(batches, [ev(T - 1, 'a'), x, x, x], 2);
    expect(missing).toEqual([x, ev(T + 1, 'b')]);
  });

  it('takes each stored copy of an identical event once: one of two stored leaves one to put', async () => {
    const x = ev(T, 'same');
    expect(await missingOf([[x, x, ev(T + 1, 'b')]], [x], 0)).toEqual([x, ev(T + 1, 'b')]);
  });

  it('tells two messages of one millisecond apart', async () => {
    expect(await missingOf([[ev(T, 'x'), ev(T, 'y')]], [ev(T, 'y')], 0)).toEqual([ev(T, 'x')]);
  });
});
