import {
  StreamAction,
  type GroupTotals,
  type ReasonCount,
  type StreamActionKind,
  type StreamEstimate,
  type StreamPlan,
} from './planTypes.js';

/** Nothing planned yet. */
const EMPTY_TOTALS: GroupTotals = Object.freeze({
  streams: 0,
  delete: 0,
  rebuild: 0,
  keep: 0,
  skip: 0,
  removeStoredBytes: 0,
  reputBytes: 0,
  reputCostUsd: 0,
  monthlySavingUsd: 0,
  cloudWatchMonthlyUsd: 0,
  archiveMonthlyUsd: 0,
  lifetimeSavingUsd: 0,
});

/** The money figures of totals and estimates: each linear in a stream's stored bytes. */
const MONEY_FIELDS = [
  'removeStoredBytes',
  'reputBytes',
  'reputCostUsd',
  'monthlySavingUsd',
  'cloudWatchMonthlyUsd',
  'archiveMonthlyUsd',
  'lifetimeSavingUsd',
] as const;
type MoneyField = (typeof MONEY_FIELDS)[number];
/** The money figures of an estimate or of totals. */
type Money = Readonly<Record<MoneyField, number>>;

/** Sums the money figures of two estimates or totals. @example addMoney(NO_MONEY, streamPlan.estimate) */
function addMoney(a: Money, b: Money): Money {
  const sum: Record<string, number> = {};
  for (const f of MONEY_FIELDS) sum[f] = a[f] + b[f];
  return sum as Money;
}

/** The order streams are listed in when not all of them can be: pinned (unfinished) first, keeps last. */
const RANKS = ['pinned', StreamAction.Rebuild, StreamAction.Skip, StreamAction.Delete, StreamAction.Keep] as const;
type Rank = 0 | 1 | 2 | 3 | 4;

const rankOf = (action: StreamActionKind): Rank => RANKS.indexOf(action) as Rank;

interface Entry {
  plan: StreamPlan;
  readonly seq: number;
}

/** A group's planned streams, bounded: what a report lists, counts and sums. */
interface LedgerSummary {
  /** The listed streams, in the order they were planned, with estimates in bytes and dollars. */
  readonly streams: readonly StreamPlan[];
  readonly totals: GroupTotals;
  readonly reasons: readonly ReasonCount[];
  /** Streams planned but not listed, by action (keeps are never counted here). */
  readonly streamsOmitted: { readonly delete: number; readonly rebuild: number; readonly skip: number };
}

const scaleEstimate = (e: StreamEstimate, k: number): StreamEstimate => {
  const scaled: Record<string, number> = {};
  for (const f of MONEY_FIELDS) scaled[f] = e[f] * k;
  return { ...e, ...scaled, storedBytes: e.storedBytes * k };
};

/**
 * Everything a report needs of a group's stream plans, in memory bounded by `maxListed` however many
 * streams the group has: exact totals and counts by reason, and the streams worth listing (rebuilds,
 * skips, deletes, in that order of priority; keeps only when the list is unbounded).
 *
 * Estimates may be added in any unit proportional to bytes (the planner uses a stream's time-span
 * weight while the group's total weight is still unknown): every money figure is linear in a stream's
 * stored bytes, so {@link GroupLedger.summary} scales them once at the end, and no decision depends on
 * the unit (a rebuild's payback compares two figures of the same stream).
 *
 * @example
 * const ledger = new GroupLedger(500);
 * for (const s of page) ledger.add(planStream(s, ctx), streamWeight(s));
 * const { totals, streams } = ledger.summary(group.storedBytes / ledger.totalWeight);
 */
class GroupLedger {
  readonly #max: number;
  readonly #listed: Entry[][] = RANKS.map(() => []);
  readonly #byName = new Map<string, Entry>();
  #size = 0;
  #seq = 0;
  #totals: GroupTotals = EMPTY_TOTALS;
  #weight = 0;
  readonly #reasons = new Map<string, ReasonCount>();
  readonly #omitted = { delete: 0, rebuild: 0, skip: 0 };

  public constructor(maxListed: number) {
    this.#max = maxListed;
  }

  /** Σ of the weights given to {@link add}. */
  public get totalWeight(): number {
    return this.#weight;
  }

