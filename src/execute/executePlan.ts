import type { LogGroup } from '@aws-sdk/client-cloudwatch-logs';
import { clearFleetCursor, loadFleetCursor, saveFleetCursor } from '../archive/cursors.js';
import { acquireGroupLock, type GroupLock } from '../archive/groupLock.js';
import { runExport, type ExportOutcome } from '../archive/runExport.js';
import { loadGroupState, type StateRef } from '../archive/stateStore.js';
import { lookAtStreams, selectedGroups, toGroupInfo } from '../aws/inventory.js';
import { describeStream } from '../aws/logStreams.js';
import type { Deps } from '../deps.js';
import { CwlTrimError, DeadlineReachedError, LeaseHeldError, StateConflictError } from '../errors.js';
import { firstWindowHoldsAnyEvent, newestEventMayFallIn } from '../plan/exportWindow.js';
import { GroupLedger } from '../plan/groupLedger.js';
import { groupContext, groupPlanOf, skipWholeGroup, skippedGroupPlan, type ExportsDone } from '../plan/planRun.js';
import { resumeAfter, selectionKey } from '../plan/selectionWalk.js';
import { Journal } from '../trim/journal.js';
import { decidePendingRebuild } from '../trim/pendingRebuilds.js';
import { finishRebuild } from '../trim/rebuildStream.js';
import type { Config, GroupPlan, InFlightExport, PendingRebuild, TimeWindow } from '../types.js';
import type { ExportResult, GroupDeletionResult, GroupResult, RetentionResult, StreamResult } from './results.js';
import { deleteEmptyGroup } from './deleteEmptyGroup.js';
import { createLane, type Lane } from './pool.js';
import { ArchiveIndex } from '../archive/exportManifest.js';
import { applyRetention } from './trimGroup.js';
import { trimPages } from './trimPages.js';

type ExecConfig = Pick<Config, 'bucket' | 'bucketPrefix' | 'unmask'>;

/**
 * Two groups' trims may overlap: the next group's deletes fill the DeleteLogStream limiter while the
 * last deletes of the previous group are still in flight, or while it rebuilds. Rebuilds themselves
 * stay one at a time across the run: memory holds one rebuild.
 */
const TRIMS_AT_ONCE = 2;
/** Streams listed per group at most (keeps are counted only); the report lists at most as many. */
const MAX_LISTED_PER_GROUP = 500;
/** Streams listed over the whole run at most: a fleet's report stays bounded too. */
const MAX_LISTED_PER_RUN = 5_000;
/** Every group lists at least this many of its streams, however large the fleet. */
const MIN_LISTED_PER_GROUP = 20;

interface GroupsOutput {
  readonly groups: readonly GroupPlan[];
  /** A real run's results, one per group in `groups` that was not skipped as a whole. */
  readonly results: readonly GroupResult[];
  /** The walk stopped before the last selected group (deadline, or an export left in flight). */
  readonly walkLeft: boolean;
  /** An export left in flight for lack of time: it holds the account's one export slot. */
  readonly outOfTime: boolean;
}

/**
 * The run's pipeline over the selected groups, one page of groups and one page of streams at a time:
 * for each group its state, one DescribeLogStreams call to see whether a new export window can hold
 * events, the export (real run: one task at a time, the account has one slot; the next group's task
 * starts as soon as the previous one has ended), then its streams listed, planned and acted on page
 * by page ({@link trimPages}), while the next groups export. A dry run reads the same and plans the
 * same, without any export or action. A real run resumes the walk where the last one stopped and
 * saves where it stops. A state conflict (another writer) or a lost lease starts no further group,
 * lets the work under way finish, and is thrown.
 *
 * @example const { groups, results } = await runGroups(deps, config, { nowMs, pending });
 */
