import {
  InvalidParameterException,
  LimitExceededException,
  OperationAbortedException,
  ResourceNotFoundException,
  ServiceUnavailableException,
  ThrottlingException,
} from '@aws-sdk/client-cloudwatch-logs';
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
import type { Limiters } from '../../../src/aws/limiters.js';

const meta = (httpStatusCode: number) => ({ $metadata: { httpStatusCode } });
const throttled = () => new ThrottlingException({ message: 'Rate exceeded', ...meta(400) });
const notFound = () =>
  new ResourceNotFoundException({ message: 'The specified log group does not exist.', ...meta(400) });
const invalid = () => new InvalidParameterException({ message: 'bad', ...meta(400) });
const slotBusy = () => new LimitExceededException({ message: 'Resource limit exceeded.', ...meta(400) });
const networkError = (code: string) => Object.assign(new Error(`read ${code}`), { code, syscall: 'read' });

let limiters: Limiters | undefined;
afterEach(async () => {
  await limiters?.stop();
  limiters = undefined;
});

/** A context whose limiters and backoff are fast enough for unit tests. */
function fastContext(overrides: Partial<AwsCallContext> = {}): AwsCallContext {
  limiters = createLimiters({ quotaShare: 1, quotasTps: { DescribeLogGroups: 1_000, CreateExportTask: 1_000 } });
  return { limiters, stats: createCallStats(), retry: { retries: 4, minTimeoutMs: 1, maxTimeoutMs: 5 }, ...overrides };
}

/** A `send` that fails with the given errors, in order, then returns `result`. */
function failingThen<T>(errors: unknown[], result: T) {
  const queue = [...errors];
  return vi.fn(async () => {
    const next = queue.shift();
    if (next !== undefined) throw next;
    return result;
  });
}

