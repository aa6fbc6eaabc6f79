/**
 * finishRebuild's corners its other tests leave (src/trim/finishRebuild.ts), from a journal a first
 * run saved before it died: a stream this run must leave alone that is still the one saved is not
 * touched and its journal goes (with the reason given); a journal that does not verify is reported
 * with what to do, and the error keeps the journal's own error as its cause, whether the stream is
 * intact or already deleted.
 */
import { DeleteLogStreamCommand } from '@aws-sdk/client-cloudwatch-logs';
import { DeleteObjectCommand } from '@aws-sdk/client-s3';
import type { Sandbox } from '@cwl-trim/sandbox';
import { sandboxClients } from '@cwl-trim/sandbox/testing';
import { describe, expect, it } from 'vitest';
import { JournalInvalidError } from '../../src/errors.js';
import { runCwlTrim } from '../../src/run.js';
import { finishRebuild } from '../../src/trim/finishRebuild.js';
import { Journal, type JournalManifest } from '../../src/trim/journal.js';
import type { Config } from '../../src/types.js';
import { command, crashBefore } from '../helpers/crash.js';
import { BUCKET, testConfig, testDeps } from '../helpers/runHarness.js';
import { GROUP, seedOrders, useRunSandbox } from '../helpers/scenario.js';

let sandbox: Sandbox;
useRunSandbox((s) => {
  sandbox = s;
});

const STREAM = 'straddling';
const JOURNAL = `cwl-archive/journal/~app~orders/${STREAM}`;
const ofStream = (input: Record<string, unknown>): boolean => input.logStreamName === STREAM;

/** A first run that dies right before the straddling stream is deleted: its journal is saved and verified. */
async function savedJournal(): Promise<{ config: Config; journal: Journal; manifest: JournalManifest }> {
  seedOrders(sandbox);
  const config = testConfig(sandbox, { days: 7, forceRebuild: true });
  const crashed = testDeps(sandbox, config);
  const crash = crashBefore(crashed, command('DeleteLogStream', ofStream));
  await runCwlTrim(config, crashed);
  expect(crash.fired()).toBe(true);
  const journal = new Journal(testDeps(sandbox, config), { bucket: BUCKET, prefix: JOURNAL });
  const manifest = await journal.manifest();
  if (!manifest) throw new Error('no journal saved');
  return { config, journal, manifest };
}

async function withClients(act: (clients: ReturnType<typeof sandboxClients>) => Promise<void>): Promise<void> {
  const clients = sandboxClients(sandbox.endpoint, sandbox.region);
  try {
    await act(clients);
  } finally {
    clients.destroy();
  }
}

const loseFirstBatch = (): Promise<void> =>
  withClients(async ({ s3 }) => {
    const [first] = sandbox.objects(BUCKET, `${JOURNAL}/batch-`);
    await s3.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: first!.key }));
  });

/** The error finishRebuild throws (fails the test when it resolves). */
async function thrown(promise: Promise<unknown>): Promise<JournalInvalidError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(JournalInvalidError);
  return err as JournalInvalidError;
}

describe('finishRebuild: a stream this run must leave alone', () => {
  it('still the one saved: not touched, its journal discarded, and the reason given', async () => {
    const { config, journal, manifest } = await savedJournal();
    const before = sandbox.events(GROUP, STREAM);
    sandbox.clearCalls();

    const outcome = await finishRebuild(testDeps(sandbox, config), config, journal, manifest, true, {
      leaveUntouched: { reason: 'its group is not selected by this run', ifDeleted: 'finished anyway' },
    });

    expect(outcome).toEqual({
      status: 'skipped',
      detail: 'its group is not selected by this run; the stream was not touched and its journal is discarded',
    });
    expect(sandbox.events(GROUP, STREAM)).toEqual(before);
    const mutating = sandbox.calls.filter((c) => /^(DeleteLogStream|CreateLogStream|PutLogEvents)$/.test(c.operation));
    expect(mutating).toEqual([]);
    expect(sandbox.objects(BUCKET, `${JOURNAL}/`)).toEqual([]);
  });
});

describe('finishRebuild: a journal that does not verify', () => {
  it('with the stream intact: says the stream was not touched, discards the journal, and keeps the cause', async () => {
    const { config, journal, manifest } = await savedJournal();
    const before = sandbox.events(GROUP, STREAM);
    await loseFirstBatch();

    const err = await thrown(finishRebuild(testDeps(sandbox, config), config, journal, manifest, true));

    expect(err.message).toContain('The stream was not touched; the journal was discarded');
    expect(err.cause).toBeInstanceOf(JournalInvalidError);
    expect((err.cause as JournalInvalidError).problem).toBe(err.problem);
    expect((err.cause as JournalInvalidError).key).toBe(err.key);
    expect(sandbox.events(GROUP, STREAM)).toEqual(before);
    expect(sandbox.objects(BUCKET, `${JOURNAL}/`)).toEqual([]);
  });

  it('with the stream already deleted: says to restore the object, keeps the journal, and keeps the cause', async () => {
    const { config, journal, manifest } = await savedJournal();
    await loseFirstBatch();
    await withClients(async ({ logs }) => {
      await logs.send(new DeleteLogStreamCommand({ logGroupName: GROUP, logStreamName: STREAM }));
    });

    const err = await thrown(finishRebuild(testDeps(sandbox, config), config, journal, manifest, true));

    expect(err.message).toContain('The stream was already deleted: restore the object (S3 versioning)');
    expect(err.cause).toBeInstanceOf(JournalInvalidError);
    expect((err.cause as JournalInvalidError).problem).toBe(err.problem);
    expect(sandbox.objects(BUCKET, `${JOURNAL}/manifest.json`)).toHaveLength(1);
  });
});
