/**
 * One rate limiter per API operation. CloudWatch Logs quotas are per account and Region and shared with
 * every producer and reader there, so cwl-trim takes only `quotaShare` of each; S3 and Lambda calls are
 * cheap next to their own quotas and get generous fixed rates.
 */
import { performance } from 'node:perf_hooks';
import { DEFAULT_QUOTAS_TPS } from '../constants.js';
import { CwlTrimError } from '../errors.js';

/**
 * Rates for the S3 and Lambda operations we call, in requests per second. S3 allows 3,500 writes and
 * 5,500 reads per second per prefix; we stay far below both. These are not scaled by `quotaShare`:
 * nobody else shares the archive prefix.
 */
const OTHER_SERVICE_TPS = {
  PutObject: 200,
  GetObject: 200,
  HeadObject: 200,
  DeleteObject: 200,
  DeleteObjects: 50,
  ListObjectsV2: 100,
  HeadBucket: 20,
  GetBucketLocation: 20,
  Invoke: 20,
} as const satisfies Record<string, number>;

/** Time and timers of the limiters; tests inject a fake one. */
interface LimiterClock {
  /** Milliseconds, monotonic. */
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

const REAL_CLOCK: LimiterClock = {
  now: () => performance.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

/**
 * A limiter keeps up to this much unused rate (and at least one call) for later: a timer that fires a
 * little late on a busy event loop is made up by the calls after it instead of being lost, and after
 * an idle spell at most that many calls start back to back.
 */
const CATCH_UP_MS = 100;

/** One operation's limiter: runs each job when the operation's rate allows. */
interface RateLimiter {
  /** Runs `job` when its turn comes (jobs start in the order they were scheduled); rejects once stopped. */
  schedule<T>(job: () => T | PromiseLike<T>): Promise<T>;
  /** Calls that may start back to back: the bound on any burst above the rate. */
  readonly burst: number;
}

interface Queued {
  readonly job: () => unknown;
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: unknown) => void;
}

/**
 * A token bucket in its GCRA form: each call is due one interval after the one before, counted from
 * when it was due rather than from when its timer fired, so lateness is caught up; the bucket starts
 * with one call and holds at most `burst`. Over any span of T ms it starts at most burst + rate × T
 * calls, and with work queued at least rate × T − burst.
 */
class TokenBucketLimiter implements RateLimiter {
  public readonly burst: number;
  readonly #intervalMs: number;
  /** How far ahead of its due time a call may start: the burst's worth of intervals. */
  readonly #toleranceMs: number;
  readonly #clock: LimiterClock;
  readonly #queue: Queued[] = [];
  readonly #running = new Set<Promise<unknown>>();
  /** When the next call is due, plus the tolerance (GCRA's "theoretical arrival time"). */
  #tat: number;
  #timer: unknown;
  #stopped = false;

  public constructor(ratePerS: number, clock: LimiterClock) {
    this.#intervalMs = 1000 / ratePerS;
    this.burst = Math.max(2, Math.ceil((ratePerS * CATCH_UP_MS) / 1000));
    this.#toleranceMs = (this.burst - 1) * this.#intervalMs;
    this.#clock = clock;
    // Start with one call in the bucket, not a full one: the first calls are spread, not a burst.
    this.#tat = clock.now() + this.#toleranceMs;
  }

  public schedule<T>(job: () => T | PromiseLike<T>): Promise<T> {
    if (this.#stopped) return Promise.reject(new Error('This limiter has been stopped.'));
    return new Promise<T>((resolve, reject) => {
      this.#queue.push({ job, resolve: resolve as (value: unknown) => void, reject });
      this.#drain();
    });
  }

  /** Starts every call that is due, then waits for the next one. */
  #drain(): void {
    if (this.#timer !== undefined) return;
    while (this.#queue.length > 0) {
      const now = this.#clock.now();
      const dueAt = this.#tat - this.#toleranceMs;
      if (now < dueAt) {
        this.#timer = this.#clock.setTimeout(() => {
          this.#timer = undefined;
          this.#drain();
        }, dueAt - now);
        return;
      }
      this.#tat = Math.max(this.#tat, now) + this.#intervalMs;
      this.#start(this.#queue.shift() as Queued);
    }
  }

  #start(queued: Queued): void {
    const run = Promise.resolve().then(queued.job);
    run.then(queued.resolve, queued.reject);
    const settled = run.then(
      () => undefined,
      () => undefined,
    );
    this.#running.add(settled);
    void settled.then(() => this.#running.delete(settled));
  }

