import { CreateExportTaskCommand, DescribeExportTasksCommand, type ExportTask } from '@aws-sdk/client-cloudwatch-logs';
import { callAws, errorName, isUncertainError } from '../aws/callAws.js';
import { listExportTasks } from '../aws/exportTasks.js';
import { ExportStatus } from '../constants.js';
import { backoffDelayMs, DEFAULT_SETTLE, type Deps } from '../deps.js';
import type { ArchivedWindow, InFlightExport, TimeWindow } from '../types.js';
import { streamOfKey, writeExportManifest, type ExportManifest } from './exportManifest.js';
import { exportPrefix } from './keys.js';
import { listObjects } from './s3Objects.js';
import { DeadlineReachedError } from '../errors.js';
import { saveGroupState, type StateRef, type StoreConfig } from './stateStore.js';

/** How an export of one window ended for this run. */
type ExportOutcome =
  | { readonly status: 'archived'; readonly window: ArchivedWindow; readonly manifest: ExportManifest }
  | { readonly status: 'failed'; readonly window: TimeWindow; readonly taskId?: string; readonly message: string }
  | {
      readonly status: 'deadline';
      readonly window: TimeWindow;
      readonly taskId?: string;
      /** This run created the task (or found the one a crashed run created): under way in AWS, not archived yet. */
      readonly started?: true;
      /** The task was still running at the last poll: when it was created (CloudWatch's time, else the intent's). */
      readonly runningSinceMs?: number;
      /** The task COMPLETED and this run moved its verification on (a checkpoint of more parts saved). */
      readonly verificationAdvanced?: true;
    };

/** Creates whose answers were lost, before the run gives up on the window (the next run finds or creates it). */
const MAX_UNCERTAIN_CREATES = 4;

const ACTIVE = new Set<string>([ExportStatus.Pending, ExportStatus.Running, ExportStatus.PendingCancel]);

interface ExportHooks {
  /**
   * Called once the task has ended (any terminal status), before it is verified and the state saved:
   * from then on the account's export slot is free for the next group's task.
   */
  readonly taskEnded?: () => void;
}

/**
 * Archives one window of one group, crash-safe at every step:
 * 1. the intent (window, destination) is saved before CreateExportTask is sent, so a crash right
 *    after the call is recovered by finding the task, not by creating a second one;
 * 2. a busy export slot (LimitExceededException: maybe someone else's task) is waited out with backoff;
 * 3. the task is polled with backoff until it ends; FAILED or CANCELLED leave the watermark alone;
 * 4. COMPLETED is verified by listing the objects, a manifest is written beside them, and only then
 *    does the watermark move.
 * When the deadline comes first, the state already says where to pick up.
 *
 * @example await runExport(deps, config, stateRef, { fromMs, toMs });
 */
async function runExport(
  deps: Deps,
  config: StoreConfig,
  ref: StateRef,
  window: TimeWindow | InFlightExport,
  hooks: ExportHooks = {},
): Promise<ExportOutcome> {
  const group = ref.state.logGroupName;
  const log = deps.logger.child({ logGroupName: group, fromMs: window.fromMs, toMs: window.toMs });
  let inFlight: InFlightExport =
    'destinationPrefix' in window
      ? window
      : {
          ...window,
          destinationPrefix: exportPrefix(config.bucketPrefix, group, window),
          intentAtMs: deps.clock.now(),
        };
  const resumed = 'destinationPrefix' in window;
  let startedNow = false;
  if (!resumed) await saveGroupState(deps, config, ref, { ...ref.state, inFlight });

  if (inFlight.taskId === undefined) {
    // Only an intent saved by an earlier run can have a task already: a fresh window's destination is
    // new (unique per group and window), so searching for it would cost three calls for nothing.
    const found = resumed ? await findOurTask(deps, config, inFlight) : undefined;
    const created = found ?? (await createTask(deps, config, group, inFlight));
    if (created === 'deadline') return { status: 'deadline', window };
    // Created now, or found after a crash of the run that created it: either way this run recorded it.
    startedNow = true;
    inFlight = { ...inFlight, taskId: created.taskId, taskCreatedAtMs: created.createdAtMs };
    await saveGroupState(deps, config, ref, { ...ref.state, inFlight });
    log.info({ taskId: created.taskId, recovered: found !== undefined }, 'export task started');
  }
  const taskId = inFlight.taskId!;
  const ended = await waitForTask(deps, taskId);
  if (ended === 'deadline')
    return {
      status: 'deadline',
      window,
      taskId,
      ...(startedNow ? { started: true as const } : {}),
      runningSinceMs: inFlight.taskCreatedAtMs ?? inFlight.intentAtMs,
    };
  hooks.taskEnded?.();
  if (ended.code !== ExportStatus.Completed) {
    // The window stays unarchived: the next run exports it again, into a new task folder.
    const { inFlight: _dropped, ...rest } = ref.state;
    await saveGroupState(deps, config, ref, rest);
    const message = `export task ${taskId} ended ${ended.code}${ended.message ? `: ${ended.message}` : ''}`;
    log.error({ taskId, status: ended.code }, message);
    return { status: 'failed', window, taskId, message };
  }
  const verification = { checkpointed: false };
  try {
    return await verifyAndCommit(deps, config, ref, inFlight, taskId, verification);
  } catch (err) {
    if (err instanceof DeadlineReachedError)
      return {
        status: 'deadline',
        window,
        taskId,
        ...(startedNow ? { started: true as const } : {}),
        ...(verification.checkpointed ? { verificationAdvanced: true as const } : {}),
      };
    throw err;
  }
}

