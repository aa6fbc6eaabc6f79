/**
 * runExport's guards one by one (src/archive/runExport.ts), against the sandbox with the real SDK
 * clients: the busy export slot waited out (growing waits, said on the progress line, cut by the
 * deadline), lost CreateExportTask answers (looked for after the settle wait, given up after four),
 * the search for our own task after a crash (only tasks of this bucket and window, active or
 * COMPLETED, found by the task folders under the window's prefix), and how an ended task is told.
 * Tasks the sandbox cannot make (another bucket's, ended without a message…) are added to its
 * DescribeExportTasks answers by the logs client.
 */
import { gzipSync } from 'node:zlib';
import {
  type CloudWatchLogsClient,
  DescribeExportTasksCommand,
  type DescribeExportTasksCommandInput,
  type DescribeExportTasksCommandOutput,
  type ExportTask,
} from '@aws-sdk/client-cloudwatch-logs';
import { ListObjectsV2Command, type ListObjectsV2CommandOutput, type S3Client } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { exportPrefix } from '../../src/archive/keys.js';
import { type ExportHooks, runExport } from '../../src/archive/runExport.js';
import { loadGroupState } from '../../src/archive/stateStore.js';
import type { Backoff, Deps } from '../../src/deps.js';
import { createLogger } from '../../src/logger.js';
import type { InFlightExport, TimeWindow } from '../../src/types.js';
import type { Sandbox } from '@cwl-trim/sandbox';
import { BUCKET, MS_PER_DAY, history, testConfig, testDeps } from '../helpers/runHarness.js';
import { GROUP, useRunSandbox } from '../helpers/scenario.js';

let sandbox: Sandbox;
useRunSandbox((s) => {
  sandbox = s;
});

type Line = Record<string, unknown> & { msg: string; level: string };

/** An export task as DescribeExportTasks tells it, of our bucket unless said otherwise. */
const task = (taskId: string, destinationPrefix: string, rest: Partial<ExportTask> = {}): ExportTask => ({
  taskId,
  logGroupName: GROUP,
  destination: BUCKET,
  destinationPrefix,
  ...rest,
});

/**
 * runExport's deps against the sandbox: logs captured, progress lines and sleeps recorded (each
 * sleep really waits at most 10 ms), a deadline the test sets, and `extra` tasks added to every
 * DescribeExportTasks answer (listings honour the status filter; `describedAs` overrides what a
 * DescribeExportTasks by id says of one).
 */
function exporter(
  opts: {
    exportSlot?: Backoff;
    extra?: ExportTask[];
    describedAs?: Record<string, ExportTask | undefined>;
    /** Rewrites every ListObjectsV2 answer. */
    listing?: (out: ListObjectsV2CommandOutput) => ListObjectsV2CommandOutput;
  } = {},
) {
  const lines: Line[] = [];
  const progress: string[] = [];
  const sleeps: number[] = [];
  const describedIds: string[] = [];
  const deadline = { remainingMs: Number.POSITIVE_INFINITY };
  const config = testConfig(sandbox);
  const logger = createLogger({
    level: 'debug',
    runId: 'survivors',
    destination: { write: (s: string) => lines.push(JSON.parse(s) as Line) },
  });
  const base = testDeps(sandbox, config, {
    logger,
    progress: (line) => progress.push(line),
    sleep: async (ms) => {
      sleeps.push(ms);
      await new Promise((resolve) => setTimeout(resolve, Math.min(ms, 10)));
    },
    deadline: { remainingMs: () => deadline.remainingMs },
    ...(opts.exportSlot ? { exportSlot: opts.exportSlot } : {}),
  });
  const real = base.clients.logs;
  const extra = opts.extra ?? [];
  const logs = {
    send: async (command: unknown, ...rest: unknown[]) => {
      if (!(command instanceof DescribeExportTasksCommand))
        return (real.send as (c: unknown, ...r: unknown[]) => Promise<unknown>)(command, ...rest);
      const input: DescribeExportTasksCommandInput = command.input;
      if (input.taskId !== undefined) {
        describedIds.push(input.taskId);
        if (opts.describedAs && input.taskId in opts.describedAs) {
          const t = opts.describedAs[input.taskId];
          return { $metadata: {}, exportTasks: t ? [t] : [] };
        }
        const own = extra.find((t) => t.taskId === input.taskId);
        if (own) return { $metadata: {}, exportTasks: [own] };
      }
      const out = (await real.send(command)) as DescribeExportTasksCommandOutput;
      if (input.taskId !== undefined || input.nextToken !== undefined) return out;
      const listed = extra.filter((t) => input.statusCode === undefined || t.status?.code === input.statusCode);
      return { ...out, exportTasks: [...(out.exportTasks ?? []), ...listed] };
    },
  } as unknown as CloudWatchLogsClient;
  const realS3 = base.clients.s3;
  const { listing } = opts;
  const s3 = listing
    ? ({
        send: async (command: unknown, ...rest: unknown[]) => {
          const out = await (realS3.send as (c: unknown, ...r: unknown[]) => Promise<unknown>)(command, ...rest);
          return command instanceof ListObjectsV2Command ? listing(out as ListObjectsV2CommandOutput) : out;
        },
      } as unknown as S3Client)
    : realS3;
  const deps: Deps = { ...base, clients: { ...base.clients, logs, s3 } };
  return { deps, config, lines, progress, sleeps, describedIds, deadline };
}

