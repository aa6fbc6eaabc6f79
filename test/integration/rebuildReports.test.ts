/**
 * What a rebuild tells its operator, and what it spends: refused events are kept with their reason
 * and logged as an error (never dropped silently), a lost answer and a distrusted progress are
 * logged with the batch and the counts, and the stream is read back only where a batch may already
 * be in it. Each is a log line or a call an operator sees, checked on a real run against the sandbox.
 */
import { DeleteObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logger.js';
import { runCwlTrim } from '../../src/run.js';
import { readPendingRebuilds } from '../../src/trim/pendingRebuilds.js';
import { rebuildStream } from '../../src/trim/rebuildStream.js';
import type { Sandbox } from '@cwl-trim/sandbox';
import type { Config } from '../../src/types.js';
import { command, crashBefore, s3Put } from '../helpers/crash.js';
import { BUCKET, MS_PER_DAY, testConfig, testDeps } from '../helpers/runHarness.js';
import { sandboxClients } from '@cwl-trim/sandbox/testing';
import { expectInvariant, GROUP, seedOrders, useRunSandbox } from '../helpers/scenario.js';

let sandbox: Sandbox;
useRunSandbox((s) => {
  sandbox = s;
});

const STREAM = 'straddling';
const PROGRESS = `cwl-archive/journal/~app~orders/${STREAM}/progress.json`;
const ofStream = (input: Record<string, unknown>): boolean => input.logStreamName === STREAM;

type LogLine = Record<string, unknown> & { level: string; msg: string };

/** Deps whose logger keeps every line, parsed. */
function recordedDeps(config: Config) {
  const lines: LogLine[] = [];
  const logger = createLogger({
    level: 'debug',
    runId: 'reports',
    destination: { write: (s: string) => lines.push(JSON.parse(s) as LogLine) },
  });
  return { deps: testDeps(sandbox, config, { logger }), lines };
}

const rebuildConfig = (): Config => testConfig(sandbox, { days: 7, forceRebuild: true });

/** A first run that dies right before the straddling stream is deleted: its journal is saved. */
async function savedJournal(config: Config): Promise<void> {
  const crashed = testDeps(sandbox, config);
  const crash = crashBefore(crashed, command('DeleteLogStream', ofStream));
  await runCwlTrim(config, crashed);
  expect(crash.fired()).toBe(true);
}

/** GetLogEvents calls on the straddling stream after its re-creation (the put-back's read-backs). */
function readBacksAfterCreate(): number {
  const calls = sandbox.calls;
  const created = calls.findIndex(
    (c) => c.operation === 'CreateLogStream' && ofStream(c.input as Record<string, unknown>),
  );
  return calls
    .slice(created + 1)
    .filter((c) => c.operation === 'GetLogEvents' && ofStream(c.input as Record<string, unknown>)).length;
}

async function writeProgress(progress: Record<string, unknown>): Promise<void> {
  const { s3, destroy } = sandboxClients(sandbox.endpoint, sandbox.region);
  try {
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: PROGRESS, Body: JSON.stringify(progress) }));
  } finally {
    destroy();
  }
}

const progressNow = (): Record<string, unknown> => {
  const object = sandbox.objects(BUCKET, PROGRESS).find((o) => o.key === PROGRESS);
  if (!object) throw new Error(`no ${PROGRESS}`);
  return JSON.parse(object.body.toString('utf8')) as Record<string, unknown>;
};

