import {
  CreateExportTaskCommand,
  DescribeExportTasksCommand,
  type DescribeExportTasksCommandOutput,
} from '@aws-sdk/client-cloudwatch-logs';
import { describe, expect, it } from 'vitest';
import { loadGroupState } from '../../src/archive/stateStore.js';
import { runCwlTrim } from '../../src/run.js';
import { createSandboxClock, startSandbox, type Sandbox } from '@cwl-trim/sandbox';
import { command, crashBefore, s3Put } from '../helpers/crash.js';
import { BUCKET, MS_PER_DAY, scaledQuotas, testConfig, testDeps } from '../helpers/runHarness.js';
import { sandboxClients } from '@cwl-trim/sandbox/testing';
import { expectInvariant, GROUP, NOW, seedOrders, useRunSandbox } from '../helpers/scenario.js';
import { countWork } from '../helpers/lockCalls.js';

let sandbox: Sandbox;
// Tasks stay PENDING for 300 ms: the deadline test must see its task still active at the first poll,
// which a loaded machine may not send within the default 70 ms.
useRunSandbox(
  (s) => {
    sandbox = s;
  },
  { exportTiming: { pendingMs: 300, runningMs: 50 } },
);

/** The windows of every export task the sandbox accepted. */
const createdWindows = (): [number, number][] =>
  sandbox.calls
    .filter((c) => c.operation === 'CreateExportTask' && c.error === undefined)
    .map((c) => [(c.input as { from: number }).from, (c.input as { to: number }).to]);

const stateBody =
  (has: string[], hasNot: string[] = []) =>
  (body: string) =>
    has.every((s) => body.includes(s)) && hasNot.every((s) => !body.includes(s));

/** The crash points of an export, each named by the call the process dies before. */
const CRASH_POINTS = [
  ['before CreateExportTask', command('CreateExportTask')],
  [
    'after CreateExportTask, before its task id is saved',
    s3Put('/state/groups/', stateBody(['"inFlight"', '"taskId"'])),
  ],
  ['while waiting for the task', command('DescribeExportTasks', (input) => input.taskId !== undefined)],
  ['after COMPLETED, before the manifest', s3Put('/manifest.json')],
  [
    'after the manifest, before the watermark moves',
    s3Put('/state/groups/', stateBody(['"archivedThroughMs"'], ['"inFlight"'])),
  ],
] as const;

describe('an export interrupted at any step is finished by the next run', () => {
  it.each(CRASH_POINTS)('crash %s: no window lost, none exported twice', async (_name, predicate) => {
    const seeded = seedOrders(sandbox);
    const config = testConfig(sandbox, { days: 7, forceRebuild: true });
    const crashed = testDeps(sandbox, config);
    const crash = crashBefore(crashed, predicate);
    const first = await runCwlTrim(config, crashed);
    expect(crash.fired()).toBe(true);
    expect(first.result?.outcome).toBe('failed');
    // Nothing was trimmed: the window is not verified.
    expect(sandbox.streamNames(GROUP)).toHaveLength(7);

    const second = await runCwlTrim(config, testDeps(sandbox, config));
    expect(second.result?.outcome).toBe('done');
    expect(createdWindows()).toEqual([[expect.any(Number), second.plan.cutoffMs - 1]]);
    expectInvariant(sandbox, seeded, second.plan.cutoffMs);
  });

  it('finds a task that already completed after a crash before its id was saved', async () => {
    const seeded = seedOrders(sandbox);
    const config = testConfig(sandbox, { days: 7, forceRebuild: true });
    const crashed = testDeps(sandbox, config);
    crashBefore(crashed, CRASH_POINTS[1][1]);
    await runCwlTrim(config, crashed);
    await new Promise((resolve) => setTimeout(resolve, 150)); // the orphaned task completes meanwhile
    const second = await runCwlTrim(config, testDeps(sandbox, config));
    expect(second.result?.outcome).toBe('done');
    expect(createdWindows()).toHaveLength(1);
    expectInvariant(sandbox, seeded, second.plan.cutoffMs);
  });

  it('stops at its deadline while waiting, and the next run resumes the same task', async () => {
    const seeded = seedOrders(sandbox);
    const config = testConfig(sandbox, { days: 7, forceRebuild: true });
    let expired = false;
    const deps = testDeps(sandbox, config, { deadline: { remainingMs: () => (expired ? 0 : 60_000) } });
    crashBefore(deps, () => false); // no crash: the deadline is what stops it
    const { clients } = deps;
    const send = clients.logs.send.bind(clients.logs);
    (clients.logs as unknown as { send: typeof send }).send = (async (cmd: Parameters<typeof send>[0]) => {
      const out = await send(cmd);
      if (cmd instanceof CreateExportTaskCommand) expired = true;
      // The sandbox's task ends within ~70 ms of real time: on a loaded machine it may have ended by
      // the first poll. The deadline is what this test is about, so the first poll sees it running.
      if (cmd instanceof DescribeExportTasksCommand && expired) {
        const tasks = (out as DescribeExportTasksCommandOutput).exportTasks ?? [];
        return { ...out, exportTasks: tasks.map((t) => ({ ...t, status: { code: 'RUNNING' } })) };
      }
      return out;
    }) as typeof send;
    const first = await runCwlTrim(config, deps);
    expect(first.result?.outcome).toBe('partial');
    expect(first.result?.groups[0]?.exports[0]?.status).toBe('deadline');
    expect(first.result?.deadlineReached).toBe(true);
    const state = await loadGroupState(deps, config, GROUP);
    expect(state.state.inFlight?.taskId).toBeDefined();
    expect(state.state.archivedThroughMs).toBeUndefined();

    const second = await runCwlTrim(config, testDeps(sandbox, config));
    expect(second.result?.outcome).toBe('done');
    expect(second.result?.groups[0]?.exports[0]?.taskId).toBe(state.state.inFlight?.taskId);
    expect(createdWindows()).toHaveLength(1);
    expectInvariant(sandbox, seeded, second.plan.cutoffMs);
  });
});