const NOW = Date.UTC(2026, 10, 21, 12);
const WINDOW: TimeWindow = { fromMs: NOW - 10 * MS_PER_DAY, toMs: NOW - 5 * MS_PER_DAY };

function seedGroup(): void {
  sandbox.seedGroup(GROUP, { creationTimeMs: NOW - 20 * MS_PER_DAY });
  sandbox.seedStream(GROUP, 'stream-a', history('stream-a', WINDOW.fromMs, WINDOW.toMs, 6 * 3_600_000));
}

const destination = (config: { bucketPrefix: string }): string => exportPrefix(config.bucketPrefix, GROUP, WINDOW);

/** The intent a crashed run saved: its destination, no task id. */
const intent = (config: { bucketPrefix: string }, intentAtMs = NOW - 60_000): InFlightExport => ({
  ...WINDOW,
  destinationPrefix: destination(config),
  intentAtMs,
});

async function exportWindow(
  x: ReturnType<typeof exporter>,
  window: TimeWindow | InFlightExport = WINDOW,
  hooks: ExportHooks = {},
) {
  const ref = await loadGroupState(x.deps, x.config, GROUP);
  return runExport(x.deps, x.config, ref, window, hooks);
}

const accepted = (): number =>
  sandbox.calls.filter((c) => c.operation === 'CreateExportTask' && c.error === undefined).length;
const creates = (): number => sandbox.countCalls('CreateExportTask');
const logged = (x: { lines: Line[] }, msg: string): Line[] => x.lines.filter((l) => l.msg === msg);

describe('runExport: a busy export slot', () => {
  it('is waited out with growing waits, each said on the progress line (in seconds) and in the log', async () => {
    seedGroup();
    const x = exporter({ exportSlot: { initialMs: 2_000, maxMs: 100_000, factor: 2 } });
    sandbox.injectFault({
      operation: 'CreateExportTask',
      times: 2,
      error: { name: 'LimitExceededException', message: 'Resource limit exceeded.', status: 400 },
    });
    const out = await exportWindow(x);
    expect(out.status).toBe('archived');
    expect(accepted()).toBe(1);
    const [first, second] = x.sleeps;
    // Jitter keeps each wait between half and all of initialMs × factor^attempt.
    expect(first).toBeGreaterThanOrEqual(1_000);
    expect(first).toBeLessThanOrEqual(2_000);
    expect(second).toBeGreaterThanOrEqual(2_000);
    expect(second).toBeLessThanOrEqual(4_000);
    expect(x.progress.slice(0, 2)).toEqual([
      `export slot busy (another export task is running): retrying in ${Math.round(first! / 1_000)} s`,
      `export slot busy (another export task is running): retrying in ${Math.round(second! / 1_000)} s`,
    ]);
    expect(logged(x, 'export slot busy, waiting').map((l) => [l.logGroupName, l.delayMs])).toEqual([
      [GROUP, first],
      [GROUP, second],
    ]);
  });

  it('is not waited past the deadline: the run stops with no task and the window as it was', async () => {
    seedGroup();
    // Every wait is exactly 1 ms (half to all of 1, rounded); 0.5 ms are left.
    const x = exporter({ exportSlot: { initialMs: 1, maxMs: 1, factor: 1 } });
    x.deadline.remainingMs = 0.5;
    sandbox.injectFault({
      operation: 'CreateExportTask',
      error: { name: 'LimitExceededException', message: 'Resource limit exceeded.', status: 400 },
    });
    const out = await exportWindow(x);
    expect(out).toEqual({ status: 'deadline', window: WINDOW });
    expect(creates()).toBe(1);
    expect(x.sleeps).toEqual([]);
    expect(x.progress).toEqual([]);
  });

  it('is waited when the wait just fits in the time left (1 ms left, a 1 ms wait)', async () => {
    seedGroup();
    const x = exporter({ exportSlot: { initialMs: 1, maxMs: 1, factor: 1 } });
    x.deadline.remainingMs = 1;
    sandbox.injectFault({
      operation: 'CreateExportTask',
      error: { name: 'LimitExceededException', message: 'Resource limit exceeded.', status: 400 },
    });
    const out = await exportWindow(x);
    // The task is created on the second try; its first poll's wait (≥ 3 ms) no longer fits.
    expect(accepted()).toBe(1);
    expect(out).toMatchObject({ status: 'deadline', started: true, taskId: expect.any(String) });
    expect(x.sleeps[0]).toBe(1);
    expect(x.progress[0]).toBe('export slot busy (another export task is running): retrying in 1 ms');
  });
});

