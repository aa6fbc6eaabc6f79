/**
 * What the next run does with a rebuild an earlier run left, and what its report says: a stream
 * outside the run's selection that was never touched is left alone without taking its group's lock
 * (only its journal goes); one already deleted, or deleted and recreated by a producer, is finished so
 * that its events are not lost; a group locked by another run, a lock that cannot be taken, a stream
 * written to since its save and a journal that cannot be read are each reported as such.
 */
import { describe, expect, it } from 'vitest';
import { acquireGroupLock } from '../../src/archive/groupLock.js';
import { createLogger } from '../../src/logger.js';
import { runCwlTrim } from '../../src/run.js';
import type { Sandbox, SeedEvent } from '@cwl-trim/sandbox';
import type { Config } from '../../src/types.js';
import { command, crashBefore } from '../helpers/crash.js';
import { BUCKET, testConfig, testDeps } from '../helpers/runHarness.js';
import { GROUP, HOUR, NOW, seedOrders, useRunSandbox } from '../helpers/scenario.js';

let sandbox: Sandbox;
useRunSandbox((s) => {
  sandbox = s;
});

const STREAM = 'straddling';
const JOURNAL = 'cwl-archive/journal/~app~orders/straddling';
const NOT_SELECTED = 'its group is not selected by this run';
const UNTOUCHED = `${NOT_SELECTED}; the stream was not touched and its journal is discarded`;
const FINISHED_ANYWAY =
  'its group is not selected by this run, but its stream had already been deleted: finished so that its events are not lost';
const ofStream = (input: Record<string, unknown>): boolean =>
  input.logGroupName === GROUP && input.logStreamName === STREAM;
const journalObjects = (): string[] => sandbox.objects(BUCKET, 'cwl-archive/journal/').map((o) => o.key);
const lines = (events: readonly SeedEvent[]): string[] => events.map((e) => `${e.timestamp} ${e.message}`);
const cloudWatch = (): string[] =>
  sandbox.streamNames(GROUP).includes(STREAM) ? lines(sandbox.events(GROUP, STREAM)) : [];
const rebuildConfig = (overrides: Partial<Config> = {}): Config =>
  testConfig(sandbox, { days: 7, forceRebuild: true, ...overrides });
const excluding = (): Config => rebuildConfig({ selection: { names: [], prefixes: ['/'], excludePrefixes: [GROUP] } });
const base = { logGroupName: GROUP, logStreamName: STREAM, action: 'rebuild' };

/** A first run that dies right before `operation` on the straddling stream: its journal is left. */
async function crashBefore1st(operation: string): Promise<SeedEvent[]> {
  const orders = seedOrders(sandbox);
  seedOrders(sandbox, '/app/payments');
  const config = rebuildConfig();
  const crashed = testDeps(sandbox, config);
  const crash = crashBefore(crashed, command(operation, ofStream));
  await runCwlTrim(config, crashed);
  expect(crash.fired()).toBe(true);
  expect(journalObjects()).toContain(`${JOURNAL}/manifest.json`);
  return orders.get(STREAM)!;
}

/** Another run (another deployment) holding the group's lock. */
async function holdLock(runId: string) {
  const config = testConfig(sandbox);
  const taken = await acquireGroupLock(testDeps(sandbox, config, { runId }), GROUP, { renewEveryMs: 0 });
  if (!taken.acquired) throw new Error(taken.detail);
  return taken.lock;
}

