/**
 * One group of the pipeline: its state, the export decision (one look at its streams at most), the
 * export (real run), its streams listed, planned and acted on page by page ({@link trimPages}), then
 * its retention and, when it is empty, its deletion. Every mutating call goes through the group's lock.
 */
import type { LogGroup } from '@aws-sdk/client-cloudwatch-logs';
import { ArchiveIndex } from '../archive/exportManifest.js';
import { loadGroupState, type StateRef } from '../archive/stateStore.js';
import { lookAtStreams, toGroupInfo } from '../aws/inventory.js';
import type { Deps } from '../deps.js';
import { describeError } from '../errors.js';
import { firstWindowHoldsAnyEvent, newestEventMayFallIn } from '../plan/exportWindow.js';
import { GroupLedger } from '../plan/groupLedger.js';
import { groupContext, groupPlanOf, skipWholeGroup, skippedGroupPlan, type ExportsDone } from '../plan/planRun.js';
import type { GroupPlan, PendingRebuild } from '../plan/planTypes.js';
import type { ExportResult, GroupDeletionResult, GroupResult, RetentionResult } from '../plan/results.js';
import type { Config, GroupState, TimeWindow } from '../types.js';
import { deleteEmptyGroup } from './deleteEmptyGroup.js';
import { exportGroup } from './exportGroup.js';
import { lazyLock, type LazyLock } from './groupLocks.js';
import type { Lane } from './pool.js';
import { applyRetention } from './trimGroup.js';
import { trimPages, type TrimPagesOutput } from './trimPages.js';

interface GroupRun {
  readonly nowMs: number;
  readonly pending: readonly PendingRebuild[];
  readonly rebuildLane: Lane;
  /** Streams the group's plan lists at most. */
  readonly maxListed: number;
  /** Hands the account's export slot on: called once this group needs it no more. */
  readonly releaseSlot: () => void;
}

interface GroupOutput {
  readonly plan: GroupPlan;
  readonly result?: GroupResult;
  /** Nothing of the group is left for a later invocation of this chain. */
  readonly finished: boolean;
  readonly outOfTime?: boolean;
  readonly fatal?: Error;
}

/** What the group looks like before anything is done to it: the export decision and how to plan it unchanged. */
interface GroupStart {
  readonly name: string;
  readonly ref: StateRef;
  readonly before: GroupState;
  readonly index: ArchiveIndex;
  readonly mayHaveEvents: (w: TimeWindow) => boolean;
  readonly decision: ReturnType<typeof groupContext>['decision'];
  /** A look that read the whole group, when it can stand for the first page of its listing. */
  readonly firstPage?: NonNullable<Awaited<ReturnType<typeof lookAtStreams>>>['whole'];
  readonly unchanged: () => GroupPlan;
}

/** One group under its lazily taken lock, released whatever happens. */
async function runGroup(deps: Deps, config: Readonly<Config>, g: LogGroup, run: GroupRun): Promise<GroupOutput> {
  const lock = lazyLock(deps, g.logGroupName!);
  try {
    return await runLockedGroup(deps, config, g, run, lock);
  } finally {
    await lock.release();
  }
}

async function runLockedGroup(
  deps: Deps,
  config: Readonly<Config>,
  g: LogGroup,
  run: GroupRun,
  lock: LazyLock,
): Promise<GroupOutput> {
  const info = toGroupInfo(g);
  const ref: StateRef = await loadGroupState(deps, config, info.logGroupName);
  const skip = skipWholeGroup(info);
  if (skip) return { plan: skippedGroupPlan(info, ref.state, skip), finished: true };
  const start = await startGroup(deps, config, g, ref, run);
  if (config.dryRun) {
    run.releaseSlot();
    return { plan: (await trimGroupPages(deps, config, g, start, run, lock)).plan, finished: true };
  }
  const exported = await exportPhase(deps, config, start, run, lock);
  if ('output' in exported) return exported.output;
  if (exported.outOfTime) return leftInFlight(start, exported.exports);
  const trimmed = await trimGroupPages(deps, config, g, start, run, lock, exported.done);
  if (trimmed.lockedOut) return lockedOut(start, trimmed.lockedOut, exported.exports);
  return finishGroup(deps, start, trimmed, exported, lock);
}

/** State read, the one look at the streams that decides the export (unless the first window's answer is known without it). */
async function startGroup(
  deps: Deps,
  config: Readonly<Config>,
  g: LogGroup,
  ref: StateRef,
  run: GroupRun,
): Promise<GroupStart> {
  const info = toGroupInfo(g);
  const before = ref.state;
  const look = firstWindowHoldsAnyEvent(info, before) ? undefined : await lookAtStreams(deps, info.logGroupName);
  const mayHaveEvents = (w: TimeWindow): boolean =>
    look ? newestEventMayFallIn(look.newest?.lastEventTimestampMs, w) : true;
  const context = (): ReturnType<typeof groupContext> =>
    groupContext(info, before, config, run.nowMs, run.pending, mayHaveEvents);
  const decision = context().decision;
  // With nothing to export, a look that read the whole group (up to 50 streams) is its listing: the
  // streams are planned from it as from a first page read now (an export in between would make it stale).
  const firstPage = !decision.resumeExport && !decision.exportWindow ? look?.whole : undefined;
  return {
    name: info.logGroupName,
    ref,
    before,
    // One index per group: it holds the group's manifests only while the group is trimmed.
    index: new ArchiveIndex(deps, config.bucket),
    mayHaveEvents,
    decision,
    ...(firstPage ? { firstPage } : {}),
    unchanged: () => groupPlanOf(context(), new GroupLedger(0).summary()),
  };
}