async function runGroups(
  deps: Deps,
  config: Readonly<Config>,
  run: { readonly nowMs: number; readonly pending: readonly PendingRebuild[] },
): Promise<GroupsOutput> {
  const real = !config.dryRun;
  const selection = selectionKey(config.selection);
  const fleet = real ? await loadFleetCursor(deps, config, selection) : undefined;
  const rebuildLane = createLane(1);
  const entries: { plan?: GroupPlan; result?: GroupResult }[] = [];
  const started: string[] = [];
  const finished = new Set<string>();
  const working = new Set<Promise<void>>();
  let listedSoFar = 0;
  let walkLeft = false;
  let outOfTime = false;
  let fatal: Error | undefined;
  // Resolves when the previous group's last export task has ended: two tasks of ours never compete for the slot.
  let slotFree: Promise<void> = Promise.resolve();
  try {
    for await (const g of selectedGroups(deps, config.selection, fleet?.afterGroupName)) {
      await slotFree;
      while (working.size > TRIMS_AT_ONCE) await Promise.race(working);
      if (fatal) break;
      if (outOfTime || deps.deadline.remainingMs() <= 0) {
        walkLeft = true;
        break;
      }
      const name = g.logGroupName!;
      const entry: { plan?: GroupPlan; result?: GroupResult } = {};
      entries.push(entry);
      started.push(name);
      deps.progress?.(`group ${started.length}: ${name}`, { phase: 'export', done: started.length, total: started.length, subject: name });
      let releaseSlot!: () => void;
      slotFree = new Promise<void>((resolve) => {
        releaseSlot = resolve;
      });
      const maxListed = Math.max(MIN_LISTED_PER_GROUP, Math.min(MAX_LISTED_PER_GROUP, MAX_LISTED_PER_RUN - listedSoFar));
      const work = runGroup(deps, config, g, { ...run, rebuildLane, maxListed, releaseSlot })
        .then((out) => {
          entry.plan = out.plan;
          if (out.result) entry.result = out.result;
          listedSoFar += out.plan.streams.length;
          if (out.outOfTime) outOfTime = true;
          if (out.fatal) fatal ??= out.fatal;
          if (out.finished) finished.add(name);
        })
        .catch((err: unknown) => {
          // The group's unexpected error is its result; the run goes on (a lost lease or a state conflict ends it).
          deps.logger.error({ err, logGroupName: name }, 'group failed');
          const state = { logGroupName: name, windows: [] };
          entry.plan = groupPlanOf(groupContext(toGroupInfo(g), state, config, run.nowMs, run.pending, () => false), new GroupLedger(0).summary());
          entry.result = { logGroupName: name, exports: [], streams: [], error: describeError(err) };
          if (err instanceof StateConflictError || err instanceof LeaseHeldError) fatal ??= err;
        })
        .finally(() => {
          releaseSlot();
          working.delete(work);
        });
      working.add(work);
    }
  } catch (err) {
    if (!(err instanceof DeadlineReachedError)) {
      await Promise.allSettled(working);
      throw err;
    }
    walkLeft = true;
  }
  await Promise.all(working);
  if (fatal) throw fatal;
  if (real) await saveWalk(deps, config, selection, { walkLeft: walkLeft || outOfTime, started, finished, resumed: fleet !== undefined });
  return {
    groups: entries.flatMap((e) => (e.plan ? [e.plan] : [])),
    results: entries.flatMap((e) => (e.result ? [e.result] : [])),
    walkLeft: walkLeft || outOfTime,
    outOfTime,
  };
}

/**
 * Saves where the walk can resume (after the last group of the longest finished run from its start),
 * or clears the cursor once every selected group was finished. Nothing finished: the old cursor stays.
 */
async function saveWalk(
  deps: Deps,
  config: Readonly<Config>,
  selection: string,
  walk: { walkLeft: boolean; started: readonly string[]; finished: ReadonlySet<string>; resumed: boolean },
): Promise<void> {
  const allFinished = walk.started.every((n) => walk.finished.has(n));
  if (!walk.walkLeft && allFinished) {
    if (walk.resumed || walk.started.length > 0) await clearFleetCursor(deps, config);
    return;
  }
  const after = resumeAfter(walk.started, walk.finished);
  if (after !== undefined) await saveFleetCursor(deps, config, selection, after);
}

