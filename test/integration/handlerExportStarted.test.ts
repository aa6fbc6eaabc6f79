/**
 * A large export outlasts an invocation (issue 11): the invocation that started its task made progress
 * and continues the chain; one that only waited on a task an earlier one started did not (a stuck task
 * ends the chain). Literal run results, no AWS.
 */
import { describe, expect, it } from 'vitest';
import { continuationDecision } from '../../src/plan/continuation.js';
import type { GroupResult, RunOutput } from '../../src/plan/results.js';
import { runCwlTrim } from '../../src/run.js';
import type { Sandbox } from '@cwl-trim/sandbox';
import { testConfig, testDeps } from '../helpers/runHarness.js';
import { seedOrders, useRunSandbox } from '../helpers/scenario.js';
import type { Plan } from '../../src/plan/planTypes.js';

const waiting = (started: boolean): RunOutput => {
  const group: GroupResult = {
    logGroupName: '/aws/lambda/huge',
    exports: [{ fromMs: 0, toMs: 9, status: 'deadline', taskId: 't', ...(started ? { started: true } : {}) }],
    streams: [],
  };
  return {
    plan: {} as Plan,
    result: {
      startedAtMs: 0,
      finishedAtMs: 1,
      resumedRebuilds: [],
      groups: [group],
      deadlineReached: true,
      outcome: 'partial',
    },
  };
};

it('continues after starting an export task it could not see to the end, and stops after only waiting on one', () => {
  expect(continuationDecision(waiting(true), 0, 1000)).toMatchObject({ continue: true });
  expect(continuationDecision(waiting(false), 1, 1000)).toMatchObject({
    continue: false,
    reason: expect.stringContaining('no progress'),
  });
});

describe('an export left in flight', () => {
  let sandbox: Sandbox;
  useRunSandbox(
    (s) => {
      sandbox = s;
    },
    { exportTiming: { pendingMs: 600_000, runningMs: 1 } },
  );

  it('is marked started by the run that created its task, not by the one that waited on it', async () => {
    seedOrders(sandbox);
    const config = testConfig(sandbox, { days: 7 });
    // Time is up as soon as the task exists: the run leaves it in flight.
    const deadline = { remainingMs: () => (sandbox.countCalls('CreateExportTask') > 0 ? 0 : 600_000) };
    const first = await runCwlTrim(config, testDeps(sandbox, config, { deadline }));
    expect(first.result?.groups[0]?.exports[0]).toMatchObject({ status: 'deadline', started: true });
    const polled = sandbox.countCalls('DescribeExportTasks');
    const second = await runCwlTrim(
      config,
      testDeps(sandbox, config, {
        deadline: { remainingMs: () => (sandbox.countCalls('DescribeExportTasks') > polled ? 0 : 600_000) },
      }),
    );
    expect(second.result?.groups[0]?.exports[0]).toMatchObject({ status: 'deadline' });
    expect(second.result?.groups[0]?.exports[0]?.started).toBeUndefined();
  });
});
