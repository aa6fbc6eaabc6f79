import type { Plan } from './planTypes.js';
import { addMoney, type Money } from './groupLedger.js';

/** What a real run did, as plain data: the report renders it, the exit code is derived from it. */

/** done: carried out · skipped: a re-check at execution said no · failed: an error · abandoned: the stream
 * changed, left as it is · deadline: not reached in time, the next run carries on. */
const ACTION_OUTCOMES = ['done', 'skipped', 'failed', 'abandoned', 'deadline'] as const;
type ActionOutcome = (typeof ACTION_OUTCOMES)[number];

interface StreamResult {
  readonly logGroupName: string;
  readonly logStreamName: string;
  readonly action: 'delete' | 'rebuild';
  readonly outcome: ActionOutcome;
  readonly detail?: string;
  /** Measured by a rebuild: events and PutLogEvents bytes put back, and events refused. */
  readonly events?: number;
  readonly bytes?: number;
  readonly batches?: number;
  readonly rejected?: number;
  /** Late events archived first (written into already exported windows; src/archive/catchUp.ts). */
  readonly caughtUp?: number;
}

interface ExportResult {
  readonly fromMs: number;
  readonly toMs: number;
  readonly status: 'archived' | 'failed' | 'deadline';
  readonly taskId?: string;
  readonly objects?: number;
  readonly bytes?: number;
  readonly message?: string;
  /** Left in flight (`deadline`) by the run that created its task: the export is under way in AWS. */
  readonly started?: boolean;
  /** Left in flight (`deadline`) while its task was still running at the last poll: when the task was created. */
  readonly runningSinceMs?: number;
  /** Left (`deadline`) while verifying a COMPLETED task, after saving more of its manifest: the next run goes on. */
  readonly verificationAdvanced?: boolean;
}

interface RetentionResult {
  readonly days: number;
  readonly outcome: 'set' | 'unchanged' | 'skipped' | 'failed';
  readonly detail: string;
}

/** DELETE_EMPTY_GROUPS: what became of a group the plan found empty. */
interface GroupDeletionResult {
  readonly outcome: 'deleted' | 'skipped' | 'failed';
  readonly detail: string;
}

/** The money figures of estimates, summed over actions done. */
type DoneMoney = Money;

/** Counts over every delete and rebuild of a group, listed or not. */
interface ResultTally {
  readonly outcomes: Readonly<Record<ActionOutcome, number>>;
  readonly deleted: number;
  readonly rebuilt: number;
  readonly reputEvents: number;
  readonly reputBytes: number;
  readonly rejectedEvents: number;
  /** Late events archived by the run itself before their streams lost them. */
  readonly caughtUpEvents: number;
  /** The estimates of the actions done, summed (bytes and dollars). */
  readonly doneEstimate: DoneMoney;
}

interface GroupResult {
  readonly logGroupName: string;
  readonly exports: readonly ExportResult[];
  readonly archivedThroughMs?: number;
  readonly retention?: RetentionResult;
  /** The results of the streams its plan lists (bounded, like the plan's list). */
  readonly streams: readonly StreamResult[];
  /** Over every action, listed or not; absent, `streams` holds them all. */
  readonly tally?: ResultTally;
  /** Set when the group could not be processed; other groups went on. */
  readonly error?: string;
  /** The group was not reached before the deadline. */
  readonly notReached?: boolean;
  /** Its streams were not all listed before the deadline: the next run resumes the listing where it stopped. */
  readonly listingLeft?: boolean;
  /** Pages of streams this run listed. */
  readonly pagesListed?: number;
  /** The saved listing position moved on, or the listing finished: progress even with nothing to act on. */
  readonly listingAdvanced?: boolean;
  readonly groupDeletion?: GroupDeletionResult;
  /** Another cwl-trim run holds the group's lock: who, and until when. The group was left alone. */
  readonly lockedBy?: string;
  /** Late events of kept streams archived before the retention could expire them (retention strategy). */
  readonly caughtUpEvents?: number;
}

type RunOutcome = 'done' | 'partial' | 'failed';

/** What one run returns: the plan it followed and, on a real run, what it did. */
interface RunOutput {
  readonly plan: Plan;
  /** Absent on a dry run. */
  readonly result?: RunResult;
}

interface RunResult {
  readonly startedAtMs: number;
  readonly finishedAtMs: number;
  readonly resumedRebuilds: readonly StreamResult[];
  readonly groups: readonly GroupResult[];
  readonly deadlineReached: boolean;
  /** The walk over the selected groups stopped before its end: the next run goes on after the last finished group. */
  readonly walkLeft?: boolean;
  /**
   * done: everything planned was carried out · partial: some work is left for the next run
   * (deadline, busy or failed export, skipped at execution) · failed: an error, or events that could
   * not be put back.
   */
  readonly outcome: RunOutcome;
}

