/**
 * The rebuild never loses what it saved: a damaged journal is found before the stream is deleted, a
 * lost answer never puts a batch twice, a hung call never hangs the run, and a half-removed journal
 * is cleaned up. Each case is what a real account produces, injected into the sandbox; each is checked
 * event by event.
 */
import { createHash } from 'node:crypto';
import { DescribeExportTasksCommand } from '@aws-sdk/client-cloudwatch-logs';
import { DeleteObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { createClients } from '../../src/aws/clients.js';
import { runCwlTrim } from '../../src/run.js';
import type { Sandbox, SeedEvent } from '@cwl-trim/sandbox';
import type { Config } from '../../src/types.js';
import { command, crashBefore, doBefore, s3Put } from '../helpers/crash.js';
import { BUCKET, MS_PER_DAY, history, testConfig, testDeps } from '../helpers/runHarness.js';
import { sandboxClients, TEST_CREDENTIALS } from '@cwl-trim/sandbox/testing';
import { expectInvariant, GROUP, HOUR, NOW, seedOrders, useRunSandbox } from '../helpers/scenario.js';
import { countWork } from '../helpers/lockCalls.js';

let sandbox: Sandbox;
useRunSandbox((s) => {
  sandbox = s;
});

const STREAM = 'straddling';
const JOURNAL = 'cwl-archive/journal/~app~orders/straddling';
const ofStream = (input: Record<string, unknown>): boolean => input.logStreamName === STREAM;
const journalObjects = (): string[] => sandbox.objects(BUCKET, 'cwl-archive/journal/').map((o) => o.key);
const body = (key: string): Buffer => {
  const object = sandbox.objects(BUCKET, key).find((o) => o.key === key);
  if (!object) throw new Error(`no object ${key}`);
  return object.body;
};
const lines = (events: readonly SeedEvent[]): string[] => events.map((e) => `${e.timestamp} ${e.message}`);
const cloudWatch = (group = GROUP, stream = STREAM): string[] =>
  sandbox.streamNames(group).includes(stream) ? lines(sandbox.events(group, stream)) : [];
const streamResult = (out: Awaited<ReturnType<typeof runCwlTrim>>, stream = STREAM) =>
  [...(out.result?.resumedRebuilds ?? []), ...(out.result?.groups.flatMap((g) => g.streams) ?? [])].find(
    (s) => s.logStreamName === stream,
  );

/** Writes (or deletes) an object as a person or a broken tool would, through the real S3 client. */
async function writeObject(key: string, content: string | undefined): Promise<void> {
  const { s3, destroy } = sandboxClients(sandbox.endpoint, sandbox.region);
  try {
    if (content === undefined) await s3.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: key }));
    else await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: content }));
  } finally {
    destroy();
  }
}

const rebuildConfig = (overrides: Partial<Config> = {}): Config =>
  testConfig(sandbox, { days: 7, forceRebuild: true, ...overrides });

/** Clients whose requests give up after 300 ms: a hung call becomes a timeout quickly. */
const quickClients = (config: Config) =>
  createClients(config, {
    credentials: TEST_CREDENTIALS,
    timeouts: { connectionMs: 300, requestMs: 300, bulkRequestMs: 300, idleMs: 10_000 },
  });

const BATCH_1 = `${JOURNAL}/batch-000001.json`;
type Damage = (key: string) => Promise<void>;
/** Each damage, and the problem the run names for it. */
const DAMAGES: readonly (readonly [string, Damage, string])[] = [
  [
    'truncated',
    async (key) => writeObject(key, body(key).toString('utf8').slice(0, 200)),
    'batch 1 is not what was saved (SHA-256 differs)',
  ],
  ['deleted', async (key) => writeObject(key, undefined), `batch 1 of ${JOURNAL} is missing`],
  [
    'with one message changed (same count, same times)',
    async (key) => {
      const batch = JSON.parse(body(key).toString('utf8')) as {
        version: number;
        events: { timestamp: number; message: string }[];
      };
      batch.events[0] = { ...batch.events[0]!, message: 'forged' };
      await writeObject(key, JSON.stringify(batch));
    },
    'batch 1 is not what was saved (SHA-256 differs)',
  ],
  [
    'rewritten as valid JSON holding 10 of its events',
    async (key) => {
      const batch = JSON.parse(body(key).toString('utf8')) as { version: number; events: unknown[] };
      await writeObject(key, JSON.stringify({ ...batch, events: batch.events.slice(0, 10) }));
    },
    'batch 1 is not what was saved (SHA-256 differs)',
  ],
];

