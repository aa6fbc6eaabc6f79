/**
 * What the walk over the groups tells the operator, against the sandbox: a progress line per group
 * as it starts (its number and its name), a group that fails alone (logged, reported with its
 * error, the others still run), and a group's list as long as its actions (at least the floor of 20
 * streams a group may list however large the fleet).
 */
import { describe, expect, it } from 'vitest';
import { stateKey } from '../../src/archive/keys.js';
import type { ProgressEvent } from '../../src/deps.js';
import { createLogger } from '../../src/logger.js';
import { runCwlTrim } from '../../src/run.js';
import type { Sandbox } from '@cwl-trim/sandbox';
import { command, doBefore } from '../helpers/crash.js';
import { MS_PER_DAY, history, testConfig, testDeps } from '../helpers/runHarness.js';
import { useRunSandbox } from '../helpers/scenario.js';

let sandbox: Sandbox;
useRunSandbox((s) => {
  sandbox = s;
});

const HOUR = 3_600_000;

/** A group of `streams` expired streams (written 30 to 25 days ago), each a delete. */
function seedExpired(group: string, streams: number): void {
  const now = sandbox.clock.now();
  sandbox.seedGroup(group, { creationTimeMs: now - 61 * MS_PER_DAY });
  for (let i = 0; i < streams; i += 1) {
    const name = `expired-${String(i).padStart(3, '0')}`;
    sandbox.seedStream(group, name, history(name, now - 30 * MS_PER_DAY, now - 25 * MS_PER_DAY, 24 * HOUR));
  }
}

function setup(options: { remainingMs?: () => number } = {}) {
  const config = testConfig(sandbox, { days: 7 });
  const progress: { line: string; event?: ProgressEvent }[] = [];
  const lines: Record<string, unknown>[] = [];
  const logger = createLogger({ level: 'debug', runId: 't', destination: { write: (s) => lines.push(JSON.parse(s)) } });
  const deps = testDeps(sandbox, config, {
    logger,
    progress: (line, event) => progress.push(event ? { line, event } : { line }),
    ...(options.remainingMs ? { deadline: { remainingMs: options.remainingMs } } : {}),
  });
  return { config, deps, progress, lines };
}

describe('the walk over the groups', () => {
  it('says each group as it starts: its number in the walk and its name', async () => {
    seedExpired('/walk/a', 1);
    seedExpired('/walk/b', 1);
    const { config, deps, progress } = setup();
    await runCwlTrim(config, deps);
    expect(progress.filter((p) => p.line.startsWith('group '))).toEqual([
      { line: 'group 1: /walk/a', event: { phase: 'export', done: 1, total: 1, subject: '/walk/a' } },
      { line: 'group 2: /walk/b', event: { phase: 'export', done: 2, total: 2, subject: '/walk/b' } },
    ]);
  });

  it("says each page of a group's listing: the streams so far, the pages and the rate", async () => {
    seedExpired('/walk/a', 3);
    const { config, deps, progress } = setup();
    await runCwlTrim(config, deps);
    // The sandbox's clock is frozen: no time passes, so the rate is taken over a millisecond.
    expect(progress.filter((p) => p.event?.phase === 'listing')).toEqual([
      {
        line: '/walk/a: 3 streams listed (1 pages, 3000 streams/s)',
        event: { phase: 'listing', done: 3, subject: '/walk/a' },
      },
    ]);
  });

  it('a group that fails is logged and reported with its error; the next group still runs', async () => {
    seedExpired('/walk/a', 1);
    seedExpired('/walk/b', 1);
    const { config, deps, lines } = setup();
    sandbox.injectFault({
      operation: 'GetObject',
      pathContains: stateKey(config.bucketPrefix, '/walk/a'),
      times: 50,
      error: { name: 'AccessDenied', message: 'Access Denied', status: 403 },
    });
    const { plan, result } = await runCwlTrim(config, deps);
    const failed = result?.groups.find((g) => g.logGroupName === '/walk/a');
    expect(failed).toMatchObject({ exports: [], streams: [] });
    expect(failed?.error).toMatch(
      /^STATE_UNREADABLE: s3:\/\/archive\/cwl-archive\/state\/groups\/~walk~a\.json: access denied/,
    );
    expect(plan.groups.map((g) => g.logGroupName)).toEqual(['/walk/a', '/walk/b']);
    expect(plan.groups[0]).toMatchObject({ logGroupName: '/walk/a', streams: [] });
    // Its plan says nothing of an export it did not get to: the report must not show one.
    expect(plan.groups[0]?.exportWindow).toBeUndefined();
    expect(result?.groups.find((g) => g.logGroupName === '/walk/b')?.error).toBeUndefined();
    expect(sandbox.streamNames('/walk/b')).toEqual([]);
    const logged = lines.filter((l) => l.msg === 'group failed');
    expect(logged).toEqual([expect.objectContaining({ level: 'error', logGroupName: '/walk/a' })]);
    expect(logged[0]?.err).toMatchObject({ type: 'StateUnreadableError' });
  });

  it('a group lists each of its 25 deletes: more than the floor of 20 a group always may', async () => {
    seedExpired('/walk/wide', 25);
    const { config, deps } = setup();
    const { plan, result } = await runCwlTrim(config, deps);
    expect(plan.groups[0]?.streams).toHaveLength(25);
    expect(result?.groups[0]?.streams.filter((s) => s.outcome === 'done')).toHaveLength(25);
    expect(sandbox.streamNames('/walk/wide')).toEqual([]);
  });
});