async function verifyAndCommit(
  deps: Deps,
  config: StoreConfig,
  ref: StateRef,
  inFlight: InFlightExport,
  taskId: string,
  verification: { checkpointed: boolean },
): Promise<ExportOutcome> {
  const { window: archived, manifest } = await writeExportManifest(
    deps,
    config.bucket,
    ref.state.logGroupName,
    inFlight,
    taskId,
    verification,
  );
  const { inFlight: _done, ...rest } = ref.state;
  await saveGroupState(deps, config, ref, {
    ...rest,
    archivedThroughMs: inFlight.toMs,
    windows: [...ref.state.windows, archived],
  });
  deps.logger.info(
    { logGroupName: ref.state.logGroupName, taskId, objects: archived.objectCount, bytes: archived.bytes },
    'export verified',
  );
  return { status: 'archived', window: archived, manifest };
}

/**
 * After a crash between the intent and the task id being saved, the task may exist: it is either
 * still active (found by its destination) or has written objects under `<dest>/<taskId>/`.
 */
async function findOurTask(
  deps: Deps,
  config: StoreConfig,
  inFlight: InFlightExport,
): Promise<{ taskId: string; createdAtMs: number } | undefined> {
  const ours = (t: ExportTask): boolean =>
    t.destination === config.bucket && t.destinationPrefix === inFlight.destinationPrefix;
  for (const statusCode of [ExportStatus.Pending, ExportStatus.Running]) {
    for await (const task of listExportTasks(deps, { statusCode })) {
      if (ours(task) && task.taskId)
        return { taskId: task.taskId, createdAtMs: task.executionInfo?.creationTime ?? inFlight.intentAtMs };
    }
  }
  const keys = await listObjects(deps, config.bucket, `${inFlight.destinationPrefix}/`);
  const taskIds = new Set(
    keys
      .map((o) => o.Key?.slice(inFlight.destinationPrefix.length + 1).split('/'))
      .filter((parts): parts is string[] => parts !== undefined && parts.length > 1)
      .map((parts) => parts[0]!),
  );
  for (const taskId of taskIds) {
    const task = await describeTask(deps, taskId);
    if (task && ours(task) && task.status?.code === ExportStatus.Completed) {
      return { taskId, createdAtMs: task.executionInfo?.creationTime ?? inFlight.intentAtMs };
    }
  }
  return undefined;
}

/**
 * Creates the task, waiting with backoff and jitter while the account's one export slot is busy.
 * CreateExportTask is not idempotent: after an answer lost to a timeout, a dropped connection or a
 * 5xx, the task may exist; it is looked for (by its destination, which is unique to this window)
 * before another is created, so a window is never exported twice.
 */
async function createTask(
  deps: Deps,
  config: StoreConfig,
  logGroupName: string,
  inFlight: InFlightExport,
): Promise<{ taskId: string; createdAtMs: number } | 'deadline'> {
  let uncertain = 0;
  for (let attempt = 0; ; attempt += 1) {
    try {
      const out = await callAws(
        deps.call,
        'CreateExportTask',
        () =>
          deps.clients.logs.send(
            new CreateExportTaskCommand({
              taskName: `cwl-trim ${logGroupName} ${inFlight.fromMs}-${inFlight.toMs}`.slice(0, 512),
              logGroupName,
              from: inFlight.fromMs,
              to: inFlight.toMs,
              destination: config.bucket,
              destinationPrefix: inFlight.destinationPrefix,
            }),
          ),
        { retryUncertain: false },
      );
      return { taskId: out.taskId!, createdAtMs: deps.clock.now() };
    } catch (err) {
      if (isUncertainError(err) && uncertain < MAX_UNCERTAIN_CREATES) {
        deps.logger.warn(
          { err, logGroupName },
          'CreateExportTask answer lost; looking for the task before creating another',
        );
        await deps.sleep(backoffDelayMs(deps.settle ?? DEFAULT_SETTLE, uncertain));
        uncertain += 1;
        const found = await findOurTask(deps, config, inFlight);
        if (found) return found;
        continue;
      }
      if (errorName(err) !== 'LimitExceededException') throw err;
      const delayMs = backoffDelayMs(deps.exportSlot, attempt);
      if (deps.deadline.remainingMs() < delayMs) return 'deadline';
      deps.progress?.(`export slot busy (another export task is running): retrying in ${waitText(delayMs)}`);
      deps.logger.info({ logGroupName, delayMs }, 'export slot busy, waiting');
      await deps.sleep(delayMs);
    }
  }
}

async function describeTask(deps: Deps, taskId: string): Promise<ExportTask | undefined> {
  const out = await callAws(deps.call, 'DescribeExportTasks', () =>
    deps.clients.logs.send(new DescribeExportTasksCommand({ taskId })),
  );
  return out.exportTasks?.[0];
}

/** Polls with backoff until the task is no longer PENDING, RUNNING or PENDING_CANCEL. */
async function waitForTask(deps: Deps, taskId: string): Promise<{ code: string; message?: string } | 'deadline'> {
  for (let attempt = 0; ; attempt += 1) {
    const task = await describeTask(deps, taskId);
    const code = task?.status?.code ?? ExportStatus.Failed;
    if (!ACTIVE.has(code)) {
      const message = task ? task.status?.message : 'the task is unknown to DescribeExportTasks';
      return message === undefined ? { code } : { code, message };
    }
    const delayMs = backoffDelayMs(deps.exportPoll, attempt);
    if (deps.deadline.remainingMs() < delayMs) return 'deadline';
    deps.progress?.(`export ${taskId} ${code}: next check in ${waitText(delayMs)}`);
    await deps.sleep(delayMs);
  }
}

/** A wait for people: seconds, or milliseconds under one. */
const waitText = (ms: number): string => (ms < 1_000 ? `${ms} ms` : `${Math.round(ms / 1_000)} s`);

export { runExport, streamOfKey, waitForTask };
export type { ExportHooks, ExportOutcome };
