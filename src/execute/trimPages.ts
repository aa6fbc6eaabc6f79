/**
 * One group's streams, page by page: each page of DescribeLogStreams is planned by the pure planner in
 * the group's context and acted on at once (deletes several at a time, rebuilds one at a time across
 * the run), while the next page is read. Memory holds the pages still being acted on, not the group.
 * A real run saves where its listing stands (the first page not fully acted on) so that the next
 * invocation goes on from there; a dry run reads the same pages and plans them the same way.
 */
import type { LogGroup } from '@aws-sdk/client-cloudwatch-logs';
import { clearStreamCursor, loadStreamCursor, saveStreamCursor, type StreamCursor } from '../archive/cursors.js';
import { catchUpStream } from '../archive/catchUp.js';
import { readGroupExtras } from '../aws/groupSettings.js';
import { StaleTokenError, checkDeadline, filterCounts, streamPages, toGroupInfo, type StreamPage } from '../aws/inventory.js';
import type { Deps } from '../deps.js';
import { DeadlineReachedError } from '../errors.js';
import { bytesPerWeight, streamWeight } from '../plan/estimateStream.js';
import { EMPTY_TOTALS, GroupLedger, scaleMoney } from '../plan/groupLedger.js';
import { LOCK_STREAM_NAME } from '../plan/lockState.js';
import { groupContext, groupPlanOf, planStreamIn, type ExportsDone, type GroupContext } from '../plan/planRun.js';
import { type Config, type GroupInfo, type GroupState, type StreamInfo, type TimeWindow } from '../types.js';
import { StreamAction, type GroupPlan, type PendingRebuild, type StreamPlan } from '../plan/planTypes.js';
import { concurrencyFor, type Lane } from './pool.js';
import { NO_TALLY, tallyResult, type ResultTally, type StreamResult } from '../plan/results.js';
import type { ArchiveIndex } from '../archive/exportManifest.js';
import { carryOut } from './trimGroup.js';

/** A real run saves its listing position every this many pages (and whenever it stops). */
const CURSOR_EVERY_PAGES = 20;
/** The listing reads ahead of the deletes by at most this many pool-fulls of them. */
const DELETES_AHEAD = 4;

interface TrimPagesInput {
  readonly group: LogGroup;
  /** The group's state before this run's exports: the plan's context, as the dry run sees it. */
  readonly before: GroupState;
  /** The state now (after the exports), which each action is re-checked against. */
  readonly now: () => GroupState;
  readonly nowMs: number;
  readonly pending: readonly PendingRebuild[];
  readonly mayHaveEvents: (window: TimeWindow) => boolean;
  /** What the exports found; absent on a dry run. */
  readonly exported?: ExportsDone;
  /** How many streams the plan may list (the run's report is bounded as a whole). */
  readonly maxListed: number;
  /**
   * The whole group, in name order, as the look that decided its export read it (up to 50 streams),
   * when nothing was exported since: it stands for the listing's one page, which is not read again.
   */
  readonly firstPage?: readonly StreamInfo[];
  readonly index: ArchiveIndex;
  readonly rebuildLane: Lane;
  /** Takes the group's lock (once) before its first action: its deps, or why the group is left alone. */
  readonly lock: () => Promise<{ readonly lock: { readonly deps: Deps } } | { readonly skip: { readonly lockedBy: string } | { readonly error: string } }>;
}

interface TrimPagesOutput {
  readonly plan: GroupPlan;
  /** Results of the listed streams (a real run), bounded like the plan's list. */
  readonly streams: readonly StreamResult[];
  readonly tally: ResultTally;
  readonly pagesListed: number;
  /** The deadline stopped the listing; the cursor (real run) says where the next run goes on. */
  readonly listingLeft: boolean;
  /** The saved position moved on (or the listing finished): progress, even with nothing to act on. */
  readonly advanced: boolean;
  /** Late events of kept streams archived (the retention strategy's catch-up). */
  readonly keptCaughtUp: number;
  /** Another run took the group's lock before this one could act: nothing was done to its streams. */
  readonly lockedOut?: { readonly lockedBy: string } | { readonly error: string };
}

const acts = (s: StreamPlan): boolean => s.action === StreamAction.Delete || s.action === StreamAction.Rebuild;

/** A stream whose events reach both sides of the cutoff: only a re-put needs the group's filters. */
const straddles = (s: StreamInfo, cutoffMs: number): boolean =>
  (s.firstEventTimestampMs ?? Infinity) < cutoffMs && (s.lastEventTimestampMs ?? -Infinity) >= cutoffMs;

/** A page read, with its actions not yet finished: the cursor may not move past it while any is left. */
interface OpenPage {
  readonly token?: string;
  readonly streamsBefore: number;
  readonly weightBefore: number;
  pending: number;
}

