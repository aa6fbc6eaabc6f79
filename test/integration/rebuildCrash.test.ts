import { PutLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { DeleteObjectCommand } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { runCwlTrim } from '../../src/run.js';
import { DAMAGED, readPendingRebuilds } from '../../src/trim/pendingRebuilds.js';
import type { Sandbox } from '@cwl-trim/sandbox';
import { command, crashBefore, doBefore, s3Put } from '../helpers/crash.js';
import { BUCKET, MS_PER_DAY, testConfig, testDeps } from '../helpers/runHarness.js';
import { sandboxClients } from '@cwl-trim/sandbox/testing';
import { expectInvariant, GROUP, NOW, seedOrders, useRunSandbox } from '../helpers/scenario.js';

let sandbox: Sandbox;
useRunSandbox((s) => {
  sandbox = s;
});

const STREAM = 'straddling';
const ofStream = (input: Record<string, unknown>): boolean => input.logStreamName === STREAM;
/** The nth call of a command on the straddling stream. */
function nthCall(name: string, n: number) {
  let seen = 0;
  const matches = command(name, ofStream);
  return (c: Parameters<typeof matches>[0]) => matches(c) && ++seen === n;
}

/** The straddling stream's kept part spans 7 days: at least 7 batches (24 h each at most). */
const CRASH_POINTS = [
  ['while saving the journal (before its manifest)', s3Put('/journal/', (b) => b.includes('"snapshot"'))],
  [
    'after the journal is saved, before the delete is recorded',
    s3Put('progress.json', (b) => b.includes('"deleting"')),
  ],
  ['after the delete is recorded, before DeleteLogStream', command('DeleteLogStream', ofStream)],
  ['after the delete, before CreateLogStream', command('CreateLogStream', ofStream)],
  ['after CreateLogStream, before the first batch', nthCall('PutLogEvents', 1)],
  ['between batches', nthCall('PutLogEvents', 3)],
  ['after a batch was put, before its progress is saved', s3Put('progress.json', (b) => b.includes('"nextBatch":2'))],
] as const;

describe('a rebuild interrupted at any step is finished by the next run', () => {
  it.each(CRASH_POINTS)('crash %s: every event kept, none put twice', async (_name, predicate) => {
    const seeded = seedOrders(sandbox);
    const config = testConfig(sandbox, { days: 7, forceRebuild: true });
    const crashed = testDeps(sandbox, config);
    const crash = crashBefore(crashed, predicate);
    const first = await runCwlTrim(config, crashed);
    expect(crash.fired()).toBe(true);
    expect(first.result?.outcome).toBe('failed');

    const second = await runCwlTrim(config, testDeps(sandbox, config));
    expect(second.result?.outcome).toBe('done');
    expectInvariant(sandbox, seeded, second.plan.cutoffMs);
    expect(sandbox.objects(BUCKET, 'cwl-archive/journal/')).toEqual([]);
  });

  it('puts back identical events that straddle a batch boundary after a crash there', async () => {
    // 10,001 identical events in one millisecond: batch 0 holds 10,000 of them, batch 1 the last one.
    const keptAtMs = NOW - 20 * 3_600_000;
    const old = { timestamp: NOW - 30 * MS_PER_DAY, message: 'old' };
    const same = Array.from({ length: 10_001 }, () => ({ timestamp: keptAtMs, message: 'retry' }));
    sandbox.seedGroup(GROUP, { creationTimeMs: NOW - 31 * MS_PER_DAY });
    sandbox.seedStream(GROUP, STREAM, [old, ...same]);
    const config = testConfig(sandbox, { days: 7, forceRebuild: true });
    const crashed = testDeps(sandbox, config);
    const crash = crashBefore(crashed, nthCall('PutLogEvents', 2)); // batch 0 put and recorded
    await runCwlTrim(config, crashed);
    expect(crash.fired()).toBe(true);

    const second = await runCwlTrim(config, testDeps(sandbox, config));
    expect(second.result?.outcome).toBe('done');
    expect(sandbox.events(GROUP, STREAM).map((e) => `${e.timestamp} ${e.message}`)).toEqual(
      same.map((e) => `${e.timestamp} ${e.message}`),
    );
  });

  it('after a crash between batches, reads back only the batch whose put is uncertain', async () => {
    const seeded = seedOrders(sandbox);
    const config = testConfig(sandbox, { days: 7, forceRebuild: true });
    const crashed = testDeps(sandbox, config);
    crashBefore(crashed, nthCall('PutLogEvents', 3));
    await runCwlTrim(config, crashed);

    sandbox.clearCalls();
    const second = await runCwlTrim(config, testDeps(sandbox, config));
    expect(second.result?.outcome).toBe('done');
    // Reading what the stream holds is bounded (endTime); saving a stream's events never is.
    const ranges = new Set(
      sandbox.calls
        .filter((c) => c.operation === 'GetLogEvents' && ofStream(c.input as Record<string, unknown>))
        .map((c) => c.input as { startTime?: number; endTime?: number })
        .filter((input) => input.endTime !== undefined)
        .map((input) => `${input.startTime}-${input.endTime}`),
    );
    expect(ranges.size).toBe(1);
    expectInvariant(sandbox, seeded, second.plan.cutoffMs);
  });

  it('abandons a rebuild when a producer writes to the stream after its events were saved', async () => {
    const seeded = seedOrders(sandbox);
    const config = testConfig(sandbox, { days: 7, forceRebuild: true });
    const deps = testDeps(sandbox, config);
    const { logs, destroy } = sandboxClients(sandbox.endpoint, sandbox.region);
    const late = { timestamp: NOW - 60_000, message: 'a producer woke up' };
    sandbox.clock.advance(1); // the producer's event gets a later ingestion time than the snapshot
    // Right after the events are read, before the journal is committed.
    doBefore(
      deps,
      s3Put('manifest.json', (b) => b.includes('"snapshot"')),
      async () => {
        await logs.send(new PutLogEventsCommand({ logGroupName: GROUP, logStreamName: STREAM, logEvents: [late] }));
      },
    );
    const { result, plan } = await runCwlTrim(config, deps);
    destroy();
    const rebuilt = result?.groups[0]?.streams.find((s) => s.logStreamName === STREAM);
    expect(rebuilt).toMatchObject({ outcome: 'abandoned' });
    // Untouched: every seeded event plus the producer's.
    const events = sandbox.events(GROUP, STREAM).map((e) => `${e.timestamp} ${e.message}`);
    expect(events).toEqual([...seeded.get(STREAM)!, late].map((e) => `${e.timestamp} ${e.message}`));
    expect(sandbox.objects(BUCKET, 'cwl-archive/journal/')).toEqual([]);
    expectInvariant(sandbox, new Map([...seeded].filter(([name]) => name !== STREAM)), plan.cutoffMs);
  });

  it('abandons a rebuild when a producer writes a back-dated event after the save, which the tail does not show (the metadata check)', async () => {
    const seeded = seedOrders(sandbox);
    const config = testConfig(sandbox, { days: 7, forceRebuild: true });
    const deps = testDeps(sandbox, config);
    const { logs, destroy } = sandboxClients(sandbox.endpoint, sandbox.region);
    // Two days old: after the cutoff (so it is an event to keep), well before the stream's last event.
    const late = { timestamp: NOW - 2 * 86_400_000 + 1_800_000, message: 'a back-dated write' };
    sandbox.clock.advance(1); // the producer's event gets a later ingestion time than the snapshot
    doBefore(
      deps,
      s3Put('manifest.json', (b) => b.includes('"snapshot"')),
      async () => {
        await logs.send(new PutLogEventsCommand({ logGroupName: GROUP, logStreamName: STREAM, logEvents: [late] }));
      },
    );
    const { result } = await runCwlTrim(config, deps);
    destroy();
    expect(result?.groups[0]?.streams.find((s) => s.logStreamName === STREAM)).toMatchObject({
      outcome: 'abandoned',
      detail: 'the stream received events after they were saved; left as it is',
    });
    const events = sandbox.events(GROUP, STREAM).map((e) => `${e.timestamp} ${e.message}`);
    expect(events).toEqual(
      [...seeded.get(STREAM)!, late]
        .sort((a, b) => a.timestamp - b.timestamp)
        .map((e) => `${e.timestamp} ${e.message}`),
    );
  });

  it('keeps events PutLogEvents refuses in the archive and reports the run as failed', async () => {
    const seeded = seedOrders(sandbox);
    const config = testConfig(sandbox, { days: 7, forceRebuild: true });
    const crashed = testDeps(sandbox, config);
    crashBefore(crashed, command('DeleteLogStream', ofStream));
    const first = await runCwlTrim(config, crashed);
    // The next run comes 13 days later: the saved events are now older than 14 days.
    sandbox.clock.advance(13 * MS_PER_DAY);
    const second = await runCwlTrim(config, testDeps(sandbox, config));
    const resumed = second.result?.resumedRebuilds[0];
    expect(resumed?.rejected).toBeGreaterThan(0);
    expect(second.result?.outcome).toBe('failed');
    const rejected = sandbox.objects(BUCKET, 'cwl-archive/rejected/');
    expect(rejected.length).toBeGreaterThan(0);
    // Every event kept from the first run's cutoff on is either back in CloudWatch or kept as rejected.
    const { gunzipSync } = await import('node:zlib');
    const refused = rejected.flatMap(
      (o) =>
        (JSON.parse(gunzipSync(o.body).toString('utf8')) as { events: { timestamp: number; message: string }[] })
          .events,
    );
    const back = sandbox.events(GROUP, STREAM);
    const expected = seeded.get(STREAM)!.filter((e) => e.timestamp >= first.plan.cutoffMs);
    expect([...refused, ...back].map((e) => `${e.timestamp} ${e.message}`).sort()).toEqual(
      expected.map((e) => `${e.timestamp} ${e.message}`).sort(),
    );
  });

  it('a put-back resumed after refused batches trusts its progress: no refused event is sent or kept twice', async () => {
    const seeded = seedOrders(sandbox);
    const config = testConfig(sandbox, { days: 7, forceRebuild: true });
    const crashed = testDeps(sandbox, config);
    crashBefore(crashed, command('DeleteLogStream', ofStream));
    const saved = await runCwlTrim(config, crashed);
    sandbox.clock.advance(13 * MS_PER_DAY); // the first batches are now older than 14 days: refused
    // The put-back dies before its third batch: its progress counts the first two as refused.
    const again = testDeps(sandbox, config);
    crashBefore(again, nthCall('PutLogEvents', 3));
    await runCwlTrim(config, again);
    const resumed = await runCwlTrim(config, testDeps(sandbox, config));
    expect(resumed.result?.resumedRebuilds[0]?.rejected).toBeGreaterThan(0);
    const { gunzipSync } = await import('node:zlib');
    const refused = sandbox
      .objects(BUCKET, 'cwl-archive/rejected/')
      .flatMap(
        (o) =>
          (JSON.parse(gunzipSync(o.body).toString('utf8')) as { events: { timestamp: number; message: string }[] })
            .events,
      );
    const back = sandbox.events(GROUP, STREAM);
    const expected = seeded.get(STREAM)!.filter((e) => e.timestamp >= saved.plan.cutoffMs);
    // Each kept event exactly once: back in CloudWatch or under rejected/ (a distrusted progress would
    // send the refused batches again and keep their events a second time).
    expect([...refused, ...back].map((e) => `${e.timestamp} ${e.message}`).sort()).toEqual(
      expected.map((e) => `${e.timestamp} ${e.message}`).sort(),
    );
  });

  it('a journal left by a crash whose progress S3 will not give back (403) is listed damaged; a 500 is not taken for damage', async () => {
    seedOrders(sandbox);
    const config = testConfig(sandbox, { days: 7, forceRebuild: true });
    const crashed = testDeps(sandbox, config);
    crashBefore(crashed, command('DeleteLogStream', ofStream));
    await runCwlTrim(config, crashed);
    const deps = testDeps(sandbox, config);
    expect(await readPendingRebuilds(deps, config)).toMatchObject([{ logStreamName: STREAM, phase: 'deleting' }]);

    const denied = { name: 'AccessDenied', message: 'Access Denied', status: 403 };
    sandbox.injectFault({ operation: 'GetObject', pathContains: 'progress.json', times: 10_000, error: denied });
    expect(await readPendingRebuilds(deps, config)).toMatchObject([{ logStreamName: STREAM, phase: DAMAGED }]);
    sandbox.clearFaults();

    const internal = { name: 'InternalError', message: 'We encountered an internal error.', status: 500 };
    sandbox.injectFault({ operation: 'GetObject', pathContains: 'progress.json', times: 10_000, error: internal });
    await expect(readPendingRebuilds(deps, config)).rejects.toMatchObject({ name: 'InternalError' });
    sandbox.clearFaults();
  });

  it('a journal damaged after its stream was deleted is kept, never discarded: the run says to restore it', async () => {
    const seeded = seedOrders(sandbox);
    const config = testConfig(sandbox, { days: 7, forceRebuild: true });
    const crashed = testDeps(sandbox, config);
    crashBefore(crashed, nthCall('PutLogEvents', 3)); // two batches back, the stream long deleted
    await runCwlTrim(config, crashed);
    const journal = 'cwl-archive/journal/~app~orders/straddling';
    const { s3, destroy } = sandboxClients(sandbox.endpoint, sandbox.region);
    await s3.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: `${journal}/batch-000004.json` }));
    destroy();

    const second = await runCwlTrim(config, testDeps(sandbox, config));
    expect(second.result?.outcome).toBe('failed');
    expect(second.result?.resumedRebuilds[0]?.detail).toContain('restore the object');
    const kept = sandbox.objects(BUCKET, `${journal}/`).map((o) => o.key);
    expect(kept).toContain(`${journal}/manifest.json`);
    expect(kept).toContain(`${journal}/batch-000005.json`);
    expect(seeded.get(STREAM)!.length).toBeGreaterThan(sandbox.events(GROUP, STREAM).length);
  });

  it('the deadline while putting back stops between batches; the next run finishes, every event once', async () => {
    const seeded = seedOrders(sandbox);
    const config = testConfig(sandbox, { days: 7, forceRebuild: true });
    let expired = false;
    const deps = testDeps(sandbox, config, { deadline: { remainingMs: () => (expired ? 0 : 60_000) } });
    doBefore(deps, nthCall('PutLogEvents', 2), () => {
      expired = true;
    });
    const first = await runCwlTrim(config, deps);
    const stopped = first.result?.groups.flatMap((g) => g.streams).find((s) => s.logStreamName === STREAM);
    expect(stopped).toMatchObject({
      outcome: 'deadline',
      detail: expect.stringMatching(/^put back 2 of \d+ batches; the next run finishes$/),
    });

    const second = await runCwlTrim(config, testDeps(sandbox, config));
    expect(second.result?.outcome).toBe('done');
    expectInvariant(sandbox, seeded, first.plan.cutoffMs);
  });
});
