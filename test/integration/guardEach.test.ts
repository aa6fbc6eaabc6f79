/**
 * One test per guard: each drives a whole run against the sandbox, breaks the world in the one way
 * the guard is there for, and asserts on what CloudWatch and S3 hold afterwards. Each fails when its
 * guard alone is removed (checked by removing it); the README's "Why nothing is lost" table names them.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { DeleteObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { PutLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { acquireLease } from '../../src/archive/lease.js';
import { runCwlTrim } from '../../src/run.js';
import type { Config } from '../../src/types.js';
import type { Sandbox } from '@cwl-trim/sandbox';
import { command, doBefore } from '../helpers/crash.js';
import { sandboxClients } from '@cwl-trim/sandbox/testing';
import { BUCKET, MS_PER_DAY, archivedEvents, keys, testConfig, testDeps } from '../helpers/runHarness.js';
import { GROUP, NOW, seedOrders, useRunSandbox } from '../helpers/scenario.js';
import { countWork } from '../helpers/lockCalls.js';
import { ArchiveIndex } from '../../src/archive/exportManifest.js';
import { blockedAction } from '../../src/execute/trimGroup.js';

let sandbox: Sandbox;
useRunSandbox((s) => {
  sandbox = s;
});

const EXPIRED1 = '2026/10/01/[$LATEST]expired1';
const PREFIX = 'cwl-archive';
const STATE_KEY = `${PREFIX}/state/groups/${GROUP.replaceAll('/', '~')}.json`;
const LEASE_KEY = `${PREFIX}/state/lease.json`;

const config = (overrides: Partial<Config> = {}): Config =>
  testConfig(sandbox, { days: 7, forceRebuild: true, ...overrides });

const objectBody = (key: string): string | undefined =>
  sandbox
    .objects(BUCKET, key)
    .find((o) => o.key === key)
    ?.body.toString('utf8');

/** Every seeded event is still somewhere: in CloudWatch, or (for old ones) in the archive. */
function expectNothingLost(seeded: Map<string, { timestamp: number; message: string }[]>): void {
  const archive = archivedEvents(sandbox);
  for (const [name, events] of seeded) {
    const inCloudWatch = sandbox.streamNames(GROUP).includes(name) ? sandbox.events(GROUP, name) : [];
    const held = new Set([...keys(inCloudWatch), ...keys(archive.get(`${GROUP}|${name}`) ?? [])]);
    expect(
      keys(events).filter((k) => !held.has(k)),
      `events of ${name} in neither CloudWatch nor the archive`,
    ).toEqual([]);
  }
}

afterEach(() => {
  vi.useRealTimers();
});

