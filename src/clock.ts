/**
 * Time, injected. The code never reads `Date.now()` for decisions (cutoff, idle, ages): it asks a
 * {@link Clock}, so tests and the sandbox can share one clock they control.
 */
interface Clock {
  /** Milliseconds since the epoch, as the code under test should see them. */
  now(): number;
}

/** The real clock. */
const systemClock: Clock = Object.freeze({ now: () => Date.now() });

/**
 * Sleeps for real time (polling, backoff). Injected like the clock so tests need not wait.
 * @example await sleep(250);
 */
type Sleep = (ms: number, signal?: AbortSignal) => Promise<void>;

const realSleep: Sleep = (ms, signal) =>
  new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });

export { realSleep, systemClock };
export type { Clock, Sleep };
