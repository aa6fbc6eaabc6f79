/**
 * callAws, decision by decision: which failures are tried again and which end the call, how often and
 * after how long (fake timers, Math.random pinned), the error the caller finally gets, and how each
 * attempt goes through the operation's limiter (a fake limiter that records and holds jobs).
 */
import { LimitExceededException, ThrottlingException } from '@aws-sdk/client-cloudwatch-logs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  callAws,
  createCallStats,
  errorName,
  isRetryableError,
  isThrottlingError,
  isUncertainError,
} from '../../../src/aws/callAws.js';
import type { AwsCallContext } from '../../../src/aws/callAws.js';
import { createLimiters } from '../../../src/aws/limiters.js';
import type { Limiters, RateLimiter } from '../../../src/aws/limiters.js';

const OP = 'DescribeLogGroups';
const meta = (httpStatusCode: number) => ({ $metadata: { httpStatusCode } });
const named = (name: string, extra: object = {}) => Object.assign(new Error(`${name} happened`), { name, ...extra });
const withCode = (code: string, extra: object = {}) => Object.assign(new Error(`read ${code}`), { code, ...extra });
const throttled = () => new ThrottlingException({ message: 'Rate exceeded', ...meta(400) });

/** A limiter that runs each job at once, or, when `held`, only when the test releases it. */
function fakeLimiters(options: { held?: boolean } = {}) {
  const events: string[] = [];
  const waiting: (() => void)[] = [];
  const limiter: RateLimiter = {
    burst: 1,
    schedule<T>(job: () => T | PromiseLike<T>): Promise<T> {
      events.push('schedule');
      return new Promise<T>((resolve, reject) => {
        const run = () => {
          events.push('start');
          Promise.resolve().then(job).then(resolve, reject);
        };
        if (options.held === true) waiting.push(run);
        else run();
      });
    },
  };
  const limiters: Limiters = {
    for(operation: string): RateLimiter {
      events.push(`for ${operation}`);
      return limiter;
    },
    allowedTps: () => 1,
    operations: [OP],
    stop: async () => undefined,
  };
  /** Starts the oldest held job. */
  const release = (): void => {
    const next = waiting.shift();
    if (next === undefined) throw new Error('no job is waiting');
    next();
  };
  return { limiters, events, release, waiting };
}

function context(limiters: Limiters, extra: Partial<AwsCallContext> = {}): AwsCallContext {
  return { limiters, stats: createCallStats(), retry: { retries: 4, minTimeoutMs: 0, maxTimeoutMs: 0 }, ...extra };
}

/** A `send` that fails with the given errors, in order, then returns `result`. */
function failingThen<T>(errors: unknown[], result: T) {
  const queue = [...errors];
  return vi.fn(async () => {
    if (queue.length > 0) throw queue.shift();
    return result;
  });
}

const counters = (c: Partial<Record<'calls' | 'successes' | 'retries' | 'throttles' | 'failures', number>>) => ({
  calls: 0,
  successes: 0,
  retries: 0,
  throttles: 0,
  failures: 0,
  ...c,
});

afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

describe('callAws tries again after throttling, and counts it', () => {
  it.each([
    ['ThrottlingException', () => named('ThrottlingException', meta(400))],
    ['ThrottledException', () => named('ThrottledException')],
    ['TooManyRequestsException', () => named('TooManyRequestsException')],
    ['RequestLimitExceeded', () => named('RequestLimitExceeded')],
    ['Throttling', () => named('Throttling')],
    [
      'SlowDown (S3, as its Code)',
      () => Object.assign(new Error('Please reduce your request rate.'), { Code: 'SlowDown' }),
    ],
    ['an unnamed 429', () => named('Error', meta(429))],
    ['the SDK throttling trait', () => named('SomethingElse', { ...meta(400), $retryable: { throttling: true } })],
  ])('%s', async (_, makeError) => {
    // Prepare
    const { limiters } = fakeLimiters();
    const ctx = context(limiters);
    const send = failingThen([makeError()], 'ok');

    // Act + Assess
    await expect(callAws(ctx, OP, send)).resolves.toBe('ok');
    expect(send).toHaveBeenCalledTimes(2);
    expect(ctx.stats.snapshot()[OP]).toEqual(counters({ calls: 2, successes: 1, retries: 1, throttles: 1 }));
  });
});

