/**
 * The run's pipeline over the selected groups: a few identical workers take groups one at a time
 * from the walk over the selection (in name order, page by page) and run each ({@link runGroup}). The
 * account has one export slot: each group takes its turn in walk order and hands the slot on as soon
 * as its task has ended, so the next group exports while this one verifies and trims. A real run
 * resumes the walk where the last one stopped and saves where it stops.
 */
import { clearFleetCursor, loadFleetCursor, saveFleetCursor } from '../archive/cursors.js';
import { selectedGroups, toGroupInfo, type WalkedGroup } from '../aws/inventory.js';
import type { Deps } from '../deps.js';
import { DeadlineReachedError, LeaseHeldError, StateConflictError, describeError } from '../errors.js';
import { GroupLedger } from '../plan/groupLedger.js';
import { groupContext, groupPlanOf } from '../plan/planRun.js';
import type { GroupPlan, PendingRebuild } from '../plan/planTypes.js';
import type { GroupResult } from '../plan/results.js';
import { resumeAfter, selectionKey } from '../plan/selectionWalk.js';
import type { Config } from '../types.js';
import { createLane, createTurns, type Lane, type Turn } from './pool.js';
import { runGroup, type GroupOutput } from './runGroup.js';

/**
 * Two groups' trims may overlap: the next group's deletes fill the DeleteLogStream limiter while the
 * last deletes of the previous group are still in flight, or while it rebuilds; a third group exports
 * meanwhile. Rebuilds themselves stay one at a time across the run: memory holds one rebuild.
 */
const TRIMS_AT_ONCE = 2;
const WORKERS = TRIMS_AT_ONCE + 1;
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

interface RunInput {
  readonly nowMs: number;
  readonly pending: readonly PendingRebuild[];
}

/** What the walk has done so far, in walk order: the workers report into it, the cursor is saved from it. */
class WalkRecord {
  public readonly entries: { plan?: GroupPlan; result?: GroupResult }[] = [];
  public readonly started: string[] = [];
  /** Where each started group's page of its listing is, for the cursor. */
  public readonly pages = new Map<string, { readonly itemKey: string; readonly pageToken?: string }>();
  public readonly finished = new Set<string>();
  public walkLeft = false;
  public outOfTime = false;
  /** Stops the walk: a state conflict or a lost lease (thrown once the work under way is done). */
  public fatal: Error | undefined;
  #listed = 0;

  /** No further group starts. */
  public get stopped(): boolean {
    return this.fatal !== undefined || this.walkLeft || this.outOfTime;
  }

