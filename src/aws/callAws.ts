/**
 * Every AWS call goes through {@link callAws}: each attempt waits for the operation's limiter, failures
 * are classified, and only throttling, server-side and network failures are tried again, with
 * exponential backoff and jitter. The SDK's own retries are off (see clients.ts): they would bypass the
 * limiters.
 */
import pRetry, { AbortError } from 'p-retry';
import type { Limiters } from './limiters.js';

/** Counters of one operation. */
interface OperationStats {
  /** Attempts sent to AWS (retries included). */
  readonly calls: number;
  /** `callAws` calls that returned a result. */
  readonly successes: number;
  /** Attempts that were a retry of a failed one. */
  readonly retries: number;
  /** Attempts refused by throttling. */
  readonly throttles: number;
  /** `callAws` calls that ended in an error (not retryable, retries exhausted, or aborted). */
  readonly failures: number;
}

type StatsEvent = keyof OperationStats;

/** Per-operation call counters of one run, for the summary line and the benchmarks. */
interface AwsCallStats {
  record(operation: string, event: StatsEvent): void;
  /** A plain copy: `{ [operation]: { calls, successes, retries, throttles, failures } }`. */
  snapshot(): Record<string, OperationStats>;
}

interface AwsCallContext {
  readonly limiters: Limiters;
  readonly stats: AwsCallStats;
  /** Stops retrying (and keeps a queued attempt from being sent); the call rejects with the signal's reason. */
  readonly signal?: AbortSignal;
  readonly retry?: {
    /** @default 8 */
    readonly retries?: number;
    /** Delay before the first retry, doubled each time and multiplied by a random 1–2. @default 200 */
    readonly minTimeoutMs?: number;
    /** @default 20000 */
    readonly maxTimeoutMs?: number;
  };
}

const THROTTLING_NAMES = new Set([
  'ThrottlingException',
  'ThrottledException',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'Throttling',
  'SlowDown',
]);
const TRANSIENT_NAMES = new Set([
  'ServiceUnavailableException',
  'ServiceUnavailable',
  'InternalFailure',
  'InternalServerError',
  'InternalError',
  // DeleteLogStream under concurrent updates of the same group.
  'OperationAbortedException',
  'TimeoutError',
  'RequestTimeout',
  'RequestTimeoutException',
]);
const NETWORK_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ENETUNREACH',
]);

interface ErrorShape {
  name?: unknown;
  code?: unknown;
  Code?: unknown;
  message?: unknown;
  $metadata?: { httpStatusCode?: number };
  $retryable?: { throttling?: boolean };
}
const shape = (err: unknown): ErrorShape => (typeof err === 'object' && err !== null ? (err as ErrorShape) : {});

/**
 * The AWS error name (`ThrottlingException`, `ResourceNotFoundException`…), else a system error code
 * (`ECONNRESET`), else the constructor's name.
 *
 * @example
 * if (errorName(err) === 'ResourceAlreadyExistsException') return; // a producer recreated the stream first
 */
function errorName(err: unknown): string {
  const { name, code, Code } = shape(err);
  const candidates = [name, code, Code].filter((c): c is string => typeof c === 'string' && c !== '');
  return candidates.find((c) => c !== 'Error') ?? candidates[0] ?? typeof err;
}

/**
 * True when AWS refused the call for its rate (the call may be sent again later).
 *
 * @example
 * if (isThrottlingError(err)) logger.warn({ operation }, 'throttled');
 */
function isThrottlingError(err: unknown): boolean {
  const e = shape(err);
  return (
    THROTTLING_NAMES.has(errorName(err)) || e.$metadata?.httpStatusCode === 429 || e.$retryable?.throttling === true
  );
}

/**
 * True for failures that another attempt may cure: throttling, 5xx and known transient errors, and
 * network errors (a system error code and no HTTP response). Everything else — validation, not found,
 * access denied, `LimitExceededException` (the export slot has its own wait loop), `PreconditionFailed` —
 * is final.
 *
 * @example
 * isRetryableError(Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' })); // true
 */
function isRetryableError(err: unknown): boolean {
  const e = shape(err);
  const name = errorName(err);
  if (name === 'LimitExceededException') return false;
  if (isThrottlingError(err) || TRANSIENT_NAMES.has(name)) return true;
  const status = e.$metadata?.httpStatusCode;
  if (status !== undefined) return status >= 500;
  const code = typeof e.code === 'string' ? e.code : '';
  // A system error (ECONNABORTED, EHOSTUNREACH…) but not Node's own ERR_* codes, which are bugs.
  return NETWORK_CODES.has(code) || /^E[A-Z]+$/.test(code) || e.message === 'socket hang up';
}