describe('callAws tries again after server-side and network failures (not counted as throttling)', () => {
  it.each([
    ...[
      'ServiceUnavailableException',
      'ServiceUnavailable',
      'InternalFailure',
      'InternalServerError',
      'InternalError',
      'OperationAbortedException',
      'TimeoutError',
      'RequestTimeout',
      'RequestTimeoutException',
    ].map((name): [string, () => unknown] => [`${name} (no HTTP status)`, () => named(name)]),
    ...[500, 502, 503, 504, 599].map((status): [string, () => unknown] => [
      `an unnamed ${status}`,
      () => named('UnknownError', meta(status)),
    ]),
    ...['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'ENOTFOUND', 'EAI_AGAIN', 'ENETUNREACH'].map(
      (code): [string, () => unknown] => [code, () => withCode(code)],
    ),
    ['another system error code (ECONNABORTED)', () => withCode('ECONNABORTED')],
    ['a system error with $metadata but no status', () => withCode('EHOSTUNREACH', { $metadata: {} })],
    ['"socket hang up" without a code', () => new Error('socket hang up')],
  ])('%s', async (_, makeError) => {
    const { limiters } = fakeLimiters();
    const ctx = context(limiters);
    const send = failingThen([makeError()], 'ok');
    await expect(callAws(ctx, OP, send)).resolves.toBe('ok');
    expect(send).toHaveBeenCalledTimes(2);
    expect(ctx.stats.snapshot()[OP]).toEqual(counters({ calls: 2, successes: 1, retries: 1 }));
  });
});

describe('callAws ends the call at the first final failure, rethrowing it as it came', () => {
  it.each([
    ['a 4xx answer (499)', () => named('UnknownError', meta(499))],
    ['a 4xx answer (400) that carries a network code', () => withCode('ECONNRESET', meta(400))],
    ['"socket hang up" with a 4xx status', () => Object.assign(new Error('socket hang up'), meta(400))],
    ['a Node ERR_ code that ends in capitals', () => withCode('ERR_STREAM_DESTROYED')],
    ['a Node ERR_ code', () => withCode('ERR_SOCKET_CLOSED')],
    ['a code that is only "E"', () => withCode('E')],
    ['a lowercase code', () => withCode('Econnreset')],
    ['a code with a digit', () => withCode('ECONNRESET2')],
    ['a numeric code', () => Object.assign(new Error('errno'), { code: 104 })],
    ['a plain Error', () => new Error('boom')],
    [
      'LimitExceededException even as a 5xx with the throttling trait',
      () =>
        Object.assign(new LimitExceededException({ message: 'Resource limit exceeded.', ...meta(503) }), {
          $retryable: { throttling: true },
        }),
    ],
  ])('%s', async (_, makeError) => {
    // Prepare
    const { limiters } = fakeLimiters();
    const ctx = context(limiters);
    const original = makeError();
    const send = failingThen([original], 'never');

    // Act + Assess
    await expect(callAws(ctx, OP, send)).rejects.toBe(original);
    expect(send).toHaveBeenCalledTimes(1);
    const throttles = isThrottlingError(original) ? 1 : 0;
    expect(ctx.stats.snapshot()[OP]).toEqual(counters({ calls: 1, failures: 1, throttles }));
  });

  it('keeps the final error whole: its class, name, message and HTTP status', async () => {
    const { limiters } = fakeLimiters();
    const ctx = context(limiters, { retry: { retries: 1, minTimeoutMs: 0, maxTimeoutMs: 0 } });
    const last = throttled();
    await expect(callAws(ctx, OP, failingThen([throttled(), last], 'never'))).rejects.toSatisfy(
      (error) =>
        error === last &&
        error instanceof ThrottlingException &&
        error.name === 'ThrottlingException' &&
        error.message === 'Rate exceeded' &&
        error.$metadata.httpStatusCode === 400,
    );
  });

  it.each([
    ['a string', 'boom', 'boom'],
    ['null', null, 'null'],
    ['undefined', undefined, 'undefined'],
  ])('turns a thrown %s into an Error carrying it, without retrying', async (_, thrown, message) => {
    const { limiters } = fakeLimiters();
    const ctx = context(limiters);
    const send = vi.fn(async () => {
      throw thrown;
    });
    const error = await callAws(ctx, OP, send).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toBe(message);
    expect(send).toHaveBeenCalledTimes(1);
    expect(ctx.stats.snapshot()[OP]).toEqual(counters({ calls: 1, failures: 1 }));
  });
});