const NO_OUTCOMES: Readonly<Record<ActionOutcome, number>> = Object.freeze({
  done: 0,
  skipped: 0,
  failed: 0,
  abandoned: 0,
  deadline: 0,
});
const NO_TALLY: ResultTally = Object.freeze({
  outcomes: NO_OUTCOMES,
  deleted: 0,
  rebuilt: 0,
  reputEvents: 0,
  reputBytes: 0,
  rejectedEvents: 0,
  caughtUpEvents: 0,
  doneEstimate: Object.freeze({
    removeStoredBytes: 0,
    reputBytes: 0,
    reputCostUsd: 0,
    monthlySavingUsd: 0,
    cloudWatchMonthlyUsd: 0,
    archiveMonthlyUsd: 0,
    lifetimeSavingUsd: 0,
  }),
});

/** Adds one action's result (and, when done, its estimate) to a tally. */
function tallyResult(t: ResultTally, r: StreamResult, estimate?: DoneMoney): ResultTally {
  const done = r.outcome === 'done';
  const rebuilt = done && r.action === 'rebuild';
  const e = done && estimate ? estimate : undefined;
  return {
    outcomes: { ...t.outcomes, [r.outcome]: t.outcomes[r.outcome] + 1 },
    deleted: t.deleted + (done && r.action === 'delete' ? 1 : 0),
    rebuilt: t.rebuilt + (rebuilt ? 1 : 0),
    reputEvents: t.reputEvents + (rebuilt ? (r.events ?? 0) : 0),
    reputBytes: t.reputBytes + (rebuilt ? (r.bytes ?? 0) : 0),
    rejectedEvents: t.rejectedEvents + (r.rejected ?? 0),
    caughtUpEvents: t.caughtUpEvents + (r.caughtUp ?? 0),
    doneEstimate: e ? addMoney(t.doneEstimate, e) : t.doneEstimate,
  };
}

/** A group's tally: its own when it has one, else counted from its listed results. */
const tallyOf = (g: GroupResult): ResultTally => g.tally ?? g.streams.reduce((t, r) => tallyResult(t, r), NO_TALLY);

/** Every action's outcome counted over the run: resumed rebuilds and each group's tally. */
function runTally(result: Pick<RunResult, 'resumedRebuilds' | 'groups'>): ResultTally {
  const resumed = result.resumedRebuilds.reduce((t, r) => tallyResult(t, r), NO_TALLY);
  return result.groups.map(tallyOf).reduce(
    (a, b) => ({
      outcomes: Object.fromEntries(
        Object.entries(a.outcomes).map(([k, v]) => [k, v + b.outcomes[k as ActionOutcome]]),
      ) as Record<ActionOutcome, number>,
      deleted: a.deleted + b.deleted,
      rebuilt: a.rebuilt + b.rebuilt,
      reputEvents: a.reputEvents + b.reputEvents,
      reputBytes: a.reputBytes + b.reputBytes,
      rejectedEvents: a.rejectedEvents + b.rejectedEvents,
      caughtUpEvents: a.caughtUpEvents + b.caughtUpEvents,
      doneEstimate: addMoney(a.doneEstimate, b.doneEstimate),
    }),
    resumed,
  );
}

/** The outcome of a run, from its parts: any failure or refused event is a failure. */
function runOutcome(result: Omit<RunResult, 'outcome'>): RunOutcome {
  const t = runTally(result);
  const failed =
    result.groups.some(
      (g) => g.error !== undefined || g.exports.some((e) => e.status === 'failed') || g.retention?.outcome === 'failed',
    ) ||
    t.outcomes.failed > 0 ||
    t.rejectedEvents > 0;
  if (failed) return 'failed';
  const notDone = Object.entries(t.outcomes).some(([k, v]) => k !== 'done' && v > 0);
  const partial =
    result.deadlineReached ||
    result.groups.some(
      (g) =>
        g.notReached ||
        g.lockedBy !== undefined ||
        g.exports.some((e) => e.status !== 'archived') ||
        g.listingLeft === true,
    ) ||
    notDone;
  return partial ? 'partial' : 'done';
}

export { ACTION_OUTCOMES, NO_TALLY, runOutcome, runTally, tallyOf, tallyResult };
export type {
  ActionOutcome,
  DoneMoney,
  ExportResult,
  GroupDeletionResult,
  GroupResult,
  ResultTally,
  RetentionResult,
  RunOutcome,
  RunOutput,
  RunResult,
  StreamResult,
};