describe('runExport: a lost CreateExportTask answer', () => {
  it('waits the settle time (not the default 2 s), finds no task, creates it once and says so', async () => {
    seedGroup();
    const x = exporter();
    // The connection drops before the call is carried out: no task exists.
    sandbox.injectFault({ operation: 'CreateExportTask', drop: true });
    const out = await exportWindow(x);
    expect(out.status).toBe('archived');
    expect(creates()).toBe(2);
    expect(accepted()).toBe(1);
    // testDeps' settle: 5 ms, with jitter 3–5 ms.
    expect(x.sleeps[0]).toBeLessThanOrEqual(5);
    const warned = logged(x, 'CreateExportTask answer lost; looking for the task before creating another');
    expect(warned).toHaveLength(1);
    expect(warned[0]).toMatchObject({ level: 'warn', logGroupName: GROUP, err: expect.anything() });
  });

  it('is looked for four times at most: the fifth lost answer is thrown, after five creates', async () => {
    seedGroup();
    const x = exporter();
    // Six 503s: a sixth create (or a seventh) would be answered too.
    sandbox.injectFault({ operation: 'CreateExportTask', times: 6 });
    await expect(exportWindow(x)).rejects.toMatchObject({ name: 'ServiceUnavailableException' });
    expect(creates()).toBe(5);
    expect(accepted()).toBe(0);
    // The settle waits grow: 5 ms × 1.5ⁿ with jitter, capped at 40.
    const settles = x.sleeps.slice(0, 4);
    expect(settles).toHaveLength(4);
    expect(settles[3]).toBeGreaterThanOrEqual(Math.round((5 * 1.5 ** 3) / 2));
  });
});

