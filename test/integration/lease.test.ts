/**
 * The archive prefix's lease, through its public functions against the sandbox's S3: who may take
 * it, when it may be taken over, and what renew and release do when another run holds it now.
 */
import { hostname } from 'node:os';
import { describe, expect, it } from 'vitest';
import { DeleteObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { acquireLease } from '../../src/archive/lease.js';
import type { Sandbox } from '@cwl-trim/sandbox';
import { doBefore, command } from '../helpers/crash.js';
import { sandboxClients } from '@cwl-trim/sandbox/testing';
import { BUCKET, testConfig, testDeps } from '../helpers/runHarness.js';
import { NOW, useRunSandbox } from '../helpers/scenario.js';

let sandbox: Sandbox;
useRunSandbox((s) => {
  sandbox = s;
});

const KEY = 'cwl-archive/state/lease.json';
const TTL = 20 * 60_000;
const run = (runId: string) => {
  const config = testConfig(sandbox);
  return { deps: testDeps(sandbox, config, { runId }), config };
};
const take = (runId: string) => {
  const { deps, config } = run(runId);
  return acquireLease(deps, config, TTL);
};
const held = () => {
  const body = sandbox
    .objects(BUCKET, KEY)
    .find((o) => o.key === KEY)
    ?.body.toString('utf8');
  return body === undefined
    ? undefined
    : (JSON.parse(body) as { runId: string; acquiredAtMs: number; expiresAtMs: number });
};
const failure = (p: Promise<unknown>) =>
  p.then(
    () => undefined,
    (err: Error) => ({ name: err.name, message: err.message, cause: (err.cause as Error | undefined)?.name }),
  );

describe('the lease', () => {
  it('is refused to a second run while held, naming the holder and until when', async () => {
    await take('run-a');
    expect(held()).toMatchObject({ runId: 'run-a', acquiredAtMs: NOW, ttlMs: TTL });
    sandbox.clock.advance(TTL - 60_000);
    const refused = await failure(take('run-b'));
    expect(refused?.name).toBe('LeaseHeldError');
    expect(refused?.message).toContain(`(run-a on ${hostname()}:${process.pid})`);
    // Judged by S3's clock: how long ago it was renewed, and how long until it expires.
    expect(refused?.message).toMatch(/renewed 19 min ago by S3's clock, it expires in 60 s/);
    expect(held()?.runId).toBe('run-a');
  });

  it('is taken over once expired (a run that died), conditional on the expired one', async () => {
    await take('run-a');
    sandbox.clock.advance(TTL); // expired at its expiry instant
    await take('run-b');
    expect(held()).toMatchObject({ runId: 'run-b', acquiredAtMs: NOW + TTL });
  });

  it('goes to only one of two runs taking over the same expired lease', async () => {
    await take('run-a');
    sandbox.clock.advance(TTL + 1);
    const b = run('run-b');
    // Run b has read the expired lease; run c takes it over before b's conditional write lands.
    doBefore(
      b.deps,
      command('PutObject', (input) => input.Key === KEY && input.IfMatch !== undefined),
      async () => {
        await take('run-c');
      },
    );
    const lost = await failure(acquireLease(b.deps, b.config, TTL));
    expect(lost).toEqual({
      name: 'LeaseHeldError',
      message: 'another cwl-trim run took the lease first',
      cause: 'StateConflictError',
    });
    expect(held()?.runId).toBe('run-c');
  });

  it('is created afresh when the held one vanishes between the refused write and the read', async () => {
    const { s3, destroy } = sandboxClients(sandbox.endpoint, sandbox.region);
    await take('run-a');
    const b = run('run-b');
    doBefore(
      b.deps,
      command('GetObject', (input) => input.Key === KEY),
      async () => {
        await s3.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: KEY }));
      },
    );
    await acquireLease(b.deps, b.config, TTL);
    destroy();
    expect(held()?.runId).toBe('run-b');
  });

  it('is not overwritten when another run creates it between the read and the write', async () => {
    const { s3, destroy } = sandboxClients(sandbox.endpoint, sandbox.region);
    await take('run-a');
    const b = run('run-b');
    // a's lease vanishes after b was refused; c creates one before b's write lands.
    doBefore(
      b.deps,
      command('GetObject', (input) => input.Key === KEY),
      async () => {
        await s3.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: KEY }));
      },
    );
    let puts = 0;
    doBefore(
      b.deps,
      command('PutObject', (input) => input.Key === KEY && (puts += 1) === 2),
      async () => {
        await take('run-c');
      },
    );
    const lost = await failure(acquireLease(b.deps, b.config, TTL));
    destroy();
    expect(lost?.name).toBe('LeaseHeldError');
    expect(held()?.runId).toBe('run-c');
  });

  it('renewal pushes the expiry forward from now', async () => {
    const lease = await take('run-a');
    sandbox.clock.advance(15 * 60_000);
    await lease.renew();
    expect(held()).toMatchObject({ runId: 'run-a', acquiredAtMs: NOW + 15 * 60_000 });
    sandbox.clock.advance(10 * 60_000);
    expect((await failure(take('run-b')))?.name).toBe('LeaseHeldError');
  });

  it('renewal fails, and writes nothing, once another run has taken the lease over', async () => {
    const lease = await take('run-a');
    sandbox.clock.advance(TTL + 1);
    await take('run-b');
    const lost = await failure(lease.renew());
    expect(lost).toEqual({
      name: 'LeaseHeldError',
      message: `the lease s3://${BUCKET}/${KEY} was taken by another run (run-b on ${hostname()}:${process.pid})`,
      cause: 'StateConflictError',
    });
    expect(held()?.runId).toBe('run-b');
  });

  it('passes on an S3 failure instead of taking it for a held lease (first write, takeover, renewal)', async () => {
    const denied = { operation: 'PutObject', error: { name: 'AccessDenied', message: 'no', status: 403 } } as const;
    sandbox.injectFault(denied);
    expect((await failure(take('run-a')))?.name).not.toBe('LeaseHeldError');
    expect(held()).toBeUndefined();

    const lease = await take('run-a');
    sandbox.clock.advance(TTL + 1);
    sandbox.injectFault({ ...denied, nth: 2 }); // b's first write is refused as held; its takeover write fails
    const takeover = await failure(take('run-b'));
    expect(takeover?.name).not.toBe('LeaseHeldError');
    expect(takeover).toBeDefined();
    expect(held()?.runId).toBe('run-a');

    sandbox.injectFault(denied);
    const renewal = await failure(lease.renew());
    expect(renewal).toBeDefined();
    expect(renewal?.name).not.toBe('LeaseHeldError');
  });

  it('release deletes our own lease, and nothing when the lease is already gone', async () => {
    const { s3, destroy } = sandboxClients(sandbox.endpoint, sandbox.region);
    const lease = await take('run-a');
    await lease.release();
    expect(held()).toBeUndefined();
    const again = await take('run-a');
    await s3.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: KEY }));
    destroy();
    const deletesBefore = sandbox.countCalls('DeleteObject');
    await again.release();
    expect(sandbox.countCalls('DeleteObject')).toBe(deletesBefore);
    await take('run-b'); // free for the next run
    expect(held()?.runId).toBe('run-b');
  });

  it('a lost answer to our own write (the retry refused against it) is ours: create, takeover, renewal', async () => {
    const lost = { operation: 'PutObject', pathContains: KEY, dropResponse: true } as const;
    sandbox.injectFault(lost);
    const lease = await take('run-a');
    expect(held()?.runId).toBe('run-a');

    sandbox.clock.advance(60_000); // a renewal writes a new body (a new ETag)
    sandbox.injectFault(lost);
    await lease.renew();
    expect(lease.signal.aborted).toBe(false);

    sandbox.clock.advance(TTL + 1);
    sandbox.injectFault({ ...lost, nth: 2 }); // b's create is refused (held); its takeover's answer is lost
    const b = await take('run-b');
    expect(held()?.runId).toBe('run-b');
    expect(b.signal.aborted).toBe(false);
  });

  it('a lease S3 will not give back (403 on the read) is not taken for an absent one', async () => {
    await take('run-a');
    sandbox.injectFault({
      operation: 'GetObject',
      pathContains: KEY,
      times: 10_000,
      error: { name: 'AccessDenied', message: 'Access Denied', status: 403 },
    });
    const refused = await failure(take('run-b'));
    sandbox.clearFaults();
    expect(refused).toMatchObject({ name: 'AccessDenied' });
    expect(held()?.runId).toBe('run-a');
  });

  it('is lost when no renewal was confirmed for its ttl less a minute, by the monotonic clock of this process', async () => {
    const { deps, config } = run('run-a');
    const clock = { nowMs: 0 };
    const lease = await acquireLease(deps, config, TTL, { monotonicMs: () => clock.nowMs, renewEveryMs: 10 * TTL });
    try {
      clock.nowMs = TTL - 60_000 - 1;
      await lease.renew(); // in time: confirmed now
      expect(lease.signal.aborted).toBe(false);
      clock.nowMs = TTL; // counted from the last confirmed renewal, not from the take
      await lease.renew();
      expect(lease.signal.aborted).toBe(false);
      clock.nowMs += TTL - 60_000;
      const lost = await failure(lease.renew());
      expect(lost?.name).toBe('LeaseHeldError');
      expect(lost?.message).toContain('was not renewed for');
      expect(lease.signal.aborted).toBe(true);
      // Lost stays lost: a later renewal writes nothing (it would hold off the next run for nothing).
      const writes = sandbox.countCalls('PutObject');
      expect(await failure(lease.renew())).toMatchObject({ name: 'LeaseHeldError' });
      expect(sandbox.countCalls('PutObject')).toBe(writes);
    } finally {
      await lease.release();
    }
  });

  it('passes on an S3 failure of the takeover write itself instead of reporting another run', async () => {
    await take('run-a');
    sandbox.clock.advance(TTL + 1);
    // b's create is refused (held), its probe of S3's clock is written, its takeover write is denied.
    sandbox.injectFault({
      operation: 'PutObject',
      nth: 3,
      error: { name: 'AccessDenied', message: 'no', status: 403 },
    });
    expect(await failure(take('run-b'))).toMatchObject({ name: 'AccessDenied' });
    expect(held()?.runId).toBe('run-a');
  });

  it.each([
    ['not JSON', 'a note someone left'],
    ['of another shape', JSON.stringify({ owner: 'someone' })],
  ])('is refused, naming the object and the fix, when the object there is %s', async (_name, body) => {
    const { s3, destroy } = sandboxClients(sandbox.endpoint, sandbox.region);
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: KEY, Body: body }));
    destroy();
    const refused = await failure(take('run-a'));
    expect(refused?.name).toBe('LeaseHeldError');
    expect(refused?.message).toContain(`s3://${BUCKET}/${KEY} is not a cwl-trim lease (`);
    expect(refused?.message).toContain('delete it if no run is working');
  });
});