describe('a damaged journal is found before the stream is deleted', () => {
  it.each(DAMAGES)(
    'a batch %s between the save and the delete: the stream is untouched, the run fails naming the batch',
    async (_name, damage, problem) => {
      const seeded = seedOrders(sandbox);
      const config = rebuildConfig();
      const deps = testDeps(sandbox, config);
      // Right before the journal is read back: every batch and the manifest are written.
      doBefore(
        deps,
        command('GetObject', (input) => String(input.Key).endsWith('batch-000001.json')),
        () => damage(BATCH_1),
      );
      const first = await runCwlTrim(config, deps);
      expect(first.result?.outcome).toBe('failed');
      expect(streamResult(first)).toMatchObject({
        outcome: 'failed',
        detail: expect.stringContaining(`rebuild journal s3://${BUCKET}/${BATCH_1}`),
      });
      expect(streamResult(first)?.detail).toContain(problem);
      expect(streamResult(first)?.detail).toContain('The stream was not touched; the journal was discarded');
      expect(cloudWatch()).toEqual(lines(seeded.get(STREAM)!));
      expectInvariant(sandbox, seeded, first.plan.cutoffMs, { untouched: [STREAM] });
      expect(journalObjects()).toEqual([]); // the stream holds everything: the bad journal is discarded

      const second = await runCwlTrim(config, testDeps(sandbox, config));
      expect(second.result?.outcome).toBe('done');
      expectInvariant(sandbox, seeded, second.plan.cutoffMs);
    },
  );

  it('a manifest edited to list fewer batches is refused before the delete', async () => {
    const seeded = seedOrders(sandbox);
    const config = rebuildConfig();
    const crashed = testDeps(sandbox, config);
    crashBefore(
      crashed,
      command(
        'DescribeLogStreams',
        (input) => input.logStreamNamePrefix === STREAM && journalObjects().some((k) => k.endsWith('manifest.json')),
      ),
    );
    await runCwlTrim(config, crashed);
    const manifest = JSON.parse(body(`${JOURNAL}/manifest.json`).toString('utf8')) as {
      batches: number;
      events: number;
      bytes: number;
      batchList: { events: number; bytes: number }[];
    };
    expect(manifest.batches).toBeGreaterThan(2);
    const kept = manifest.batchList.slice(0, 2);
    await writeObject(
      `${JOURNAL}/manifest.json`,
      JSON.stringify({
        ...manifest,
        batches: 2,
        batchList: kept,
        events: kept.reduce((n, b) => n + b.events, 0),
        bytes: kept.reduce((n, b) => n + b.bytes, 0),
      }),
    );

    const second = await runCwlTrim(config, testDeps(sandbox, config));
    expect(second.result?.outcome).toBe('failed');
    expect(streamResult(second)).toMatchObject({
      outcome: 'failed',
      detail: expect.stringContaining('batch-000002.json'),
    });
    expect(streamResult(second)?.detail).toContain('batch 2 is not listed in the manifest (2 batches)');
    expect(cloudWatch()).toEqual(lines(seeded.get(STREAM)!));

    const third = await runCwlTrim(config, testDeps(sandbox, config));
    expect(third.result?.outcome).toBe('done');
    expectInvariant(sandbox, seeded, third.plan.cutoffMs);
  });

  it.each([
    [
      'with 10 of its events',
      (batch: { version: number; events: unknown[] }) =>
        JSON.stringify({ ...batch, events: batch.events.slice(0, 10) }),
      'batch 1 holds 10 events',
    ],
    ['as text that is not JSON', () => 'not json', 'not valid JSON'],
  ] as const)(
    'a batch rewritten %s and its checksum patched to match is still refused, naming why',
    async (_name, forge, problem) => {
      const seeded = seedOrders(sandbox);
      const config = rebuildConfig();
      const crashed = testDeps(sandbox, config);
      crashBefore(
        crashed,
        command(
          'DescribeLogStreams',
          (input) => input.logStreamNamePrefix === STREAM && journalObjects().some((k) => k.endsWith('manifest.json')),
        ),
      );
      await runCwlTrim(config, crashed);
      const batch = JSON.parse(body(BATCH_1).toString('utf8')) as { version: number; events: unknown[] };
      const forged = forge(batch);
      await writeObject(BATCH_1, forged);
      const manifest = JSON.parse(body(`${JOURNAL}/manifest.json`).toString('utf8')) as {
        batchList: { sha256: string }[];
      };
      manifest.batchList[1]!.sha256 = createHash('sha256').update(forged).digest('hex');
      await writeObject(`${JOURNAL}/manifest.json`, JSON.stringify(manifest));

      const second = await runCwlTrim(config, testDeps(sandbox, config));
      expect(second.result?.outcome).toBe('failed');
      expect(streamResult(second)).toMatchObject({
        outcome: 'failed',
        detail: expect.stringContaining(problem),
      });
      expect(cloudWatch()).toEqual(lines(seeded.get(STREAM)!));
    },
  );

  it('a journal S3 will not give back (403: SSE-KMS without kms:Decrypt) stops before the delete', async () => {
    const seeded = seedOrders(sandbox);
    const config = rebuildConfig();
    sandbox.injectFault({
      operation: 'GetObject',
      pathContains: '/journal/',
      times: 10_000,
      error: { name: 'AccessDenied', message: 'Access Denied', status: 403 },
    });
    const first = await runCwlTrim(config, testDeps(sandbox, config));
    sandbox.clearFaults();
    expect(first.result?.outcome).toBe('failed');
    expect(streamResult(first)?.detail).toContain('kms:Decrypt');
    expect(countWork(sandbox, 'DeleteLogStream')).toBe(5); // the five expired streams only
    expectInvariant(sandbox, seeded, first.plan.cutoffMs, { untouched: [STREAM] });

    const second = await runCwlTrim(config, testDeps(sandbox, config));
    expect(second.result?.outcome).toBe('done');
    expectInvariant(sandbox, seeded, second.plan.cutoffMs);
  });

  it('a batch read that keeps failing with a 500 is reported as that failure, not as a journal S3 will not give back', async () => {
    const seeded = seedOrders(sandbox);
    const config = rebuildConfig();
    sandbox.injectFault({
      operation: 'GetObject',
      pathContains: '/batch-',
      times: 10_000,
      error: { name: 'InternalError', message: 'We encountered an internal error.', status: 500 },
    });
    const first = await runCwlTrim(config, testDeps(sandbox, config));
    sandbox.clearFaults();
    expect(first.result?.outcome).toBe('failed');
    expect(streamResult(first)?.detail).toBe('We encountered an internal error.');
    expect(streamResult(first)?.detail).not.toMatch(/AccessDenied|kms:Decrypt/);
    expectInvariant(sandbox, seeded, first.plan.cutoffMs, { untouched: [STREAM] });

    const second = await runCwlTrim(config, testDeps(sandbox, config));
    expect(second.result?.outcome).toBe('done');
    expectInvariant(sandbox, seeded, second.plan.cutoffMs);
  });

  it('a journal batch S3 will not give back (403) is a damaged journal of an untouched stream: discarded, saved again next run', async () => {
    const seeded = seedOrders(sandbox);
    const config = rebuildConfig();
    const denied = { name: 'AccessDenied', message: 'Access Denied', status: 403 };
    sandbox.injectFault({ operation: 'GetObject', pathContains: '/batch-', times: 10_000, error: denied });
    const first = await runCwlTrim(config, testDeps(sandbox, config));
    sandbox.clearFaults();
    expect(streamResult(first)?.detail).toContain('kms:Decrypt');
    expect(streamResult(first)?.detail).toContain('The stream was not touched; the journal was discarded');
    expect(journalObjects()).toEqual([]);
    expectInvariant(sandbox, seeded, first.plan.cutoffMs, { untouched: [STREAM] });

    const second = await runCwlTrim(config, testDeps(sandbox, config));
    expect(second.result?.outcome).toBe('done');
    expectInvariant(sandbox, seeded, second.plan.cutoffMs);
  });

  it('the deadline while saving the journal leaves the stream untouched and the journal removed; the next run rebuilds it', async () => {
    const seeded = seedOrders(sandbox);
    const config = rebuildConfig();
    let expired = false;
    const deps = testDeps(sandbox, config, { deadline: { remainingMs: () => (expired ? 0 : 60_000) } });
    doBefore(deps, s3Put(`${JOURNAL}/batch-000001`), () => {
      expired = true;
    });
    const first = await runCwlTrim(config, deps);
    expect(streamResult(first)).toMatchObject({
      outcome: 'deadline',
      detail: 'the deadline came while saving; the stream is untouched',
    });
    expect(journalObjects()).toEqual([]);
    expect(cloudWatch()).toEqual(lines(seeded.get(STREAM)!));

    const second = await runCwlTrim(config, testDeps(sandbox, config));
    expect(second.result?.outcome).toBe('done');
    expectInvariant(sandbox, seeded, second.plan.cutoffMs);
  });

  it('a damaged manifest left by a crash is reported by name, and the rest of the run goes on', async () => {
    const seeded = seedOrders(sandbox);
    const config = rebuildConfig();
    const crashed = testDeps(sandbox, config);
    crashBefore(
      crashed,
      command(
        'DescribeLogStreams',
        (input) => input.logStreamNamePrefix === STREAM && journalObjects().some((k) => k.endsWith('manifest.json')),
      ),
    );
    await runCwlTrim(config, crashed);
    await writeObject(`${JOURNAL}/manifest.json`, '{"version":2,"logGroupName":"/app/or');

    const second = await runCwlTrim(config, testDeps(sandbox, config));
    expect(second.result?.outcome).toBe('failed');
    expect(second.result?.resumedRebuilds[0]).toMatchObject({
      outcome: 'failed',
      detail: expect.stringMatching(
        new RegExp(`^STATE_CORRUPT: s3://${BUCKET}/${JOURNAL}/manifest.json: not valid JSON`),
      ),
    });
    expect(cloudWatch()).toEqual(lines(seeded.get(STREAM)!));
  });

  type Manifest = { batchList: { events: number }[] };
  it.each([
    ['an older phase', () => ({ version: 1, phase: 'saved', nextBatch: 0, rejected: 0, put: 0 })],
    [
      'an earlier batch',
      (m: Manifest) => ({ version: 1, phase: 'putting', nextBatch: 1, rejected: 0, put: m.batchList[0]!.events }),
    ],
    ['counts that do not add up', () => ({ version: 1, phase: 'putting', nextBatch: 1, rejected: 0, put: 1 })],
    // Counts that add up over every batch, but a next batch past the last: trusted, nothing more would be put.
    [
      'a batch past the last',
      (m: Manifest) => ({
        version: 1,
        phase: 'putting',
        nextBatch: m.batchList.length + 1,
        rejected: 0,
        put: m.batchList.reduce((n, b) => n + b.events, 0),
      }),
    ],
  ])('progress rewritten to %s puts nothing twice', async (_name, progress) => {
    const seeded = seedOrders(sandbox);
    const config = rebuildConfig();
    const crashed = testDeps(sandbox, config);
    let puts = 0;
    crashBefore(crashed, (c) => c.constructor.name === 'PutLogEventsCommand' && ofStream(c.input) && ++puts === 4);
    await runCwlTrim(config, crashed);
    const manifest = JSON.parse(body(`${JOURNAL}/manifest.json`).toString('utf8')) as Manifest;
    await writeObject(`${JOURNAL}/progress.json`, JSON.stringify(progress(manifest)));

    const second = await runCwlTrim(config, testDeps(sandbox, config));
    expect(second.result?.outcome).toBe('done');
    expectInvariant(sandbox, seeded, second.plan.cutoffMs);
  });
});