/**
 * True for a retryable failure after which we cannot know whether AWS applied the call: a timeout, a
 * network error or a 5xx (the request may have been carried out, its answer lost). Throttling and
 * `OperationAbortedException` are answers that say it was not. A non-idempotent call (PutLogEvents,
 * CreateExportTask) must find out what happened before it is sent again.
 *
 * @example
 * if (isUncertainError(err)) events = await notYetPut(...); // then put only those
 */
function isUncertainError(err: unknown): boolean {
  return isRetryableError(err) && !isThrottlingError(err) && errorName(err) !== 'OperationAbortedException';
}

/** How one {@link callAws} call may be retried. */
interface CallOptions {
  /**
   * Whether an uncertain failure ({@link isUncertainError}) is retried blindly. False for calls that are
   * not idempotent: the error is rethrown at once, and the caller checks what reached AWS first.
   * @default true
   */
  readonly retryUncertain?: boolean;
}

/**
 * Counters for {@link callAws}, one set per operation.
 *
 * @example
 * const stats = createCallStats();
 * logger.info({ calls: stats.snapshot() }, 'run summary');
 */
function createCallStats(): AwsCallStats {
  const byOperation = new Map<string, Record<StatsEvent, number>>();
  return Object.freeze({
    record(operation: string, event: StatsEvent): void {
      let counters = byOperation.get(operation);
      if (counters === undefined) {
        counters = { calls: 0, successes: 0, retries: 0, throttles: 0, failures: 0 };
        byOperation.set(operation, counters);
      }
      counters[event] += 1;
    },
    snapshot(): Record<string, OperationStats> {
      return Object.fromEntries([...byOperation].map(([operation, counters]) => [operation, { ...counters }]));
    },
  });
}

const toError = (err: unknown): Error => (err instanceof Error ? err : new Error(String(err)));

/**
 * Sends one AWS request under the operation's limiter and retries it while the failure is retryable
 * ({@link isRetryableError}). Each attempt is scheduled on the limiter separately, so a retry waits its
 * turn like any other call; a non-retryable error is rethrown as it came from the SDK.
 *
 * Never call `callAws` from inside `send` for the same operation: `send` runs inside the limiter's job.
 *
 * @param operation - the API operation name, e.g. `'DescribeLogStreams'`; it selects the limiter.
 * @param send - sends the request; called once per attempt.
 * @param options - `retryUncertain: false` for calls that must not be repeated blindly.
 * @example
 * const page = await callAws(ctx, 'DescribeLogGroups', () => logs.send(new DescribeLogGroupsCommand(input)));
 */
async function callAws<T>(
  ctx: AwsCallContext,
  operation: string,
  send: () => Promise<T>,
  options: CallOptions = {},
): Promise<T> {
  const { limiters, stats, signal } = ctx;
  const limiter = limiters.for(operation);
  const { retries = 8, minTimeoutMs = 200, maxTimeoutMs = 20_000 } = ctx.retry ?? {};
  const attempt = async (attemptNumber: number): Promise<T> => {
    try {
      return await limiter.schedule(async () => {
        // The signal may have fired while the attempt waited in the queue: do not send it then.
        signal?.throwIfAborted();
        stats.record(operation, 'calls');
        if (attemptNumber > 1) stats.record(operation, 'retries');
        return send();
      });
    } catch (error) {
      if (isThrottlingError(error)) stats.record(operation, 'throttles');
      // AbortError makes p-retry stop and reject with the original error.
      if (signal?.aborted === true || !isRetryableError(error)) throw new AbortError(toError(error));
      if (options.retryUncertain === false && isUncertainError(error)) throw new AbortError(toError(error));
      throw error;
    }
  };
  try {
    const result = await pRetry(attempt, {
      retries,
      minTimeout: minTimeoutMs,
      maxTimeout: maxTimeoutMs,
      factor: 2,
      randomize: true,
      signal,
    });
    stats.record(operation, 'successes');
    return result;
  } catch (error) {
    stats.record(operation, 'failures');
    throw error;
  }
}

export { callAws, createCallStats, errorName, isRetryableError, isThrottlingError, isUncertainError };
export type { AwsCallContext, AwsCallStats, CallOptions, OperationStats };