describe('callAws with retryUncertain: false (calls that must not be repeated blindly)', () => {
  it.each([
    ['a 500', () => named('InternalFailure', meta(500))],
    ['an unnamed 502', () => named('UnknownError', meta(502))],
    ['a timeout', () => named('TimeoutError')],
    ['a dropped connection', () => withCode('ECONNRESET')],
    ['"socket hang up"', () => new Error('socket hang up')],
  ])('rethrows %s at once, as it came', async (_, makeError) => {
    const { limiters } = fakeLimiters();
    const ctx = context(limiters);
    const original = makeError();
    const send = failingThen([original], 'never');
    await expect(callAws(ctx, 'CreateExportTask', send, { retryUncertain: false })).rejects.toBe(original);
    expect(send).toHaveBeenCalledTimes(1);
    expect(ctx.stats.snapshot().CreateExportTask).toEqual(counters({ calls: 1, failures: 1 }));
  });

  it.each([
    ['throttling by status 429', () => named('Error', meta(429))],
    ['throttling by the SDK trait', () => named('X', { $retryable: { throttling: true } })],
    ['OperationAbortedException', () => named('OperationAbortedException', meta(400))],
  ])('still retries %s: an answer that says nothing was done', async (_, makeError) => {
    const { limiters } = fakeLimiters();
    const ctx = context(limiters);
    const send = failingThen([makeError()], 'done');
    await expect(callAws(ctx, 'CreateExportTask', send, { retryUncertain: false })).resolves.toBe('done');
    expect(send).toHaveBeenCalledTimes(2);
  });

  it('retries an uncertain failure when retryUncertain is true or not given', async () => {
    for (const options of [{ retryUncertain: true }, {}, undefined]) {
      const { limiters } = fakeLimiters();
      const send = failingThen([named('UnknownError', meta(500))], 'ok');
      await expect(callAws(context(limiters), OP, send, options)).resolves.toBe('ok');
      expect(send).toHaveBeenCalledTimes(2);
    }
  });
});

describe('callAws backs off exponentially, with jitter, within its bounds', () => {
  /** Runs a call whose every attempt is throttled; returns the gaps between attempts, in ms. */
  async function gapsOfAlwaysThrottled(random: number, retry?: AwsCallContext['retry']) {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    vi.spyOn(Math, 'random').mockReturnValue(random);
    const { limiters } = fakeLimiters();
    const ctx: AwsCallContext = { limiters, stats: createCallStats(), ...(retry && { retry }) };
    const sentAt: number[] = [];
    const last = throttled();
    const send = vi.fn(async () => {
      sentAt.push(Date.now());
      throw sentAt.length > 1 ? last : throttled();
    });
    const outcome = callAws(ctx, OP, send).catch((error: unknown) => error);
    await vi.runAllTimersAsync();
    const error = await outcome;
    return { gaps: sentAt.slice(1).map((t, i) => t - (sentAt[i] as number)), error, last, stats: ctx.stats.snapshot() };
  }

  it('by default retries 8 times, from 200 ms × 1.5 (the jitter), doubling, capped at 20 s', async () => {
    // Act
    const { gaps, error, last, stats } = await gapsOfAlwaysThrottled(0.5);

    // Assess
    expect(gaps).toEqual([300, 600, 1200, 2400, 4800, 9600, 19_200, 20_000]);
    expect(error).toBe(last);
    expect(stats[OP]).toEqual(counters({ calls: 9, retries: 8, throttles: 9, failures: 1 }));
  });

  it('waits between 200 and 400 ms before the first retry: the jitter is a factor of 1 to 2', async () => {
    expect((await gapsOfAlwaysThrottled(0)).gaps.slice(0, 3)).toEqual([200, 400, 800]);
    expect((await gapsOfAlwaysThrottled(0.999)).gaps.slice(0, 3)).toEqual([400, 800, 1599]);
  });

  it('takes the retry count and both bounds from the context', async () => {
    const { gaps, stats } = await gapsOfAlwaysThrottled(0.5, { retries: 3, minTimeoutMs: 10, maxTimeoutMs: 25 });
    expect(gaps).toEqual([15, 25, 25]);
    expect(stats[OP]).toEqual(counters({ calls: 4, retries: 3, throttles: 4, failures: 1 }));
  });

  it('keeps the defaults of the bounds it is not given', async () => {
    expect((await gapsOfAlwaysThrottled(0.5, { retries: 2 })).gaps).toEqual([300, 600]);
    expect((await gapsOfAlwaysThrottled(0.5, { maxTimeoutMs: 500 })).gaps).toEqual([
      300, 500, 500, 500, 500, 500, 500, 500,
    ]);
  });

  it('sends once, and stops there, with retries: 0', async () => {
    const { gaps, error, stats } = await gapsOfAlwaysThrottled(0.5, { retries: 0 });
    expect(gaps).toEqual([]);
    expect(error).toBeInstanceOf(ThrottlingException);
    expect(stats[OP]).toEqual(counters({ calls: 1, throttles: 1, failures: 1 }));
  });

  it('stops waiting when the signal fires during the backoff, rejecting with its reason', async () => {
    // Prepare
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    const controller = new AbortController();
    const { limiters } = fakeLimiters();
    const ctx = context(limiters, { signal: controller.signal, retry: { retries: 5, minTimeoutMs: 1000 } });
    const send = vi.fn(async () => {
      throw throttled();
    });

    // Act
    const outcome = callAws(ctx, OP, send).catch((error: unknown) => error);
    await vi.advanceTimersByTimeAsync(500);
    controller.abort(new Error('deadline reached'));
    await vi.runAllTimersAsync();

    // Assess
    expect(await outcome).toEqual(new Error('deadline reached'));
    expect(send).toHaveBeenCalledTimes(1);
    expect(ctx.stats.snapshot()[OP]).toEqual(counters({ calls: 1, throttles: 1, failures: 1 }));
  });
});