describe('what a rebuild reports', () => {
  it('keeps refused events under rejected/ with the stream and the reason, and logs each batch of them as an error', async () => {
    seedOrders(sandbox);
    const config = rebuildConfig();
    await savedJournal(config);
    sandbox.clock.advance(13 * MS_PER_DAY); // the saved events are now older than 14 days: refused
    const { deps, lines } = recordedDeps(config);
    const second = await runCwlTrim(config, deps);
    const refused = second.result?.resumedRebuilds[0]?.rejected ?? 0;
    expect(refused).toBeGreaterThan(0);

    const kept = sandbox.objects(BUCKET, 'cwl-archive/rejected/');
    expect(kept.length).toBeGreaterThan(0);
    for (const object of kept) {
      expect(JSON.parse(gunzipSync(object.body).toString('utf8'))).toMatchObject({
        logGroupName: GROUP,
        logStreamName: STREAM,
        reason: expect.stringContaining('PutLogEvents refused these events'),
      });
    }
    const errors = lines.filter((l) => l.msg === 'events could not be put back; kept in the archive under rejected/');
    expect(errors.length).toBe(kept.length);
    for (const line of errors)
      expect(line).toMatchObject({ level: 'error', logGroupName: GROUP, logStreamName: STREAM });
    expect(errors.reduce((n, l) => n + Number(l.rejected), 0)).toBe(refused);
  });

  it('logs a lost PutLogEvents answer with its batch, then that the events found in the stream were not put again', async () => {
    const seeded = seedOrders(sandbox);
    const config = rebuildConfig();
    await savedJournal(config);
    sandbox.injectFault({ operation: 'PutLogEvents', nth: 2, dropResponse: true });
    const { deps, lines } = recordedDeps(config);
    const out = await runCwlTrim(config, deps);
    expect(out.result?.outcome).toBe('done');
    expectInvariant(sandbox, seeded, out.plan.cutoffMs);

    const lost = lines.find((l) => l.msg === 'PutLogEvents answer lost; checking what reached the stream');
    expect(lost).toMatchObject({ level: 'warn', logStreamName: STREAM, batch: expect.any(Number) });
    expect(lines.find((l) => l.msg === 'events already in the stream were not put again')).toMatchObject({
      level: 'info',
      logGroupName: GROUP,
      logStreamName: STREAM,
      batch: lost?.batch,
      present: expect.any(Number),
    });
  });

  it('distrusts a progress whose counts do not add up, says so with the progress, and checks the stream from the first batch', async () => {
    const seeded = seedOrders(sandbox);
    const config = rebuildConfig();
    await savedJournal(config);
    // The put-back dies before its third batch; then its progress is made to count one event too few.
    const again = testDeps(sandbox, config);
    let puts = 0;
    crashBefore(again, (c) => command('PutLogEvents', ofStream)(c) && ++puts === 3);
    await runCwlTrim(config, again);
    const progress = progressNow();
    expect(progress).toMatchObject({ phase: 'putting', nextBatch: 2 });
    await writeProgress({ ...progress, put: Number(progress.put) - 1 });

    const { deps, lines } = recordedDeps(config);
    sandbox.clearCalls();
    const out = await runCwlTrim(config, deps);
    expect(out.result?.outcome).toBe('done');
    expectInvariant(sandbox, seeded, out.plan.cutoffMs);
    expect(
      lines.find(
        (l) => l.msg === 'journal progress does not match its manifest; checking the stream from the first batch',
      ),
    ).toMatchObject({ level: 'warn', logGroupName: GROUP, logStreamName: STREAM, progress: { nextBatch: 2 } });
    expect(readBacksAfterCreate()).toBeGreaterThan(0);
  });

  it('trusts a progress that recorded every batch: no warning, nothing read back, only the removal finished', async () => {
    const seeded = seedOrders(sandbox);
    const config = rebuildConfig();
    const crashed = testDeps(sandbox, config);
    // Dies after the last batch's progress, right before the journal's removal is recorded.
    const crash = crashBefore(
      crashed,
      s3Put('progress.json', (b) => b.includes('"removing"')),
    );
    const first = await runCwlTrim(config, crashed);
    expect(crash.fired()).toBe(true);
    expect(progressNow()).toMatchObject({ phase: 'putting' });

    const { deps, lines } = recordedDeps(config);
    sandbox.clearCalls();
    const out = await runCwlTrim(config, deps);
    expect(out.result?.outcome).toBe('done');
    expectInvariant(sandbox, seeded, first.plan.cutoffMs);
    expect(lines.filter((l) => l.level === 'warn')).toEqual([]);
    const onStream = sandbox.calls.filter((c) => ofStream(c.input as Record<string, unknown>)).map((c) => c.operation);
    expect(onStream.filter((o) => o === 'GetLogEvents' || o === 'PutLogEvents')).toEqual([]);
  });

  it('a fresh rebuild reads its new stream back for no batch (nothing of ours can be in it)', async () => {
    const seeded = seedOrders(sandbox);
    const config = rebuildConfig();
    const out = await runCwlTrim(config, testDeps(sandbox, config));
    expect(out.result?.outcome).toBe('done');
    expectInvariant(sandbox, seeded, out.plan.cutoffMs);
    expect(
      sandbox.calls.some((c) => c.operation === 'CreateLogStream' && ofStream(c.input as Record<string, unknown>)),
    ).toBe(true);
    expect(readBacksAfterCreate()).toBe(0);
  });

  it('reports a journal whose batches were lost after its stream was deleted, and keeps it: never taken for a half-removed one', async () => {
    seedOrders(sandbox);
    const config = rebuildConfig();
    await savedJournal(config);
    const again = testDeps(sandbox, config);
    let puts = 0;
    crashBefore(again, (c) => command('PutLogEvents', ofStream)(c) && ++puts === 3);
    await runCwlTrim(config, again);
    const journal = PROGRESS.slice(0, PROGRESS.lastIndexOf('/'));
    const { s3, destroy } = sandboxClients(sandbox.endpoint, sandbox.region);
    for (const { key } of sandbox.objects(BUCKET, `${journal}/batch-`)) {
      await s3.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: key }));
    }
    destroy();

    // A manifest and a progress without batches: the progress says the stream is being put back.
    expect(await readPendingRebuilds(testDeps(sandbox, config), config)).toMatchObject([
      { logStreamName: STREAM, phase: 'putting', nextBatch: 2 },
    ]);
    const out = await runCwlTrim(config, testDeps(sandbox, config));
    expect(out.result?.outcome).toBe('failed');
    expect(out.result?.resumedRebuilds[0]?.detail).toContain('restore the object');
    expect(sandbox.objects(BUCKET, `${journal}/`).map((o) => o.key)).toEqual([`${journal}/manifest.json`, PROGRESS]);
  });
});