describe('callAws', () => {
  it('retries throttling, then returns the result', async () => {
    // Prepare
    const ctx = fastContext();
    const send = failingThen([throttled(), throttled()], { logGroups: [] });

    // Act
    const result = await callAws(ctx, 'DescribeLogGroups', send);

    // Assess
    expect(result).toEqual({ logGroups: [] });
    expect(send).toHaveBeenCalledTimes(3);
    expect(ctx.stats.snapshot()).toEqual({
      DescribeLogGroups: { calls: 3, successes: 1, retries: 2, throttles: 2, failures: 0 },
    });
  });

  it.each([
    ['ServiceUnavailableException', () => new ServiceUnavailableException({ message: 'x', ...meta(503) })],
    ['OperationAbortedException', () => new OperationAbortedException({ message: 'x', ...meta(400) })],
    ['an unnamed 500', () => Object.assign(new Error('boom'), { name: 'UnknownError', ...meta(500) })],
    ['ECONNRESET', () => networkError('ECONNRESET')],
    ['socket hang up', () => Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' })],
    ['a TimeoutError', () => Object.assign(new Error('timed out'), { name: 'TimeoutError' })],
  ])('retries %s', async (_, makeError) => {
    const ctx = fastContext();
    const send = failingThen([makeError()], 'ok');
    await expect(callAws(ctx, 'DescribeLogGroups', send)).resolves.toBe('ok');
    expect(send).toHaveBeenCalledTimes(2);
  });

  it.each([
    ['InvalidParameterException', invalid],
    ['ResourceNotFoundException', notFound],
    [
      'AccessDeniedException',
      () => Object.assign(new Error('denied'), { name: 'AccessDeniedException', ...meta(400) }),
    ],
    ['PreconditionFailed', () => Object.assign(new Error('412'), { name: 'PreconditionFailed', ...meta(412) })],
    ['a bug in our code', () => new TypeError('cannot read properties of undefined')],
    ['a Node ERR_ code', () => Object.assign(new TypeError('bad arg'), { code: 'ERR_INVALID_ARG_TYPE' })],
  ])('never retries %s, and rethrows the original error', async (_, makeError) => {
    // Prepare
    const ctx = fastContext();
    const original = makeError();
    const send = failingThen([original], 'never');

    // Act
    const outcome = callAws(ctx, 'DescribeLogGroups', send);

    // Assess
    await expect(outcome).rejects.toBe(original);
    expect(send).toHaveBeenCalledTimes(1);
    expect(ctx.stats.snapshot().DescribeLogGroups).toEqual({
      calls: 1,
      successes: 0,
      retries: 0,
      throttles: 0,
      failures: 1,
    });
  });

  it('does not retry LimitExceededException: the export slot has its own wait loop', async () => {
    const ctx = fastContext();
    const busy = slotBusy();
    const send = failingThen([busy], 'never');
    await expect(callAws(ctx, 'CreateExportTask', send)).rejects.toBe(busy);
    expect(send).toHaveBeenCalledTimes(1);
  });

  it('gives up after the configured retries with the last error', async () => {
    // Prepare
    const ctx = fastContext({ retry: { retries: 2, minTimeoutMs: 1, maxTimeoutMs: 2 } });
    const last = throttled();
    const send = failingThen([throttled(), throttled(), last], 'never');

    // Act + Assess
    await expect(callAws(ctx, 'DescribeLogGroups', send)).rejects.toBe(last);
    expect(send).toHaveBeenCalledTimes(3);
    expect(ctx.stats.snapshot().DescribeLogGroups).toEqual({
      calls: 3,
      successes: 0,
      retries: 2,
      throttles: 3,
      failures: 1,
    });
  });

  it('stops retrying when the signal is aborted', async () => {
    // Prepare: the backoff is long, so the abort lands while waiting to retry.
    const controller = new AbortController();
    const ctx = fastContext({
      signal: controller.signal,
      retry: { retries: 5, minTimeoutMs: 10_000, maxTimeoutMs: 10_000 },
    });
    const send = vi.fn(async () => {
      setTimeout(() => controller.abort(new Error('deadline reached')), 5);
      throw throttled();
    });

    // Act + Assess
    await expect(callAws(ctx, 'DescribeLogGroups', send)).rejects.toThrow('deadline reached');
    expect(send).toHaveBeenCalledTimes(1);
    expect(ctx.stats.snapshot().DescribeLogGroups?.failures).toBe(1);
  });

  it('sends nothing when the signal is already aborted', async () => {
    const controller = new AbortController();
    controller.abort(new Error('cancelled'));
    const ctx = fastContext({ signal: controller.signal });
    const send = vi.fn(async () => 'never');
    await expect(callAws(ctx, 'DescribeLogGroups', send)).rejects.toThrow('cancelled');
    expect(send).not.toHaveBeenCalled();
  });

  it('refuses an operation without a limiter before sending anything', async () => {
    const ctx = fastContext();
    const send = vi.fn(async () => 'never');
    await expect(callAws(ctx, 'DescribeLogGroup', send)).rejects.toThrow(/No limiter/);
    expect(send).not.toHaveBeenCalled();
  });

  it('counts each operation separately', async () => {
    const ctx = fastContext();
    await callAws(ctx, 'DescribeLogGroups', async () => 1);
    await callAws(ctx, 'CreateExportTask', failingThen([throttled()], 2));
    const snapshot = ctx.stats.snapshot();
    expect(snapshot.DescribeLogGroups).toEqual({ calls: 1, successes: 1, retries: 0, throttles: 0, failures: 0 });
    expect(snapshot.CreateExportTask).toEqual({ calls: 2, successes: 1, retries: 1, throttles: 1, failures: 0 });
    snapshot.CreateExportTask = { calls: 0, successes: 0, retries: 0, throttles: 0, failures: 0 };
    expect(ctx.stats.snapshot().CreateExportTask?.calls).toBe(2);
  });
});

describe('error helpers', () => {
  it('names AWS errors, system errors and anything else', () => {
    expect(errorName(notFound())).toBe('ResourceNotFoundException');
    expect(errorName(networkError('ECONNREFUSED'))).toBe('ECONNREFUSED');
    expect(errorName(new Error('plain'))).toBe('Error');
    expect(errorName('a string')).toBe('string');
  });

  it('recognises throttling by name, by status 429 and by the SDK retryable trait', () => {
    expect(isThrottlingError(throttled())).toBe(true);
    for (const name of ['ThrottledException', 'TooManyRequestsException', 'RequestLimitExceeded']) {
      expect(isThrottlingError(Object.assign(new Error(name), { name }))).toBe(true);
    }
    expect(isThrottlingError(Object.assign(new Error('x'), meta(429)))).toBe(true);
    expect(isThrottlingError(Object.assign(new Error('x'), { $retryable: { throttling: true } }))).toBe(true);
    expect(isThrottlingError(slotBusy())).toBe(false);
    expect(isThrottlingError(undefined)).toBe(false);
  });

  it('treats a system error without an HTTP response as a network error', () => {
    expect(isRetryableError(networkError('EHOSTUNREACH'))).toBe(true);
    expect(isRetryableError(Object.assign(networkError('EPIPE'), { $metadata: { attempts: 1 } }))).toBe(true);
    expect(isRetryableError(Object.assign(new Error('x'), { code: 'ECONNRESET', ...meta(400) }))).toBe(false);
  });
});

describe('calls that must not be repeated blindly (retryUncertain: false)', () => {
  const timeout = () => Object.assign(new Error('request timed out'), { name: 'TimeoutError', code: 'ETIMEDOUT' });
  const unavailable = () => new ServiceUnavailableException({ message: 'down', ...meta(503) });

  it.each([
    ['a timeout', timeout],
    ['a dropped connection', () => networkError('ECONNRESET')],
    ['a 503', unavailable],
  ])('rethrows %s at once, without sending again', async (_name, error) => {
    const ctx = fastContext();
    const send = failingThen([error()], { taskId: 't-1' });
    await expect(callAws(ctx, 'CreateExportTask', send, { retryUncertain: false })).rejects.toThrow();
    expect(send).toHaveBeenCalledTimes(1);
  });

  it('still retries throttling (an answer that says nothing was done)', async () => {
    const ctx = fastContext();
    const send = failingThen([throttled(), throttled()], { taskId: 't-1' });
    await expect(callAws(ctx, 'CreateExportTask', send, { retryUncertain: false })).resolves.toEqual({ taskId: 't-1' });
    expect(send).toHaveBeenCalledTimes(3);
  });

  it('tells uncertain failures from answers', () => {
    expect(isUncertainError(timeout())).toBe(true);
    expect(isUncertainError(networkError('ECONNRESET'))).toBe(true);
    expect(isUncertainError(unavailable())).toBe(true);
    expect(isUncertainError(throttled())).toBe(false);
    expect(isUncertainError(new OperationAbortedException({ message: 'busy', ...meta(400) }))).toBe(false);
    expect(isUncertainError(invalid())).toBe(false);
  });
});