describe('callAws sends every attempt through the operation limiter', () => {
  it('schedules each attempt, retries included, on the limiter of its operation, and sends inside the job', async () => {
    // Prepare
    const { limiters, events } = fakeLimiters();
    const ctx = context(limiters);
    const errors = [throttled(), named('InternalFailure', meta(500))];
    const send = vi.fn(async () => {
      events.push('send');
      if (errors.length > 0) throw errors.shift();
      return 'page';
    });

    // Act
    const result = await callAws(ctx, OP, send);

    // Assess
    expect(result).toBe('page');
    expect(events).toEqual([
      `for ${OP}`,
      ...['schedule', 'start', 'send'],
      ...['schedule', 'start', 'send'],
      ...['schedule', 'start', 'send'],
    ]);
  });

  it('sends nothing and counts no call until the limiter starts the job', async () => {
    // Prepare
    const { limiters, release, waiting } = fakeLimiters({ held: true });
    const ctx = context(limiters);
    const send = vi.fn(async () => 'page');

    // Act
    const outcome = callAws(ctx, OP, send);
    await vi.waitFor(() => expect(waiting).toHaveLength(1));

    // Assess: queued, not sent.
    expect(send).not.toHaveBeenCalled();
    expect(ctx.stats.snapshot()).toEqual({});
    release();
    await expect(outcome).resolves.toBe('page');
    expect(ctx.stats.snapshot()[OP]).toEqual(counters({ calls: 1, successes: 1 }));
  });

  it('does not send an attempt whose signal fired while it waited in the queue', async () => {
    // Prepare
    const controller = new AbortController();
    const { limiters, release, waiting } = fakeLimiters({ held: true });
    const ctx = context(limiters, { signal: controller.signal });
    const send = vi.fn(async () => 'never');

    // Act
    const outcome = callAws(ctx, OP, send).catch((error: unknown) => error);
    await vi.waitFor(() => expect(waiting).toHaveLength(1));
    controller.abort(new Error('run deadline'));
    release();

    // Assess
    expect(await outcome).toEqual(new Error('run deadline'));
    expect(send).not.toHaveBeenCalled();
    expect(ctx.stats.snapshot()[OP]).toEqual(counters({ failures: 1 }));
  });

  it('rejects with the signal reason, without retrying, when the signal fires while a request is in flight', async () => {
    const controller = new AbortController();
    const { limiters } = fakeLimiters();
    const ctx = context(limiters, { signal: controller.signal });
    const send = vi.fn(async () => {
      controller.abort(new Error('run deadline'));
      throw throttled();
    });
    expect(await callAws(ctx, OP, send).catch((error: unknown) => error)).toEqual(new Error('run deadline'));
    expect(send).toHaveBeenCalledTimes(1);
    expect(ctx.stats.snapshot()[OP]).toEqual(counters({ calls: 1, throttles: 1, failures: 1 }));
  });

  it('gives up at once when the limiter has been stopped (the run is ending)', async () => {
    // Prepare
    const limiters = createLimiters({ quotaShare: 1 });
    await limiters.stop();
    const ctx = context(limiters);
    const send = vi.fn(async () => 'never');

    // Act + Assess
    await expect(callAws(ctx, OP, send)).rejects.toThrow('This limiter has been stopped.');
    expect(send).not.toHaveBeenCalled();
    expect(ctx.stats.snapshot()[OP]).toEqual(counters({ failures: 1 }));
  });

  it('refuses an operation without a limiter with UNKNOWN_OPERATION, counting nothing', async () => {
    const limiters = createLimiters({ quotaShare: 1 });
    const ctx = context(limiters);
    const send = vi.fn(async () => 'never');
    await expect(callAws(ctx, 'DescribeLogGroup', send)).rejects.toMatchObject({ code: 'UNKNOWN_OPERATION' });
    expect(send).not.toHaveBeenCalled();
    expect(ctx.stats.snapshot()).toEqual({});
    await limiters.stop();
  });
});

