/**
 * Stopping a run at a safe point when the process is asked to stop (Ctrl-C, SIGTERM from a scheduler or
 * from Lambda). Nothing is cancelled in flight: a request under way finishes and its journal or state
 * write follows it, because the pipeline only ever stops where it checks its deadline. The stop makes
 * that deadline pass at once and wakes the waits (export polling, the busy export slot), so the run
 * leaves the rest for the next run, releases its lease and writes its report.
 */
import type { Sleep } from './clock.js';
import type { Deadline } from './deps.js';

/** The signals that ask a run to stop. */
const STOP_SIGNALS = ['SIGINT', 'SIGTERM'] as const;
type StopSignal = (typeof STOP_SIGNALS)[number];

/** `process`, or an EventEmitter in tests. */
interface SignalSource {
  on(event: StopSignal, listener: () => void): unknown;
  off(event: StopSignal, listener: () => void): unknown;
}

interface StopWatch {
  /** Aborted at the first stop signal; its `reason` is the signal's name. */
  readonly signal: AbortSignal;
  /** Stops listening (the run is over). */
  dispose(): void;
}

interface StopWatchOptions {
  readonly source: SignalSource;
  /** The first signal: the run stops at its next safe point. */
  readonly onStop?: (signal: StopSignal) => void;
  /** A second signal while stopping: the caller exits at once. Without it, later signals are ignored. */
  readonly onSecond?: (signal: StopSignal) => void;
}

/**
 * Listens for SIGINT and SIGTERM: the first aborts `signal`, a second calls `onSecond`.
 *
 * @example
 * const stop = watchStopSignals({ source: process, onSecond: () => process.exit(130) });
 * try { await runCwlTrim(config, createDeps(config, { interrupt: stop.signal })); } finally { stop.dispose(); }
 */
function watchStopSignals(options: StopWatchOptions): StopWatch {
  const controller = new AbortController();
  const listeners = STOP_SIGNALS.map((name) => {
    const listener = (): void => {
      if (!controller.signal.aborted) {
        controller.abort(name);
        options.onStop?.(name);
      } else {
        options.onSecond?.(name);
      }
    };
    options.source.on(name, listener);
    return [name, listener] as const;
  });
  return {
    signal: controller.signal,
    dispose: () => listeners.forEach(([name, listener]) => options.source.off(name, listener)),
  };
}

/**
 * The run's deadline, passed as soon as `signal` is aborted: every safe point that checks the deadline
 * (before a group, a stream action, a rebuild batch, an export poll) then leaves the work for the next run.
 *
 * @example interruptibleDeadline(NO_DEADLINE, stop.signal).remainingMs() // 0 once Ctrl-C was pressed
 */
function interruptibleDeadline(deadline: Deadline, signal: AbortSignal): Deadline {
  return { remainingMs: () => (signal.aborted ? 0 : deadline.remainingMs()) };
}

/**
 * A sleep that ends early (resolving, not throwing) when `signal` is aborted: the waiting loop then looks
 * at its deadline again instead of sleeping through a minute of export polling.
 *
 * @example await wakeOnAbort(realSleep, stop.signal)(60_000); // returns at Ctrl-C
 */
function wakeOnAbort(sleep: Sleep, signal: AbortSignal): Sleep {
  return async (ms, own) => {
    if (signal.aborted) return;
    const both = own === undefined ? signal : AbortSignal.any([signal, own]);
    try {
      await sleep(ms, both);
    } catch (err) {
      // Our stop ends the wait quietly; the caller's own abort is the caller's to see.
      if (own?.aborted || !signal.aborted) throw err;
    }
  };
}

export { STOP_SIGNALS, interruptibleDeadline, wakeOnAbort, watchStopSignals };
export type { SignalSource, StopSignal, StopWatch };