  /** How many streams the next group may list: every group a few, the run at most its bound. */
  public maxListed(): number {
    return Math.max(MIN_LISTED_PER_GROUP, Math.min(MAX_LISTED_PER_GROUP, MAX_LISTED_PER_RUN - this.#listed));
  }

  public start(walked: WalkedGroup): { plan?: GroupPlan; result?: GroupResult } {
    const name = walked.group.logGroupName!;
    const entry = {};
    this.entries.push(entry);
    this.started.push(name);
    this.pages.set(name, { itemKey: walked.itemKey, ...(walked.pageToken ? { pageToken: walked.pageToken } : {}) });
    return entry;
  }

  public settle(entry: { plan?: GroupPlan; result?: GroupResult }, name: string, out: GroupOutput): void {
    entry.plan = out.plan;
    if (out.result) entry.result = out.result;
    this.#listed += out.plan.streams.length;
    if (out.outOfTime) this.outOfTime = true;
    if (out.fatal) this.fatal ??= out.fatal;
    if (out.finished) this.finished.add(name);
  }
}

/**
 * Runs every selected group through the pipeline. A dry run reads and plans the same, without any
 * export or action. A state conflict (another writer) or a lost lease starts no further group, lets
 * the work under way finish, and is thrown.
 *
 * @example const { groups, results } = await runGroups(deps, config, { nowMs, pending });
 */
async function runGroups(deps: Deps, config: Readonly<Config>, run: RunInput): Promise<GroupsOutput> {
  const selection = selectionKey(config.selection);
  const fleet = config.dryRun ? undefined : await loadFleetCursor(deps, config, selection);
  const groups = selectedGroups(deps, config.selection, fleet);
  const record = new WalkRecord();
  const slot = createTurns();
  const rebuildLane = createLane(1);
  let walkError: unknown;
  const worker = async (): Promise<void> => {
    while (!record.stopped && walkError === undefined) {
      let next: IteratorResult<WalkedGroup>;
      try {
        next = await groups.next();
      } catch (err) {
        if (err instanceof DeadlineReachedError) record.walkLeft = true;
        else walkError ??= err;
        return;
      }
      if (next.done) return;
      // Taken as soon as the group is: turns follow the walk's order.
      await runTurn(deps, config, next.value, slot.take(), { ...run, rebuildLane }, record);
    }
  };
  await Promise.all(Array.from({ length: WORKERS }, worker));
  if (walkError !== undefined) throw walkError;
  if (record.fatal) throw record.fatal;
  const walkLeft = record.walkLeft || record.outOfTime;
  if (!config.dryRun) await saveWalk(deps, config, selection, record, { walkLeft, resumed: fleet !== undefined });
  return {
    groups: record.entries.flatMap((e) => (e.plan ? [e.plan] : [])),
    results: record.entries.flatMap((e) => (e.result ? [e.result] : [])),
    walkLeft,
    outOfTime: record.outOfTime,
  };
}

/** One group once its turn of the export slot comes; an unexpected error is the group's result, and the run goes on. */
async function runTurn(
  deps: Deps,
  config: Readonly<Config>,
  walked: WalkedGroup,
  turn: Turn,
  run: RunInput & { readonly rebuildLane: Lane },
  record: WalkRecord,
): Promise<void> {
  await turn.ready;
  if (record.stopped || deps.deadline.remainingMs() <= 0) {
    if (!record.stopped) record.walkLeft = true;
    turn.release();
    return;
  }
  const g = walked.group;
  const name = g.logGroupName!;
  const entry = record.start(walked);
  deps.progress?.(`group ${record.started.length}: ${name}`, {
    phase: 'export',
    done: record.started.length,
    total: record.started.length,
    subject: name,
  });
  try {
    record.settle(
      entry,
      name,
      await runGroup(deps, config, g, { ...run, maxListed: record.maxListed(), releaseSlot: turn.release }),
    );
  } catch (err) {
    // A lost lease or a state conflict ends the walk; any other error is this group's alone.
    deps.logger.error({ err, logGroupName: name }, 'group failed');
    const state = { logGroupName: name, windows: [] };
    entry.plan = groupPlanOf(
      groupContext(toGroupInfo(g), state, config, run.nowMs, run.pending, () => false),
      new GroupLedger(0).summary(),
    );
    entry.result = { logGroupName: name, exports: [], streams: [], error: describeError(err) };
    if (err instanceof StateConflictError || err instanceof LeaseHeldError) record.fatal ??= err;
  } finally {
    turn.release();
  }
}

/**
 * Saves where the walk can resume (after the last group of the longest finished run from its start),
 * or clears the cursor once every selected group was finished. Nothing finished: the old cursor stays.
 */
async function saveWalk(
  deps: Deps,
  config: Readonly<Config>,
  selection: string,
  record: WalkRecord,
  walk: { readonly walkLeft: boolean; readonly resumed: boolean },
): Promise<void> {
  const allFinished = record.started.every((n) => record.finished.has(n));
  if (!walk.walkLeft && allFinished) {
    if (walk.resumed || record.started.length > 0) await clearFleetCursor(deps, config);
    return;
  }
  const after = resumeAfter(record.started, record.finished);
  if (after !== undefined) {
    await saveFleetCursor(deps, config, selection, { afterGroupName: after, ...record.pages.get(after) });
  }
}

export { runGroups };
export type { GroupsOutput };