describe('createCallStats', () => {
  it('hands out snapshots that later calls do not change', async () => {
    const { limiters } = fakeLimiters();
    const ctx = context(limiters);
    await callAws(ctx, OP, async () => 1);
    const before = ctx.stats.snapshot();
    await callAws(ctx, OP, failingThen([throttled()], 2));
    expect(before[OP]).toEqual(counters({ calls: 1, successes: 1 }));
    expect(ctx.stats.snapshot()[OP]).toEqual(counters({ calls: 3, successes: 2, retries: 1, throttles: 1 }));
  });
});

describe('error classification helpers, at their edges', () => {
  it('names an error by name, else code, else Code, skipping a generic "Error" and empty strings', () => {
    expect(errorName(Object.assign(new Error('x'), { Code: 'NoSuchKey' }))).toBe('NoSuchKey');
    expect(errorName({ name: 'Error', Code: 'SlowDown' })).toBe('SlowDown');
    expect(errorName({ name: '', code: 'EPIPE' })).toBe('EPIPE');
    expect(errorName({ name: 42, code: 'EPIPE' })).toBe('EPIPE');
    expect(errorName({ name: 'Error' })).toBe('Error');
    expect(errorName({ name: '', code: '' })).toBe('object');
    expect(errorName({})).toBe('object');
    expect(errorName(null)).toBe('object');
    expect(errorName(undefined)).toBe('undefined');
    expect(errorName(7)).toBe('number');
  });

  it('calls throttling only what says so', () => {
    expect(isThrottlingError(named('X', meta(428)))).toBe(false);
    expect(isThrottlingError(named('X', meta(430)))).toBe(false);
    expect(isThrottlingError(named('X', { $retryable: { throttling: false } }))).toBe(false);
    expect(isThrottlingError(named('X', { $retryable: {} }))).toBe(false);
    expect(isThrottlingError(named('X', { $metadata: {} }))).toBe(false);
    expect(isThrottlingError(null)).toBe(false);
    expect(isThrottlingError('ThrottlingException')).toBe(false);
  });

  it('treats values that are not errors as final', () => {
    expect(isRetryableError(null)).toBe(false);
    expect(isRetryableError(undefined)).toBe(false);
    expect(isRetryableError('ECONNRESET')).toBe(false);
    expect(isRetryableError({})).toBe(false);
  });

  it('tells uncertain failures (maybe applied) from answers (not applied) and final failures', () => {
    expect(isUncertainError(named('UnknownError', meta(500)))).toBe(true);
    expect(isUncertainError(new Error('socket hang up'))).toBe(true);
    expect(isUncertainError(named('RequestTimeout'))).toBe(true);
    expect(isUncertainError(named('X', meta(429)))).toBe(false);
    expect(isUncertainError(named('OperationAbortedException'))).toBe(false);
    expect(isUncertainError(new LimitExceededException({ message: 'busy', ...meta(400) }))).toBe(false);
    expect(isUncertainError(named('UnknownError', meta(404)))).toBe(false);
  });
});
