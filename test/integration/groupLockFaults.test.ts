/**
 * The per-group lock's error paths (src/archive/groupLock.ts), against the sandbox with the real SDK
 * clients: a lock stream that vanishes or is replaced while a run claims, judges, renews or releases
 * it; probes refused or not read back; heartbeats that fail; a claim race that never settles. What
 * matters: a run never takes a group another run surely holds, says why, and gives the lock up (or
 * leaves it to expire) as designed.
 */
import {
  type CloudWatchLogsClient,
  DeleteLogGroupCommand,
  DeleteLogStreamCommand,
  DescribeLogGroupsCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { acquireGroupLock, type GroupLockResult } from '../../src/archive/groupLock.js';
import { callAws } from '../../src/aws/callAws.js';
import type { Deps } from '../../src/deps.js';
import { GroupLockLostError } from '../../src/errors.js';
import { createLogger } from '../../src/logger.js';
import { LOCK_GROUP_NAME, parseLockMessage } from '../../src/plan/lockState.js';
import type { Sandbox } from '@cwl-trim/sandbox';
import { testConfig, testDeps } from '../helpers/runHarness.js';
import { lockCalls } from '../helpers/lockCalls.js';
import { GROUP, HOUR, seedOrders, useRunSandbox } from '../helpers/scenario.js';

const MINUTE = 60_000;
let sandbox: Sandbox;
useRunSandbox((s) => {
  sandbox = s;
});

afterEach(() => {
  vi.useRealTimers();
});

type Line = Record<string, unknown> & { msg: string; level: string };

/** A run's deps with a captured logger, a host clock `skewMs` off CloudWatch's, and a monotonic clock the test moves. */
function run(
  runId: string,
  opts: { skewMs?: number; logs?: (l: CloudWatchLogsClient) => CloudWatchLogsClient } = {},
): {
  deps: Deps;
  lines: Line[];
  monotonic: { ms: number };
  options: { renewEveryMs: number; monotonicMs: () => number };
} {
  const lines: Line[] = [];
  const config = testConfig(sandbox);
  const logger = createLogger({
    level: 'debug',
    runId,
    destination: { write: (s: string) => lines.push(JSON.parse(s) as Line) },
  });
  const base = testDeps(sandbox, config, {
    runId,
    logger,
    clock: { now: () => sandbox.clock.now() + (opts.skewMs ?? 0) },
  });
  const deps = opts.logs ? { ...base, clients: { ...base.clients, logs: opts.logs(base.clients.logs) } } : base;
  const monotonic = { ms: 0 };
  return { deps, lines, monotonic, options: { renewEveryMs: 0, monotonicMs: () => monotonic.ms } };
}

const held = (r: GroupLockResult) => {
  if (!r.acquired) throw new Error(`not acquired: ${r.detail}`);
  return r.lock;
};

const refused = (r: GroupLockResult): string => {
  if (r.acquired) throw new Error('acquired, but should not have been');
  return r.detail;
};

const ops = (): string[] => lockCalls(sandbox).map((c) => `${c.operation}${c.error ? `:${c.error}` : ''}`);

const deleteLockStream = (deps: Deps) =>
  deps.clients.logs.send(new DeleteLogStreamCommand({ logGroupName: LOCK_GROUP_NAME, logStreamName: GROUP }));

/** A logs client that runs `before` once, just before the `nth` call of `command` (by class name) is sent. */
function beforeNth(nth: number, command: string, before: () => Promise<unknown>) {
  return (logs: CloudWatchLogsClient): CloudWatchLogsClient => {
    let seen = 0;
    return new Proxy(logs, {
      get(target, prop, receiver) {
        if (prop !== 'send') return Reflect.get(target, prop, receiver);
        return async (c: { constructor: { name: string } }, ...rest: unknown[]) => {
          if (c.constructor.name === command) {
            seen += 1;
            if (seen === nth) await before();
          }
          return (target.send as (c: unknown, ...r: unknown[]) => Promise<unknown>)(c, ...rest);
        };
      },
    });
  };
}

/** A logs client whose reads of the lock stream answer no events (a put not readable yet). */
function blindToLockEvents(logs: CloudWatchLogsClient): CloudWatchLogsClient {
  return new Proxy(logs, {
    get(target, prop, receiver) {
      if (prop !== 'send') return Reflect.get(target, prop, receiver);
      return async (c: { constructor: { name: string }; input: { logGroupName?: string } }, ...rest: unknown[]) => {
        const out = await (target.send as (c: unknown, ...r: unknown[]) => Promise<object>)(c, ...rest);
        if (c.constructor.name === 'GetLogEventsCommand' && c.input.logGroupName === LOCK_GROUP_NAME)
          return { ...out, events: [], nextForwardToken: undefined };
        return out;
      };
    },
  });
}

const listSomething = (deps: Deps) =>
  callAws(deps.call, 'DescribeLogGroups', () => deps.clients.logs.send(new DescribeLogGroupsCommand({})));

/** Waits (real time, bounded) until `done` holds: the background renewal answers over real HTTP. */
async function until(done: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !done(); i += 1) await new Promise((r) => setTimeout(r, 10));
}

