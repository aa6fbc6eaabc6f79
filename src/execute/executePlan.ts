import { runExport, type ExportOutcome } from '../archive/runExport.js';
import type { StateRef } from '../archive/stateStore.js';
import type { Deps } from '../deps.js';
import { CwlTrimError, LeaseHeldError, StateConflictError } from '../errors.js';
import type { GroupInventory } from '../plan/planRun.js';
import { Journal } from '../trim/journal.js';
import { INCOMPLETE_SAVE } from '../trim/pendingRebuilds.js';
import { finishRebuild } from '../trim/rebuildStream.js';
import type { Config, GroupPlan, InFlightExport, PendingRebuild, Plan, TimeWindow } from '../types.js';
import {
  runOutcome,
  type ExportResult,
  type GroupResult,
  type RetentionResult,
  type RunResult,
  type StreamResult,
} from './results.js';
import { createLane } from './pool.js';
import { ArchiveIndex, applyRetention, trimGroup } from './trimGroup.js';

type ExecConfig = Pick<Config, 'bucket' | 'bucketPrefix' | 'unmask'>;

/**
 * Two groups' trims may overlap: the next group's deletes fill the DeleteLogStream limiter while the
 * last deletes of the previous group are still in flight (one round trip per group otherwise idle), or
 * while it rebuilds. Rebuilds themselves stay one at a time across the run: memory holds one rebuild.
 */
const TRIMS_AT_ONCE = 2;

/**
 * Carries out a plan: first the rebuilds a previous run left unfinished, then, group by group,
 * the exports (one task at a time: the account has one export slot; a group's task starts as soon as
 * the previous one has ended, while that one is still being verified) and the trims (each group's as
 * soon as its export is verified, overlapping later groups' exports). A group's unexpected error is
 * recorded and the run goes on; a state conflict (another writer) or a lost lease starts no further
 * group, lets the work under way finish, and is thrown.
 *
 * @example const result = await executePlan(plan, inventory, config, deps);
 */
async function executePlan(
  plan: Plan,
  inventory: readonly GroupInventory[],
  config: ExecConfig,
  deps: Deps,
): Promise<RunResult> {
  const startedAtMs = deps.clock.now();
  const resumedRebuilds = await resumeRebuilds(deps, config, plan.pendingRebuilds);
  const refs = new Map(inventory.map((g) => [g.group.logGroupName, { state: g.state, ...(g.stateEtag ? { etag: g.stateEtag } : {}) }]));
  const index = new ArchiveIndex(deps, config.bucket);
  const active = plan.groups.filter((g) => !g.skip);
  const entries: (() => GroupResult)[] = [];
  const groupsWork: Promise<void>[] = [];
  const trims: Promise<void>[] = [];
  const trimLane = createLane(TRIMS_AT_ONCE);
  const rebuildLane = createLane(1);
  // Set when an export had to be left in flight for lack of time: our task still holds the account's
  // one export slot, so no later group could export before the deadline either.
  let outOfTime = false;
  // Another writer or a lost lease: no new group is started, and the run ends with this error.
  let fatal: Error | undefined;
  // Resolves when the previous group's last export task has ended: its verification and state
  // writes overlap this group's export, but two tasks of ours never compete for the one slot.
  let slotFree: Promise<void> = Promise.resolve();
  for (const [i, group] of active.entries()) {
    await slotFree;
    if (fatal) break;
    if (outOfTime || deps.deadline.remainingMs() <= 0) {
      entries[i] = () => ({ logGroupName: group.logGroupName, exports: [], streams: [], notReached: true });
      continue;
    }
    deps.progress?.(`group ${i + 1}/${active.length}: ${group.logGroupName}`, { phase: 'export', done: i + 1, total: active.length, subject: group.logGroupName });
    const ref: StateRef = refs.get(group.logGroupName) ?? { state: { logGroupName: group.logGroupName, windows: [] } };
    let releaseSlot!: () => void;
    slotFree = new Promise<void>((resolve) => {
      releaseSlot = resolve;
    });
    const work = exportGroup(deps, config, ref, group, index, releaseSlot).then((exported) => {
      if (exported.exports.some((e) => e.status === 'deadline')) outOfTime = true;
      if ('error' in exported) {
        entries[i] = () => ({ logGroupName: group.logGroupName, exports: exported.exports, streams: [], error: exported.error });
        fatal ??= exported.fatal;
        return;
      }
      if (fatal) return; // the run ends with that error (thrown below, no result): no trim starts after it
      // Filled in by the trim, which runs while later groups export (at most two groups' trims at once).
      const trimmed: { streams: StreamResult[]; retention?: RetentionResult; error?: string } = { streams: [] };
      entries[i] = () => ({
        logGroupName: group.logGroupName,
        exports: exported.exports,
        ...(ref.state.archivedThroughMs === undefined ? {} : { archivedThroughMs: ref.state.archivedThroughMs }),
        ...trimmed,
      });
      trims.push(trimLane.run(async () => {
        try {
          trimmed.streams = await trimGroup(deps, config, group, ref.state, index, plan.nowMs, plan.cutoffMs, rebuildLane);
          const retention = await applyRetention(deps, group, exported.archivedAll);
          if (retention) trimmed.retention = retention;
        } catch (err) {
          trimmed.error = describeError(err);
        }
      }));
    });
    // However the group's exports end, the slot is free once they have (the deadline case set outOfTime first).
    groupsWork.push(work.finally(releaseSlot));
  }
  await Promise.all(groupsWork);
  await Promise.all(trims);
  if (fatal) throw fatal;
  const base = {
    startedAtMs,
    finishedAtMs: deps.clock.now(),
    resumedRebuilds,
    groups: entries.map((entry) => entry()),
    deadlineReached: outOfTime || deps.deadline.remainingMs() <= 0,
  };
  return { ...base, outcome: runOutcome(base) };
}

