/**
 * CreateExportTask is not idempotent: after a lost answer or a crash before the task id is saved, the
 * task is looked for before another is created — among the active tasks, then (once it has ended)
 * by the objects it wrote under the window's own prefix. Each case counts the tasks the account got.
 */
import { DescribeExportTasksCommand } from '@aws-sdk/client-cloudwatch-logs';
import { describe, expect, it } from 'vitest';
import { runCwlTrim } from '../../src/run.js';
import type { Sandbox } from '@cwl-trim/sandbox';
import { crashBefore, s3Put } from '../helpers/crash.js';
import { testConfig, testDeps } from '../helpers/runHarness.js';
import { sandboxClients } from '@cwl-trim/sandbox/testing';
import { expectInvariant, seedOrders, useRunSandbox } from '../helpers/scenario.js';

let sandbox: Sandbox;
useRunSandbox((s) => {
  sandbox = s;
});

const accepted = (): number =>
  sandbox.calls.filter((c) => c.operation === 'CreateExportTask' && c.error === undefined).length;

/** Waits (real time, bounded) until the account has no PENDING or RUNNING export task. */
async function allTasksEnded(): Promise<void> {
  const { logs, destroy } = sandboxClients(sandbox.endpoint, sandbox.region);
  try {
    for (let i = 0; i < 200; i += 1) {
      const { exportTasks = [] } = await logs.send(new DescribeExportTasksCommand({}));
      if (exportTasks.every((t) => t.status?.code !== 'PENDING' && t.status?.code !== 'RUNNING')) return;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    throw new Error('export tasks still active after 4 s');
  } finally {
    destroy();
  }
}

/** The export tasks the account holds, whatever their status. */
async function tasks(): Promise<number> {
  const { logs, destroy } = sandboxClients(sandbox.endpoint, sandbox.region);
  try {
    return ((await logs.send(new DescribeExportTasksCommand({}))).exportTasks ?? []).length;
  } finally {
    destroy();
  }
}

describe('an export task whose id was never saved', () => {
  it('is found by its objects once it has COMPLETED: the next run exports nothing twice', async () => {
    const seeded = seedOrders(sandbox);
    const config = testConfig(sandbox, { days: 7, forceRebuild: true });
    const crashed = testDeps(sandbox, config);
    crashBefore(
      crashed,
      s3Put('/state/groups/', (b) => b.includes('"inFlight"') && b.includes('"taskId"')),
    );
    await runCwlTrim(config, crashed);
    expect(accepted()).toBe(1);
    await allTasksEnded();

    const second = await runCwlTrim(config, testDeps(sandbox, config));
    expect(second.result?.outcome).toBe('done');
    expect(accepted()).toBe(1);
    expectInvariant(sandbox, seeded, second.plan.cutoffMs);
  });

  it('is found among the active tasks after CreateExportTask’s answer is lost: one task, not two', async () => {
    const seeded = seedOrders(sandbox);
    const config = testConfig(sandbox, { days: 7, forceRebuild: true });
    sandbox.injectFault({ operation: 'CreateExportTask', nth: 1, dropResponse: true });
    const out = await runCwlTrim(config, testDeps(sandbox, config));
    expect(out.result?.outcome).toBe('done');
    expect(await tasks()).toBe(1);
    expectInvariant(sandbox, seeded, out.plan.cutoffMs);
  });
});