/**
 * Lists, plans and trims one group's streams; see the module comment.
 *
 * @example const out = await trimPages(deps, config, { group, before, now: () => ref.state, ... });
 */
async function trimPages(deps: Deps, config: Readonly<Config>, input: TrimPagesInput): Promise<TrimPagesOutput> {
  const name = input.group.logGroupName!;
  const real = input.exported !== undefined;
  // Filters, account policies and the transformer only guard re-puts: read once a stream to rebuild shows up.
  const readSettings = async (rebuildCandidate: boolean, emptyGroupCandidate = false): Promise<GroupInfo> => ({
    ...toGroupInfo(input.group, rebuildCandidate ? await filterCounts(deps, name) : undefined),
    ...(await readGroupExtras(deps, input.group, { rebuildCandidate, emptyGroupCandidate })),
  });
  const contextOf = (info: GroupInfo): GroupContext =>
    groupContext(info, input.before, config, input.nowMs, input.pending, input.mayHaveEvents, input.exported);
  let ctx = contextOf(await readSettings(false));
  let filtersRead = false;
  const cutoffMs = ctx.stream.cutoffMs;
  const ledger = new GroupLedger(input.maxListed);
  const listed = new Map<string, StreamResult>();
  let tally: ResultTally = NO_TALLY;
  const deleteConcurrency = concurrencyFor(deps.call.limiters.allowedTps('DeleteLogStream'));
  const deletes = new Set<Promise<void>>();
  const rebuilds: Promise<void>[] = [];
  const open: OpenPage[] = [];
  let cursor: StreamCursor | undefined = real ? await loadStreamCursor(deps, config, name) : undefined;
  let streams = cursor?.streamsBefore ?? 0;
  let weightBefore = cursor?.weightBefore ?? 0;
  let pages = 0;
  let listingLeft = false;
  const startedAtMs = deps.clock.now();

  // The deps every action goes through: the group lock's, taken at the first action of the group.
  let actDeps: Deps | undefined;
  let keptCaughtUp = 0;
  // Deletes planned so far and done: the total grows as pages are read.
  let deletesPlanned = 0;
  let deletesDone = 0;
  let lockedOut: { readonly lockedBy: string } | { readonly error: string } | undefined;
  const act = (plan: StreamPlan, page: OpenPage): Promise<void> =>
    (async () => {
      const run = () => carryOut(actDeps!, config, name, plan, input.now(), input.index, cutoffMs);
      const r = plan.action === StreamAction.Rebuild ? await input.rebuildLane.run(run) : await run();
      tally = tallyResult(tally, r, plan.estimate);
      if (plan.action === StreamAction.Delete) {
        deletesDone += 1;
        deps.progress?.(`${name}: ${deletesDone}/${deletesPlanned} deletes`, { phase: 'delete', done: deletesDone, total: deletesPlanned, subject: name });
      }
      if (r.outcome !== 'done') ledger.pin(plan);
      if (ledger.isListed(plan.logStreamName)) listed.set(plan.logStreamName, r);
      // An action the deadline kept from starting keeps its page open: the next run lists it again.
      if (r.outcome !== 'deadline') page.pending -= 1;
    })();

  const catchUpKept = (plan: StreamPlan, page: OpenPage): Promise<void> =>
    (async () => {
      try {
        const late = await catchUpStream(actDeps!, config, name, plan.snapshot, plan.catchUp!);
        keptCaughtUp += late.events;
        page.pending -= 1;
      } catch (err) {
        // Its page stays open: the next run reads the stream again and catches it up then.
        deps.logger.error({ err, logGroupName: name, logStreamName: plan.logStreamName }, 'catching up late events failed');
        tally = { ...tally, outcomes: { ...tally.outcomes, failed: tally.outcomes.failed + 1 } };
      }
    })();

  /** The position to save: the first page with actions left, or past every page read. */
  const position = (nextToken: string | undefined): Omit<StreamCursor, 'schemaVersion' | 'savedAtMs'> | undefined => {
    while (open.length > 0 && open[0]!.pending === 0) open.shift();
    const first = open[0];
    const token = first ? first.token : nextToken;
    if (token === undefined) return undefined;
    return {
      logGroupName: name,
      nextToken: token,
      streamsBefore: first ? first.streamsBefore : streams,
      weightBefore: first ? first.weightBefore : weightBefore + ledger.totalWeight,
    };
  };

  /** The listing from `token`; from the start, the look's page when it holds the whole group. */
  const pagesFrom = (token: string | undefined): AsyncIterable<StreamPage> | Iterable<StreamPage> => {
    if (token !== undefined || !input.firstPage) return streamPages(deps, name, token);
    checkDeadline(deps, `listing the streams of ${name}`);
    return [{ streams: input.firstPage }];
  };

  let lastNextToken: string | undefined;
  for (let attempt = 0; ; attempt += 1) {
    try {
      for await (const page of pagesFrom(cursor?.nextToken)) {
        lastNextToken = page.nextToken;
        if (config.strategy === 'rebuild' && !filtersRead && page.streams.some((s) => straddles(s, cutoffMs))) {
          ctx = contextOf(await readSettings(true));
          filtersRead = true;
        }
        const openPage: OpenPage = {
          ...(page.token ? { token: page.token } : {}),
          streamsBefore: streams,
          weightBefore: weightBefore + ledger.totalWeight,
          pending: 0,
        };
        open.push(openPage);
        for (const s of page.streams) {
          // cwl-trim's own lock stream is not the account's data: neither planned nor counted.
          if (s.logStreamName === LOCK_STREAM_NAME) continue;
          const plan = planStreamIn(ctx, s, streamWeight(s));
          ledger.add(plan, streamWeight(s));
          if (!real || lockedOut || !(acts(plan) || (plan.catchUp?.length ?? 0) > 0)) continue;
          if (!actDeps) {
            const locked = await input.lock();
            if ('skip' in locked) {
              lockedOut = locked.skip;
              continue;
            }
            actDeps = locked.lock.deps;
          }
          openPage.pending += 1;
          if (plan.action === StreamAction.Delete) deletesPlanned += 1;
          if (!acts(plan)) {
            // A kept stream with late events in archived windows (retention strategy): archived now.
            const p = catchUpKept(plan, openPage).finally(() => deletes.delete(p));
            deletes.add(p);
          } else if (plan.action === StreamAction.Rebuild) {
            rebuilds.push(act(plan, openPage));
          } else {
            const p = act(plan, openPage).finally(() => deletes.delete(p));
            deletes.add(p);
          }
        }
        streams += page.streams.length;
        pages += 1;
        progress(deps, name, streams, pages, startedAtMs);
        while (deletes.size >= deleteConcurrency * DELETES_AHEAD) await Promise.race(deletes);
        if (lockedOut) break;
        if (real && pages % CURSOR_EVERY_PAGES === 0) {
          const at = position(page.nextToken);
          if (at) await saveStreamCursor(deps, config, at);
        }
      }
      break;
    } catch (err) {
      if (err instanceof StaleTokenError && attempt === 0) {
        deps.logger.warn({ logGroupName: name }, 'the saved listing position is no longer valid; listing the group from the start');
        cursor = undefined;
        streams = 0;
        weightBefore = 0;
        continue;
      }
      if (!(err instanceof DeadlineReachedError)) {
        await Promise.allSettled([...deletes, ...rebuilds]);
        throw err;
      }
      listingLeft = true;
      break;
    }
  }
  await Promise.all(deletes);
  await Promise.all(rebuilds);
  const startedFrom = cursor?.streamsBefore ?? 0;
  let advanced = pages > 0;
  if (real) {
    const at = listingLeft || tally.outcomes.deadline > 0 ? position(lastNextToken) : undefined;
    if (at) await saveStreamCursor(deps, config, at);
    else if (cursor || pages >= CURSOR_EVERY_PAGES) await clearStreamCursor(deps, config, name);
    // The next invocation starts further on than this one did (or lists from the start after a finished listing).
    advanced = at === undefined ? pages > 0 : at.streamsBefore > startedFrom;
  }
  // DELETE_EMPTY_GROUPS: a group with no stream at all is a candidate once its filters are known.
  if (config.deleteEmptyGroups === true && !listingLeft && streams === 0) ctx = contextOf(await readSettings(false, true));
  const scale = bytesPerWeight(input.group.storedBytes ?? 0, weightBefore + ledger.totalWeight);
  return {
    plan: groupPlanOf(ctx, ledger.summary(scale)),
    streams: [...listed.values()].filter((r) => ledger.isListed(r.logStreamName)),
    tally: { ...tally, doneEstimate: scaleMoney({ ...EMPTY_TOTALS, ...tally.doneEstimate }, scale) },
    pagesListed: pages,
    listingLeft,
    advanced,
    ...(lockedOut ? { lockedOut } : {}),
    keptCaughtUp,
  };
}

/** A progress step per page listed: streams so far, and the rate. */
function progress(deps: Deps, name: string, streams: number, pages: number, startedAtMs: number): void {
  if (!deps.progress) return;
  const seconds = Math.max((deps.clock.now() - startedAtMs) / 1_000, 0.001);
  deps.progress(`${name}: ${streams} streams listed (${pages} pages, ${Math.round(streams / seconds)} streams/s)`, {
    phase: 'listing',
    done: streams,
    subject: name,
  });
}

export { trimPages };
export type { TrimPagesInput, TrimPagesOutput };
