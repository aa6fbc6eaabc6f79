/**
 * What the archive prefix's lease tells the operator, against the sandbox's S3: the refusal's text
 * and fix, the log lines of a takeover, of a lost lease, of a failed renewal or release, and what a
 * run killed while judging the lease leaves behind. The rules themselves are in lease.test.ts.
 */
import { hostname } from 'node:os';
import { DeleteObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { acquireLease } from '../../src/archive/lease.js';
import { createLogger } from '../../src/logger.js';
import type { Sandbox } from '@cwl-trim/sandbox';
import { sandboxClients } from '@cwl-trim/sandbox/testing';
import { command, crashBefore, doBefore } from '../helpers/crash.js';
import { BUCKET, testConfig, testDeps } from '../helpers/runHarness.js';
import { useRunSandbox } from '../helpers/scenario.js';

let sandbox: Sandbox;
useRunSandbox((s) => {
  sandbox = s;
});

afterEach(() => {
  vi.useRealTimers();
});

const KEY = 'cwl-archive/state/lease.json';
const TTL = 20 * 60_000;
const HOLDER = `${hostname()}:${process.pid}`;

interface LogLine {
  readonly level: string;
  readonly msg: string;
  readonly err?: { readonly type?: string; readonly message?: string };
  readonly [field: string]: unknown;
}

/** A run whose log lines are kept, parsed. */
const run = (runId: string, overrides: Parameters<typeof testConfig>[1] = {}) => {
  const config = testConfig(sandbox, overrides);
  const lines: LogLine[] = [];
  const logger = createLogger({
    level: 'debug',
    runId,
    destination: { write: (s: string) => lines.push(JSON.parse(s) as LogLine) },
  });
  return { deps: testDeps(sandbox, config, { runId, logger }), config, lines };
};
const take = (runId: string) => {
  const { deps, config } = run(runId);
  return acquireLease(deps, config, TTL);
};
const failure = (p: Promise<unknown>) =>
  p.then(
    () => undefined,
    (err: Error) => ({ name: err.name, message: err.message }),
  );
const heldBy = () => {
  const body = sandbox
    .objects(BUCKET, KEY)
    .find((o) => o.key === KEY)
    ?.body.toString('utf8');
  return body === undefined ? undefined : (JSON.parse(body) as { runId: string }).runId;
};
async function s3Direct(send: (s3: ReturnType<typeof sandboxClients>['s3']) => Promise<unknown>): Promise<void> {
  const { s3, destroy } = sandboxClients(sandbox.endpoint, sandbox.region);
  try {
    await send(s3);
  } finally {
    destroy();
  }
}
const deleteLease = () => s3Direct((s3) => s3.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: KEY })));
const denied = { name: 'AccessDenied', message: 'Access Denied', status: 403 } as const;

