/** What a real run did, as plain data: the report renders it, the exit code is derived from it. */

/** done: carried out · skipped: a re-check at execution said no · failed: an error · abandoned: the stream
 * changed, left as it is · deadline: not reached in time, the next run carries on. */
type ActionOutcome = 'done' | 'skipped' | 'failed' | 'abandoned' | 'deadline';

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
}

interface RetentionResult {
  readonly days: number;
  readonly outcome: 'set' | 'unchanged' | 'skipped' | 'failed';
  readonly detail: string;
}

interface GroupResult {
  readonly logGroupName: string;
  readonly exports: readonly ExportResult[];
  readonly archivedThroughMs?: number;
  readonly retention?: RetentionResult;
  readonly streams: readonly StreamResult[];
  /** Set when the group could not be processed; other groups went on. */
  readonly error?: string;
  /** The group was not reached before the deadline. */
  readonly notReached?: boolean;
  /** Another cwl-trim run holds the group's lock: who, and until when. The group was left alone. */
  readonly lockedBy?: string;
  /** Late events of kept streams archived before the retention could expire them (retention strategy). */
  readonly caughtUpEvents?: number;
}

type RunOutcome = 'done' | 'partial' | 'failed';

interface RunResult {
  readonly startedAtMs: number;
  readonly finishedAtMs: number;
  readonly resumedRebuilds: readonly StreamResult[];
  readonly groups: readonly GroupResult[];
  readonly deadlineReached: boolean;
  /**
   * done: everything planned was carried out · partial: some work is left for the next run
   * (deadline, busy or failed export, skipped at execution) · failed: an error, or events that could
   * not be put back.
   */
  readonly outcome: RunOutcome;
}

/** The outcome of a run, from its parts: any failure or refused event is a failure. */
function runOutcome(result: Omit<RunResult, 'outcome'>): RunOutcome {
  const streams = [...result.resumedRebuilds, ...result.groups.flatMap((g) => g.streams)];
  const failed =
    result.groups.some((g) => g.error !== undefined || g.exports.some((e) => e.status === 'failed') || g.retention?.outcome === 'failed') ||
    streams.some((s) => s.outcome === 'failed' || (s.rejected ?? 0) > 0);
  if (failed) return 'failed';
  const partial =
    result.deadlineReached ||
    result.groups.some((g) => g.notReached || g.lockedBy !== undefined || g.exports.some((e) => e.status !== 'archived')) ||
    streams.some((s) => s.outcome !== 'done');
  return partial ? 'partial' : 'done';
}

export { runOutcome };
export type { ActionOutcome, ExportResult, GroupResult, RetentionResult, RunOutcome, RunResult, StreamResult };