describe('the export slot and failed tasks', () => {
  it('waits while another party holds the one export slot, then succeeds', async () => {
    // Their task holds the slot for 0.3 + 0.6 s; ours must wait for it, not fail.
    const slow = await startSandbox({
      quotasTps: scaledQuotas(20),
      clock: createSandboxClock(NOW, { frozen: true }),
      exportTiming: { pendingMs: 300, runningMs: 600 },
    });
    try {
      slow.createBucket(BUCKET);
      const seeded = seedOrders(slow);
      slow.createBucket('someone-else');
      slow.seedGroup('their-group', { creationTimeMs: NOW - 30 * MS_PER_DAY });
      const { logs, destroy } = sandboxClients(slow.endpoint, slow.region);
      await logs.send(
        new CreateExportTaskCommand({
          logGroupName: 'their-group',
          from: NOW - MS_PER_DAY,
          to: NOW,
          destination: 'someone-else',
        }),
      );
      destroy();
      const config = testConfig(slow, {
        days: 7,
        forceRebuild: true,
        selection: { names: [GROUP], prefixes: [], excludePrefixes: [] },
      });
      const { result, plan } = await runCwlTrim(config, testDeps(slow, config));
      const refused = slow.calls.filter(
        (c) => c.operation === 'CreateExportTask' && c.error === 'LimitExceededException',
      );
      expect(refused.length).toBeGreaterThan(0);
      expect(result?.outcome).toBe('done');
      expectInvariant(slow, seeded, plan.cutoffMs);
    } finally {
      await slow.stop();
    }
  });

  it('leaves the watermark and every stream alone when the task ends FAILED, and the next run archives', async () => {
    const seeded = seedOrders(sandbox);
    sandbox.failNextExport('simulated failure');
    const config = testConfig(sandbox, { days: 7, forceRebuild: true });
    const deps = testDeps(sandbox, config);
    const first = await runCwlTrim(config, deps);
    expect(first.result?.outcome).toBe('failed');
    expect(first.result?.groups[0]?.exports[0]).toMatchObject({ status: 'failed' });
    expect(first.result?.groups[0]?.exports[0]?.message).toContain('FAILED');
    const state = await loadGroupState(deps, config, GROUP);
    expect(state.state.archivedThroughMs).toBeUndefined();
    expect(state.state.inFlight).toBeUndefined();
    expect(countWork(sandbox, 'DeleteLogStream')).toBe(0);
    expect(countWork(sandbox, 'PutLogEvents')).toBe(0);

    sandbox.clock.advance(MS_PER_DAY);
    const second = await runCwlTrim(config, testDeps(sandbox, config));
    expect(second.result?.outcome).toBe('done');
    expectInvariant(sandbox, seeded, second.plan.cutoffMs);
  });
});
