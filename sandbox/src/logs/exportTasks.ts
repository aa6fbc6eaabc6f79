/**
 * Export tasks: CreateExportTask, DescribeExportTasks, CancelExportTask, and the asynchronous
 * lifecycle PENDING → RUNNING → COMPLETED (or FAILED / CANCELLED) driven by real-time timers.
 *
 * As in AWS: one active task per account (LimitExceededException), `from` and `to` both inclusive
 * on event timestamps, the `aws-logs-write-test` marker written at creation, gzip objects at
 * `<destinationPrefix>/<taskId>/<logStreamName>/000000.gz` with lines
 * `2021-04-21T00:00:00.000Z <message>`, no 10,000-event cap, nothing written for a stream without
 * events in range.
 */
import { randomUUID } from 'node:crypto';
import { crc32, gzipSync } from 'node:zlib';
import {
  SANDBOX_DESCRIBE_PAGE_LIMIT,
  SANDBOX_EXPORT_WRITE_TEST_OBJECT,
  SandboxExportStatus,
  SandboxLogGroupClass,
} from '../awsFacts.js';
import { invalidParameter, resourceNotFound, ServiceError, validationMessage } from '../errors.js';
import { requireGroup } from '../state.js';
import type { ExportTask, LogEvent, SandboxState } from '../state.js';
import { writeObject } from '../s3/store.js';
import { limitOf, optString, paginate, reqNumber, reqString } from './input.js';
import type { Input } from './input.js';

const DEFAULT_DESTINATION_PREFIX = 'exportedlogs';
/**
 * A task writes this many streams' objects, then lets the event loop turn: a million-stream export
 * takes a while, as on AWS, and the sandbox keeps answering calls meanwhile (the task stays RUNNING
 * until its last object is written).
 */
const STREAMS_PER_SLICE = 200;
/** Fast gzip (any gzip reads back the same): a million small objects cost a third of the default's CPU. */
const EXPORT_GZIP = { level: 1, windowBits: 9, memLevel: 1 } as const;
/** Below this size an object is written as stored (uncompressed) gzip blocks: see {@link gzipOf}. */
const MIN_DEFLATED_BYTES = 4096;

/**
 * The object's gzip. A small one is written as one stored deflate block (RFC 1951 §3.2.4, still
 * valid gzip that any reader inflates): zlib's set-up per call costs six times the copy, which at a
 * million one-object streams made the sandbox's export, not cwl-trim, the slowest part of a run.
 */
function gzipOf(text: string): Buffer {
  const data = Buffer.from(text);
  if (data.length >= MIN_DEFLATED_BYTES) return gzipSync(data, EXPORT_GZIP);
  const out = Buffer.allocUnsafe(10 + 5 + data.length + 8);
  out.set([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff], 0); // magic, deflate, no flags, no mtime, unknown OS
  out[10] = 1; // the final block, stored
  out.writeUInt16LE(data.length, 11);
  out.writeUInt16LE(~data.length & 0xffff, 13);
  data.copy(out, 15);
  out.writeUInt32LE(crc32(data), 15 + data.length);
  out.writeUInt32LE(data.length, 19 + data.length);
  return out;
}
const ACTIVE: readonly string[] = [
  SandboxExportStatus.Pending,
  SandboxExportStatus.Running,
  SandboxExportStatus.PendingCancel,
];
const STATUS_CODES: readonly string[] = Object.values(SandboxExportStatus);

function snapshotOf(
  state: SandboxState,
  task: Pick<ExportTask, 'logGroupName' | 'logStreamNamePrefix' | 'from' | 'to'>,
): ExportTask['snapshot'] {
  const group = requireGroup(state, task.logGroupName);
  const prefix = task.logStreamNamePrefix ?? '';
  return [...group.streams.values()]
    .filter((s) => s.name.startsWith(prefix))
    .map((s) => ({
      stream: s.name,
      events: s.events.filter((e) => e.timestamp >= task.from && e.timestamp <= task.to),
    }))
    .filter((s) => s.events.length > 0);
}

function checkCreate(state: SandboxState, input: Input): { from: number; to: number; destination: string } {
  const group = requireGroup(state, reqString(input, 'logGroupName'));
  const from = reqNumber(input, 'from');
  const to = reqNumber(input, 'to');
  const destination = reqString(input, 'destination');
  if (group.logGroupClass === SandboxLogGroupClass.InfrequentAccess) {
    throw invalidParameter('Export tasks are not supported for log groups in the INFREQUENT_ACCESS log group class.');
  }
  if (to < from || to < group.creationTime) {
    throw invalidParameter(
      `Specified time range of '${from}' and '${to}' is not valid. Please make sure the values are within ` +
        'the retention period of the log group and from value is less than the to values',
    );
  }
  if (!state.buckets.has(destination)) {
    throw invalidParameter(
      'GetBucketAcl call on the given bucket failed. Please check if CloudWatch Logs has been granted permission to perform this operation.',
    );
  }
  if ([...state.exportTasks.values()].some((t) => ACTIVE.includes(t.status.code))) {
    throw new ServiceError('LimitExceededException', 'Resource limit exceeded.');
  }
  return { from, to, destination };
}