describe('a journal the rebuild itself finds', () => {
  it('one an earlier run had started to remove: the removal is finished, the stream is not touched', async () => {
    const seeded = seedOrders(sandbox);
    const config = rebuildConfig();
    const crashed = testDeps(sandbox, config);
    // Dies during the removal of its journal: progress says `removing`, the batches are gone.
    const crash = crashBefore(
      crashed,
      command('DeleteObject', (input) => String(input.Key).endsWith(`${STREAM}/manifest.json`)),
    );
    await runCwlTrim(config, crashed);
    expect(crash.fired()).toBe(true);
    expect(progressNow()).toMatchObject({ phase: 'removing' });
    const before = sandbox.events(GROUP, STREAM);

    const deps = testDeps(sandbox, config);
    const planned = { logStreamName: STREAM, creationTimeMs: 0 };
    const outcome = await rebuildStream(deps, config, {
      logGroupName: GROUP,
      logStreamName: STREAM,
      cutoffMs: 0,
      planned,
      unmask: false,
    });
    expect(outcome).toEqual({
      status: 'abandoned',
      detail: 'an earlier run had started to remove this journal; its removal is finished',
    });
    expect(sandbox.objects(BUCKET, 'cwl-archive/journal/')).toEqual([]);
    expect(sandbox.events(GROUP, STREAM)).toEqual(before);
    expect(before.length).toBeLessThan(seeded.get(STREAM)!.length); // the rebuild itself had finished
  });
});
