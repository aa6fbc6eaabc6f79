/**
 * DELETE_EMPTY_GROUPS at execution: the re-check before DeleteLogGroup (a producer may have created a
 * stream or a filter since the plan), the deadline, and what is reported when the delete fails, is
 * refused, or finds the group gone. The module is called as the run calls it, against the sandbox.
 */
import { describe, expect, it } from 'vitest';
import type { Deps } from '../../src/deps.js';
import { deleteEmptyGroup } from '../../src/execute/deleteEmptyGroup.js';
import { LOCK_STREAM_NAME } from '../../src/plan/lockState.js';
import type { GroupPlan } from '../../src/plan/planTypes.js';
import { runCwlTrim } from '../../src/run.js';
import type { Sandbox } from '@cwl-trim/sandbox';
import { MS_PER_DAY, history, testConfig, testDeps } from '../helpers/runHarness.js';
import { HOUR, NOW, useRunSandbox } from '../helpers/scenario.js';

let sandbox: Sandbox;
useRunSandbox((s) => {
  sandbox = s;
});

const GROUP = '/app/old-batch';
const PLANNED = 'no stream and no filter left';
const plan = { logGroupName: GROUP, deleteGroup: { detail: PLANNED } } as unknown as GroupPlan;

function deps(overrides: Partial<Deps> = {}): Deps {
  const config = testConfig(sandbox, { days: 7, deleteEmptyGroups: true });
  return { ...testDeps(sandbox, config), ...overrides };
}

const emptyGroup = (): void => sandbox.seedGroup(GROUP, { creationTimeMs: NOW - 60 * MS_PER_DAY });

describe('the re-check before DeleteLogGroup', () => {
  it('deletes a group still empty, reporting the plan’s detail', async () => {
    emptyGroup();
    await expect(deleteEmptyGroup(deps(), plan)).resolves.toEqual({ outcome: 'deleted', detail: PLANNED });
    expect(sandbox.groupNames()).not.toContain(GROUP);
  });

  it('an old in-group lock stream does not count as a stream', async () => {
    emptyGroup();
    sandbox.seedStream(GROUP, LOCK_STREAM_NAME, []);
    await expect(deleteEmptyGroup(deps(), plan)).resolves.toEqual({ outcome: 'deleted', detail: PLANNED });
    expect(sandbox.groupNames()).not.toContain(GROUP);
  });

  it.each([
    ['a stream', [] as string[]],
    ['a stream beside an old lock stream', [LOCK_STREAM_NAME]],
  ])('keeps a group that received %s since the plan', async (_what, others) => {
    emptyGroup();
    for (const name of others) sandbox.seedStream(GROUP, name, []);
    sandbox.seedStream(GROUP, 'i-new', history('i-new', NOW - HOUR, NOW, HOUR));
    await expect(deleteEmptyGroup(deps(), plan)).resolves.toEqual({
      outcome: 'skipped',
      detail: 'a stream was created since the plan; the group is kept',
    });
    expect(sandbox.groupNames()).toContain(GROUP);
    expect(sandbox.calls.filter((c) => c.operation === 'DeleteLogGroup')).toEqual([]);
  });

  it.each([
    ['subscription', (s: Sandbox) => s.seedSubscriptionFilter(GROUP, 'ship')],
    ['metric', (s: Sandbox) => s.seedMetricFilter(GROUP, 'errors')],
  ])('keeps a group that received a %s filter since the plan', async (_kind, add) => {
    emptyGroup();
    add(sandbox);
    await expect(deleteEmptyGroup(deps(), plan)).resolves.toEqual({
      outcome: 'skipped',
      detail: 'a filter was added since the plan; the group is kept',
    });
    expect(sandbox.groupNames()).toContain(GROUP);
  });

  it('a metric filter on another group does not keep this one', async () => {
    emptyGroup();
    sandbox.seedGroup('/app/other', { creationTimeMs: NOW - 60 * MS_PER_DAY });
    sandbox.seedMetricFilter('/app/other', 'errors');
    await expect(deleteEmptyGroup(deps(), plan)).resolves.toEqual({ outcome: 'deleted', detail: PLANNED });
    expect(sandbox.groupNames()).toEqual(['/app/other']);
  });
});

describe('the deadline, and a delete that fails', () => {
  it('a deadline reached (0 ms left) skips the deletion before any call', async () => {
    emptyGroup();
    sandbox.clearCalls();
    await expect(deleteEmptyGroup(deps({ deadline: { remainingMs: () => 0 } }), plan)).resolves.toEqual({
      outcome: 'skipped',
      detail: 'not reached before the deadline',
    });
    expect(sandbox.calls).toEqual([]);
    expect(sandbox.groupNames()).toContain(GROUP);
  });

  it('a group already gone counts as deleted', async () => {
    emptyGroup();
    sandbox.injectFault({
      operation: 'DeleteLogGroup',
      error: { name: 'ResourceNotFoundException', message: 'The specified log group does not exist.', status: 400 },
    });
    await expect(deleteEmptyGroup(deps(), plan)).resolves.toEqual({ outcome: 'deleted', detail: 'already gone' });
  });

  it('a refused delete is reported failed with the error’s name and message; the group stays', async () => {
    emptyGroup();
    sandbox.injectFault({
      operation: 'DeleteLogGroup',
      error: { name: 'AccessDeniedException', message: 'not allowed to logs:DeleteLogGroup', status: 400 },
    });
    await expect(deleteEmptyGroup(deps(), plan)).resolves.toEqual({
      outcome: 'failed',
      detail: 'AccessDeniedException: not allowed to logs:DeleteLogGroup',
    });
    expect(sandbox.groupNames()).toContain(GROUP);
  });

  it('a whole run reports the refused delete in the group’s result', async () => {
    sandbox.seedGroup(GROUP, { creationTimeMs: NOW - 60 * MS_PER_DAY });
    for (const name of ['a', 'b'])
      sandbox.seedStream(GROUP, name, history(name, NOW - 40 * MS_PER_DAY, NOW - 30 * MS_PER_DAY, 6 * HOUR));
    const config = testConfig(sandbox, { days: 7, deleteEmptyGroups: true });
    expect((await runCwlTrim(config, testDeps(sandbox, config))).result?.outcome).toBe('done');
    sandbox.injectFault({
      operation: 'DeleteLogGroup',
      error: { name: 'AccessDeniedException', message: 'no logs:DeleteLogGroup on this group', status: 400 },
    });
    const out = await runCwlTrim(config, testDeps(sandbox, config));
    expect(out.result?.groups[0]?.groupDeletion).toEqual({
      outcome: 'failed',
      detail: 'AccessDeniedException: no logs:DeleteLogGroup on this group',
    });
    expect(sandbox.groupNames()).toContain(GROUP);
  });
});