describe('a pending rebuild outside the selection', () => {
  it('an untouched stream is left alone without its group’s lock, even while another run holds it', async () => {
    const seeded = await crashBefore1st('DeleteLogStream');
    const lock = await holdLock('otherrun');
    try {
      const config = excluding();
      const out = await runCwlTrim(config, testDeps(sandbox, config));
      expect(out.result?.resumedRebuilds).toEqual([{ ...base, outcome: 'skipped', detail: UNTOUCHED }]);
    } finally {
      await lock.release();
    }
    expect(cloudWatch()).toEqual(lines(seeded));
    expect(journalObjects()).toEqual([]);
  });

  it('a stream already deleted is finished, the report saying why', async () => {
    const seeded = await crashBefore1st('CreateLogStream');
    expect(sandbox.streamNames(GROUP)).not.toContain(STREAM);
    const config = excluding();
    const steps: string[] = [];
    const out = await runCwlTrim(config, testDeps(sandbox, config, { progress: (line) => steps.push(line) }));
    expect(out.result?.resumedRebuilds).toEqual([
      expect.objectContaining({ ...base, outcome: 'done', detail: FINISHED_ANYWAY }),
    ]);
    expect(steps).toContain(`finishing the rebuild of ${GROUP} ${STREAM} left by an earlier run`);
    expect(cloudWatch()).toEqual(lines(seeded.filter((e) => e.timestamp >= out.plan.cutoffMs)));
    expect(journalObjects()).toEqual([]);
  });

  it('a stream deleted and recreated by a producer is not mistaken for the saved one: it is finished', async () => {
    const seeded = await crashBefore1st('CreateLogStream');
    const late = { timestamp: NOW - HOUR, message: 'written by a producer into the recreated stream' };
    sandbox.seedStream(GROUP, STREAM, [late], { creationTimeMs: NOW - HOUR });
    const config = excluding();
    const out = await runCwlTrim(config, testDeps(sandbox, config));
    expect(out.result?.resumedRebuilds).toEqual([
      expect.objectContaining({ ...base, outcome: 'done', detail: FINISHED_ANYWAY }),
    ]);
    const kept = seeded.filter((e) => e.timestamp >= out.plan.cutoffMs);
    expect(cloudWatch().sort()).toEqual(lines([...kept, late]).sort());
    expect(journalObjects()).toEqual([]);
  });

  it('a journal that cannot be read then is reported failed and kept, never discarded unread', async () => {
    await crashBefore1st('DeleteLogStream');
    // The listing reads the manifest once; every read after it is refused.
    sandbox.injectFault({
      operation: 'GetObject',
      pathContains: `${JOURNAL}/manifest.json`,
      nth: 2,
      times: 50,
      error: { name: 'AccessDenied', message: 'no s3:GetObject on the journal', status: 403 },
    });
    const config = excluding();
    const out = await runCwlTrim(config, testDeps(sandbox, config));
    expect(out.result?.resumedRebuilds).toEqual([
      {
        ...base,
        outcome: 'failed',
        detail: expect.stringMatching(
          /^STATE_UNREADABLE: s3:\/\/archive\/cwl-archive\/journal\/~app~orders\/straddling\/manifest\.json: access denied/,
        ),
      },
    ]);
    expect(journalObjects()).toContain(`${JOURNAL}/manifest.json`);
  });
});

describe('a pending rebuild in a selected group', () => {
  it('is skipped while another run holds the group’s lock, naming that run; the journal is kept', async () => {
    await crashBefore1st('DeleteLogStream');
    const lock = await holdLock('otherrun');
    try {
      const config = rebuildConfig();
      const out = await runCwlTrim(config, testDeps(sandbox, config));
      expect(out.result?.resumedRebuilds).toEqual([
        { ...base, outcome: 'skipped', detail: expect.stringContaining('otherrun') },
      ]);
    } finally {
      await lock.release();
    }
    expect(journalObjects()).toContain(`${JOURNAL}/manifest.json`);
  });

  it('fails, naming the error, when the lock cannot be taken; the error is logged with the group', async () => {
    await crashBefore1st('DeleteLogStream');
    // The run's first CreateLogStream is the lock's, taken for the pending rebuild.
    sandbox.injectFault({
      operation: 'CreateLogStream',
      error: { name: 'AccessDeniedException', message: 'no logs:CreateLogStream in the lock group', status: 400 },
    });
    const logged: Record<string, unknown>[] = [];
    const logger = createLogger({
      level: 'debug',
      runId: 't',
      destination: { write: (s: string) => logged.push(JSON.parse(s) as Record<string, unknown>) },
    });
    const config = rebuildConfig();
    const out = await runCwlTrim(config, testDeps(sandbox, config, { logger }));
    expect(out.result?.resumedRebuilds[0]).toEqual({
      ...base,
      outcome: 'failed',
      detail: expect.stringMatching(
        /^could not take the group lock: .*AccessDeniedException.*no logs:CreateLogStream in the lock group/,
      ),
    });
    expect(logged).toContainEqual(
      expect.objectContaining({
        msg: 'could not take the group lock',
        logGroupName: GROUP,
        err: expect.objectContaining({ message: 'no logs:CreateLogStream in the lock group' }),
      }),
    );
  });

  it('a stream written to since its save is left as it is, and the report says so', async () => {
    const seeded = await crashBefore1st('DeleteLogStream');
    const late = { timestamp: NOW - HOUR, message: 'written after the save' };
    sandbox.seedStream(GROUP, STREAM, [late]);
    const config = rebuildConfig();
    const out = await runCwlTrim(config, testDeps(sandbox, config));
    expect(out.result?.resumedRebuilds).toEqual([
      {
        ...base,
        outcome: 'abandoned',
        detail: 'the stream received events after they were saved; left as it is',
      },
    ]);
    expect(journalObjects().filter((k) => k.startsWith(JOURNAL))).toEqual([]);
    expect(cloudWatch().slice(0, seeded.length)).toEqual(lines(seeded));
  });
});