type GroupExport =
  | { readonly exports: ExportResult[]; readonly archivedAll: boolean }
  | { readonly exports: ExportResult[]; readonly error: string; readonly fatal?: Error };

/**
 * Runs the group's exports in order (the resumed window first); stops at the first that does not
 * archive. `slotFree` is called as soon as the last one's task has ended, before its verification.
 */
async function exportGroup(
  deps: Deps,
  config: ExecConfig,
  ref: StateRef,
  group: GroupPlan,
  index: ArchiveIndex,
  slotFree: () => void,
): Promise<GroupExport> {
  const windows: (TimeWindow | InFlightExport)[] = [];
  if (group.resumeExport) windows.push(group.resumeExport);
  if (group.exportWindow) windows.push(group.exportWindow);
  const exports: ExportResult[] = [];
  try {
    for (const [i, window] of windows.entries()) {
      const outcome = await runExport(deps, config, ref, window, i === windows.length - 1 ? { taskEnded: slotFree } : {});
      exports.push(toExportResult(outcome));
      if (outcome.status === 'archived') index.remember(outcome.window.taskId, outcome.streams);
      else return { exports, archivedAll: false };
    }
    return { exports, archivedAll: true };
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
      return { ...window, status: 'archived', taskId: outcome.window.taskId, objects: outcome.window.objectCount, bytes: outcome.window.bytes };
    case 'failed':
      return { ...window, status: 'failed', message: outcome.message, ...(outcome.taskId ? { taskId: outcome.taskId } : {}) };
    case 'deadline':
      return { ...window, status: 'deadline', ...(outcome.taskId ? { taskId: outcome.taskId } : {}) };
  }
}

const describeError = (err: unknown): string =>
  err instanceof CwlTrimError ? `${err.code}: ${err.message}` : err instanceof Error ? `${err.name}: ${err.message}` : String(err);

/** Finishes the rebuilds earlier runs left (the plan lists them) and discards half-written saves. */
async function resumeRebuilds(deps: Deps, config: ExecConfig, pending: readonly PendingRebuild[]): Promise<StreamResult[]> {
  const results: StreamResult[] = [];
  for (const p of pending) {
    const journal = new Journal(deps, { bucket: config.bucket, prefix: p.journalPrefix });
    if (p.phase === INCOMPLETE_SAVE) {
      await journal.remove();
      continue;
    }
    const manifest = await journal.manifest();
    if (!manifest) continue;
    const base = { logGroupName: manifest.logGroupName, logStreamName: manifest.logStreamName, action: 'rebuild' as const };
    deps.progress?.(`finishing the rebuild of ${manifest.logGroupName} ${manifest.logStreamName} left by an earlier run`);
    try {
      const outcome = await finishRebuild(deps, config, journal, manifest, true);
      if (outcome.status === 'rebuilt') {
        const { status: _s, ...measured } = outcome;
        results.push({ ...base, outcome: 'done', ...measured });
      } else {
        results.push({ ...base, outcome: outcome.status, detail: outcome.detail });
      }
    } catch (err) {
      results.push({ ...base, outcome: 'failed', detail: describeError(err) });
    }
  }
  return results;
}

export { describeError, executePlan };
