/**
 * A large export outlasts an invocation (issue 11): the invocation that started its task made progress
 * and continues the chain; one that only waited on a task an earlier one started did not (a stuck task
 * ends the chain). Literal run results, no AWS.
 */
import { DescribeExportTasksCommand } from '@aws-sdk/client-cloudwatch-logs';
import { describe, expect, it } from 'vitest';
import { PART_OBJECTS } from '../../src/archive/exportManifest.js';
import { continuationDecision } from '../../src/plan/continuation.js';
import type { GroupResult, RunOutput } from '../../src/plan/results.js';
import { runCwlTrim } from '../../src/run.js';
import type { Sandbox } from '@cwl-trim/sandbox';
import { seedOrders, useRunSandbox } from '../helpers/scenario.js';
import { MS_PER_DAY, testConfig, testDeps } from '../helpers/runHarness.js';
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
    // Still running at the last poll: waiting on it is the work there is, and the chain goes on.
    const taskId = second.result?.groups[0]?.exports[0]?.taskId;
    const { exportTasks } = await testDeps(sandbox, config).clients.logs.send(
      new DescribeExportTasksCommand({ taskId }),
    );
    expect(exportTasks?.[0]?.status?.code).toBe('PENDING');
    expect(second.result?.groups[0]?.exports[0]?.runningSinceMs).toBe(exportTasks?.[0]?.executionInfo?.creationTime);
    expect(continuationDecision(second, 1, 1000)).toMatchObject({ continue: true });
  });
});

const GROUP = '/aws/lambda/huge';

describe('a group whose export is left in flight', () => {
  let sandbox: Sandbox;
  useRunSandbox(
    (s) => {
      sandbox = s;
    },
    { exportTiming: { pendingMs: 300, runningMs: 1 } },
  );

  it('is not listed until its export is verified, then listed once from the start', async () => {
    const now = sandbox.clock.now();
    sandbox.seedGroup(GROUP, { creationTimeMs: now - 61 * MS_PER_DAY });
    for (let i = 0; i < 120; i += 1)
      sandbox.seedStream(GROUP, `expired-${String(i).padStart(3, '0')}`, [
        { timestamp: now - 30 * MS_PER_DAY + i, message: `event ${i}` },
      ]);
    const config = testConfig(sandbox, { days: 7 });
    // Less time left than one poll once the task exists: the export is left in flight, the run goes on.
    const deadline = { remainingMs: () => (sandbox.countCalls('CreateExportTask') > 0 ? 3 : 600_000) };
    const first = await runCwlTrim(config, testDeps(sandbox, config, { deadline }));
    expect(first.result?.groups[0]?.exports[0]).toMatchObject({ status: 'deadline', started: true });
    const created = sandbox.calls.findIndex((c) => c.operation === 'CreateExportTask');
    const listedAfter = sandbox.calls.slice(created).filter((c) => c.operation === 'DescribeLogStreams');
    expect(listedAfter).toEqual([]);
    expect(first.result?.groups[0]?.tally?.outcomes.done ?? 0).toBe(0);

    sandbox.clearCalls();
    const second = await runCwlTrim(config, testDeps(sandbox, config));
    expect(second.result?.outcome).toBe('done');
    expect(second.result?.groups[0]?.tally?.deleted).toBe(120);
    // One pass over 121 streams (the lock's own among them): three pages, none read twice.
    const listing = sandbox.calls
      .filter((c) => c.operation === 'DescribeLogStreams')
      .map((c) => c.input as { orderBy?: string; logStreamNamePrefix?: string; nextToken?: string })
      .filter((input) => input.orderBy === undefined && input.logStreamNamePrefix === undefined);
    expect(listing.map((input) => input.nextToken === undefined)).toEqual([true, false, false]);
  });
});

describe('the verification of an export larger than an invocation can list', () => {
  let sandbox: Sandbox;
  useRunSandbox(
    (s) => {
      sandbox = s;
    },
    { exportTiming: { pendingMs: 1, runningMs: 1 } },
  );

  it('saves where it stood, continues the chain, and the next run lists after it', async () => {
    const now = sandbox.clock.now();
    const streams = 2 * PART_OBJECTS + 5;
    sandbox.seedGroup(GROUP, { creationTimeMs: now - 61 * MS_PER_DAY });
    sandbox.seedStreams(
      GROUP,
      Array.from({ length: streams }, (_, i) => ({
        name: `s-${String(i).padStart(6, '0')}`,
        events: [{ timestamp: now - 30 * MS_PER_DAY + i, message: `event ${i}` }],
      })),
    );
    const config = testConfig(sandbox, { days: 7 });
    const listings = (): { StartAfter?: string }[] =>
      sandbox.calls
        .filter(
          (c) => c.operation === 'ListObjectsV2' && (c.input as { Prefix?: string }).Prefix?.includes('/exports/'),
        )
        .map((c) => c.input as { StartAfter?: string });
    // Time is up once 12 pages of the export's objects were listed: one part of 10,000 is written.
    const first = await runCwlTrim(
      config,
      testDeps(sandbox, config, { deadline: { remainingMs: () => (listings().length >= 12 ? 0 : 600_000) } }),
    );
    expect(first.result?.groups[0]?.exports[0]).toMatchObject({ status: 'deadline', verificationAdvanced: true });
    expect(continuationDecision(first, 1, 1000)).toMatchObject({ continue: true });
    const before = listings().length;
    // The next run verifies the rest and stops right after the manifest is written (no deletes here).
    const manifestWritten = (): boolean =>
      sandbox.calls.some(
        (c) => c.operation === 'PutObject' && /\/manifest\.json$/.test((c.input as { Key: string }).Key),
      );
    const second = await runCwlTrim(
      config,
      testDeps(sandbox, config, { deadline: { remainingMs: () => (manifestWritten() ? 0 : 600_000) } }),
    );
    expect(second.result?.groups[0]?.exports[0]).toMatchObject({ status: 'archived', objects: streams });
    const resumed = listings().slice(before);
    expect(resumed[0]?.StartAfter).toMatch(/s-009999\/000000\.gz$/);
    expect(resumed.length).toBeLessThan(15);
  });
});
