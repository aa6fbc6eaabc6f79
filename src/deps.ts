import type { AwsCallContext } from './aws/callAws.js';
import type { AwsClients } from './aws/clients.js';
import type { Clock, Sleep } from './clock.js';
import type { Logger } from './logger.js';

/** How long the run may still work; in Lambda, the remaining time minus a margin. */
interface Deadline {
  remainingMs(): number;
}

/** Backoff of a wait loop: export polling and the busy export slot. */
interface Backoff {
  readonly initialMs: number;
  readonly maxMs: number;
  readonly factor: number;
}

/** The phases that report done/total for live progress (the CLI draws bars on a TTY, plain lines otherwise). */
type ProgressPhase = 'listing' | 'export' | 'delete' | 'rebuild';

/** A step of a phase: `done` of `total` units (groups listed, groups exported, streams deleted, batches put back). */
interface ProgressEvent {
  readonly phase: ProgressPhase;
  readonly done: number;
  readonly total?: number;
  /** What the phase works on now: a log group, a stream. */
  readonly subject?: string;
}

/** A progress line for people, with its structured step when it has one (older callers pass the line only). */
type Progress = (line: string, event?: ProgressEvent) => void;

/**
 * Everything the shell needs, injected: tests point the clients at the sandbox, share its clock,
 * and shrink the waits.
 */
interface Deps {
  readonly clients: AwsClients;
  readonly call: AwsCallContext;
  readonly clock: Clock;
  readonly sleep: Sleep;
  readonly logger: Logger;
  readonly deadline: Deadline;
  /** Polling DescribeExportTasks while a task is PENDING or RUNNING. */
  readonly exportPoll: Backoff;
  /** Retrying CreateExportTask while the account's one export slot is busy. */
  readonly exportSlot: Backoff;
  /**
   * Waiting, after a PutLogEvents or CreateExportTask whose answer was lost, before reading what reached
   * AWS (a put can take a moment to show in GetLogEvents). @default DEFAULT_SETTLE
   */
  readonly settle?: Backoff;
  readonly runId: string;
  /** Progress lines for people (stderr in the CLI); silent by default. */
  readonly progress?: Progress;
  /**
   * Aborted when the process is asked to stop (SIGINT, SIGTERM). `deadline` has already passed then and
   * `sleep` wakes up: code that honours the deadline needs nothing more; this is for code that wants to know why.
   */
  readonly interrupt?: AbortSignal;
}

/** Default waits: a task takes seconds to hours; polling backs off to a minute. */
const DEFAULT_EXPORT_POLL: Backoff = Object.freeze({ initialMs: 2_000, maxMs: 60_000, factor: 1.6 });
const DEFAULT_EXPORT_SLOT: Backoff = Object.freeze({ initialMs: 5_000, maxMs: 120_000, factor: 2 });

/** After an uncertain call: 2 s, then up to 30 s, before looking at what reached AWS. */
const DEFAULT_SETTLE: Backoff = Object.freeze({ initialMs: 2_000, maxMs: 30_000, factor: 2 });

/** A deadline that never comes (CLI runs without --max-minutes). */
const NO_DEADLINE: Deadline = Object.freeze({ remainingMs: () => Number.POSITIVE_INFINITY });

/** The nth delay of a backoff, with full jitter between half and all of it. */
function backoffDelayMs(backoff: Backoff, attempt: number, random: () => number = Math.random): number {
  const base = Math.min(backoff.maxMs, backoff.initialMs * backoff.factor ** attempt);
  return Math.round(base / 2 + (random() * base) / 2);
}

/**
 * The same deps, with every AWS call and every sleep stopped once `signal` fires (a lost lock or
 * lease): `callAws` checks it before each attempt, so no mutating call is sent after it. `beforeCall`
 * runs at the start of each call and sleep (a lock checks there that it has not expired unnoticed).
 *
 * @example const groupDeps = withSignal(deps, lock.signal);
 */
function withSignal(deps: Deps, signal: AbortSignal, beforeCall: () => void = () => undefined): Deps {
  const both = (other?: AbortSignal): AbortSignal =>
    other && other !== signal ? AbortSignal.any([other, signal]) : signal;
  const outer = deps.call.signal;
  const combined = both(outer);
  const call = {
    limiters: deps.call.limiters,
    stats: deps.call.stats,
    ...(deps.call.retry ? { retry: deps.call.retry } : {}),
    get signal(): AbortSignal {
      beforeCall();
      // An outer holder's own check (the lease's, under a group lock's) runs on every call too.
      void deps.call.signal;
      return combined;
    },
  };
  const sleep: Sleep = (ms, s) => {
    beforeCall();
    return deps.sleep(ms, s ? AbortSignal.any([s, combined]) : combined);
  };
  return { ...deps, call, sleep };
}

export { DEFAULT_EXPORT_POLL, DEFAULT_EXPORT_SLOT, DEFAULT_SETTLE, NO_DEADLINE, backoffDelayMs, withSignal };
export type { Backoff, Deadline, Deps, Progress, ProgressEvent, ProgressPhase };
