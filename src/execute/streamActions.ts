/**
 * The actions of one group's trim, as its pages are read: deletes several at a time (backpressure on
 * the listing), rebuilds one at a time in the run's lane, catch-ups of kept streams, all under the
 * group's lock taken at the group's first action; and their tally and the results the plan lists.
 */
import { catchUpStream } from '../archive/catchUp.js';
import type { ArchiveIndex } from '../archive/exportManifest.js';
import type { Deps } from '../deps.js';
import type { GroupLedger } from '../plan/groupLedger.js';
import { StreamAction, type StreamPlan } from '../plan/planTypes.js';
import { NO_TALLY, tallyResult, type ResultTally, type StreamResult } from '../plan/results.js';
import type { Config, GroupState } from '../types.js';
import { concurrencyFor, type Lane } from './pool.js';
import { carryOut } from './trimGroup.js';

/** The listing reads ahead of the deletes by at most this many pool-fulls of them. */
const DELETES_AHEAD = 4;

type LockedOut = { readonly lockedBy: string } | { readonly error: string };

/** A page read, with its actions not yet finished: the cursor may not move past it while any is left. */
interface OpenPage {
  readonly token?: string;
  readonly streamsBefore: number;
  readonly weightBefore: number;
  pending: number;
}

interface ActionsInput {
  readonly logGroupName: string;
  readonly cutoffMs: number;
  /** The state now (after the exports), which each action is re-checked against. */
  readonly now: () => GroupState;
  readonly index: ArchiveIndex;
  readonly rebuildLane: Lane;
  /** Takes the group's lock (once) before its first action: its deps, or why the group is left alone. */
  readonly lock: () => Promise<{ readonly lock: { readonly deps: Deps } } | { readonly skip: LockedOut }>;
  /** The group's ledger: an action not done is pinned to the list, a listed one keeps its result. */
  readonly ledger: GroupLedger;
}

class StreamActions {
  readonly #deps: Deps;
  readonly #config: Readonly<Config>;
  readonly #input: ActionsInput;
  readonly #deletes = new Set<Promise<void>>();
  readonly #rebuilds: Promise<void>[] = [];
  readonly #listed = new Map<string, StreamResult>();
  readonly #deleteConcurrency: number;
  /** The deps every action goes through: the group lock's, taken at the first action of the group. */
  #actDeps: Deps | undefined;
  #lockedOut: LockedOut | undefined;
  #tally: ResultTally = NO_TALLY;
  #keptCaughtUp = 0;
  /** Deletes planned so far and done: the total grows as pages are read. */
  #deletesPlanned = 0;
  #deletesDone = 0;

  public constructor(deps: Deps, config: Readonly<Config>, input: ActionsInput) {
    this.#deps = deps;
    this.#config = config;
    this.#input = input;
    this.#deleteConcurrency = concurrencyFor(deps.call.limiters.allowedTps('DeleteLogStream'));
  }

  /** Another run took the group's lock before this one could act: nothing is done to its streams. */
  public get lockedOut(): LockedOut | undefined {
    return this.#lockedOut;
  }

  public get tally(): ResultTally {
    return this.#tally;
  }

  /** Late events of kept streams archived (the retention strategy's catch-up). */
  public get keptCaughtUp(): number {
    return this.#keptCaughtUp;
  }

  /** The results of the streams the ledger lists. */
  public listedResults(): StreamResult[] {
    return [...this.#listed.values()].filter((r) => this.#input.ledger.isListed(r.logStreamName));
  }

  /** Starts one stream's action under the group's lock (taken at the group's first): deletes in the pool, rebuilds in the run's lane. */
  public async start(plan: StreamPlan, page: OpenPage): Promise<void> {
    if (this.#lockedOut) return;
    if (!this.#actDeps) {
      const locked = await this.#input.lock();
      if ('skip' in locked) {
        this.#lockedOut = locked.skip;
        return;
      }
      this.#actDeps = locked.lock.deps;
    }
    page.pending += 1;
    if (plan.action === StreamAction.Delete) this.#deletesPlanned += 1;
    if (plan.action === StreamAction.Rebuild) {
      this.#rebuilds.push(this.#act(plan, page));
      return;
    }
    // A kept stream with late events in archived windows (retention strategy) is archived now.
    const acts = plan.action === StreamAction.Delete;
    const p = (acts ? this.#act(plan, page) : this.#catchUpKept(plan, page)).finally(() => this.#deletes.delete(p));
    this.#deletes.add(p);
  }

  /** Waits while the deletes in flight are more than the listing may read ahead of. */
  public async backpressure(): Promise<void> {
    while (this.#deletes.size >= this.#deleteConcurrency * DELETES_AHEAD) await Promise.race(this.#deletes);
  }

  /** Every action started, finished. */
  public async settle(): Promise<void> {
    await Promise.all(this.#deletes);
    await Promise.all(this.#rebuilds);
  }

  /** Before an error is thrown: the actions under way end first, whatever their outcome. */
  public async abandon(): Promise<void> {
    await Promise.allSettled([...this.#deletes, ...this.#rebuilds]);
  }

  async #act(plan: StreamPlan, page: OpenPage): Promise<void> {
    const { logGroupName, cutoffMs, ledger } = this.#input;
    const run = (): Promise<StreamResult> =>
      carryOut(this.#actDeps!, this.#config, logGroupName, plan, this.#input.now(), this.#input.index, cutoffMs);
    const r = plan.action === StreamAction.Rebuild ? await this.#input.rebuildLane.run(run) : await run();
    this.#tally = tallyResult(this.#tally, r, plan.estimate);
    if (plan.action === StreamAction.Delete) {
      this.#deletesDone += 1;
      this.#deps.progress?.(`${logGroupName}: ${this.#deletesDone}/${this.#deletesPlanned} deletes`, {
        phase: 'delete',
        done: this.#deletesDone,
        total: this.#deletesPlanned,
        subject: logGroupName,
      });
    }
    if (r.outcome !== 'done') ledger.pin(plan);
    if (ledger.isListed(plan.logStreamName)) this.#listed.set(plan.logStreamName, r);
    // An action the deadline kept from starting keeps its page open: the next run lists it again.
    if (r.outcome !== 'deadline') page.pending -= 1;
  }

  async #catchUpKept(plan: StreamPlan, page: OpenPage): Promise<void> {
    const { logGroupName } = this.#input;
    try {
      const late = await catchUpStream(this.#actDeps!, this.#config, logGroupName, plan.snapshot, plan.catchUp!);
      this.#keptCaughtUp += late.events;
      page.pending -= 1;
    } catch (err) {
      // Its page stays open: the next run reads the stream again and catches it up then.
      this.#deps.logger.error(
        { err, logGroupName, logStreamName: plan.logStreamName },
        'catching up late events failed',
      );
      this.#tally = { ...this.#tally, outcomes: { ...this.#tally.outcomes, failed: this.#tally.outcomes.failed + 1 } };
    }
  }
}

export { StreamActions };
export type { LockedOut, OpenPage };