describe('taking the group lock when its stream vanishes or changes hands', () => {
  it('looks again when the stream it found existing is gone before it is judged: no probe, no takeover', async () => {
    seedOrders(sandbox);
    const a = run('runa');
    sandbox.seedGroup(LOCK_GROUP_NAME);
    // CreateLogStream says the stream exists; by the time it is described, its holder has deleted it.
    sandbox.injectFault({
      operation: 'CreateLogStream',
      error: { name: 'ResourceAlreadyExistsException', status: 400 },
    });
    const taken = await acquireGroupLock(a.deps, GROUP, a.options);
    expect(taken.acquired).toBe(true);
    expect(taken).not.toHaveProperty('tookOverFrom');
    expect(a.lines.filter((l) => l.msg.includes('taking it over'))).toEqual([]);
    // No probe is sent to a stream that is not there: the second attempt creates the lock.
    expect(ops().slice(0, 3)).toEqual([
      'CreateLogStream:ResourceAlreadyExistsException',
      'DescribeLogStreams',
      'CreateLogStream',
    ]);
  });

  it('a probe answered ResourceNotFound means the lock went: it looks again and finds the new holder', async () => {
    seedOrders(sandbox);
    const a = run('runa');
    const b = run('runb');
    held(await acquireGroupLock(a.deps, GROUP, a.options));
    sandbox.clearCalls();
    sandbox.injectFault({ operation: 'PutLogEvents', error: { name: 'ResourceNotFoundException', status: 400 } });
    const detail = refused(await acquireGroupLock(b.deps, GROUP, b.options));
    expect(detail).toMatch(/^cwl-trim run runa on .* holds \/app\/orders /);
    expect(ops()).toEqual([
      'CreateLogStream:ResourceAlreadyExistsException',
      'DescribeLogStreams',
      'PutLogEvents:ResourceNotFoundException',
      'CreateLogStream:ResourceAlreadyExistsException',
      'DescribeLogStreams',
      'PutLogEvents',
      'GetLogEvents',
      'GetLogEvents',
    ]);
  });

  it('gives up after three attempts when the lock keeps changing hands, and says so', async () => {
    seedOrders(sandbox);
    const a = run('runa');
    const b = run('runb');
    held(await acquireGroupLock(a.deps, GROUP, a.options));
    sandbox.clearCalls();
    sandbox.injectFault({
      operation: 'PutLogEvents',
      error: { name: 'ResourceNotFoundException', status: 400 },
      times: 3,
    });
    const detail = refused(await acquireGroupLock(b.deps, GROUP, b.options));
    expect(detail).toBe(
      'the group lock of /app/orders kept changing hands while this run tried to take it; left alone',
    );
    expect(ops().filter((o) => o.startsWith('CreateLogStream'))).toHaveLength(3);
    expect(sandbox.streamNames(LOCK_GROUP_NAME)).toEqual([GROUP]);
  });

  it('a probe that fails for another reason fails the acquisition (the lock is not judged gone)', async () => {
    seedOrders(sandbox);
    const a = run('runa');
    const b = run('runb');
    held(await acquireGroupLock(a.deps, GROUP, a.options));
    sandbox.injectFault({ operation: 'PutLogEvents', error: { name: 'AccessDeniedException', status: 400 } });
    await expect(acquireGroupLock(b.deps, GROUP, b.options)).rejects.toMatchObject({
      name: 'AccessDeniedException',
    });
    expect(sandbox.streamNames(LOCK_GROUP_NAME)).toEqual([GROUP]);
  });

  it('a host clock too far off to probe leaves the group alone and says why', async () => {
    seedOrders(sandbox);
    const a = run('runa');
    const ahead = run('ahead', { skewMs: 3 * HOUR });
    held(await acquireGroupLock(a.deps, GROUP, a.options));
    sandbox.clearCalls();
    const detail = refused(await acquireGroupLock(ahead.deps, GROUP, ahead.options));
    expect(detail).toBe(
      "/app/orders is locked by another run and this host's clock is too far off to probe it (PutLogEvents refused the probe); left alone",
    );
    expect(ops()).not.toContain('GetLogEvents');
  });

  it('a probe not read back yet leaves the group alone, even when the lock looks expired', async () => {
    seedOrders(sandbox);
    const a = run('runa');
    const b = run('runb', { logs: blindToLockEvents });
    held(await acquireGroupLock(a.deps, GROUP, a.options));
    sandbox.clock.advance(10 * MINUTE);
    const detail = refused(await acquireGroupLock(b.deps, GROUP, b.options));
    expect(detail).toBe('/app/orders is locked by another run (its probe was not read back yet); left alone');
    expect(ops()).not.toContain('DeleteLogStream');
  });

  it('judges a lock stream holding an event that is not a lock message (it counts as a heartbeat)', async () => {
    seedOrders(sandbox);
    const a = run('runa');
    const b = run('runb');
    held(await acquireGroupLock(a.deps, GROUP, a.options));
    sandbox.clock.advance(4 * MINUTE);
    sandbox.seedStream(LOCK_GROUP_NAME, GROUP, [{ timestamp: sandbox.clock.now(), message: 'not a lock message' }]);
    sandbox.clock.advance(2 * MINUTE); // past the claim's ttl, not past the unreadable event's
    expect(refused(await acquireGroupLock(b.deps, GROUP, b.options))).toMatch(/^cwl-trim run runa on .* holds /);
  });

  it('takes over an expired lock that holds no claim, and names it so', async () => {
    seedOrders(sandbox);
    const b = run('runb');
    await held(await acquireGroupLock(b.deps, GROUP, b.options)).release();
    sandbox.seedStream(LOCK_GROUP_NAME, GROUP, []);
    sandbox.clock.advance(6 * MINUTE);
    const taken = await acquireGroupLock(b.deps, GROUP, b.options);
    expect(taken).toMatchObject({ acquired: true, tookOverFrom: 'an unclaimed lock' });
  });

  it('logs the takeover of an expired lock with the group and its holder', async () => {
    seedOrders(sandbox);
    const a = run('runa');
    const b = run('runb');
    held(await acquireGroupLock(a.deps, GROUP, a.options));
    sandbox.clock.advance(6 * MINUTE);
    expect(await acquireGroupLock(b.deps, GROUP, b.options)).toMatchObject({ acquired: true, tookOverFrom: 'runa' });
    expect(b.lines.filter((l) => l.level === 'warn')).toEqual([
      expect.objectContaining({
        msg: 'group lock expired: taking it over',
        logGroupName: GROUP,
        expiredHolder: 'runa',
      }),
    ]);
  });

  it('does not delete a lock another run took over between the judgement and the delete (invariant 6)', async () => {
    seedOrders(sandbox);
    const a = run('runa');
    const c = run('runc');
    held(await acquireGroupLock(a.deps, GROUP, a.options));
    sandbox.clock.advance(6 * MINUTE);
    let faster: GroupLockResult | undefined;
    // b's second DescribeLogStreams is the one just before its delete: c takes the expired lock first.
    const b = run('runb', {
      logs: beforeNth(2, 'DescribeLogStreamsCommand', async () => {
        sandbox.clock.advance(1_000);
        faster = await acquireGroupLock(c.deps, GROUP, c.options);
      }),
    });
    const detail = refused(await acquireGroupLock(b.deps, GROUP, b.options));
    expect(faster).toMatchObject({ acquired: true, tookOverFrom: 'runa' });
    expect(detail).toMatch(/^cwl-trim run runc on .* holds \/app\/orders /);
    const cLock = held(faster!);
    await cLock.renew();
    expect(cLock.signal.aborted).toBe(false);
    expect(b.lines.filter((l) => l.msg.includes('taking it over'))).toEqual([]);
  });

  it('takes over an expired lock its holder deleted meanwhile with no delete of its own', async () => {
    seedOrders(sandbox);
    const a = run('runa');
    held(await acquireGroupLock(a.deps, GROUP, a.options));
    sandbox.clock.advance(6 * MINUTE);
    const b = run('runb', { logs: beforeNth(2, 'DescribeLogStreamsCommand', () => deleteLockStream(a.deps)) });
    sandbox.clearCalls();
    expect(await acquireGroupLock(b.deps, GROUP, b.options)).toMatchObject({ acquired: true, tookOverFrom: 'runa' });
    // The only delete is the holder's own.
    expect(ops().filter((o) => o.startsWith('DeleteLogStream'))).toEqual(['DeleteLogStream']);
  });
});