describe('a journal half removed is recognised and its removal finished', () => {
  it('a run that dies while removing the journal leaves it for the next run to finish', async () => {
    const seeded = seedOrders(sandbox);
    const config = rebuildConfig();
    const crashed = testDeps(sandbox, config);
    const crash = crashBefore(
      crashed,
      command('DeleteObject', (input) => String(input.Key).endsWith(`${STREAM}/manifest.json`)),
    );
    await runCwlTrim(config, crashed);
    expect(crash.fired()).toBe(true);

    const second = await runCwlTrim(config, testDeps(sandbox, config));
    expect(second.result?.outcome).toBe('done');
    expect(journalObjects()).toEqual([]);
    expectInvariant(sandbox, seeded, second.plan.cutoffMs);
  });

  it('a manifest left alone (an older removal order died between progress and manifest) is cleaned up', async () => {
    const seeded = seedOrders(sandbox);
    const config = rebuildConfig();
    const first = await runCwlTrim(config, testDeps(sandbox, config));
    expect(first.result?.outcome).toBe('done');
    await writeObject(
      `${JOURNAL}/manifest.json`,
      JSON.stringify({ logGroupName: GROUP, logStreamName: STREAM, batches: 8, events: 168 }),
    );

    const second = await runCwlTrim(config, testDeps(sandbox, config));
    expect(second.result?.outcome).toBe('done');
    expect(journalObjects()).toEqual([]);
    expectInvariant(sandbox, seeded, first.plan.cutoffMs);
  });
});

