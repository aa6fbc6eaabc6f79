/**
 * The continuation policy of the Lambda handler, as pure decisions over a run's result: go on while
 * the run stopped for lack of time and made durable progress, stop (and say why) otherwise.
 */
import { EXPORT_WAIT_MAX_MS, MS_PER_HOUR } from '../constants.js';
import { runTally, type ExportResult, type RunOutput, type RunResult } from './results.js';

interface ContinuationDecision {
  readonly continue: boolean;
  readonly reason: string;
}

/**
 * The run stopped because its time was up: the deadline passed, or an action was left because it could
 * not finish in the time left (an export whose next poll would come after the deadline, say).
 *
 * @example ranOutOfTime(result) // true when an export was left because its next poll came after the deadline
 */
function ranOutOfTime(result: RunResult): boolean {
  const t = runTally(result);
  return (
    result.deadlineReached ||
    result.walkLeft === true ||
    t.outcomes.deadline > 0 ||
    result.groups.some(
      (g) => g.notReached === true || g.listingLeft === true || g.exports.some((e) => e.status === 'deadline'),
    )
  );
}

/**
 * An export left in flight whose task was still running at its last poll, and younger than
 * EXPORT_WAIT_MAX_MS when the run ended: a large export outlasts several invocations, and waiting on
 * it is the work there is. Past that age the task may be stuck: waiting on it no longer counts.
 */
const waitingOnYoungTask = (e: ExportResult, finishedAtMs: number): boolean =>
  e.status === 'deadline' && e.runningSinceMs !== undefined && finishedAtMs - e.runningSinceMs < EXPORT_WAIT_MAX_MS;

/** The first export left waiting on a task older than EXPORT_WAIT_MAX_MS, if any. */
function staleTask(result: RunResult): ExportResult | undefined {
  for (const g of result.groups)
    for (const e of g.exports)
      if (e.status === 'deadline' && e.runningSinceMs !== undefined && !waitingOnYoungTask(e, result.finishedAtMs))
        return e;
  return undefined;
}

/**
 * Something durable happened: an export archived, its task started or its verification moved on, a stream deleted or rebuilt, a
 * retention set, or a listing moved on (its cursor is saved: the next invocation starts further on).
 * Waiting on a running task counts while the task is younger than EXPORT_WAIT_MAX_MS; waiting on an
 * older one, or on a busy export slot, does not: a stuck task ends the chain.
 *
 * @example madeProgress(result) // false when every export and stream action was left for later
 */
function madeProgress(result: RunResult): boolean {
  return (
    runTally(result).outcomes.done > 0 ||
    result.groups.some(
      (g) =>
        // An export task this run started is under way in AWS (a large one outlasts an invocation).
        g.exports.some(
          (e) =>
            e.status === 'archived' ||
            e.started === true ||
            e.verificationAdvanced === true ||
            waitingOnYoungTask(e, result.finishedAtMs),
        ) ||
        g.retention?.outcome === 'set' ||
        g.listingAdvanced === true,
    )
  );
}

/**
 * Whether this run should start the next invocation, and why (or why not). `max` is a backstop
 * against a loop the progress rule did not catch, not a budget.
 *
 * @example continuationDecision(output, 3, 1000) // { continue: true, reason: 'deadline reached with work left …' }
 */
function continuationDecision(output: RunOutput, continuation: number, max: number): ContinuationDecision {
  const { result } = output;
  if (!result) return { continue: false, reason: 'a dry run does not continue' };
  if (result.outcome === 'done') return { continue: false, reason: 'nothing left to do' };
  if (!ranOutOfTime(result)) {
    return {
      continue: false,
      reason: `work is left for a reason other than time (${result.outcome}); the next scheduled run retries it`,
    };
  }
  if (!madeProgress(result)) {
    const stale = staleTask(result);
    if (stale) {
      const hours = ((result.finishedAtMs - stale.runningSinceMs!) / MS_PER_HOUR).toFixed(1);
      return {
        continue: false,
        reason:
          `the run only waited on export task ${stale.taskId ?? '?'}, running for ${hours} h ` +
          `(more than ${EXPORT_WAIT_MAX_MS / MS_PER_HOUR} h); not looping: the next scheduled run looks again`,
      };
    }
    return { continue: false, reason: 'the run made no progress before its deadline; not looping' };
  }
  if (continuation >= max)
    return { continue: false, reason: `${max} continuations reached; the next scheduled run carries on` };
  return {
    continue: true,
    reason: `deadline reached with work left (continuation ${continuation + 1} of at most ${max})`,
  };
}

export { continuationDecision, madeProgress, ranOutOfTime };
export type { ContinuationDecision };
