import {
  CancelExportTaskCommand,
  CreateExportTaskCommand,
  DescribeExportTasksCommand,
  PutLogEventsCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import type { CloudWatchLogsClient, CreateExportTaskCommandInput, ExportTask } from '@aws-sdk/client-cloudwatch-logs';
import { beforeEach, describe, expect, it } from 'vitest';
const MS_PER_HOUR = 3_600_000;
const MS_PER_DAY = 24 * MS_PER_HOUR;
import { eventually, expectAwsError, useSandbox } from './helpers/sandboxHarness.js';
import type { SandboxHarness } from './helpers/sandboxHarness.js';

const quick = useSandbox({
  quotasTps: false,
  exportTiming: { pendingMs: 10, runningMs: 20 },
  exportChunkEvents: 1_000,
});
/** Long enough to watch each status go by, even on a busy machine. */
const medium = useSandbox({ quotasTps: false, exportTiming: { pendingMs: 250, runningMs: 250 } });
/** Tasks here stay PENDING for the whole test: the single export slot stays taken. */
const stuck = useSandbox({ quotasTps: false, exportTiming: { pendingMs: 600_000, runningMs: 600_000 } });

const NOW = Date.now();
const DAY0 = NOW - 30 * MS_PER_DAY;

function seed(h: SandboxHarness): void {
  h.sandbox.createBucket('archive');
  h.sandbox.seedGroup('/app', { creationTimeMs: DAY0 - MS_PER_DAY });
  for (const stream of ['app/1', 'app-2', 'other']) {
    h.sandbox.seedStream(
      '/app',
      stream,
      Array.from({ length: 30 }, (_, d) => ({ timestamp: DAY0 + d * MS_PER_DAY, message: `${stream} day ${d}` })),
    );
  }
}

const create = (logs: CloudWatchLogsClient, input: Partial<CreateExportTaskCommandInput> = {}) =>
  logs.send(
    new CreateExportTaskCommand({
      logGroupName: '/app',
      from: DAY0,
      to: NOW,
      destination: 'archive',
      destinationPrefix: 'x',
      ...input,
    }),
  );

async function describeTask(logs: CloudWatchLogsClient, taskId: string | undefined): Promise<ExportTask> {
  const res = await logs.send(new DescribeExportTasksCommand({ taskId }));
  const task = res.exportTasks?.[0];
  if (!task) throw new Error(`no task ${taskId}`);
  return task;
}

const settled = (logs: CloudWatchLogsClient, taskId: string | undefined) =>
  eventually(async () => {
    const task = await describeTask(logs, taskId);
    return ['COMPLETED', 'FAILED', 'CANCELLED'].includes(task.status?.code ?? '') ? task : undefined;
  });

beforeEach(() => {
  seed(quick);
  seed(medium);
  seed(stuck);
});

describe('export task lifecycle', () => {
  it('moves PENDING → RUNNING → COMPLETED and records creation and completion times', async () => {
    const { taskId } = await create(medium.logs);
    const seen: string[] = [];
    const done = await eventually(async () => {
      const task = await describeTask(medium.logs, taskId);
      if (seen.at(-1) !== task.status?.code) seen.push(task.status?.code ?? '');
      return task.status?.code === 'COMPLETED' ? task : undefined;
    });
    expect(seen).toEqual(['PENDING', 'RUNNING', 'COMPLETED']);
    expect(done.status?.message).toBe('Completed successfully');
    expect(done.executionInfo?.completionTime).toBeGreaterThanOrEqual(done.executionInfo?.creationTime ?? Infinity);
  });

  it('writes the marker and one gzip object per matching stream at <prefix>/<taskId>/<stream>/000000.gz', async () => {
    const from = DAY0 + 10 * MS_PER_DAY;
    const to = DAY0 + 12 * MS_PER_DAY; // inclusive: days 10, 11, 12
    const { taskId } = await create(quick.logs, { logStreamNamePrefix: 'app', from, to });
    await settled(quick.logs, taskId);
    expect(quick.sandbox.objects('archive').map((o) => o.key)).toEqual(
      ['x/aws-logs-write-test', `x/${taskId}/app-2/000000.gz`, `x/${taskId}/app/1/000000.gz`].sort(),
    );
    const [file] = quick.sandbox.readExport('archive', `x/${taskId}/app/1/`);
    expect(file?.lines).toEqual([
      `${new Date(from).toISOString()} app/1 day 10`,
      `${new Date(from + MS_PER_DAY).toISOString()} app/1 day 11`,
      `${new Date(to).toISOString()} app/1 day 12`,
    ]);
  });

  it('writes nothing for a stream without events in range and defaults the prefix to exportedlogs', async () => {
    const { taskId } = await create(quick.logs, { destinationPrefix: undefined, from: NOW - MS_PER_HOUR, to: NOW });
    const task = await settled(quick.logs, taskId);
    expect(task.status?.code).toBe('COMPLETED');
    expect(quick.sandbox.objects('archive').map((o) => o.key)).toEqual(['exportedlogs/aws-logs-write-test']);
  });

  it('has no 10,000-event cap and chunks every exportChunkEvents events', async () => {
    const events = Array.from({ length: 12_345 }, (_, i) => ({ timestamp: DAY0 + i, message: `e${i}` }));
    quick.sandbox.seedStream('/app', 'busy', events);
    const { taskId } = await create(quick.logs, { logStreamNamePrefix: 'busy' });
    await settled(quick.logs, taskId);
    const files = quick.sandbox.readExport('archive', `x/${taskId}/busy/`);
    expect(files.map((f) => f.key.split('/').at(-1))).toEqual(
      Array.from({ length: 13 }, (_, i) => `${String(i).padStart(6, '0')}.gz`),
    );
    expect(files.flatMap((f) => f.lines)).toHaveLength(12_345);
  });

  it('exports the events as they were when the task was created', async () => {
    quick.sandbox.seedStream('/app', 'live', [{ timestamp: NOW - 2_000, message: 'before' }]);
    const { taskId } = await create(quick.logs, { logStreamNamePrefix: 'live', from: NOW - MS_PER_HOUR, to: NOW });
    await quick.logs.send(
      new PutLogEventsCommand({
        logGroupName: '/app',
        logStreamName: 'live',
        logEvents: [{ timestamp: NOW - 1_000, message: 'after' }],
      }),
    );
    await settled(quick.logs, taskId);
    const lines = quick.sandbox.readExport('archive', `x/${taskId}/`).flatMap((f) => f.lines);
    expect(lines).toEqual([`${new Date(NOW - 2_000).toISOString()} before`]);
  });

  it('ends FAILED when the bucket disappears before the task completes', async () => {
    const { taskId } = await create(medium.logs);
    medium.sandbox.deleteBucket('archive');
    const task = await settled(medium.logs, taskId);
    expect(task.status?.code).toBe('FAILED');
    expect(task.status?.message).toMatch(/bucket/);
  });

  it('ends FAILED with the message given to failNextExport, once', async () => {
    quick.sandbox.failNextExport('disk on fire');
    const failed = await settled(quick.logs, (await create(quick.logs)).taskId);
    const next = await settled(quick.logs, (await create(quick.logs)).taskId);
    expect(failed.status).toEqual({ code: 'FAILED', message: 'disk on fire' });
    expect(next.status?.code).toBe('COMPLETED');
  });
});

describe('the single export slot and cancellation', () => {
  it('allows one active task per account: a second answers LimitExceededException', async () => {
    const first = await create(stuck.logs);
    const err = await expectAwsError(create(stuck.logs), 'LimitExceededException');
    expect(err.message).toBe('Resource limit exceeded.');
    await stuck.logs.send(new CancelExportTaskCommand({ taskId: first.taskId }));
    await create(stuck.logs);
  });

  it('cancels a PENDING task, then refuses to cancel it again', async () => {
    const { taskId } = await create(stuck.logs);
    await stuck.logs.send(new CancelExportTaskCommand({ taskId }));
    expect((await describeTask(stuck.logs, taskId)).status?.code).toBe('CANCELLED');
    await expectAwsError(stuck.logs.send(new CancelExportTaskCommand({ taskId })), 'InvalidOperationException');
    await expectAwsError(stuck.logs.send(new CancelExportTaskCommand({ taskId: 'nope' })), 'ResourceNotFoundException');
    expect(stuck.sandbox.objects('archive').map((o) => o.key)).toEqual(['x/aws-logs-write-test']);
  });

  it('pages DescribeExportTasks 50 at a time and filters by statusCode', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 55; i++) {
      const { taskId } = await create(stuck.logs);
      ids.push(taskId ?? '');
      if (i < 54) await stuck.logs.send(new CancelExportTaskCommand({ taskId }));
    }
    const first = await stuck.logs.send(new DescribeExportTasksCommand({}));
    const second = await stuck.logs.send(new DescribeExportTasksCommand({ nextToken: first.nextToken }));
    expect(first.exportTasks).toHaveLength(50);
    expect(second.nextToken).toBeUndefined();
    expect([...(first.exportTasks ?? []), ...(second.exportTasks ?? [])].map((t) => t.taskId)).toEqual(ids);
    const pending = await stuck.logs.send(new DescribeExportTasksCommand({ statusCode: 'PENDING' }));
    expect(pending.exportTasks?.map((t) => t.taskId)).toEqual([ids[54]]);
  });
});

describe('CreateExportTask validation', () => {
  it('refuses a missing bucket, a reversed range, a range before the group existed and IA groups', async () => {
    const bucketErr = await expectAwsError(
      create(quick.logs, { destination: 'no-such-bucket' }),
      'InvalidParameterException',
    );
    expect(bucketErr.message).toMatch(/GetBucketAcl/);
    await expectAwsError(create(quick.logs, { from: NOW, to: NOW - 1 }), 'InvalidParameterException');
    await expectAwsError(create(quick.logs, { from: 0, to: DAY0 - 2 * MS_PER_DAY }), 'InvalidParameterException');
    quick.sandbox.seedGroup('/ia', { logGroupClass: 'INFREQUENT_ACCESS', creationTimeMs: DAY0 });
    await expectAwsError(create(quick.logs, { logGroupName: '/ia' }), 'InvalidParameterException');
    await expectAwsError(create(quick.logs, { logGroupName: '/nope' }), 'ResourceNotFoundException');
    expect(quick.sandbox.objects('archive')).toEqual([]);
  });
});