describe('each guard, on its own', () => {
  it('does not delete a stream whose export object is missing from S3 (missing-from-archive re-check)', async () => {
    const seeded = seedOrders(sandbox);
    const cfg = config();
    const deps = testDeps(sandbox, cfg);
    const { s3, destroy } = sandboxClients(sandbox.endpoint, sandbox.region);
    // The export completed, but its object for one stream is gone before the run lists the task's objects.
    doBefore(
      deps,
      command('ListObjectsV2', (input) => String(input.Prefix).includes('/exports/')),
      async () => {
        for (const o of sandbox.objects(BUCKET, `${PREFIX}/exports/`)) {
          if (o.key.includes(encodeURIComponent(EXPIRED1)) || o.key.includes(`/${EXPIRED1}/`)) {
            await s3.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: o.key }));
          }
        }
      },
    );
    const out = await runCwlTrim(cfg, deps);
    destroy();
    expect(out.result?.groups[0]?.streams.find((s) => s.logStreamName === EXPIRED1)).toMatchObject({
      outcome: 'skipped',
      detail: expect.stringMatching(/holds no object for it/),
    });
    expect(sandbox.events(GROUP, EXPIRED1).map((e) => e.message)).toEqual(seeded.get(EXPIRED1)!.map((e) => e.message));
    expectNothingLost(seeded);
  });

  it('does not rebuild a stream when this run could not archive up to the cutoff (requiresArchivedThroughMs re-check)', async () => {
    const seeded = seedOrders(sandbox);
    // Run 1 archives everything before its cutoff and deletes the expired streams, but leaves the
    // straddling stream as it is (a rebuild is not worth it without FORCE_REBUILD).
    const first = await runCwlTrim(config({ forceRebuild: false }), testDeps(sandbox, config({ forceRebuild: false })));
    expect(first.result?.outcome).toBe('done');
    expect(sandbox.events(GROUP, 'straddling')).toHaveLength(seeded.get('straddling')!.length);
    // Two days later this run's export fails: its first event is archived (window 1), the two days
    // before the new cutoff are not. The streams are planned after the export, on the watermark it left.
    sandbox.clock.set(NOW + 2 * MS_PER_DAY);
    sandbox.failNextExport('simulated failure');
    const second = await runCwlTrim(config(), testDeps(sandbox, config()));
    expect(second.plan.groups[0]!.streams.find((s) => s.logStreamName === 'straddling')).toMatchObject({
      action: 'skip',
      reason: 'not-archived',
    });
    expect(sandbox.events(GROUP, 'straddling')).toHaveLength(seeded.get('straddling')!.length);
    expectNothingLost(seeded);
    // And the re-check just before an action holds on its own, whatever the plan said.
    const planned = {
      ...second.plan.groups[0]!.streams.find((s) => s.logStreamName === 'straddling')!,
      action: 'rebuild' as const,
      requiresArchivedThroughMs: NOW + 2 * MS_PER_DAY - 7 * MS_PER_DAY - 1,
    };
    const state = { logGroupName: GROUP, windows: [], archivedThroughMs: NOW - 7 * MS_PER_DAY - 1 };
    expect(await blockedAction(new ArchiveIndex(testDeps(sandbox, config()), BUCKET), state, planned)).toBe(
      'its window is not archived yet',
    );
  });

  it('does not overwrite group state another run wrote after this one read it (ETag condition)', async () => {
    seedOrders(sandbox);
    const cfg = config();
    const deps = testDeps(sandbox, cfg);
    const { s3, destroy } = sandboxClients(sandbox.endpoint, sandbox.region);
    let foreign = '';
    // Between this run's intent and its task id being saved, another writer updates the state.
    doBefore(deps, command('CreateExportTask'), async () => {
      const current = JSON.parse(objectBody(STATE_KEY)!) as Record<string, unknown>;
      foreign = JSON.stringify({ ...current, windows: [], writtenBy: 'another run' });
      await s3.send(
        new PutObjectCommand({ Bucket: BUCKET, Key: STATE_KEY, Body: foreign, ContentType: 'application/json' }),
      );
    });
    const ended = await runCwlTrim(cfg, deps).then(
      (out) => out.result?.outcome,
      (err: Error) => err.name,
    );
    destroy();
    expect(ended).not.toBe('done');
    expect(objectBody(STATE_KEY)).toBe(foreign);
    expect(countWork(sandbox, 'DeleteLogStream')).toBe(0);
  });

  it('does not overwrite group state another run created first (If-None-Match on the first write)', async () => {
    seedOrders(sandbox);
    const cfg = config();
    const deps = testDeps(sandbox, cfg);
    const { s3, destroy } = sandboxClients(sandbox.endpoint, sandbox.region);
    const foreign = JSON.stringify({ logGroupName: GROUP, windows: [], writtenBy: 'another run' });
    doBefore(
      deps,
      command('PutObject', (input) => input.Key === STATE_KEY),
      async () => {
        await s3.send(
          new PutObjectCommand({ Bucket: BUCKET, Key: STATE_KEY, Body: foreign, ContentType: 'application/json' }),
        );
      },
    );
    const ended = await runCwlTrim(cfg, deps).then(
      (out) => out.result?.outcome,
      (err: Error) => err.name,
    );
    destroy();
    expect(ended).not.toBe('done');
    expect(objectBody(STATE_KEY)).toBe(foreign);
    expect(sandbox.countCalls('CreateExportTask')).toBe(0);
  });

  it('renews its lease while it works, so a second run cannot take it over mid-run (lease renewal)', async () => {
    seedOrders(sandbox);
    // Only the renewal interval is faked: the SDK's and the sandbox's timeouts keep real time.
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    const cfg = config();
    const deps = testDeps(sandbox, cfg, { runId: 'run-a' });
    let second: unknown;
    doBefore(deps, command('CreateExportTask'), async () => {
      // 5 minutes into the run (S3's clock) a renewal is due (every 72 s for the 6-minute lease); 4 more
      // minutes on, the first write would have expired, the renewed one has not.
      sandbox.clock.advance(5 * 60_000);
      const puts = sandbox.countCalls('PutObject');
      vi.advanceTimersByTime(72_000);
      for (let i = 0; i < 200 && sandbox.countCalls('PutObject') === puts; i += 1)
        await new Promise((r) => setTimeout(r, 5));
      await new Promise((r) => setTimeout(r, 20));
      sandbox.clock.advance(4 * 60_000);
      const otherCfg = config();
      second = await acquireLease(testDeps(sandbox, otherCfg, { runId: 'run-b' }), otherCfg, 6 * 60_000).then(
        () => 'acquired',
        (err: Error) => err.name,
      );
    });
    await runCwlTrim(cfg, deps);
    expect(second).toBe('LeaseHeldError');
  });

  it('does not delete, when it ends, a lease another run has taken over (release only if ours)', async () => {
    seedOrders(sandbox);
    const cfg = config();
    const deps = testDeps(sandbox, cfg, { runId: 'run-a' });
    doBefore(deps, command('CreateExportTask'), async () => {
      // The run stalls past its lease's expiry; another run takes the lease over.
      sandbox.clock.advance(21 * 60_000);
      const otherCfg = config();
      await acquireLease(testDeps(sandbox, otherCfg, { runId: 'run-b' }), otherCfg, 20 * 60_000);
    });
    await runCwlTrim(cfg, deps).catch(() => undefined);
    const lease = objectBody(LEASE_KEY);
    expect(lease, 'the other run still holds its lease').toBeDefined();
    expect(JSON.parse(lease!)).toMatchObject({ runId: 'run-b' });
  });

  it('abandons a rebuild when the stream changed between planning and reading (the rebuild checks before reading)', async () => {
    const seeded = seedOrders(sandbox);
    const cfg = config();
    const deps = testDeps(sandbox, cfg);
    const { logs, destroy } = sandboxClients(sandbox.endpoint, sandbox.region);
    const late = { timestamp: NOW, message: 'written after the plan' };
    // A producer writes to the straddling stream after it was planned, just before the rebuild looks
    // at it (the plan is seconds old, not old enough for the trim's own re-check against fresh metadata).
    doBefore(
      deps,
      command('DescribeLogStreams', (input) => input.logStreamNamePrefix === 'straddling'),
      async () => {
        await logs.send(
          new PutLogEventsCommand({ logGroupName: GROUP, logStreamName: 'straddling', logEvents: [late] }),
        );
      },
    );
    const out = await runCwlTrim(cfg, deps);
    destroy();
    expect(out.result?.groups[0]?.streams.find((s) => s.logStreamName === 'straddling')).toMatchObject({
      outcome: 'abandoned',
      detail: expect.stringMatching(/changed since it was planned/),
    });
    const deletes = sandbox.calls
      .filter((c) => c.operation === 'DeleteLogStream')
      .map((c) => (c.input as { logStreamName: string }).logStreamName);
    expect(deletes).not.toContain('straddling');
    expect(sandbox.events(GROUP, 'straddling').map((e) => e.message)).toEqual(
      [...seeded.get('straddling')!, late].map((e) => e.message),
    );
  });
});