describe('holding the group lock when renewals fail', () => {
  it('a deleted lock stream is a lost lock: the heartbeat says so, and every later call stops', async () => {
    seedOrders(sandbox);
    const a = run('runa');
    const lock = held(await acquireGroupLock(a.deps, GROUP, a.options));
    await deleteLockStream(a.deps);
    const renewed = lock.renew();
    await expect(renewed).rejects.toBeInstanceOf(GroupLockLostError);
    await expect(renewed).rejects.toThrow(
      'lost the lock of /app/orders: its lock stream was deleted; this run stopped working on the group',
    );
    expect(lock.signal.aborted).toBe(true);
    expect(a.lines.filter((l) => l.level === 'error')).toEqual([
      expect.objectContaining({
        msg: 'group lock lost: stopping this group before its next call',
        logGroupName: GROUP,
        why: 'its lock stream was deleted',
      }),
    ]);
    sandbox.clearCalls();
    await expect(lock.renew()).rejects.toBeInstanceOf(GroupLockLostError);
    await expect(listSomething(lock.deps)).rejects.toBeInstanceOf(GroupLockLostError);
    expect(sandbox.calls).toEqual([]);
    await lock.release();
    expect(a.lines.filter((l) => l.level === 'error')).toHaveLength(1);
  });

  it('a deleted lock group is a lost lock too', async () => {
    seedOrders(sandbox);
    const a = run('runa');
    const lock = held(await acquireGroupLock(a.deps, GROUP, a.options));
    await a.deps.clients.logs.send(new DeleteLogGroupCommand({ logGroupName: LOCK_GROUP_NAME }));
    await expect(lock.renew()).rejects.toThrow(/^lost the lock of \/app\/orders: its lock stream was deleted;/);
    expect(lock.signal.aborted).toBe(true);
  });

  it('a heartbeat that fails for another reason keeps the lock (the next renewal tries again)', async () => {
    seedOrders(sandbox);
    const a = run('runa');
    const lock = held(await acquireGroupLock(a.deps, GROUP, a.options));
    sandbox.injectFault({ operation: 'PutLogEvents', error: { name: 'AccessDeniedException', status: 400 } });
    await expect(lock.renew()).rejects.toMatchObject({ name: 'AccessDeniedException' });
    expect(lock.signal.aborted).toBe(false);
    await lock.renew();
    expect(lock.signal.aborted).toBe(false);
    expect(a.lines.filter((l) => l.level === 'error')).toEqual([]);
  });

  it("a lock taken over is lost with the reason, and no heartbeat is written into the new holder's stream", async () => {
    seedOrders(sandbox);
    const a = run('runa');
    const b = run('runb');
    const lock = held(await acquireGroupLock(a.deps, GROUP, a.options));
    sandbox.clock.advance(6 * MINUTE);
    held(await acquireGroupLock(b.deps, GROUP, b.options));
    await expect(lock.renew()).rejects.toThrow(
      'lost the lock of /app/orders: another run took it over; this run stopped working on the group',
    );
    expect(a.lines.filter((l) => l.level === 'error')).toEqual([
      expect.objectContaining({ logGroupName: GROUP, why: 'another run took it over' }),
    ]);
    sandbox.clearCalls();
    await expect(lock.renew()).rejects.toBeInstanceOf(GroupLockLostError);
    expect(sandbox.calls).toEqual([]);
  });

  it('says how long it went unrenewed when it gives itself up', async () => {
    seedOrders(sandbox);
    const a = run('runa');
    a.monotonic.ms = 100_000;
    const lock = held(await acquireGroupLock(a.deps, GROUP, a.options));
    a.monotonic.ms += 4 * MINUTE;
    await expect(listSomething(lock.deps)).rejects.toThrow(
      'lost the lock of /app/orders: not renewed for 240 s; this run stopped working on the group',
    );
    expect(a.lines.filter((l) => l.level === 'error')).toEqual([
      expect.objectContaining({ why: 'not renewed for 240 s' }),
    ]);
  });

  it('writes its heartbeats as heartbeat events of its run', async () => {
    seedOrders(sandbox);
    const a = run('runa');
    const lock = held(await acquireGroupLock(a.deps, GROUP, a.options));
    await lock.renew();
    const kinds = sandbox.events(LOCK_GROUP_NAME, GROUP).map((e) => {
      const m = parseLockMessage(e.message);
      return [m?.kind, m?.runId];
    });
    expect(kinds).toEqual([
      ['claim', 'runa'],
      ['heartbeat', 'runa'],
    ]);
  });

  it('the background renewal warns of a failed heartbeat and tries again; a lost lock is an error, not a warning', async () => {
    seedOrders(sandbox);
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    const a = run('runa');
    const lock = held(await acquireGroupLock(a.deps, GROUP, { ...a.options, renewEveryMs: MINUTE }));
    sandbox.injectFault({ operation: 'PutLogEvents', error: { name: 'AccessDeniedException', status: 400 } });
    vi.advanceTimersByTime(MINUTE);
    await until(() => a.lines.some((l) => l.level === 'warn'));
    expect(a.lines.filter((l) => l.level === 'warn')).toEqual([
      expect.objectContaining({
        msg: 'could not renew the group lock; trying again',
        logGroupName: GROUP,
        err: expect.objectContaining({ type: 'AccessDeniedException' }),
      }),
    ]);
    expect(lock.signal.aborted).toBe(false);
    await deleteLockStream(a.deps);
    vi.advanceTimersByTime(MINUTE);
    await until(() => lock.signal.aborted);
    await new Promise((r) => setImmediate(r)); // the failed renewal's handler runs after its rejection
    expect(lock.signal.aborted).toBe(true);
    expect(a.lines.filter((l) => l.level === 'warn')).toHaveLength(1);
    expect(a.lines.filter((l) => l.level === 'error')).toEqual([
      expect.objectContaining({ why: 'its lock stream was deleted' }),
    ]);
    await lock.release();
  });
});