describe('what stops the walk', () => {
  const started = (progress: { line: string }[]) =>
    progress.filter((p) => p.line.startsWith('group ')).map((p) => p.line);

  it('a state conflict in one group starts no further group, and the run throws it', async () => {
    seedExpired('/walk/a', 1);
    seedExpired('/walk/b', 1);
    const { config, deps, progress } = setup();
    sandbox.injectFault({
      operation: 'PutObject',
      pathContains: stateKey(config.bucketPrefix, '/walk/a'),
      error: { name: 'PreconditionFailed', message: 'At least one of the pre-conditions did not hold', status: 412 },
    });
    await expect(runCwlTrim(config, deps)).rejects.toMatchObject({ code: 'STATE_CONFLICT' });
    expect(started(progress)).toEqual(['group 1: /walk/a']);
    expect(sandbox.streamNames('/walk/b')).toEqual(['expired-000']);
  });

  it("a group listing that fails is the run's error, not a walk left for later", async () => {
    seedExpired('/walk/a', 1);
    const { config, deps } = setup();
    sandbox.injectFault({
      operation: 'DescribeLogGroups',
      times: 50,
      error: { name: 'AccessDeniedException', message: 'not allowed to logs:DescribeLogGroups', status: 400 },
    });
    await expect(runCwlTrim(config, deps)).rejects.toMatchObject({ name: 'AccessDeniedException' });
    expect(sandbox.streamNames('/walk/a')).toEqual(['expired-000']);
  });

  it('the deadline reached once a group started: the next group is not started, and the walk is left', async () => {
    seedExpired('/walk/a', 1);
    seedExpired('/walk/b', 1);
    let remaining = 3_600_000;
    const { config, deps, progress } = setup({ remainingMs: () => remaining });
    const say = deps.progress!;
    const run = runCwlTrim(config, {
      ...deps,
      progress: (line, event) => {
        say(line, event);
        if (line === 'group 1: /walk/a') remaining = 0; // exactly none left
      },
    });
    const { plan, result } = await run;
    expect(started(progress)).toEqual(['group 1: /walk/a']);
    expect(plan.groups.map((g) => g.logGroupName)).toEqual(['/walk/a']);
    expect(result).toMatchObject({ walkLeft: true, deadlineReached: true });
    expect(sandbox.streamNames('/walk/b')).toEqual(['expired-000']);
  });

  it('the deadline passing while a group waits for the export slot: it is not started, and the walk is left', async () => {
    seedExpired('/walk/a', 1);
    seedExpired('/walk/b', 1);
    // None left at exactly one moment: the first look at the deadline once /walk/a's task is found
    // COMPLETED, which is /walk/b's as the slot comes to it (/walk/a verifies on its next I/O turn).
    let armed = false;
    let spent = false;
    const remainingMs = () => {
      if (!armed || spent) return 3_600_000;
      spent = true;
      return 0;
    };
    const { config, deps, progress } = setup({ remainingMs });
    doBefore(deps, command('DescribeExportTasks'), async () => {
      // Past the sandbox's 70 ms of PENDING and RUNNING: this first look finds the task COMPLETED.
      await new Promise((r) => setTimeout(r, 150));
      armed = true;
    });
    const { plan, result } = await runCwlTrim(config, deps);
    expect(spent).toBe(true);
    expect(started(progress)).toEqual(['group 1: /walk/a']);
    expect(plan.groups.map((g) => g.logGroupName)).toEqual(['/walk/a']);
    expect(result).toMatchObject({ walkLeft: true });
    expect(sandbox.streamNames('/walk/a')).toEqual([]);
    expect(sandbox.streamNames('/walk/b')).toEqual(['expired-000']);
  });
});

describe('a large group', () => {
  it('a group of 520 deletes lists 500 of them and counts the rest; every one is deleted', async () => {
    seedExpired('/walk/huge', 520);
    const { config, deps } = setup();
    const { plan, result } = await runCwlTrim(config, deps);
    expect(plan.groups[0]?.streams).toHaveLength(500);
    expect(plan.groups[0]?.totals.delete).toBe(520);
    expect(result?.groups[0]?.tally?.deleted).toBe(520);
    expect(sandbox.streamNames('/walk/huge')).toEqual([]);
  }, 60_000);
});
