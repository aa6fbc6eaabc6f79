/**
 * How long a request may take while its limiter keeps its rate: the pool that feeds a limiter must
 * hold rate × this many requests in flight, or the latency, not the quota, sets the pace.
 */
const IN_FLIGHT_SECONDS = 0.5;
/** Never fewer in flight than this (the pool size cwl-trim used before it was derived from the rate). */
const MIN_CONCURRENCY = 8;
/** Nor more: the SDK's HTTP agent opens at most 50 sockets per client, shared by every operation. */
const MAX_CONCURRENCY = 48;

/**
 * The pool size that keeps a limiter of `rateTps` busy: `rate × 0.5 s`, between 8 and 48. At AWS's
 * default quotas it is 8 (DeleteLogStream 15 TPS × 0.5 share); raised quotas get a larger pool.
 *
 * @example forEachLimited(deletes, concurrencyFor(limiters.allowedTps('DeleteLogStream')), remove)
 */
function concurrencyFor(rateTps: number): number {
  return Math.min(MAX_CONCURRENCY, Math.max(MIN_CONCURRENCY, Math.ceil(rateTps * IN_FLIGHT_SECONDS)));
}

/**
 * Runs `work` over `items` with at most `concurrency` at once, in order of start. Rates are kept by
 * the per-API limiters inside `work`; this only bounds how many calls wait at the same time. The first
 * rejection rejects the whole and no further item is started.
 *
 * @example await forEachLimited(streams, 8, (s) => deleteStream(deps, group, s.logStreamName));
 */
async function forEachLimited<T>(
  items: readonly T[],
  concurrency: number,
  work: (item: T, index: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  let failed = false;
  const worker = async (): Promise<void> => {
    while (next < items.length && !failed) {
      const index = next;
      next += 1;
      try {
        await work(items[index]!, index);
      } catch (err) {
        failed = true;
        throw err;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
}

/** Runs jobs with at most a fixed number at once, started in the order they were given. */
interface Lane {
  run<T>(job: () => Promise<T>): Promise<T>;
}

/**
 * A FIFO lane of `concurrency` slots: `run` waits for a free slot, then runs the job.
 *
 * @example const rebuilds = createLane(1); await rebuilds.run(() => rebuildStream(...));
 */
function createLane(concurrency: number): Lane {
  let running = 0;
  const waiting: (() => void)[] = [];
  const release = (): void => {
    const nextJob = waiting.shift();
    if (nextJob) nextJob();
    else running -= 1;
  };
  return {
    async run<T>(job: () => Promise<T>): Promise<T> {
      // A released slot passes straight to the next waiter, so `running` only counts while all are busy.
      if (running < concurrency) running += 1;
      else await new Promise<void>((resolve) => waiting.push(resolve));
      try {
        return await job();
      } finally {
        release();
      }
    },
  };
}

/** One turn of a {@link Turns}: it comes once every earlier turn was released. */
interface Turn {
  readonly ready: Promise<void>;
  /** Hands the resource on; a second call does nothing. */
  release(): void;
}

/** A resource handed on in the order its turns were taken, released when its holder says so (not when its job ends). */
interface Turns {
  take(): Turn;
}

/**
 * Turns in the order `take` is called: the account's one export slot, handed from a group to the
 * next as soon as its task has ended, while the group still verifies and trims.
 *
 * @example const turn = slot.take(); await turn.ready; await runExport(…, { taskEnded: turn.release });
 */
function createTurns(): Turns {
  let previous: Promise<void> = Promise.resolve();
  return {
    take() {
      const { promise, resolve } = Promise.withResolvers<void>();
      const turn = { ready: previous, release: () => resolve() };
      previous = promise;
      return turn;
    },
  };
}

export { concurrencyFor, createLane, createTurns, forEachLimited };
export type { Lane, Turn, Turns };