describe('a lost answer never puts a batch twice, a hung call never hangs the run', () => {
  it.each([
    ['its answer dropped after it was stored', { dropResponse: true }],
    ['no answer after it was stored', { hang: 'after-applying' }],
    ['no answer before it was stored', { hang: 'before-applying' }],
    // A control: an uncertain failure that stored nothing must still end with the batch put.
    ['a 503 (not stored)', { error: { name: 'ServiceUnavailableException', status: 503 } }],
  ] as const)('PutLogEvents with %s: every event back once', async (_name, fault) => {
    const seeded = seedOrders(sandbox);
    const config = rebuildConfig();
    sandbox.injectFault({ operation: 'PutLogEvents', nth: 2, ...fault });
    const out = await runCwlTrim(config, testDeps(sandbox, config, { clients: quickClients(config) }));
    expect(out.result?.outcome).toBe('done');
    expectInvariant(sandbox, seeded, out.plan.cutoffMs);
    // The result counts what reached the stream.
    expect(streamResult(out)?.events).toBe(seeded.get(STREAM)!.filter((e) => e.timestamp >= out.plan.cutoffMs).length);
  });

  it('a batch whose answers keep being lost is sent 4 times, then the run stops and the next one finishes it', async () => {
    const seeded = seedOrders(sandbox);
    const config = rebuildConfig();
    const deps = testDeps(sandbox, config);
    // Every PutLogEvents on the stream loses its connection before it is sent (nothing stored).
    let sends = 0;
    const logs = deps.clients.logs as unknown as { send: (c: unknown, ...rest: unknown[]) => Promise<unknown> };
    const send = logs.send.bind(logs);
    logs.send = async (c, ...rest) => {
      const sent = c as { constructor: { name: string }; input: Record<string, unknown> };
      if (sent.constructor.name === 'PutLogEventsCommand' && ofStream(sent.input)) {
        sends += 1;
        throw Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
      }
      return send(c, ...rest);
    };
    const first = await runCwlTrim(config, deps);
    expect(sends).toBe(4);
    expect(first.result?.outcome).toBe('failed');
    expect(journalObjects()).toContain(`${JOURNAL}/manifest.json`);

    const second = await runCwlTrim(config, testDeps(sandbox, config));
    expect(second.result?.outcome).toBe('done');
    expectInvariant(sandbox, seeded, second.plan.cutoffMs);
  });

  it.each(['DescribeLogStreams', 'GetObject', 'PutObject', 'CreateLogStream'])(
    '%s that never answers is timed out and retried',
    async (operation) => {
      const seeded = seedOrders(sandbox);
      const config = rebuildConfig();
      sandbox.injectFault({ operation, hang: 'before-applying' });
      const out = await runCwlTrim(config, testDeps(sandbox, config, { clients: quickClients(config) }));
      expect(out.result?.outcome).toBe('done');
      expectInvariant(sandbox, seeded, out.plan.cutoffMs);
    },
  );
});