interface GroupOutput {
  readonly plan: GroupPlan;
  readonly result?: GroupResult;
  /** Nothing of the group is left for a later invocation of this chain. */
  readonly finished: boolean;
  readonly outOfTime?: boolean;
  readonly fatal?: Error;
}

/** One group: state, export decision, export (real run), then its streams page by page. */
async function runGroup(
  deps: Deps,
  config: Readonly<Config>,
  g: LogGroup,
  run: {
    readonly nowMs: number;
    readonly pending: readonly PendingRebuild[];
    readonly rebuildLane: Lane;
    readonly maxListed: number;
    readonly releaseSlot: () => void;
  },
): Promise<GroupOutput> {
  const name = g.logGroupName!;
  const lock = lazyLock(deps, name);
  try {
    return await runLockedGroup(deps, config, g, { ...run, lock });
  } finally {
    await lock.release();
  }
}

async function runLockedGroup(
  deps: Deps,
  config: Readonly<Config>,
  g: LogGroup,
  run: Parameters<typeof runGroup>[3] & { readonly lock: LazyLock },
): Promise<GroupOutput> {
  const name = g.logGroupName!;
  // One index per group: it holds the group's manifests only while the group is trimmed.
  const index = new ArchiveIndex(deps, config.bucket);
  const ref: StateRef = await loadGroupState(deps, config, name);
  const before = ref.state;
  const info = toGroupInfo(g);
  const skip = skipWholeGroup(info);
  if (skip) return { plan: skippedGroupPlan(info, before, skip), finished: true };
  // One look at the streams decides the export, unless the first window's answer is known without it.
  const look = firstWindowHoldsAnyEvent(info, before) ? undefined : await lookAtStreams(deps, name);
  const mayHaveEvents = (w: TimeWindow): boolean => (look ? newestEventMayFallIn(look.newest?.lastEventTimestampMs, w) : true);
  const decision = groupContext(info, before, config, run.nowMs, run.pending, mayHaveEvents).decision;
  // With nothing to export, a look that read the whole group (up to 50 streams) is its listing: the
  // streams are planned from it as from a first page read now (an export in between would make it stale).
  const firstPage = !decision.resumeExport && !decision.exportWindow ? look?.whole : undefined;
  const unchanged = (): GroupPlan => groupPlanOf(groupContext(info, before, config, run.nowMs, run.pending, mayHaveEvents), new GroupLedger(0).summary());
  /** Another run holds the group (or its lock could not be read): the group is left alone this run. */
  const lockedOut = (why: { lockedBy: string } | { error: string }, exports: ExportResult[] = []): GroupOutput => ({
    plan: unchanged(),
    result: { logGroupName: name, exports, streams: [], ...why },
    finished: true,
  });
  let exported: ExportsDone | undefined;
  let exports: ExportResult[] = [];
  let outOfTime = false;
  let archivedAll = true;
  if (!config.dryRun) {
    let exportDeps = deps;
    if (decision.resumeExport || decision.exportWindow) {
      const locked = await run.lock.take();
      if ('skip' in locked) {
        run.releaseSlot();
        return lockedOut(locked.skip);
      }
      exportDeps = locked.lock.deps;
    }
    const done = await exportGroup(exportDeps, config, ref, { logGroupName: name, ...decision }, index, run.releaseSlot);
    exports = done.exports;
    outOfTime = exports.some((e) => e.status === 'deadline');
    if ('error' in done) {
      return {
        plan: unchanged(),
        result: { logGroupName: name, exports, streams: [], error: done.error },
        finished: false,
        outOfTime,
        ...(done.fatal ? { fatal: done.fatal } : {}),
      };
    }
    archivedAll = done.archivedAll;
    exported = {
      createdAtMs: done.createdAtMs,
      ...(ref.state.archivedThroughMs === undefined ? {} : { archivedThroughMs: ref.state.archivedThroughMs }),
    };
  } else {
    run.releaseSlot();
  }
  const trimmed = await trimPages(deps, config, {
    group: g,
    before,
    now: () => ref.state,
    nowMs: run.nowMs,
    pending: run.pending,
    mayHaveEvents,
    ...(exported ? { exported } : {}),
    maxListed: run.maxListed,
    ...(firstPage ? { firstPage } : {}),
    index,
    rebuildLane: run.rebuildLane,
    lock: run.lock.take,
  });
  if (config.dryRun) return { plan: trimmed.plan, finished: true };
  if (trimmed.lockedOut) return lockedOut(trimmed.lockedOut, exports);
  // Setting a retention or deleting the group is a change too: under the lock.
  const needsLock = trimmed.plan.retention !== undefined || trimmed.plan.deleteGroup !== undefined;
  const locked = needsLock ? await run.lock.take() : undefined;
  if (locked && 'skip' in locked) return lockedOut(locked.skip, exports);
  const groupDeps = locked?.lock.deps ?? deps;
  let retention: RetentionResult | undefined;
  try {
    retention = await applyRetention(groupDeps, trimmed.plan, archivedAll);
  } catch (err) {
    retention = { days: trimmed.plan.retention?.targetDays ?? 0, outcome: 'failed', detail: describeError(err) };
  }
  let groupDeletion: GroupDeletionResult | undefined;
  try {
    groupDeletion = archivedAll && !trimmed.listingLeft ? await deleteEmptyGroup(groupDeps, trimmed.plan) : undefined;
  } catch (err) {
    groupDeletion = { outcome: 'failed', detail: describeError(err) };
  }
  const result: GroupResult = {
    logGroupName: name,
    exports,
    ...(ref.state.archivedThroughMs === undefined ? {} : { archivedThroughMs: ref.state.archivedThroughMs }),
    ...(retention ? { retention } : {}),
    ...(groupDeletion ? { groupDeletion } : {}),
    streams: trimmed.streams,
    tally: trimmed.tally,
    pagesListed: trimmed.pagesListed,
    ...(trimmed.listingLeft ? { listingLeft: true } : {}),
    ...(trimmed.advanced ? { listingAdvanced: true } : {}),
    ...(trimmed.keptCaughtUp > 0 ? { caughtUpEvents: trimmed.keptCaughtUp } : {}),
  };
  const finished = !trimmed.listingLeft && trimmed.tally.outcomes.deadline === 0 && !outOfTime;
  return { plan: trimmed.plan, result, finished, outOfTime };
}