describe('runExport: finding the task of a crashed run among the active ones', () => {
  it('takes neither another bucket’s task for this window nor this bucket’s task for another window', async () => {
    seedGroup();
    const probe = exporter();
    const dest = destination(probe.config);
    const x = exporter({
      extra: [
        task('other-window', `${dest}-other`, { status: { code: 'PENDING' } }),
        task('other-bucket', dest, { destination: 'someone-elses-bucket', status: { code: 'RUNNING' } }),
      ],
      // Were either adopted, it would be seen to end CANCELLED.
      describedAs: {
        'other-window': task('other-window', `${dest}-other`, { status: { code: 'CANCELLED' } }),
        'other-bucket': task('other-bucket', dest, {
          destination: 'someone-elses-bucket',
          status: { code: 'CANCELLED' },
        }),
      },
    });
    const out = await exportWindow(x, intent(x.config));
    expect(out.status).toBe('archived');
    expect(accepted()).toBe(1);
    if (out.status !== 'archived') throw new Error('not archived');
    expect(out.window.taskId).not.toMatch(/^other-/);
  });

  it('does not wait again on a task of this window that already FAILED (only PENDING and RUNNING are looked at)', async () => {
    seedGroup();
    const probe = exporter();
    const dest = destination(probe.config);
    const x = exporter({ extra: [task('failed-before', dest, { status: { code: 'FAILED', message: 'boom' } })] });
    const out = await exportWindow(x, intent(x.config));
    expect(out.status).toBe('archived');
    expect(accepted()).toBe(1);
  });

  it('reports a found task still running from CloudWatch’s creation time, not the intent’s', async () => {
    seedGroup();
    const probe = exporter();
    const dest = destination(probe.config);
    const running = task('ours-running', dest, {
      status: { code: 'RUNNING' },
      executionInfo: { creationTime: NOW - 30_000 },
    });
    const x = exporter({ extra: [running] });
    x.deadline.remainingMs = 0;
    const out = await exportWindow(x, intent(x.config, NOW - 60_000));
    expect(out).toEqual({
      status: 'deadline',
      window: intent(x.config, NOW - 60_000),
      taskId: 'ours-running',
      started: true,
      runningSinceMs: NOW - 30_000,
    });
    expect(creates()).toBe(0);
    const saved = await loadGroupState(x.deps, x.config, GROUP);
    expect(saved.state.inFlight).toMatchObject({ taskId: 'ours-running', taskCreatedAtMs: NOW - 30_000 });
  });

  it('reports a found task without execution info from the intent’s time', async () => {
    seedGroup();
    const probe = exporter();
    const dest = destination(probe.config);
    const x = exporter({ extra: [task('ours-pending', dest, { status: { code: 'PENDING' } })] });
    x.deadline.remainingMs = 0;
    const out = await exportWindow(x, intent(x.config, NOW - 60_000));
    expect(out).toMatchObject({ status: 'deadline', taskId: 'ours-pending', runningSinceMs: NOW - 60_000 });
    expect(creates()).toBe(0);
  });

  it('reports a task resumed by its saved id from its saved creation time', async () => {
    seedGroup();
    const probe = exporter();
    const dest = destination(probe.config);
    const running = task('saved-running', dest, { status: { code: 'RUNNING' } });
    const x = exporter({ extra: [running] });
    x.deadline.remainingMs = 0;
    const saved: InFlightExport = {
      ...intent(x.config, NOW - 60_000),
      taskId: 'saved-running',
      taskCreatedAtMs: NOW - 45_000,
    };
    const out = await exportWindow(x, saved);
    // Not started by this run: it only waits on it.
    expect(out).toEqual({ status: 'deadline', window: saved, taskId: 'saved-running', runningSinceMs: NOW - 45_000 });
  });
});

