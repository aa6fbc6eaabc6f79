/**
 * One run per log group (issue 13): the per-group lock in CloudWatch Logs and the archive lease in S3,
 * judged by the servers' clocks, recognising their own lost answers, and stopping the work before the
 * next call once lost. Against the sandbox with the real SDK clients.
 */
import { DescribeLogGroupsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { acquireGroupLock } from '../../src/archive/groupLock.js';
import { acquireLease } from '../../src/archive/lease.js';
import { callAws } from '../../src/aws/callAws.js';
import { listStreams } from '../../src/aws/logStreams.js';
import type { Deps } from '../../src/deps.js';
import { GroupLockLostError, LeaseHeldError } from '../../src/errors.js';
import { LOCK_GROUP_NAME, LOCK_STREAM_NAME } from '../../src/plan/lockState.js';
import { runCwlTrim } from '../../src/run.js';
import type { Sandbox } from '@cwl-trim/sandbox';
import { BUCKET, testConfig, testDeps } from '../helpers/runHarness.js';
import { countWork, lockCalls } from '../helpers/lockCalls.js';
import { GROUP, seedOrders, useRunSandbox } from '../helpers/scenario.js';

const MINUTE = 60_000;
let sandbox: Sandbox;
useRunSandbox((s) => {
  sandbox = s;
});

/** A run's deps whose host clock is `skewMs` off the sandbox's, with a monotonic clock the test moves. */
function runDeps(runId: string, skewMs = 0, monotonic = { ms: 0 }): { deps: Deps; monotonic: { ms: number } } {
  const config = testConfig(sandbox);
  const deps = testDeps(sandbox, config, { runId, clock: { now: () => sandbox.clock.now() + skewMs } });
  return { deps, monotonic };
}

const lockOptions = (m: { ms: number }) => ({ renewEveryMs: 0, monotonicMs: () => m.ms });

/** A data call the sandbox would record, sent through `deps`. */
const listSomething = (deps: Deps) =>
  callAws(deps.call, 'DescribeLogGroups', () => deps.clients.logs.send(new DescribeLogGroupsCommand({})));

describe('the per-group lock (CloudWatch Logs)', () => {
  it('lets one run take a group; another is told who holds it and until when', async () => {
    seedOrders(sandbox);
    const a = runDeps('runa');
    const b = runDeps('runb');
    const first = await acquireGroupLock(a.deps, GROUP, lockOptions(a.monotonic));
    const second = await acquireGroupLock(b.deps, GROUP, lockOptions(b.monotonic));
    expect(first.acquired).toBe(true);
    expect(second).toMatchObject({ acquired: false });
    if (second.acquired) throw new Error('unreachable');
    expect(second.detail).toMatch(/cwl-trim run runa on .* holds \/app\/orders .*expires in 5 min/);
    // The lock is the stream named as the group in the lock group: the group's own streams never show it.
    expect(sandbox.streamNames(LOCK_GROUP_NAME)).toEqual([GROUP]);
    expect(sandbox.streamNames(GROUP)).not.toContain(LOCK_STREAM_NAME);
    if (first.acquired) await first.lock.release();
    expect(sandbox.streamNames(LOCK_GROUP_NAME)).toEqual([]);
    expect((await acquireGroupLock(b.deps, GROUP, lockOptions(b.monotonic))).acquired).toBe(true);
  });

  it('reads its claim back in a data-protected group, whose reads mask digits', async () => {
    seedOrders(sandbox);
    sandbox.seedGroup(GROUP, { dataProtection: true });
    const a = runDeps('run12345');
    const b = runDeps('run67890');
    expect((await acquireGroupLock(a.deps, GROUP, lockOptions(a.monotonic))).acquired).toBe(true);
    sandbox.clock.advance(4 * MINUTE);
    const second = await acquireGroupLock(b.deps, GROUP, lockOptions(b.monotonic));
    expect(second).toMatchObject({ acquired: false, detail: expect.stringContaining('cwl-trim run run12345 on ') });
  });

  it('judges expiry by CloudWatch time: hosts 21 minutes off either way change nothing', async () => {
    seedOrders(sandbox);
    const behind = runDeps('behind', -21 * MINUTE);
    const ahead = runDeps('ahead', 21 * MINUTE);
    const held = await acquireGroupLock(behind.deps, GROUP, lockOptions(behind.monotonic));
    expect(held.acquired).toBe(true);
    expect((await acquireGroupLock(ahead.deps, GROUP, lockOptions(ahead.monotonic))).acquired).toBe(false);
    // The holder dies (no more heartbeats): CloudWatch's clock passes the ttl, and the lock is taken over.
    sandbox.clock.advance(4 * MINUTE);
    expect((await acquireGroupLock(ahead.deps, GROUP, lockOptions(ahead.monotonic))).acquired).toBe(false);
    sandbox.clock.advance(2 * MINUTE);
    const taken = await acquireGroupLock(ahead.deps, GROUP, lockOptions(ahead.monotonic));
    expect(taken).toMatchObject({ acquired: true, tookOverFrom: 'behind' });
  });

  it('once lost, stops every call of the group before it is sent, and release leaves the new holder alone', async () => {
    seedOrders(sandbox);
    const a = runDeps('runa');
    const b = runDeps('runb');
    const first = await acquireGroupLock(a.deps, GROUP, lockOptions(a.monotonic));
    if (!first.acquired) throw new Error('not acquired');
    sandbox.clock.advance(6 * MINUTE); // a stalls past its ttl; b takes the group over
    const second = await acquireGroupLock(b.deps, GROUP, lockOptions(b.monotonic));
    expect(second.acquired).toBe(true);
    await expect(first.lock.renew()).rejects.toBeInstanceOf(GroupLockLostError);
    expect(first.lock.signal.aborted).toBe(true);
    sandbox.clearCalls();
    await expect(listSomething(first.lock.deps)).rejects.toBeInstanceOf(GroupLockLostError);
    // A wait (export polling, the busy slot) ends at once too.
    await expect(first.lock.deps.sleep(3_600_000)).rejects.toBeInstanceOf(GroupLockLostError);
    expect(sandbox.calls).toHaveLength(0);
    await first.lock.release();
    expect(sandbox.streamNames(LOCK_GROUP_NAME)).toContain(GROUP);
    if (second.acquired) expect(second.lock.signal.aborted).toBe(false);
  });

  it('gives itself up when it could not renew for ttl − margin of monotonic time, before the next call', async () => {
    seedOrders(sandbox);
    const a = runDeps('runa');
    const taken = await acquireGroupLock(a.deps, GROUP, lockOptions(a.monotonic));
    if (!taken.acquired) throw new Error('not acquired');
    a.monotonic.ms += 4 * MINUTE; // a renewal answered late or not at all; others may take it at 5 min
    sandbox.clearCalls();
    await expect(listSomething(taken.lock.deps)).rejects.toBeInstanceOf(GroupLockLostError);
    expect(sandbox.calls).toHaveLength(0);
  });

  it('a run leaves a group another run holds alone and reports who holds it; data untouched', async () => {
    const seeded = seedOrders(sandbox);
    const other = runDeps('other');
    const held = await acquireGroupLock(other.deps, GROUP, lockOptions(other.monotonic));
    expect(held.acquired).toBe(true);
    const config = testConfig(sandbox, { days: 7, forceRebuild: true, bucketPrefix: 'stage-b' });
    sandbox.clearCalls();
    const out = await runCwlTrim(config, testDeps(sandbox, config));
    expect(out.result?.groups[0]?.lockedBy).toMatch(/cwl-trim run other on .* holds \/app\/orders/);
    expect(out.result?.outcome).toBe('partial');
    for (const op of ['CreateExportTask', 'DeleteLogStream', 'CreateLogStream', 'PutLogEvents'])
      expect(countWork(sandbox, op), op).toBe(0);
    for (const [name, events] of seeded)
      expect(
        sandbox.events(GROUP, name).map((e) => e.message),
        name,
      ).toEqual(events.map((e) => e.message));
  });

  it('takes no lock on a group the plan leaves as it is (its events would reach subscribers for nothing)', async () => {
    seedOrders(sandbox);
    const config = testConfig(sandbox, { days: 7, forceRebuild: true });
    expect((await runCwlTrim(config, testDeps(sandbox, config))).result?.outcome).toBe('done');
    expect(lockCalls(sandbox).length).toBeGreaterThan(0);
    sandbox.clearCalls();
    expect((await runCwlTrim(config, testDeps(sandbox, config))).result?.outcome).toBe('done');
    expect(lockCalls(sandbox)).toEqual([]);
  });

  it('an in-group lock stream an earlier version left is listed but never planned for anything, nor counted', async () => {
    seedOrders(sandbox);
    const dead = runDeps('dead');
    const longAgo = sandbox.clock.now() - 30 * 24 * 60 * MINUTE;
    sandbox.seedStream(GROUP, LOCK_STREAM_NAME, [{ timestamp: longAgo, message: 'cwl-trim-lock claim' }]);
    const names: string[] = [];
    for await (const s of listStreams(dead.deps, GROUP)) names.push(s.logStreamName);
    expect(names).toContain(LOCK_STREAM_NAME);
    const config = testConfig(sandbox, { days: 7, forceRebuild: true, dryRun: true });
    const { plan } = await runCwlTrim(config, testDeps(sandbox, config));
    expect(plan.groups[0]?.streams.map((s) => s.logStreamName)).not.toContain(LOCK_STREAM_NAME);
    expect(plan.groups[0]?.totals.streams).toBe(names.length - 1);
  });
});

/** An S3 client whose first PutObject to `key` is carried out but its answer lost (the socket reset). */
function losingFirstAnswer(s3: S3Client, key: string): S3Client {
  let lost = false;
  return new Proxy(s3, {
    get(target, prop, receiver) {
      if (prop !== 'send') return Reflect.get(target, prop, receiver);
      return async (command: { constructor: { name: string }; input: { Key?: string } }) => {
        const out = await (target.send as (c: unknown) => Promise<unknown>)(command);
        if (!lost && command.constructor.name === 'PutObjectCommand' && command.input.Key === key) {
          lost = true;
          throw Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
        }
        return out;
      };
    },
  });
}

describe('the archive lease (S3)', () => {
  const LEASE_KEY = 'cwl-archive/state/lease.json';
  const config = () => testConfig(sandbox);

  it('judges expiry by S3 time: a host 21 minutes ahead does not take a live lease', async () => {
    const a = runDeps('runa');
    const ahead = runDeps('ahead', 21 * MINUTE);
    const lease = await acquireLease(a.deps, config(), 6 * MINUTE, {
      renewEveryMs: 0,
      monotonicMs: () => a.monotonic.ms,
    });
    const refused = acquireLease(ahead.deps, config(), 6 * MINUTE, { renewEveryMs: 0 });
    await expect(refused).rejects.toBeInstanceOf(LeaseHeldError);
    await expect(refused).rejects.toThrow(/runa .* renewed 0 s ago by S3's clock, it expires in 6 min unless renewed/);
    // The holder dies: S3's clock passes the ttl, and the lease is taken over.
    sandbox.clock.advance(6 * MINUTE);
    const taken = await acquireLease(ahead.deps, config(), 6 * MINUTE, { renewEveryMs: 0 });
    // The first holder learns it at its next renewal, and its release leaves the new holder's lease alone.
    await expect(lease.renew()).rejects.toBeInstanceOf(LeaseHeldError);
    await lease.release();
    expect(sandbox.objects(BUCKET, LEASE_KEY)).toHaveLength(1);
    expect(sandbox.objects(BUCKET, LEASE_KEY)[0]!.body.toString()).toContain('"runId":"ahead"');
    await taken.release();
    expect(sandbox.objects(BUCKET, LEASE_KEY)).toHaveLength(0);
  });

  it('recognises its own lease after the answer to its create was lost', async () => {
    const a = runDeps('runa');
    const deps = { ...a.deps, clients: { ...a.deps.clients, s3: losingFirstAnswer(a.deps.clients.s3, LEASE_KEY) } };
    const lease = await acquireLease(deps, config(), 6 * MINUTE, { renewEveryMs: 0 });
    await lease.renew();
    await lease.release();
    expect(sandbox.objects(BUCKET, LEASE_KEY)).toHaveLength(0);
  });

  it('a failed renewal stops the run before its next call', async () => {
    const a = runDeps('runa');
    const lease = await acquireLease(a.deps, config(), 6 * MINUTE, {
      renewEveryMs: 0,
      monotonicMs: () => a.monotonic.ms,
    });
    // Renewals fail (S3 unreachable, say) until ttl − margin has passed on this host's monotonic clock.
    a.monotonic.ms += 5 * MINUTE;
    sandbox.clearCalls();
    await expect(listSomething(lease.deps)).rejects.toBeInstanceOf(LeaseHeldError);
    expect(sandbox.calls).toHaveLength(0);
    expect(lease.signal.aborted).toBe(true);
  });

  it("a group's calls stop when the run's lease is lost, though the group lock still holds", async () => {
    seedOrders(sandbox);
    const a = runDeps('runa');
    const lease = await acquireLease(a.deps, config(), 6 * MINUTE, {
      renewEveryMs: 0,
      monotonicMs: () => a.monotonic.ms,
    });
    const taken = await acquireGroupLock(lease.deps, GROUP, { renewEveryMs: 0, monotonicMs: () => 0 });
    if (!taken.acquired) throw new Error('not acquired');
    a.monotonic.ms += 5 * MINUTE;
    sandbox.clearCalls();
    await expect(listSomething(taken.lock.deps)).rejects.toBeInstanceOf(LeaseHeldError);
    expect(sandbox.calls).toHaveLength(0);
  });

  it('refuses a run while another holds the lease, saying how long and why', async () => {
    const body = JSON.stringify({ runId: 'killed', holder: 'laptop:42', acquiredAtMs: 0, ttlMs: 6 * MINUTE });
    await (runDeps('x').deps.clients.s3 as S3Client).send(
      new PutObjectCommand({ Bucket: BUCKET, Key: LEASE_KEY, Body: body }),
    );
    sandbox.clock.advance(2 * MINUTE);
    const c = testConfig(sandbox, { days: 7 });
    await expect(runCwlTrim(c, testDeps(sandbox, c))).rejects.toThrow(
      /killed on laptop:42\) holds .*renewed 2 min ago .*expires in 4 min/,
    );
  });
});
