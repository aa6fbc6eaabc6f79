/**
 * One group's streams, page by page: each page of DescribeLogStreams is planned by the pure planner in
 * the group's context and acted on at once (deletes several at a time, rebuilds one at a time across
 * the run), while the next page is read. Memory holds the pages still being acted on, not the group.
 * A real run saves where its listing stands (the first page not fully acted on) so that the next
 * invocation goes on from there; a dry run reads the same pages and plans them the same way.
 */
import type { LogGroup } from '@aws-sdk/client-cloudwatch-logs';
import { clearStreamCursor, loadStreamCursor, saveStreamCursor, type StreamCursor } from '../archive/cursors.js';
import { readGroupExtras } from '../aws/groupSettings.js';
import {
  StaleTokenError,
  checkDeadline,
  filterCounts,
  streamPages,
  toGroupInfo,
  type StreamPage,
} from '../aws/inventory.js';
import type { Deps } from '../deps.js';
import { DeadlineReachedError } from '../errors.js';
import { bytesPerWeight, streamWeight } from '../plan/estimateStream.js';
import { EMPTY_TOTALS, GroupLedger, scaleMoney } from '../plan/groupLedger.js';
import { LOCK_STREAM_NAME } from '../plan/lockState.js';
import { groupContext, groupPlanOf, planStreamIn, type ExportsDone, type GroupContext } from '../plan/planRun.js';
import type { Config, GroupInfo, GroupState, StreamInfo, TimeWindow } from '../types.js';
import { StreamAction, type GroupPlan, type PendingRebuild, type StreamPlan } from '../plan/planTypes.js';
import type { Lane } from './pool.js';
import { StreamActions, type LockedOut, type OpenPage } from './streamActions.js';
import type { ResultTally, StreamResult } from '../plan/results.js';
import type { ArchiveIndex } from '../archive/exportManifest.js';

/** A real run saves its listing position every this many pages (and whenever it stops). */
const CURSOR_EVERY_PAGES = 20;

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
  readonly lock: () => Promise<{ readonly lock: { readonly deps: Deps } } | { readonly skip: LockedOut }>;
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

/**
 * Lists, plans and trims one group's streams; see the module comment.
 *
 * @example const out = await trimPages(deps, config, { group, before, now: () => ref.state, ... });
 */
async function trimPages(deps: Deps, config: Readonly<Config>, input: TrimPagesInput): Promise<TrimPagesOutput> {
  const trim = new PageTrim(deps, config, input);
  await trim.start();
  await trim.listAndAct();
  return trim.finish();
}

/** The state of one group's trim while its pages are listed and acted on. */
class PageTrim {
  readonly #deps: Deps;
  readonly #config: Readonly<Config>;
  readonly #input: TrimPagesInput;
  readonly #name: string;
  readonly #real: boolean;
  readonly #ledger: GroupLedger;
  /** Pages read whose actions are not all finished: the cursor may not move past the first. */
  readonly #open: OpenPage[] = [];
  readonly #startedAtMs: number;
  #ctx!: GroupContext;
  #actions!: StreamActions;
  #filtersRead = false;
  #cursor: StreamCursor | undefined;
  #streams = 0;
  #weightBefore = 0;
  #pages = 0;
  #listingLeft = false;
  #lastNextToken: string | undefined;

  public constructor(deps: Deps, config: Readonly<Config>, input: TrimPagesInput) {
    this.#deps = deps;
    this.#config = config;
    this.#input = input;
    this.#name = input.group.logGroupName!;
    this.#real = input.exported !== undefined;
    this.#ledger = new GroupLedger(input.maxListed);
    this.#startedAtMs = deps.clock.now();
  }