  public add(plan: StreamPlan, weight = 0): void {
    this.#weight += weight;
    this.#totals = addToTotals(this.#totals, plan);
    const key = `${plan.action}|${plan.reason}`;
    const seen = this.#reasons.get(key);
    this.#reasons.set(
      key,
      seen
        ? { ...seen, count: seen.count + 1, detailsVary: seen.detailsVary || seen.example !== plan.detail }
        : { action: plan.action, reason: plan.reason, count: 1, example: plan.detail, detailsVary: false },
    );
    this.#place({ plan, seq: this.#seq++ }, rankOf(plan.action));
  }

  /** Lists an action whose outcome is worth a line (not done), ahead of every other stream. */
  public pin(plan: StreamPlan): void {
    const listed = this.#byName.get(plan.logStreamName);
    if (listed) {
      for (const bucket of this.#listed) {
        const i = bucket.indexOf(listed);
        if (i >= 0) bucket.splice(i, 1);
      }
      this.#size -= 1;
      this.#place(listed, 0);
      return;
    }
    // Pinning lists a stream that was counted as omitted.
    if (plan.action !== StreamAction.Keep) this.#omitted[plan.action] -= 1;
    this.#place({ plan, seq: this.#seq++ }, 0);
  }

  public isListed(logStreamName: string): boolean {
    return this.#byName.has(logStreamName);
  }

  /** The summary, estimates multiplied by `scale` (bytes per unit of weight; 1 when they are bytes already). */
  public summary(scale = 1): LedgerSummary {
    const k = Number.isFinite(scale) ? scale : 0;
    const t = this.#totals;
    const order: readonly string[] = [StreamAction.Delete, StreamAction.Rebuild, StreamAction.Skip, StreamAction.Keep];
    return {
      streams: this.#listed
        .flat()
        .sort((a, b) => a.seq - b.seq)
        .map((e) => (k === 1 ? e.plan : { ...e.plan, estimate: scaleEstimate(e.plan.estimate, k) })),
      totals: scaleMoney(t, k),
      reasons: [...this.#reasons.values()].sort(
        (a, b) => order.indexOf(a.action) - order.indexOf(b.action) || b.count - a.count,
      ),
      streamsOmitted: { ...this.#omitted },
    };
  }

  /** Adds the entry, making room by dropping the latest entry of the lowest priority below `rank`. */
  #place(entry: Entry, rank: Rank): void {
    if (this.#size >= this.#max) {
      const lowest = this.#lowestBelow(rank);
      if (lowest === undefined) {
        this.#omit(entry.plan);
        return;
      }
      const dropped = this.#listed[lowest]!.pop()!;
      this.#byName.delete(dropped.plan.logStreamName);
      this.#size -= 1;
      this.#omit(dropped.plan);
    }
    this.#listed[rank]!.push(entry);
    this.#byName.set(entry.plan.logStreamName, entry);
    this.#size += 1;
  }

  #lowestBelow(rank: Rank): number | undefined {
    for (let r = RANKS.length - 1; r > rank; r -= 1) if (this.#listed[r]!.length > 0) return r;
    return undefined;
  }

  #omit(plan: StreamPlan): void {
    if (plan.action !== StreamAction.Keep) this.#omitted[plan.action] += 1;
  }
}

/** Multiplies every money figure of totals by `k`. */
function scaleMoney(t: GroupTotals, k: number): GroupTotals {
  const scaled: Record<string, number> = {};
  for (const f of MONEY_FIELDS) scaled[f] = t[f] * k;
  return { ...t, ...(scaled as Pick<GroupTotals, MoneyField>) };
}

/** Adds one stream's plan to a group's totals (money only for actions that remove something). */
function addToTotals(t: GroupTotals, s: StreamPlan): GroupTotals {
  const acts = s.action === StreamAction.Delete || s.action === StreamAction.Rebuild;
  const money: Record<string, number> = {};
  for (const f of MONEY_FIELDS) money[f] = t[f] + (acts ? s.estimate[f] : 0);
  return {
    streams: t.streams + 1,
    delete: t.delete + (s.action === StreamAction.Delete ? 1 : 0),
    rebuild: t.rebuild + (s.action === StreamAction.Rebuild ? 1 : 0),
    keep: t.keep + (s.action === StreamAction.Keep ? 1 : 0),
    skip: t.skip + (s.action === StreamAction.Skip ? 1 : 0),
    ...(money as Pick<GroupTotals, MoneyField>),
  };
}

/** Sums group totals (a run's totals are the sum of its groups'). */
function addTotals(a: GroupTotals, b: GroupTotals): GroupTotals {
  const money: Record<string, number> = {};
  for (const f of MONEY_FIELDS) money[f] = a[f] + b[f];
  return {
    streams: a.streams + b.streams,
    delete: a.delete + b.delete,
    rebuild: a.rebuild + b.rebuild,
    keep: a.keep + b.keep,
    skip: a.skip + b.skip,
    ...(money as Pick<GroupTotals, MoneyField>),
  };
}

export { EMPTY_TOTALS, GroupLedger, MONEY_FIELDS, addMoney, addTotals, scaleMoney };
export type { Money };
export type { LedgerSummary };