/** Another run holds the group (or its lock could not be read): the group is left alone this run. */
const lockedOut = (
  start: GroupStart,
  why: { lockedBy: string } | { error: string },
  exports: ExportResult[] = [],
): GroupOutput => ({
  plan: start.unchanged(),
  result: { logGroupName: start.name, exports, streams: [], ...why },
  finished: true,
});

/**
 * An export left in flight at the deadline: the group is not listed. Its streams that need that window
 * could not be acted on yet, and a listing now would move the saved cursor past them until the next
 * full pass (20,000 pages at a million streams). The next invocation resumes the export, then lists.
 */
const leftInFlight = (start: GroupStart, exports: ExportResult[]): GroupOutput => ({
  plan: start.unchanged(),
  result: { logGroupName: start.name, exports, streams: [] },
  finished: false,
  outOfTime: true,
});

interface Exported {
  readonly exports: ExportResult[];
  readonly archivedAll: boolean;
  readonly outOfTime: boolean;
  readonly done: ExportsDone;
}

/** The group's exports under its lock (taken only when there is one to run); a failure ends the group here. */
async function exportPhase(
  deps: Deps,
  config: Readonly<Config>,
  start: GroupStart,
  run: GroupRun,
  lock: LazyLock,
): Promise<Exported | { readonly output: GroupOutput }> {
  let exportDeps = deps;
  if (start.decision.resumeExport || start.decision.exportWindow) {
    const locked = await lock.take();
    if ('skip' in locked) {
      run.releaseSlot();
      return { output: lockedOut(start, locked.skip) };
    }
    exportDeps = locked.lock.deps;
  }
  const done = await exportGroup(
    exportDeps,
    config,
    start.ref,
    { logGroupName: start.name, ...start.decision },
    start.index,
    run.releaseSlot,
  );
  const outOfTime = done.exports.some((e) => e.status === 'deadline');
  if ('error' in done) {
    const result = { logGroupName: start.name, exports: done.exports, streams: [], error: done.error };
    return {
      output: {
        plan: start.unchanged(),
        result,
        finished: false,
        outOfTime,
        ...(done.fatal ? { fatal: done.fatal } : {}),
      },
    };
  }
  const archivedThroughMs = start.ref.state.archivedThroughMs;
  return {
    exports: done.exports,
    archivedAll: done.archivedAll,
    outOfTime,
    done: { createdAtMs: done.createdAtMs, ...(archivedThroughMs === undefined ? {} : { archivedThroughMs }) },
  };
}

function trimGroupPages(
  deps: Deps,
  config: Readonly<Config>,
  g: LogGroup,
  start: GroupStart,
  run: GroupRun,
  lock: LazyLock,
  exported?: ExportsDone,
): Promise<TrimPagesOutput> {
  return trimPages(deps, config, {
    group: g,
    before: start.before,
    now: () => start.ref.state,
    nowMs: run.nowMs,
    pending: run.pending,
    mayHaveEvents: start.mayHaveEvents,
    ...(exported ? { exported } : {}),
    maxListed: run.maxListed,
    ...(start.firstPage ? { firstPage: start.firstPage } : {}),
    index: start.index,
    rebuildLane: run.rebuildLane,
    lock: lock.take,
  });
}

/** The retention and the deletion of an emptied group (each a change too: under the lock), then the group's result. */
async function finishGroup(
  deps: Deps,
  start: GroupStart,
  trimmed: TrimPagesOutput,
  exported: Exported,
  lock: LazyLock,
): Promise<GroupOutput> {
  const plan = trimmed.plan;
  const needsLock = plan.retention !== undefined || plan.deleteGroup !== undefined;
  const locked = needsLock ? await lock.take() : undefined;
  if (locked && 'skip' in locked) return lockedOut(start, locked.skip, exported.exports);
  const groupDeps = locked?.lock.deps ?? deps;
  let retention: RetentionResult | undefined;
  try {
    retention = await applyRetention(groupDeps, plan, exported.archivedAll);
  } catch (err) {
    retention = { days: plan.retention?.targetDays ?? 0, outcome: 'failed', detail: describeError(err) };
  }
  let groupDeletion: GroupDeletionResult | undefined;
  try {
    groupDeletion = exported.archivedAll && !trimmed.listingLeft ? await deleteEmptyGroup(groupDeps, plan) : undefined;
  } catch (err) {
    groupDeletion = { outcome: 'failed', detail: describeError(err) };
  }
  const archivedThroughMs = start.ref.state.archivedThroughMs;
  const result: GroupResult = {
    logGroupName: start.name,
    exports: exported.exports,
    ...(archivedThroughMs === undefined ? {} : { archivedThroughMs }),
    ...(retention ? { retention } : {}),
    ...(groupDeletion ? { groupDeletion } : {}),
    streams: trimmed.streams,
    tally: trimmed.tally,
    pagesListed: trimmed.pagesListed,
    ...(trimmed.listingLeft ? { listingLeft: true } : {}),
    ...(trimmed.advanced ? { listingAdvanced: true } : {}),
    ...(trimmed.keptCaughtUp > 0 ? { caughtUpEvents: trimmed.keptCaughtUp } : {}),
  };
  const finished = !trimmed.listingLeft && trimmed.tally.outcomes.deadline === 0 && !exported.outOfTime;
  return { plan, result, finished, outOfTime: exported.outOfTime };
}

export { runGroup };
export type { GroupOutput, GroupRun };