describe('a lost CreateExportTask answer starts no second task', () => {
  it('finds the task it started instead of creating another', async () => {
    const seeded = seedOrders(sandbox);
    const config = rebuildConfig();
    sandbox.injectFault({ operation: 'CreateExportTask', dropResponse: true });
    const out = await runCwlTrim(config, testDeps(sandbox, config));
    expect(out.result?.outcome).toBe('done');
    expectInvariant(sandbox, seeded, out.plan.cutoffMs);
    const { logs, destroy } = sandboxClients(sandbox.endpoint, sandbox.region);
    const tasks = (await logs.send(new DescribeExportTasksCommand({}))).exportTasks ?? [];
    destroy();
    expect(tasks).toHaveLength(1);
  });
});

describe('a lost answer to a group state write is recognised as our own', () => {
  it('the retry that fails its condition against our own write goes on', async () => {
    const seeded = seedOrders(sandbox);
    const config = rebuildConfig();
    sandbox.injectFault({ operation: 'PutObject', pathContains: '/state/groups/', nth: 2, dropResponse: true });
    const out = await runCwlTrim(config, testDeps(sandbox, config));
    expect(out.result?.outcome).toBe('done');
    expectInvariant(sandbox, seeded, out.plan.cutoffMs);
  });
});

describe("pending rebuilds follow the run's selection", () => {
  const OTHER = '/app/payments';
  const crashFirstRun = async (predicate: Parameters<typeof crashBefore>[1]) => {
    const orders = seedOrders(sandbox);
    const payments = seedOrders(sandbox, OTHER);
    const config = rebuildConfig();
    const crashed = testDeps(sandbox, config);
    crashBefore(crashed, (c) => c.input.logGroupName === GROUP && predicate(c));
    await runCwlTrim(config, crashed);
    return {
      orders,
      payments,
      excluding: rebuildConfig({ selection: { names: [], prefixes: ['/'], excludePrefixes: [GROUP] } }),
    };
  };

  it('an untouched stream in an excluded group is left alone and its journal discarded', async () => {
    const { orders, excluding } = await crashFirstRun(command('DeleteLogStream', ofStream));
    const before = cloudWatch();
    sandbox.clearCalls();
    const second = await runCwlTrim(excluding, testDeps(sandbox, excluding));
    expect(second.result?.resumedRebuilds[0]).toMatchObject({
      logGroupName: GROUP,
      outcome: 'skipped',
      detail: expect.stringContaining('not selected'),
    });
    expect(
      sandbox.mutatingCalls().filter((c) => (c.input as { logGroupName?: string }).logGroupName === GROUP),
    ).toEqual([]);
    expect(cloudWatch()).toEqual(before);
    expect(cloudWatch()).toEqual(lines(orders.get(STREAM)!));
    expect(journalObjects()).toEqual([]);
  });

  it('a stream already deleted is finished anyway, and the report says why', async () => {
    let puts = 0;
    const { orders, excluding } = await crashFirstRun(
      (c) => c.constructor.name === 'PutLogEventsCommand' && ofStream(c.input) && ++puts === 3,
    );
    const second = await runCwlTrim(excluding, testDeps(sandbox, excluding));
    expect(second.result?.resumedRebuilds[0]).toMatchObject({
      logGroupName: GROUP,
      outcome: 'done',
      detail: expect.stringContaining('already been deleted'),
    });
    expect(cloudWatch()).toEqual(lines(orders.get(STREAM)!.filter((e) => e.timestamp >= second.plan.cutoffMs)));
    expect(journalObjects()).toEqual([]);
  });
});