describe('what the lease reports', () => {
  it('refuses a second run with the holder, the times by S3 clock and the fix, word for word', async () => {
    await take('run-a');
    sandbox.clock.advance(TTL - 60_000);
    expect(await failure(take('run-b'))).toEqual({
      name: 'LeaseHeldError',
      message:
        `another cwl-trim run (run-a on ${HOLDER}) holds s3://${BUCKET}/${KEY}: renewed 19 min ago by S3's clock, ` +
        'it expires in 60 s unless renewed. A run renews it every minute while it works; ' +
        'if that run was killed, the next run after that takes it over (or delete the object)',
    });
  });

  it('logs a takeover with the run it replaces and how old the lease was', async () => {
    await take('run-a');
    sandbox.clock.advance(TTL + 5_000); // whole seconds: Last-Modified has no milliseconds
    const b = run('run-b');
    await acquireLease(b.deps, b.config, TTL);
    expect(b.lines.filter((l) => l.level === 'warn')).toEqual([
      expect.objectContaining({
        msg: 'the lease expired (by S3 time): taking it over',
        holder: 'run-a',
        ageMs: TTL + 5_000,
      }),
    ]);
    expect(heldBy()).toBe('run-b');
  });

  it('refuses an object that is not a lease with the first problem found in it, the object and the fix', async () => {
    await s3Direct((s3) =>
      s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: KEY, Body: JSON.stringify({ owner: 'someone' }) })),
    );
    expect(await failure(take('run-a'))).toEqual({
      name: 'LeaseHeldError',
      message: `s3://${BUCKET}/${KEY} is not a cwl-trim lease (Invalid input: expected string, received undefined); delete it if no run is working`,
    });
  });

  it('leaves, when killed while reading S3 time, a probe beside the lease that says whose it is and why', async () => {
    // A prefix holding ".json": the probe is named after the lease's own name, inside the prefix.
    const prefix = 'logs.json/archive';
    const lease = `${prefix}/state/lease.json`;
    await s3Direct((s3) =>
      s3.send(
        new PutObjectCommand({
          Bucket: BUCKET,
          Key: lease,
          Body: JSON.stringify({ runId: 'run-a', holder: 'h:1', acquiredAtMs: 0, ttlMs: TTL }),
        }),
      ),
    );
    sandbox.clock.advance(TTL + 1);
    const b = run('run-b', { bucketPrefix: prefix });
    crashBefore(b.deps, command('DeleteObject'));
    expect((await failure(acquireLease(b.deps, b.config, TTL)))?.name).toBe('SimulatedCrash');
    const left = sandbox.objects(BUCKET, '').filter((o) => o.key !== lease);
    expect(left.map((o) => ({ key: o.key, body: JSON.parse(o.body.toString('utf8')) as unknown }))).toEqual([
      {
        key: `${prefix}/state/lease-probe-run-b.json`,
        body: { runId: 'run-b', purpose: 'reads S3 time to judge the lease' },
      },
    ]);
  });

  it('logs a lost lease once, with its error, however many renewals find it lost', async () => {
    const a = run('run-a');
    const lease = await acquireLease(a.deps, a.config, TTL, { renewEveryMs: 0 });
    sandbox.clock.advance(TTL + 1);
    await take('run-b');
    const [first, second] = await Promise.all([failure(lease.renew()), failure(lease.renew())]);
    expect(first?.name).toBe('LeaseHeldError');
    expect(second).toEqual(first);
    expect(a.lines.filter((l) => l.level === 'error')).toEqual([
      expect.objectContaining({
        msg: 'the archive lease is lost: the run stops before its next call',
        err: expect.objectContaining({ type: 'LeaseHeldError', message: expect.stringContaining(first!.message) }),
      }),
    ]);
    expect(lease.signal.aborted).toBe(true);
  });

  it('says the lease was taken, naming no holder, when a refused renewal then finds no lease at all', async () => {
    const a = run('run-a');
    const lease = await acquireLease(a.deps, a.config, TTL, { renewEveryMs: 0 });
    sandbox.clock.advance(TTL + 1);
    await take('run-b');
    // Run b releases its lease between a's refused write and a's read of who holds it.
    doBefore(a.deps, command('GetObject'), deleteLease);
    expect(await failure(lease.renew())).toEqual({
      name: 'LeaseHeldError',
      message: `the lease s3://${BUCKET}/${KEY} was taken by another run`,
    });
    expect(lease.signal.aborted).toBe(true);
  });

  it('says another run took the lease first when the winner of a takeover race is gone by the time it looks', async () => {
    await take('run-a');
    sandbox.clock.advance(TTL + 1);
    const b = run('run-b');
    // c takes the expired lease over just before b's takeover write; c's lease is gone before b reads it.
    doBefore(
      b.deps,
      command('PutObject', (input) => input.Key === KEY && input.IfMatch !== undefined),
      async () => {
        await take('run-c');
      },
    );
    let reads = 0;
    doBefore(
      b.deps,
      command('GetObject', (input) => input.Key === KEY && (reads += 1) === 2),
      deleteLease,
    );
    expect(await failure(acquireLease(b.deps, b.config, TTL))).toEqual({
      name: 'LeaseHeldError',
      message: 'another cwl-trim run took the lease first',
    });
    expect(heldBy()).toBeUndefined();
  });

  it('warns of a background renewal that failed, and not of one after the lease was lost', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    const a = run('run-a');
    const clock = { nowMs: 0 };
    const lease = await acquireLease(a.deps, a.config, TTL, { renewEveryMs: 60_000, monotonicMs: () => clock.nowMs });
    try {
      sandbox.injectFault({ operation: 'PutObject', pathContains: KEY, error: denied });
      vi.advanceTimersByTime(60_000);
      await vi.waitFor(() => expect(a.lines.filter((l) => l.level === 'warn')).toHaveLength(1), { timeout: 10_000 });
      expect(a.lines.filter((l) => l.level === 'warn')).toEqual([
        expect.objectContaining({
          msg: 'could not renew the lease; trying again',
          err: expect.objectContaining({ message: 'Access Denied' }),
        }),
      ]);
      expect(lease.signal.aborted).toBe(false);

      clock.nowMs = TTL; // no renewal confirmed for the ttl: lost
      expect((await failure(lease.renew()))?.name).toBe('LeaseHeldError');
      const linesBefore = a.lines.length;
      const putsBefore = sandbox.countCalls('PutObject');
      vi.advanceTimersByTime(60_000);
      await new Promise((resolve) => setImmediate(resolve));
      await new Promise((resolve) => setImmediate(resolve));
      expect(a.lines.slice(linesBefore)).toEqual([]);
      expect(sandbox.countCalls('PutObject')).toBe(putsBefore);
    } finally {
      await lease.release();
    }
  });

  it('warns, and does not throw, when the lease cannot be released; the lease stays to expire', async () => {
    const a = run('run-a');
    const lease = await acquireLease(a.deps, a.config, TTL, { renewEveryMs: 0 });
    sandbox.injectFault({ operation: 'GetObject', pathContains: KEY, times: 10_000, error: denied });
    await lease.release();
    sandbox.clearFaults();
    expect(a.lines.filter((l) => l.level === 'warn')).toEqual([
      expect.objectContaining({
        msg: 'could not release the lease; it expires by itself',
        err: expect.objectContaining({ message: 'Access Denied' }),
      }),
    ]);
    expect(heldBy()).toBe('run-a');
  });

  it('releases quietly a lease already gone, whether S3 answers NoSuchKey or a bare 404 NotFound', async () => {
    for (const notFound of [undefined, { name: 'NotFound', message: '', status: 404 }]) {
      const a = run('run-a');
      const lease = await acquireLease(a.deps, a.config, TTL, { renewEveryMs: 0 });
      await deleteLease();
      if (notFound) sandbox.injectFault({ operation: 'GetObject', pathContains: KEY, error: notFound });
      const deletes = sandbox.countCalls('DeleteObject');
      await lease.release();
      expect(a.lines.filter((l) => l.level === 'warn' || l.level === 'error')).toEqual([]);
      expect(sandbox.countCalls('DeleteObject')).toBe(deletes);
    }
  });
});
