/**
 * One group through the pipeline (src/execute/runGroup.ts), as a run drives it against the sandbox:
 * what the group's result says when its export fails, its retention or its deletion fails, or
 * another run holds its lock at any of the three points where it is taken; which groups count as
 * finished for the walk's saved cursor; and what the run says when an export or a listing is left
 * for lack of time.
 */
import { describe, expect, it } from 'vitest';
import { acquireGroupLock } from '../../src/archive/groupLock.js';
import { stateKey } from '../../src/archive/keys.js';
import { LOCK_GROUP_NAME } from '../../src/plan/lockState.js';
import { runCwlTrim } from '../../src/run.js';
import type { Config } from '../../src/types.js';
import type { Sandbox } from '@cwl-trim/sandbox';
import { BUCKET, MS_PER_DAY, history, testConfig, testDeps } from '../helpers/runHarness.js';
import { countWork, workCalls } from '../helpers/lockCalls.js';
import { HOUR, NOW, useRunSandbox } from '../helpers/scenario.js';

const FLEET_CURSOR = 'cwl-archive/state/cursors/fleet.json';

/** A group of `streams` expired streams (written 30 to 25 days ago), each a delete. */
function seedExpired(sandbox: Sandbox, group: string, streams = 1): void {
  sandbox.seedGroup(group, { creationTimeMs: NOW - 61 * MS_PER_DAY });
  for (let i = 0; i < streams; i += 1) {
    const name = `expired-${String(i).padStart(3, '0')}`;
    sandbox.seedStream(group, name, history(name, NOW - 30 * MS_PER_DAY, NOW - 25 * MS_PER_DAY, 24 * HOUR));
  }
}

/** Another cwl-trim run (`other`) holds the group's lock. */
async function otherRunHolds(sandbox: Sandbox, group: string): Promise<void> {
  const config = testConfig(sandbox);
  const taken = await acquireGroupLock(testDeps(sandbox, config, { runId: 'other' }), group, {
    renewEveryMs: 0,
    monotonicMs: () => 0,
  });
  if (!taken.acquired) throw new Error(`the other run did not get the lock: ${taken.detail}`);
}

const heldBy = (group: string) =>
  expect.stringMatching(new RegExp(`^cwl-trim run other on .* holds ${group.replaceAll('/', '\\/')} `));

const fleetCursor = (sandbox: Sandbox): { afterGroupName?: string } | undefined => {
  const [cursor] = sandbox.objects(BUCKET, FLEET_CURSOR);
  return cursor ? (JSON.parse(cursor.body.toString('utf8')) as { afterGroupName?: string }) : undefined;
};

