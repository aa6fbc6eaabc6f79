/**
 * A group's exports in order (the window an earlier run left in flight first): the account's one
 * export slot is handed on as soon as the last task has ended, before its objects are verified.
 */
import type { ArchiveIndex } from '../archive/exportManifest.js';
import { runExport, type ExportOutcome } from '../archive/runExport.js';
import type { StateRef } from '../archive/stateStore.js';
import type { Deps } from '../deps.js';
import { LeaseHeldError, StateConflictError, describeError } from '../errors.js';
import type { ExportResult } from '../plan/results.js';
import type { Config, InFlightExport, TimeWindow } from '../types.js';

type ExportConfig = Pick<Config, 'bucket' | 'bucketPrefix'>;

type GroupExport =
  | { readonly exports: ExportResult[]; readonly archivedAll: boolean; readonly createdAtMs: readonly number[] }
  | { readonly exports: ExportResult[]; readonly error: string; readonly fatal?: Error };

/**
 * Runs the group's exports in order (the resumed window first); stops at the first that does not
 * archive. `slotFree` is called as soon as the last one's task has ended, before its verification.
 */
async function exportGroup(
  deps: Deps,
  config: ExportConfig,
  ref: StateRef,
  group: { readonly logGroupName: string; readonly resumeExport?: InFlightExport; readonly exportWindow?: TimeWindow },
  index: ArchiveIndex,
  slotFree: () => void,
): Promise<GroupExport> {
  const windows: (TimeWindow | InFlightExport)[] = [];
  if (group.resumeExport) windows.push(group.resumeExport);
  if (group.exportWindow) windows.push(group.exportWindow);
  if (windows.length === 0) slotFree();
  const exports: ExportResult[] = [];
  const createdAtMs: number[] = [];
  try {
    for (const [i, window] of windows.entries()) {
      const outcome = await runExport(
        deps,
        config,
        ref,
        window,
        i === windows.length - 1 ? { taskEnded: slotFree } : {},
      );
      exports.push(toExportResult(outcome));
      if (outcome.status !== 'archived') return { exports, archivedAll: false, createdAtMs };
      index.remember(outcome.manifest);
      createdAtMs.push(outcome.window.taskCreatedAtMs);
    }
    return { exports, archivedAll: true, createdAtMs };
  } catch (err) {
    deps.logger.error({ err, logGroupName: group.logGroupName }, 'export failed');
    const fatal = err instanceof StateConflictError || err instanceof LeaseHeldError ? err : undefined;
    return { exports, error: describeError(err), ...(fatal ? { fatal } : {}) };
  }
}

function toExportResult(outcome: ExportOutcome): ExportResult {
  const window = { fromMs: outcome.window.fromMs, toMs: outcome.window.toMs };
  switch (outcome.status) {
    case 'archived':
      return {
        ...window,
        status: 'archived',
        taskId: outcome.window.taskId,
        objects: outcome.window.objectCount,
        bytes: outcome.window.bytes,
      };
    case 'failed':
      return {
        ...window,
        status: 'failed',
        message: outcome.message,
        ...(outcome.taskId ? { taskId: outcome.taskId } : {}),
      };
    case 'deadline':
      return {
        ...window,
        status: 'deadline',
        ...(outcome.taskId ? { taskId: outcome.taskId } : {}),
        ...(outcome.started ? { started: true } : {}),
        ...(outcome.runningSinceMs === undefined ? {} : { runningSinceMs: outcome.runningSinceMs }),
        ...(outcome.verificationAdvanced ? { verificationAdvanced: true } : {}),
      };
  }
}

export { exportGroup };
export type { GroupExport };