function createExportTask(state: SandboxState, input: Input): object {
  const { from, to, destination } = checkCreate(state, input);
  const taskName = optString(input, 'taskName');
  const logStreamNamePrefix = optString(input, 'logStreamNamePrefix');
  const base = {
    taskId: randomUUID(),
    ordinal: state.exportsCreated++,
    logGroupName: reqString(input, 'logGroupName'),
    ...(taskName !== undefined && { taskName }),
    ...(logStreamNamePrefix !== undefined && { logStreamNamePrefix }),
    from,
    to,
    destination,
    destinationPrefix: optString(input, 'destinationPrefix') ?? DEFAULT_DESTINATION_PREFIX,
    status: { code: SandboxExportStatus.Pending, message: 'Pending' },
    creationTime: state.clock.now(),
    ...(state.failNextExport !== undefined && { failWith: state.failNextExport }),
  };
  const task: ExportTask = { ...base, snapshot: snapshotOf(state, base) };
  delete state.failNextExport;
  const bucket = state.buckets.get(destination);
  if (bucket)
    writeObject(
      state,
      bucket,
      `${task.destinationPrefix}/${SANDBOX_EXPORT_WRITE_TEST_OBJECT}`,
      Buffer.from('Permission Check Successful'),
    );
  state.exportTasks.set(task.taskId, task);
  task.timer = state.timers.after(state.exportTiming.pendingMs, () => startRunning(state, task));
  return { taskId: task.taskId };
}

function startRunning(state: SandboxState, task: ExportTask): void {
  task.status = { code: SandboxExportStatus.Running, message: 'Started successfully' };
  task.timer = state.timers.after(state.exportTiming.runningMs, () => finish(state, task));
}

function finish(state: SandboxState, task: ExportTask, from = 0): void {
  delete task.timer;
  const bucket = state.buckets.get(task.destination);
  if (task.failWith !== undefined) {
    task.status = { code: SandboxExportStatus.Failed, message: task.failWith };
  } else if (!bucket) {
    task.status = {
      code: SandboxExportStatus.Failed,
      message: `The specified bucket does not exist: ${task.destination}`,
    };
  } else {
    const end = Math.min(from + STREAMS_PER_SLICE, task.snapshot.length);
    for (let i = from; i < end; i++) writeStream(state, task, task.snapshot[i]!.stream, task.snapshot[i]!.events);
    if (end < task.snapshot.length) {
      // Cancelling the task clears this timer: what is written stays, as on AWS.
      task.timer = state.timers.after(0, () => finish(state, task, end));
      return;
    }
    task.status = { code: SandboxExportStatus.Completed, message: 'Completed successfully' };
  }
  task.completionTime = state.clock.now();
  task.snapshot = [];
}

function writeStream(state: SandboxState, task: ExportTask, stream: string, events: readonly LogEvent[]): void {
  const bucket = state.buckets.get(task.destination);
  if (!bucket) return;
  const chunk = state.exportChunkEvents;
  for (let i = 0; i * chunk < events.length; i++) {
    const lines = events
      .slice(i * chunk, (i + 1) * chunk)
      .map((e) => `${new Date(e.timestamp).toISOString()} ${e.message}\n`);
    const key = `${task.destinationPrefix}/${task.taskId}/${stream}/${String(i).padStart(6, '0')}.gz`;
    writeObject(state, bucket, key, gzipOf(lines.join('')), { contentType: 'application/octet-stream' });
  }
}

function describeTask(task: ExportTask): Record<string, unknown> {
  return {
    taskId: task.taskId,
    ...(task.taskName !== undefined && { taskName: task.taskName }),
    logGroupName: task.logGroupName,
    from: task.from,
    to: task.to,
    destination: task.destination,
    destinationPrefix: task.destinationPrefix,
    status: { ...task.status },
    executionInfo: {
      creationTime: task.creationTime,
      ...(task.completionTime !== undefined && { completionTime: task.completionTime }),
    },
  };
}

function describeExportTasks(state: SandboxState, input: Input): object {
  const taskId = optString(input, 'taskId');
  const statusCode = optString(input, 'statusCode');
  if (statusCode !== undefined && !STATUS_CODES.includes(statusCode)) {
    throw invalidParameter(
      validationMessage('statusCode', statusCode, `Member must satisfy enum value set: [${STATUS_CODES.join(', ')}]`),
    );
  }
  const tasks = [...state.exportTasks.values()]
    .filter((t) => taskId === undefined || t.taskId === taskId)
    .filter((t) => statusCode === undefined || t.status.code === statusCode);
  const { page, nextToken } = paginate(tasks, {
    limit: limitOf(input, SANDBOX_DESCRIBE_PAGE_LIMIT),
    token: optString(input, 'nextToken'),
    keyOf: (t) => t.ordinal,
    compare: (a, b) => a - b,
    isKey: (v): v is number => typeof v === 'number',
  });
  return { exportTasks: page.map(describeTask), ...(nextToken !== undefined && { nextToken }) };
}

function cancelExportTask(state: SandboxState, input: Input): object {
  const task = state.exportTasks.get(reqString(input, 'taskId'));
  if (!task) throw resourceNotFound('The specified export task does not exist.');
  if (task.status.code !== SandboxExportStatus.Pending && task.status.code !== SandboxExportStatus.Running) {
    throw new ServiceError('InvalidOperationException', 'The specified export task has already finished.');
  }
  if (task.timer) state.timers.cancel(task.timer);
  delete task.timer;
  task.status = { code: SandboxExportStatus.Cancelled, message: 'Cancelled by user' };
  task.completionTime = state.clock.now();
  task.snapshot = [];
  return {};
}

export { cancelExportTask, createExportTask, describeExportTasks };