describe('one group through the pipeline', () => {
  let sandbox: Sandbox;
  useRunSandbox((s) => {
    sandbox = s;
  });

  const run = (overrides: Partial<Config> = {}, deps: Parameters<typeof testDeps>[2] = {}) => {
    const config = testConfig(sandbox, { days: 7, ...overrides });
    return runCwlTrim(config, testDeps(sandbox, config, deps));
  };

  it('a group skipped as a whole (Infrequent Access) counts as finished: no fleet cursor is left', async () => {
    seedExpired(sandbox, '/walk/a');
    sandbox.seedGroup('/walk/z-ia', { creationTimeMs: NOW - 30 * MS_PER_DAY, logGroupClass: 'INFREQUENT_ACCESS' });
    sandbox.seedStream('/walk/z-ia', 'old', history('old', NOW - 20 * MS_PER_DAY, NOW - 19 * MS_PER_DAY, HOUR));
    const out = await run();
    expect(out.plan.groups.map((g) => [g.logGroupName, g.skip?.reason])).toEqual([
      ['/walk/a', undefined],
      ['/walk/z-ia', 'infrequent-access'],
    ]);
    expect(out.result?.walkLeft).toBeUndefined();
    expect(fleetCursor(sandbox)).toBeUndefined();
  });

  it('a group another run holds at its export is left alone: its result says who, with no export and no stream; it counts as finished', async () => {
    seedExpired(sandbox, '/walk/a');
    seedExpired(sandbox, '/walk/b');
    await otherRunHolds(sandbox, '/walk/b');
    const out = await run();
    expect(out.result?.groups.find((g) => g.logGroupName === '/walk/b')).toEqual({
      logGroupName: '/walk/b',
      exports: [],
      streams: [],
      lockedBy: heldBy('/walk/b'),
    });
    expect(sandbox.streamNames('/walk/b')).toEqual(['expired-000']);
    expect(sandbox.streamNames('/walk/a')).toEqual([]);
    expect(fleetCursor(sandbox)).toBeUndefined();
  });

  it('an export that fails ends its group there (no stream touched), the next group still runs, and the walk resumes at it', async () => {
    for (const g of ['/walk/a', '/walk/b', '/walk/c']) seedExpired(sandbox, g);
    const config = testConfig(sandbox, { days: 7 });
    sandbox.injectFault({
      operation: 'PutObject',
      pathContains: stateKey(config.bucketPrefix, '/walk/b'),
      times: 50,
      error: { name: 'AccessDenied', message: 'Access Denied', status: 403 },
    });
    const out = await runCwlTrim(config, testDeps(sandbox, config));
    expect(out.result?.groups.find((g) => g.logGroupName === '/walk/b')).toEqual({
      logGroupName: '/walk/b',
      exports: [],
      streams: [],
      error: 'AccessDenied: Access Denied',
    });
    expect(sandbox.streamNames('/walk/b')).toEqual(['expired-000']);
    expect(sandbox.streamNames('/walk/c')).toEqual([]);
    // b is not finished: the saved walk goes on after a, the last group of the finished run from the start.
    expect(fleetCursor(sandbox)?.afterGroupName).toBe('/walk/a');
  });

  it('a state conflict while exporting is thrown by the run: no task created, no stream touched', async () => {
    seedExpired(sandbox, '/walk/a');
    const config = testConfig(sandbox, { days: 7 });
    sandbox.injectFault({
      operation: 'PutObject',
      pathContains: stateKey(config.bucketPrefix, '/walk/a'),
      error: {
        name: 'PreconditionFailed',
        message: 'At least one of the pre-conditions you specified did not hold',
        status: 412,
      },
    });
    await expect(runCwlTrim(config, testDeps(sandbox, config))).rejects.toMatchObject({
      name: 'StateConflictError',
      code: 'STATE_CONFLICT',
    });
    expect(countWork(sandbox, 'CreateExportTask')).toBe(0);
    expect(sandbox.streamNames('/walk/a')).toEqual(['expired-000']);
  });

  it('a PutRetentionPolicy that fails is the group’s retention result: the target days, failed, and why', async () => {
    seedExpired(sandbox, '/app/orders');
    // The lock group exists already: the group's own retention is the run's only PutRetentionPolicy.
    sandbox.seedGroup(LOCK_GROUP_NAME);
    sandbox.injectFault({
      operation: 'PutRetentionPolicy',
      error: { name: 'AccessDeniedException', message: 'not allowed to logs:PutRetentionPolicy', status: 400 },
    });
    const out = await run({ days: 10, strategy: 'retention' });
    expect(out.result?.groups[0]?.retention).toEqual({
      days: 14,
      outcome: 'failed',
      detail: 'AccessDeniedException: not allowed to logs:PutRetentionPolicy',
    });
    expect(out.result?.groups[0]?.error).toBeUndefined();
    expect(
      workCalls(sandbox)
        .filter((c) => c.operation === 'PutRetentionPolicy')
        .map((c) => c.input),
    ).toEqual([expect.objectContaining({ logGroupName: '/app/orders', retentionInDays: 14 })]);
  });

  it('a re-check before DeleteLogGroup that fails is the group’s deletion result: failed, and why; the group stays', async () => {
    seedExpired(sandbox, '/app/old-batch', 2);
    expect((await run({ deleteEmptyGroups: true })).result?.outcome).toBe('done');
    // The plan reads the filters first (the 1st DescribeMetricFilters), the re-check reads them again.
    sandbox.injectFault({
      operation: 'DescribeMetricFilters',
      nth: 2,
      error: { name: 'AccessDeniedException', message: 'not allowed to logs:DescribeMetricFilters', status: 400 },
    });
    sandbox.clearCalls();
    const out = await run({ deleteEmptyGroups: true });
    expect(out.plan.groups[0]?.deleteGroup).toBeDefined();
    expect(out.result?.groups[0]?.groupDeletion).toEqual({
      outcome: 'failed',
      detail: 'AccessDeniedException: not allowed to logs:DescribeMetricFilters',
    });
    expect(countWork(sandbox, 'DeleteLogGroup')).toBe(0);
    expect(sandbox.groupNames()).toContain('/app/old-batch');
  });

  it('a group another run holds when only its retention needs the lock is left alone and says who', async () => {
    seedExpired(sandbox, '/app/orders');
    expect((await run({ days: 10, strategy: 'retention' })).result?.groups[0]?.retention?.outcome).toBe('set');
    sandbox.seedGroup('/app/orders', { retentionInDays: 30 });
    await otherRunHolds(sandbox, '/app/orders');
    sandbox.clearCalls();
    const out = await run({ days: 10, strategy: 'retention' });
    expect(out.result?.groups[0]).toEqual({
      logGroupName: '/app/orders',
      exports: [],
      streams: [],
      lockedBy: heldBy('/app/orders'),
    });
    expect(countWork(sandbox, 'CreateExportTask')).toBe(0);
    expect(countWork(sandbox, 'PutRetentionPolicy')).toBe(0);
    expect(fleetCursor(sandbox)).toBeUndefined();
  });

  it('a listing the deadline cut short is said in the group’s result', async () => {
    seedExpired(sandbox, '/app/big', 60); // two pages of 50
    const listings = (): number =>
      workCalls(sandbox).filter(
        (c) =>
          c.operation === 'DescribeLogStreams' &&
          (c.input as { orderBy?: string; logStreamNamePrefix?: string }).orderBy === undefined &&
          (c.input as { logStreamNamePrefix?: string }).logStreamNamePrefix === undefined,
      ).length;
    const out = await run({}, { deadline: { remainingMs: () => (listings() >= 1 ? 0 : 600_000) } });
    expect(out.result?.groups[0]?.listingLeft).toBe(true);
    expect(out.result?.groups[0]?.error).toBeUndefined();
  });

  it('a group created after the cutoff that stores bytes (nothing to export, no look) is listed without error', async () => {
    sandbox.seedGroup('/app/new', { creationTimeMs: NOW - 2 * MS_PER_DAY });
    sandbox.seedStream('/app/new', 'current', history('current', NOW - 2 * MS_PER_DAY, NOW - HOUR, HOUR), {
      creationTimeMs: NOW - 2 * MS_PER_DAY,
    });
    const out = await run();
    expect(out.result?.groups[0]?.error).toBeUndefined();
    expect(out.result?.outcome).toBe('done');
    expect(countWork(sandbox, 'CreateExportTask')).toBe(0);
    expect(sandbox.streamNames('/app/new')).toEqual(['current']);
  });
});

describe('an export left in flight at the deadline', () => {
  let sandbox: Sandbox;
  useRunSandbox(
    (s) => {
      sandbox = s;
    },
    { exportTiming: { pendingMs: 600_000, runningMs: 1 } },
  );

  it('makes the run say its walk was left (the slot is taken), with the group not listed', async () => {
    seedExpired(sandbox, '/app/orders');
    const config = testConfig(sandbox, { days: 7 });
    const deadline = { remainingMs: () => (sandbox.countCalls('CreateExportTask') > 0 ? 0 : 600_000) };
    const out = await runCwlTrim(config, testDeps(sandbox, config, { deadline }));
    expect(out.result).toMatchObject({ deadlineReached: true, walkLeft: true, outcome: 'partial' });
    expect(out.result?.groups[0]).toMatchObject({ exports: [{ status: 'deadline', started: true }], streams: [] });
    expect(sandbox.streamNames('/app/orders')).toEqual(['expired-000']);
  });
});