  /** Rejects queued calls, lets running ones finish. */
  public async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer !== undefined) this.#clock.clearTimeout(this.#timer);
    this.#timer = undefined;
    for (const queued of this.#queue.splice(0)) queued.reject(new Error('This limiter has been stopped.'));
    await Promise.all([...this.#running]);
  }
}

interface LimitersOptions {
  /** The share (0 < share ≤ 1) of each CloudWatch Logs quota cwl-trim may use. */
  readonly quotaShare: number;
  /**
   * Quotas in transactions per second, by operation, replacing the defaults (live Service Quotas
   * values, or fast-scaled quotas in tests). An operation not known yet is added as a CloudWatch Logs
   * operation (scaled by `quotaShare`).
   */
  readonly quotasTps?: Partial<Record<string, number>>;
  /** @default performance.now() and the global timers */
  readonly clock?: LimiterClock;
}

/**
 * The limiters of one run. **Never call a limiter from inside a job it is running** (e.g. scheduling a
 * `DescribeLogStreams` inside a `DescribeLogStreams` job of the same limiter waits on itself): nest calls of
 * different operations only, and do the nesting outside the job where you can.
 */
interface Limiters {
  /** The operation's only limiter; throws `UNKNOWN_OPERATION` for a name it has no quota for. */
  for(operation: string): RateLimiter;
  /** Requests per second cwl-trim allows itself for the operation (benchmarks use it for the lower bound). */
  allowedTps(operation: string): number;
  /** The operations that have a limiter. */
  readonly operations: readonly string[];
  /** Stops every limiter: queued jobs are dropped (they reject), running ones finish. Safe to call twice. */
  stop(): Promise<void>;
}

/**
 * Creates one token-bucket limiter per operation (every CloudWatch Logs operation of `DEFAULT_QUOTAS_TPS`,
 * the S3 operations and Lambda `Invoke`). Each starts one request every `1000 / rate` ms, spread evenly
 * instead of bursting at the start of every second, catching up a late timer within a burst of
 * max(2, rate × 100 ms) calls; rate = quota × `quotaShare` for CloudWatch Logs and the fixed rate for
 * S3 and Lambda.
 *
 * @example
 * const limiters = createLimiters({ quotaShare: config.quotaShare });
 * const page = await limiters.for('DescribeLogGroups').schedule(() => logs.send(command));
 */
function createLimiters(options: LimitersOptions): Limiters {
  const { quotaShare, quotasTps = {} } = options;
  if (!(quotaShare > 0 && quotaShare <= 1)) {
    throw new RangeError(`Expected quotaShare to be > 0 and ≤ 1, got ${quotaShare}.`);
  }
  const rates = new Map<string, number>();
  for (const [operation, quota] of Object.entries({ ...DEFAULT_QUOTAS_TPS, ...quotasTps })) {
    if (quota === undefined) continue;
    if (!(quota > 0 && Number.isFinite(quota))) {
      throw new RangeError(`Expected the quota of ${operation} to be a positive number, got ${quota}.`);
    }
    const isOtherService = Object.hasOwn(OTHER_SERVICE_TPS, operation);
    rates.set(operation, isOtherService ? quota : quota * quotaShare);
  }
  for (const [operation, rate] of Object.entries(OTHER_SERVICE_TPS)) {
    if (!rates.has(operation)) rates.set(operation, rate);
  }
  const clock = options.clock ?? REAL_CLOCK;
  const limiters = new Map<string, TokenBucketLimiter>(
    [...rates].map(([operation, rate]) => [operation, new TokenBucketLimiter(rate, clock)]),
  );
  const known = (operation: string): void => {
    if (!limiters.has(operation)) {
      throw new CwlTrimError(
        'UNKNOWN_OPERATION',
        `No limiter for "${operation}": add its quota to ` +
          `DEFAULT_QUOTAS_TPS (src/constants.ts). Known operations: ${[...limiters.keys()].join(', ')}.`,
      );
    }
  };
  let stopped: Promise<void> | undefined;
  return Object.freeze({
    for(operation: string): RateLimiter {
      known(operation);
      return limiters.get(operation) as TokenBucketLimiter;
    },
    allowedTps(operation: string): number {
      known(operation);
      return rates.get(operation) as number;
    },
    operations: Object.freeze([...limiters.keys()]),
    stop(): Promise<void> {
      // Callers (deadline, finally blocks) may well call it twice: the second gets the first's promise.
      stopped ??= Promise.all([...limiters.values()].map((limiter) => limiter.stop())).then(() => undefined);
      return stopped;
    },
  });
}

export { CATCH_UP_MS, OTHER_SERVICE_TPS, createLimiters };
export type { LimiterClock, Limiters, LimitersOptions, RateLimiter };