describe('limits and damaged state', () => {
  it('rebuilds a stream holding an event over 256 KB (PutLogEvents takes up to 1 MB)', async () => {
    const big = { timestamp: NOW - 20 * HOUR, message: 'x'.repeat(700_000) };
    const events = [...history(STREAM, NOW - 30 * MS_PER_DAY, NOW - 21 * HOUR, 6 * HOUR), big];
    sandbox.seedGroup(GROUP, { creationTimeMs: NOW - 31 * MS_PER_DAY });
    sandbox.seedStream(GROUP, STREAM, events);
    const config = rebuildConfig();
    const out = await runCwlTrim(config, testDeps(sandbox, config));
    expect(out.result?.outcome).toBe('done');
    expectInvariant(sandbox, new Map([[STREAM, events]]), out.plan.cutoffMs);
    expect(cloudWatch()).toContain(`${big.timestamp} ${big.message}`);
  });

  it.each([
    ['not JSON', '{"logGroupName":"/app/orders","wind'],
    ['not the schema', '{"logGroupName":"/app/orders","windows":"none"}'],
    ['the state of another group', '{"logGroupName":"/app/payments","windows":[]}'],
  ])('a group state object that is %s is refused naming the object and the fix', async (_name, content) => {
    seedOrders(sandbox);
    const config = rebuildConfig();
    const key = 'cwl-archive/state/groups/~app~orders.json';
    await writeObject(key, content);
    const out = await runCwlTrim(config, testDeps(sandbox, config));
    // The group is refused with its object and the fix named; the rest of the account is not blocked.
    expect(out.result?.outcome).toBe('failed');
    const failed = out.result?.groups.find((g) => g.logGroupName === '/app/orders');
    expect(failed?.error).toMatch(/^STATE_CORRUPT: /);
    expect(failed?.error).toContain(key);
    expect(failed?.error).toContain('S3 versioning');
    expect(countWork(sandbox, 'DeleteLogStream')).toBe(0);
  });
});