type GroupExport =
  | { readonly exports: ExportResult[]; readonly archivedAll: boolean; readonly createdAtMs: readonly number[] }
  | { readonly exports: ExportResult[]; readonly error: string; readonly fatal?: Error };

/**
 * Runs the group's exports in order (the resumed window first); stops at the first that does not
 * archive. `slotFree` is called as soon as the last one's task has ended, before its verification.
 */
async function exportGroup(
  deps: Deps,
  config: ExecConfig,
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
      const outcome = await runExport(deps, config, ref, window, i === windows.length - 1 ? { taskEnded: slotFree } : {});
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
      return { ...window, status: 'archived', taskId: outcome.window.taskId, objects: outcome.window.objectCount, bytes: outcome.window.bytes };
    case 'failed':
      return { ...window, status: 'failed', message: outcome.message, ...(outcome.taskId ? { taskId: outcome.taskId } : {}) };
    case 'deadline':
      return { ...window, status: 'deadline', ...(outcome.taskId ? { taskId: outcome.taskId } : {}), ...(outcome.started ? { started: true } : {}) };
  }
}

type LockOutcome = { readonly lock: GroupLock } | { readonly skip: { readonly lockedBy: string } | { readonly error: string } };

/** The group's lock, or why the group is left alone (another run holds it, or the lock could not be read). */
async function lockGroup(deps: Deps, logGroupName: string): Promise<LockOutcome> {
  try {
    const taken = await acquireGroupLock(deps, logGroupName);
    return taken.acquired ? { lock: taken.lock } : { skip: { lockedBy: taken.detail } };
  } catch (err) {
    deps.logger.error({ err, logGroupName }, 'could not take the group lock');
    return { skip: { error: `could not take the group lock: ${describeError(err)}` } };
  }
}

