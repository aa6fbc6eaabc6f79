import { describe, expect, it } from 'vitest';
import { createCallStats } from '../../../src/aws/callAws.js';
import { createLimiters } from '../../../src/aws/limiters.js';
import { waitForTask } from '../../../src/archive/runExport.js';
import { DEFAULT_EXPORT_POLL, type Deps } from '../../../src/deps.js';

/**
 * A task that runs for `durationMs` of virtual time; sleeping advances that time, so a 10-minute
 * task is polled in milliseconds of real time.
 */
function fakeDeps(durationMs: number, remainingMs = Number.POSITIVE_INFINITY) {
  let virtualMs = 0;
  let describes = 0;
  const sleeps: number[] = [];
  const send = async (command: { constructor: { name: string } }) => {
    if (command.constructor.name !== 'DescribeExportTasksCommand')
      throw new Error(`unexpected ${command.constructor.name}`);
    describes += 1;
    const code = virtualMs >= durationMs ? 'COMPLETED' : virtualMs < 1_000 ? 'PENDING' : 'RUNNING';
    return { exportTasks: [{ taskId: 't-1', status: { code } }] };
  };
  const deps = {
    clients: { logs: { send } },
    call: {
      limiters: createLimiters({ quotaShare: 1, quotasTps: { DescribeExportTasks: 10_000 } }),
      stats: createCallStats(),
    },
    sleep: async (ms: number) => {
      sleeps.push(ms);
      virtualMs += ms;
    },
    deadline: { remainingMs: () => remainingMs - virtualMs },
    exportPoll: DEFAULT_EXPORT_POLL,
  } as unknown as Deps;
  return { deps, describes: () => describes, elapsed: () => virtualMs, sleeps };
}

describe('waitForTask', () => {
  it('polls a task that takes 10 minutes a bounded number of times (backoff to a minute)', async () => {
    const fake = fakeDeps(10 * 60_000);
    const ended = await waitForTask(fake.deps, 't-1');
    expect(ended).toEqual({ code: 'COMPLETED' });
    // Backoff 2 s × 1.6ⁿ capped at 60 s, with jitter between half and all of it: at most ~30 polls.
    expect(fake.describes()).toBeLessThanOrEqual(30);
    expect(fake.describes()).toBeGreaterThanOrEqual(10);
    // It does not overshoot the task's end by more than one (capped) wait.
    expect(fake.elapsed()).toBeLessThan(10 * 60_000 + DEFAULT_EXPORT_POLL.maxMs);
  });

  it('polls a task that takes 2 hours with the wait capped at a minute', async () => {
    const fake = fakeDeps(2 * 3_600_000);
    await waitForTask(fake.deps, 't-1');
    expect(fake.describes()).toBeLessThanOrEqual(2 * 120 + 10);
  });

  it('never waits more than a minute between two polls, so a finished task is seen within a minute (the poll cap)', async () => {
    const fake = fakeDeps(2 * 3_600_000);
    await waitForTask(fake.deps, 't-1');
    // Literal figures, not DEFAULT_EXPORT_POLL's: raising the cap must fail here.
    expect(Math.max(...fake.sleeps)).toBeLessThanOrEqual(60_000);
    expect(fake.elapsed()).toBeLessThanOrEqual(2 * 3_600_000 + 60_000);
    // The backoff does reach the cap (jitter keeps each wait between half and all of it).
    expect(Math.max(...fake.sleeps)).toBeGreaterThanOrEqual(30_000);
  });

  it('returns at the deadline instead of sleeping past it', async () => {
    const fake = fakeDeps(10 * 60_000, 60_000);
    expect(await waitForTask(fake.deps, 't-1')).toBe('deadline');
    expect(fake.elapsed()).toBeLessThanOrEqual(60_000);
  });
});
