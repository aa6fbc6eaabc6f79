/**
 * The put-back's corners its other tests leave (src/trim/putBack.ts): an earlier batch's event the
 * stream refused is not taken for this batch's copy (it is put, and kept under rejected/ if refused
 * again), earlier batches are read only back to the one reaching into this batch's first
 * millisecond, the pause before a read-back is the settle backoff (its own, else the default), and
 * the key a refused batch is kept under.
 */
import { gunzipSync } from 'node:zlib';
import type { Sandbox } from '@cwl-trim/sandbox';
import { describe, expect, it } from 'vitest';
import type { Backoff, Deps } from '../../src/deps.js';
import { eventPutBytes, type EventBatch, type LogEvent } from '../../src/plan/batchEvents.js';
import { Journal, type BatchEntry, type JournalManifest } from '../../src/trim/journal.js';
import { keepRejected, notYetPut, putBatch } from '../../src/trim/putBack.js';
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

type DepsOptions = Parameters<typeof testDeps>[2];

/** Saves the batches as a journal and puts `inStream` into the stream. */
async function journaled(batches: LogEvent[][], inStream: LogEvent[], options: DepsOptions = {}) {
  const config = testConfig(sandbox);
  const deps = testDeps(sandbox, config, options);
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
  return { config, deps, journal, manifest, batchList };
}

describe('notYetPut: earlier batches', () => {
  it("does not take an earlier batch's refused event for this batch's copy: the copy is still put", async () => {
    const x = ev(T, 'same');
    // Batch 0 was refused whole (too old): the stream holds neither of its events.
    const batches = [
      [ev(T - 1, 'a'), x],
      [x, ev(T + 1, 'b')],
    ];
    const { deps, journal, manifest } = await journaled(batches, []);
    expect(await notYetPut(deps, journal, manifest, 1, batches[1]!)).toEqual([x, ev(T + 1, 'b')]);
  });

  it('reads earlier batches back only to the first one that starts before this batch', async () => {
    const batches = [[ev(T - 2, 'a')], [ev(T - 1, 'b')], [ev(T, 'c')]];
    const { config, deps, journal, manifest } = await journaled(batches, [ev(T - 2, 'a'), ev(T - 1, 'b')]);
    sandbox.clearCalls();

    expect(await notYetPut(deps, journal, manifest, 2, batches[2]!)).toEqual([ev(T, 'c')]);
    const read = sandbox.calls.filter((c) => c.operation === 'GetObject').map((c) => (c.input as { Key: string }).Key);
    // Batch 1 starts before T: batch 0, wholly before it, is not read.
    expect(read).toEqual([`${config.bucketPrefix}/journal/~app~orders/rebuilt/batch-000001.json`]);
  });
});

describe('putBatch: the pause before a read-back', () => {
  /** The pauses putBatch takes when its first PutLogEvents answer is lost; `settle` absent: the default. */
  async function pausesAfterLostAnswer(settle?: Backoff): Promise<number[]> {
    const slept: number[] = [];
    const batches = [[ev(T, 'x'), ev(T + 1, 'y')]];
    const built = await journaled(batches, [], {
      sleep: async (ms: number) => {
        slept.push(ms);
      },
    });
    const { journal, manifest } = built;
    const { settle: _harness, ...withoutSettle } = built.deps;
    const deps: Deps = settle ? { ...withoutSettle, settle } : withoutSettle;
    sandbox.injectFault({ operation: 'PutLogEvents', nth: 1, dropResponse: true });

    const out = await putBatch(deps, journal, manifest, 0, batches[0]!, batches[0]!);

    // The lost put was carried out: the read-back finds both events and sends nothing again.
    expect(out).toEqual({ rejected: [], present: 2 });
    expect(sandbox.events(GROUP, STREAM).map((e) => e.message)).toEqual(['x', 'y']);
    return slept;
  }

  it('waits the settle backoff it is given', async () => {
    const slept = await pausesAfterLostAnswer({ initialMs: 8, maxMs: 8, factor: 1 });
    expect(slept.length).toBeGreaterThan(0);
    expect(Math.min(...slept)).toBeGreaterThanOrEqual(4);
    expect(Math.max(...slept)).toBeLessThanOrEqual(8);
  });

  it('waits the default settle backoff (1–2 s at first) when given none', async () => {
    const slept = await pausesAfterLostAnswer();
    expect(slept.length).toBeGreaterThan(0);
    expect(Math.min(...slept)).toBeGreaterThanOrEqual(1_000);
    expect(Math.max(...slept)).toBeLessThanOrEqual(2_000);
  });
});

describe('keepRejected', () => {
  it("keeps a refused batch under rejected/, keyed by the batch's six-digit index and the run", async () => {
    const { config, manifest } = await journaled([[ev(T, 'x')]], []);
    const deps = testDeps(sandbox, config, { runId: 'run-1' });

    await keepRejected(deps, config, manifest, 3, [ev(T, 'x')]);

    const kept = sandbox.objects(BUCKET, `${config.bucketPrefix}/rejected/`);
    expect(kept.map((o) => o.key)).toEqual([
      `${config.bucketPrefix}/rejected/~app~orders/rebuilt/batch-000003-run-1.json.gz`,
    ]);
    expect(JSON.parse(gunzipSync(kept[0]!.body).toString('utf8'))).toMatchObject({
      logGroupName: GROUP,
      logStreamName: STREAM,
      events: [ev(T, 'x')],
    });
  });
});