/**
 * A group's lock, taken at its first mutating call only (an export, a delete, a catch-up, a retention):
 * a group the run leaves as it is takes none (its lock's events would reach its subscribers too).
 * Every mutating call of the group goes through the lock's deps, which stop once the lock is lost.
 */
interface LazyLock {
  take(): Promise<LockOutcome>;
  release(): Promise<void>;
}

function lazyLock(deps: Deps, logGroupName: string): LazyLock {
  let taken: Promise<LockOutcome> | undefined;
  return {
    take: () => (taken ??= lockGroup(deps, logGroupName)),
    release: async () => {
      const outcome = await taken;
      if (outcome && 'lock' in outcome) await outcome.lock.release();
    },
  };
}

const describeError = (err: unknown): string =>
  err instanceof CwlTrimError ? `${err.code}: ${err.message}` : err instanceof Error ? `${err.name}: ${err.message}` : String(err);

/**
 * Finishes the rebuilds earlier runs left (the plan lists them) and discards half-written saves;
 * `selected` (is the group in this run's selection?) decides what happens to those outside it.
 */
async function resumeRebuilds(
  deps: Deps,
  config: ExecConfig,
  pending: readonly PendingRebuild[],
  selected: (logGroupName: string) => boolean,
): Promise<StreamResult[]> {
  const results: StreamResult[] = [];
  for (const p of pending) {
    const journal = new Journal(deps, { bucket: config.bucket, prefix: p.journalPrefix });
    const decision = decidePendingRebuild(p, selected(p.logGroupName));
    if (decision.action === 'remove') {
      await journal.remove();
      continue;
    }
    const base = { logGroupName: p.logGroupName, logStreamName: p.logStreamName, action: 'rebuild' as const };
    // A group outside the selection whose stream was never touched: only the journal goes, no lock needed.
    if (decision.action === 'leave' && (await untouched(deps, journal))) {
      await journal.remove();
      results.push({ ...base, outcome: 'skipped', detail: `${decision.reason}; the stream was not touched and its journal is discarded` });
      continue;
    }
    // The group's lock first: another run (another deployment) may be finishing this very rebuild.
    const locked = await lockGroup(deps, p.logGroupName);
    if ('skip' in locked) {
      const skip = locked.skip;
      results.push({ ...base, outcome: 'lockedBy' in skip ? 'skipped' : 'failed', detail: 'lockedBy' in skip ? skip.lockedBy : skip.error });
      continue;
    }
    try {
      const manifest = await journal.manifest();
      if (!manifest) continue;
      deps.progress?.(`finishing the rebuild of ${manifest.logGroupName} ${manifest.logStreamName} left by an earlier run`);
      const outcome = await finishRebuild(locked.lock.deps, config, journal, manifest, true, decision.action === 'leave' ? { leaveUntouched: decision } : {});
      if (outcome.status === 'rebuilt') {
        const { status: _s, ...measured } = outcome;
        results.push({ ...base, outcome: 'done', ...(decision.action === 'finish' && decision.reason ? { detail: decision.reason } : {}), ...measured });
      } else {
        results.push({ ...base, outcome: outcome.status, detail: outcome.detail });
      }
    } catch (err) {
      results.push({ ...base, outcome: 'failed', detail: describeError(err) });
    } finally {
      await locked.lock.release();
    }
  }
  return results;
}

/** The journaled stream is still the one that was saved (same creation time): nothing was done to it yet. */
async function untouched(deps: Deps, journal: Journal): Promise<boolean> {
  // A journal that cannot be read is the finishing path's to report, under the lock.
  const manifest = await journal.manifest().catch(() => undefined);
  if (!manifest) return false;
  const current = await describeStream(deps, manifest.logGroupName, manifest.logStreamName);
  return current !== undefined && current.creationTimeMs === manifest.snapshot.creationTimeMs;
}

export { describeError, resumeRebuilds, runGroups };
export type { GroupsOutput };