  get #cutoffMs(): number {
    return this.#ctx.stream.cutoffMs;
  }

  /** The group's context without its filters, and the saved listing position (real run). */
  public async start(): Promise<void> {
    this.#ctx = this.#contextOf(await this.#readSettings(false));
    const { now, index, rebuildLane, lock } = this.#input;
    this.#actions = new StreamActions(this.#deps, this.#config, {
      logGroupName: this.#name,
      cutoffMs: this.#cutoffMs,
      now,
      index,
      rebuildLane,
      lock,
      ledger: this.#ledger,
    });
    this.#cursor = this.#real ? await loadStreamCursor(this.#deps, this.#config, this.#name) : undefined;
    this.#streams = this.#cursor?.streamsBefore ?? 0;
    this.#weightBefore = this.#cursor?.weightBefore ?? 0;
  }

  /** Filters, account policies and the transformer only guard re-puts: read once a stream to rebuild shows up. */
  async #readSettings(rebuildCandidate: boolean, emptyGroupCandidate = false): Promise<GroupInfo> {
    const { group } = this.#input;
    return {
      ...toGroupInfo(group, rebuildCandidate ? await filterCounts(this.#deps, this.#name) : undefined),
      ...(await readGroupExtras(this.#deps, group, { rebuildCandidate, emptyGroupCandidate })),
    };
  }

  #contextOf(info: GroupInfo): GroupContext {
    const i = this.#input;
    return groupContext(info, i.before, this.#config, i.nowMs, i.pending, i.mayHaveEvents, i.exported);
  }

  /** Every page from the saved position; a refused token lists from the start once, the deadline stops the listing. */
  public async listAndAct(): Promise<void> {
    for (let attempt = 0; ; attempt += 1) {
      try {
        for await (const page of this.#pagesFrom(this.#cursor?.nextToken)) {
          if (!(await this.#takePage(page))) break;
        }
        break;
      } catch (err) {
        if (err instanceof StaleTokenError && attempt === 0) {
          this.#deps.logger.warn(
            { logGroupName: this.#name },
            'the saved listing position is no longer valid; listing the group from the start',
          );
          this.#cursor = undefined;
          this.#streams = 0;
          this.#weightBefore = 0;
          continue;
        }
        if (!(err instanceof DeadlineReachedError)) {
          await this.#actions.abandon();
          throw err;
        }
        this.#listingLeft = true;
        break;
      }
    }
    await this.#actions.settle();
  }

  /** The listing from `token`; from the start, the look's page when it holds the whole group. */
  #pagesFrom(token: string | undefined): AsyncIterable<StreamPage> | Iterable<StreamPage> {
    if (token !== undefined || !this.#input.firstPage) return streamPages(this.#deps, this.#name, token);
    checkDeadline(this.#deps, `listing the streams of ${this.#name}`);
    return [{ streams: this.#input.firstPage }];
  }

  /** Plans one page and starts its actions; false once the group's lock went to another run. */
  async #takePage(page: StreamPage): Promise<boolean> {
    this.#lastNextToken = page.nextToken;
    if (
      this.#config.strategy === 'rebuild' &&
      !this.#filtersRead &&
      page.streams.some((s) => straddles(s, this.#cutoffMs))
    ) {
      this.#ctx = this.#contextOf(await this.#readSettings(true));
      this.#filtersRead = true;
    }
    const openPage: OpenPage = {
      ...(page.token ? { token: page.token } : {}),
      streamsBefore: this.#streams,
      weightBefore: this.#weightBefore + this.#ledger.totalWeight,
      pending: 0,
    };
    this.#open.push(openPage);
    for (const s of page.streams) {
      // An earlier version's in-group lock stream is not the account's data: neither planned nor counted.
      if (s.logStreamName === LOCK_STREAM_NAME) continue;
      const plan = planStreamIn(this.#ctx, s, streamWeight(s));
      this.#ledger.add(plan, streamWeight(s));
      if (this.#real && (acts(plan) || (plan.catchUp?.length ?? 0) > 0)) await this.#actions.start(plan, openPage);
    }
    this.#streams += page.streams.length;
    this.#pages += 1;
    progress(this.#deps, this.#name, this.#streams, this.#pages, this.#startedAtMs);
    await this.#actions.backpressure();
    if (this.#actions.lockedOut) return false;
    if (this.#real && this.#pages % CURSOR_EVERY_PAGES === 0) {
      const at = this.#position(page.nextToken);
      if (at) await saveStreamCursor(this.#deps, this.#config, at);
    }
    return true;
  }

  /** The position to save: the first page with actions left, or past every page read. */
  #position(nextToken: string | undefined): Omit<StreamCursor, 'schemaVersion' | 'savedAtMs'> | undefined {
    while (this.#open.length > 0 && this.#open[0]!.pending === 0) this.#open.shift();
    const first = this.#open[0];
    const token = first ? first.token : nextToken;
    if (token === undefined) return undefined;
    return {
      logGroupName: this.#name,
      nextToken: token,
      streamsBefore: first ? first.streamsBefore : this.#streams,
      weightBefore: first ? first.weightBefore : this.#weightBefore + this.#ledger.totalWeight,
    };
  }

  /** Saves or clears the listing position (real run), then the group's plan and results, their money scaled to the group's bytes. */
  public async finish(): Promise<TrimPagesOutput> {
    const startedFrom = this.#cursor?.streamsBefore ?? 0;
    let advanced = this.#pages > 0;
    if (this.#real) {
      const at =
        this.#listingLeft || this.#actions.tally.outcomes.deadline > 0
          ? this.#position(this.#lastNextToken)
          : undefined;
      if (at) await saveStreamCursor(this.#deps, this.#config, at);
      else if (this.#cursor || this.#pages >= CURSOR_EVERY_PAGES)
        await clearStreamCursor(this.#deps, this.#config, this.#name);
      // The next invocation starts further on than this one did (or lists from the start after a finished listing).
      advanced = at === undefined ? this.#pages > 0 : at.streamsBefore > startedFrom;
    }
    // DELETE_EMPTY_GROUPS: a group with no stream at all is a candidate once its filters are known.
    if (this.#config.deleteEmptyGroups === true && !this.#listingLeft && this.#streams === 0) {
      this.#ctx = this.#contextOf(await this.#readSettings(false, true));
    }
    const tally = this.#actions.tally;
    const scale = bytesPerWeight(this.#input.group.storedBytes ?? 0, this.#weightBefore + this.#ledger.totalWeight);
    return {
      plan: groupPlanOf(this.#ctx, this.#ledger.summary(scale)),
      streams: this.#actions.listedResults(),
      tally: { ...tally, doneEstimate: scaleMoney({ ...EMPTY_TOTALS, ...tally.doneEstimate }, scale) },
      pagesListed: this.#pages,
      listingLeft: this.#listingLeft,
      advanced,
      ...(this.#actions.lockedOut ? { lockedOut: this.#actions.lockedOut } : {}),
      keptCaughtUp: this.#actions.keptCaughtUp,
    };
  }
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