describe('runExport: finding the task of a crashed run by the folders it wrote', () => {
  const gz = (line: string): Buffer => gzipSync(Buffer.from(`${line}\n`));

  it('adopts a COMPLETED task of this window: no second export, its creation time kept, only its id described', async () => {
    seedGroup();
    const probe = exporter();
    const dest = destination(probe.config);
    sandbox.seedObjects(BUCKET, [
      // What CloudWatch and people leave beside the task folders: the write test, a console folder marker.
      { key: `${dest}/aws-logs-write-test`, body: Buffer.from('Permission Check Successful') },
      { key: `${dest}/`, body: Buffer.alloc(0) },
      { key: `${dest}/done-1/stream-a/000000.gz`, body: gz('2026-11-11T12:00:00.000Z stream-a event') },
    ]);
    const x = exporter({
      extra: [task('done-1', dest, { status: { code: 'COMPLETED' }, executionInfo: { creationTime: NOW - 30_000 } })],
    });
    const out = await exportWindow(x, intent(x.config, NOW - 60_000));
    expect(creates()).toBe(0);
    expect(out.status).toBe('archived');
    if (out.status !== 'archived') throw new Error('not archived');
    expect(out.window).toMatchObject({ taskId: 'done-1', taskCreatedAtMs: NOW - 30_000, objectCount: 1 });
    // Only the task folder's name is taken for a task id (one look to find it, one poll to see it ended).
    expect(x.describedIds).toEqual(['done-1', 'done-1']);
    // And only the window's own folder is listed to find it.
    const listings = sandbox.calls
      .filter((c) => c.operation === 'ListObjectsV2')
      .map((c) => (c.input as { Prefix?: string }).Prefix);
    expect(listings[0]).toBe(`${dest}/`);
  });

  it('adopts a COMPLETED task without execution info with the intent’s time', async () => {
    seedGroup();
    const probe = exporter();
    const dest = destination(probe.config);
    sandbox.seedObjects(BUCKET, [
      { key: `${dest}/done-2/stream-a/000000.gz`, body: gz('2026-11-11T12:00:00.000Z stream-a event') },
    ]);
    const x = exporter({ extra: [task('done-2', dest, { status: { code: 'COMPLETED' } })] });
    const out = await exportWindow(x, intent(x.config, NOW - 60_000));
    expect(creates()).toBe(0);
    if (out.status !== 'archived') throw new Error(`not archived: ${out.status}`);
    expect(out.window).toMatchObject({ taskId: 'done-2', taskCreatedAtMs: NOW - 60_000 });
  });

  it('skips a listed entry without a key (S3’s types allow one) and adopts the task beside it', async () => {
    seedGroup();
    const probe = exporter();
    const dest = destination(probe.config);
    sandbox.seedObjects(BUCKET, [
      { key: `${dest}/done-3/stream-a/000000.gz`, body: gz('2026-11-11T12:00:00.000Z stream-a event') },
    ]);
    const x = exporter({
      extra: [task('done-3', dest, { status: { code: 'COMPLETED' } })],
      listing: (out) => ({ ...out, Contents: [{ Size: 0 }, ...(out.Contents ?? [])] }),
    });
    const out = await exportWindow(x, intent(x.config));
    expect(creates()).toBe(0);
    if (out.status !== 'archived') throw new Error(`not archived: ${out.status}`);
    expect(out.window).toMatchObject({ taskId: 'done-3', objectCount: 1 });
  });

  it('adopts none of the folders of a FAILED task, an unknown one, one without status or another bucket’s: it exports anew', async () => {
    seedGroup();
    const probe = exporter();
    const dest = destination(probe.config);
    // S3 lists them in this order.
    const ids = ['a-failed', 'b-gone', 'c-no-status', 'd-other-bucket'];
    sandbox.seedObjects(
      BUCKET,
      ids.map((id) => ({ key: `${dest}/${id}/stream-a/000000.gz`, body: gz('2026-11-11T12:00:00.000Z x') })),
    );
    const x = exporter({
      extra: [
        task('a-failed', dest, { status: { code: 'FAILED', message: 'boom' } }),
        task('c-no-status', dest),
        task('d-other-bucket', dest, { destination: 'someone-elses-bucket', status: { code: 'COMPLETED' } }),
      ],
    });
    const out = await exportWindow(x, intent(x.config));
    expect(accepted()).toBe(1);
    if (out.status !== 'archived') throw new Error(`not archived: ${out.status}`);
    expect(ids).not.toContain(out.window.taskId);
    expect(x.describedIds.slice(0, 4)).toEqual(ids);
  });
});

describe('runExport: a task that ended without COMPLETING', () => {
  it('says it ended CANCELLED, with no colon when CloudWatch gave no message, and logs the task and status', async () => {
    seedGroup();
    const probe = exporter();
    const dest = destination(probe.config);
    const x = exporter({ extra: [task('cancelled-1', dest, { status: { code: 'CANCELLED' } })] });
    const saved: InFlightExport = { ...intent(x.config), taskId: 'cancelled-1', taskCreatedAtMs: NOW - 30_000 };
    const out = await exportWindow(x, saved);
    expect(out).toEqual({
      status: 'failed',
      window: saved,
      taskId: 'cancelled-1',
      message: 'export task cancelled-1 ended CANCELLED',
    });
    const errors = x.lines.filter((l) => l.level === 'error');
    expect(errors).toEqual([
      expect.objectContaining({
        msg: 'export task cancelled-1 ended CANCELLED',
        taskId: 'cancelled-1',
        status: 'CANCELLED',
      }),
    ]);
    expect((await loadGroupState(x.deps, x.config, GROUP)).state.inFlight).toBeUndefined();
  });

  it('says a task DescribeExportTasks does not know has FAILED, and why', async () => {
    seedGroup();
    const x = exporter();
    const saved: InFlightExport = { ...intent(x.config), taskId: 'vanished-1', taskCreatedAtMs: NOW - 30_000 };
    const out = await exportWindow(x, saved);
    expect(out).toMatchObject({
      status: 'failed',
      taskId: 'vanished-1',
      message: 'export task vanished-1 ended FAILED: the task is unknown to DescribeExportTasks',
    });
  });
});

describe('runExport: the deadline while verifying', () => {
  it('says the task was started by this run when the deadline comes as its objects are listed', async () => {
    seedGroup();
    const x = exporter();
    const out = await exportWindow(x, WINDOW, {
      taskEnded: () => {
        x.deadline.remainingMs = 0;
      },
    });
    expect(out).toEqual({ status: 'deadline', window: WINDOW, taskId: expect.any(String), started: true });
    expect(accepted()).toBe(1);
  });
});