describe('releasing the group lock', () => {
  it('a delete that fails is logged, and the lock is left to expire (release never throws)', async () => {
    seedOrders(sandbox);
    const a = run('runa');
    const lock = held(await acquireGroupLock(a.deps, GROUP, a.options));
    sandbox.injectFault({ operation: 'DeleteLogStream', error: { name: 'AccessDeniedException', status: 400 } });
    await expect(lock.release()).resolves.toBeUndefined();
    expect(lock.signal.aborted).toBe(true);
    expect(sandbox.streamNames(LOCK_GROUP_NAME)).toEqual([GROUP]);
    expect(a.lines.filter((l) => l.level === 'warn')).toEqual([
      expect.objectContaining({
        msg: 'could not delete the group lock; it expires by itself',
        logGroupName: GROUP,
        err: expect.objectContaining({ type: 'AccessDeniedException' }),
      }),
    ]);
  });

  it('a renewal that ends after the release logs no lost lock', async () => {
    seedOrders(sandbox);
    let release: () => Promise<void> = async () => {};
    // The heartbeat's PutLogEvents is sent only after the release deleted the stream: it is refused.
    const a = run('runa', { logs: beforeNth(2, 'PutLogEventsCommand', () => release()) });
    const lock = held(await acquireGroupLock(a.deps, GROUP, a.options));
    release = () => lock.release();
    await expect(lock.renew()).rejects.toThrow('the lock of /app/orders was released');
    expect(sandbox.streamNames(LOCK_GROUP_NAME)).toEqual([]);
    expect(a.lines.filter((l) => l.level === 'error')).toEqual([]);
  });
});
