import {
  CreateLogGroupCommand,
  DescribeLogGroupsCommand,
  DescribeLogStreamsCommand,
  GetLogEventsCommand,
  ListTagsForResourceCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import type { CloudWatchLogsServiceException } from '@aws-sdk/client-cloudwatch-logs';
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { startSandbox } from '../src/index.js';
import { sandboxClients } from './helpers/sandboxClients.js';
import { expectAwsError, useSandbox } from './helpers/sandboxHarness.js';

const h = useSandbox();
const describeGroups = () => h.logs.send(new DescribeLogGroupsCommand({}));

describe('quotas', () => {
  it('throttles by default at the AWS quota: GetLogEvents 10 TPS', async () => {
    h.sandbox.seedStream('g', 's', [{ timestamp: Date.now(), message: 'x' }]);
    const results = await Promise.allSettled(
      Array.from({ length: 40 }, () => h.logs.send(new GetLogEventsCommand({ logGroupName: 'g', logStreamName: 's' }))),
    );
    const throttled = results.filter((r) => r.status === 'rejected');
    expect(results.filter((r) => r.status === 'fulfilled').length).toBeGreaterThanOrEqual(10);
    expect(throttled.length).toBeGreaterThan(0);
    for (const r of throttled) {
      const reason = (r as PromiseRejectedResult).reason as CloudWatchLogsServiceException;
      expect(reason.name).toBe('ThrottlingException');
      expect(reason.message).toBe('Rate exceeded');
    }
    expect(h.sandbox.calls.filter((c) => c.error === 'ThrottlingException')).toHaveLength(throttled.length);
  });

  it('takes quotas set at run time, for S3 too, and removes them', async () => {
    h.sandbox.createBucket('bkt');
    h.sandbox.setQuota('PutObject', 2);
    const send = (i: number) => h.s3.send(new PutObjectCommand({ Bucket: 'bkt', Key: `${i}`, Body: 'x' }));
    const puts = await Promise.allSettled(Array.from({ length: 20 }, (_, i) => send(i)));
    expect(puts.some((r) => r.status === 'rejected' && (r.reason as Error).name === 'SlowDown')).toBe(true);
    h.sandbox.setQuota('PutObject', undefined);
    await Promise.all(Array.from({ length: 20 }, (_, i) => send(i)));
  });
});

describe('faults', () => {
  it('fails the nth call from now, `times` times, with the named error', async () => {
    h.sandbox.injectFault({
      operation: 'DescribeLogGroups',
      nth: 2,
      times: 2,
      error: { name: 'ServiceUnavailableException' },
    });
    await describeGroups();
    const err = await expectAwsError(describeGroups(), 'ServiceUnavailableException');
    expect(err.$metadata?.httpStatusCode).toBe(503);
    await expectAwsError(describeGroups(), 'ServiceUnavailableException');
    await describeGroups();
    expect(h.sandbox.calls.map((c) => c.error)).toEqual([
      undefined,
      'ServiceUnavailableException',
      'ServiceUnavailableException',
      undefined,
    ]);
  });

  it('answers an injected OperationAbortedException with status 400 by default', async () => {
    h.sandbox.injectFault({
      operation: 'DescribeLogStreams',
      error: { name: 'OperationAbortedException', message: 'busy' },
    });
    const err = await expectAwsError(
      h.logs.send(new DescribeLogStreamsCommand({ logGroupName: 'g' })),
      'OperationAbortedException',
    );
    expect(err.message).toBe('busy');
    expect(err.$metadata?.httpStatusCode).toBe(400);
  });

  it('drops the connection without answering', async () => {
    h.sandbox.injectFault({ operation: 'GetObject', drop: true });
    const err: unknown = await h.s3.send(new GetObjectCommand({ Bucket: 'bkt', Key: 'k' })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    expect((err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode).toBeUndefined();
    expect(h.sandbox.calls.at(-1)?.error).toBe('Dropped');
  });

  it('forgets faults on clearFaults and on reset', async () => {
    h.sandbox.injectFault({ operation: '*' });
    h.sandbox.clearFaults();
    await describeGroups();
    h.sandbox.injectFault({ operation: '*' });
    h.sandbox.reset();
    await describeGroups();
  });
});

describe('latency', () => {
  it('delays only the operation it is set for', async () => {
    h.sandbox.setLatency('DescribeLogGroups', 300);
    const order: string[] = [];
    await Promise.all([
      describeGroups().then(() => order.push('slow')),
      h.logs.send(new CreateLogGroupCommand({ logGroupName: 'fast' })).then(() => order.push('fast')),
    ]);
    h.sandbox.setLatency('DescribeLogGroups', 0);
    expect(order).toEqual(['fast', 'slow']);
  });
});

describe('call log', () => {
  it('records operation, input and both clocks, and tells mutating calls apart', async () => {
    h.sandbox.createBucket('bkt');
    await h.logs.send(new CreateLogGroupCommand({ logGroupName: 'g' }));
    await describeGroups();
    await expectAwsError(
      h.logs.send(
        new ListTagsForResourceCommand({ resourceArn: 'arn:aws:logs:us-east-1:123456789012:log-group:nope' }),
      ),
      'ResourceNotFoundException',
    );
    await h.s3.send(new PutObjectCommand({ Bucket: 'bkt', Key: 'k', Body: 'x' }));
    expect(h.sandbox.countCalls()).toBe(4);
    expect(h.sandbox.countCalls('DescribeLogGroups')).toBe(1);
    expect(h.sandbox.calls[0]).toMatchObject({
      service: 'logs',
      operation: 'CreateLogGroup',
      input: { logGroupName: 'g' },
    });
    expect(h.sandbox.calls[0]?.atMs).toBeGreaterThan(0);
    expect(h.sandbox.calls[0]?.realAtMs).toBeGreaterThan(0);
    expect(h.sandbox.calls[2]?.error).toBe('ResourceNotFoundException');
    expect(h.sandbox.mutatingCalls().map((c) => c.operation)).toEqual(['CreateLogGroup', 'PutObject']);
    h.sandbox.clearCalls();
    expect(h.sandbox.calls).toHaveLength(0);
  });

  it('answers UnknownOperationException for an operation it does not know', async () => {
    const res = await fetch(h.sandbox.endpoint, {
      method: 'POST',
      headers: { 'x-amz-target': 'Logs_20140328.NoSuchOperation', 'content-type': 'application/x-amz-json-1.1' },
      body: '{}',
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ __type: 'UnknownOperationException' });
    expect(h.sandbox.calls.at(-1)).toMatchObject({ operation: 'NoSuchOperation', error: 'UnknownOperationException' });
  });
});

describe('fault rates', () => {
  it('answers about the given share of calls with throttling, at random, until cleared', async () => {
    const sandbox = await startSandbox({ quotasTps: false });
    const { logs, destroy } = sandboxClients(sandbox.endpoint);
    try {
      sandbox.setFaultRate('*', 0.3);
      const outcomes = await Promise.all(
        Array.from({ length: 200 }, () =>
          logs.send(new DescribeLogGroupsCommand({})).then(
            () => 'ok',
            (e: Error) => e.name,
          ),
        ),
      );
      const throttled = outcomes.filter((o) => o === 'ThrottlingException').length;
      expect(outcomes.every((o) => o === 'ok' || o === 'ThrottlingException')).toBe(true);
      expect(throttled).toBeGreaterThan(30); // 60 expected; the chance of ≤ 30 is below one in a million
      expect(throttled).toBeLessThan(100);
      sandbox.clearFaults();
      await expect(logs.send(new DescribeLogGroupsCommand({}))).resolves.toBeDefined();
    } finally {
      destroy();
      await sandbox.stop();
    }
  });
});

describe('stallMutatingCall', () => {
  it('holds the nth mutating call before applying it, counting only mutating calls, and never answers it', async () => {
    const { s3, destroy } = sandboxClients(h.sandbox.endpoint, h.sandbox.region);
    h.sandbox.createBucket('stall-bucket');
    const held = h.sandbox.stallMutatingCall(2, 'before');
    await s3.send(new PutObjectCommand({ Bucket: 'stall-bucket', Key: 'one', Body: '1' }));
    await s3.send(new GetObjectCommand({ Bucket: 'stall-bucket', Key: 'one' })); // a read: not counted
    const abort = new AbortController();
    const second = s3.send(new PutObjectCommand({ Bucket: 'stall-bucket', Key: 'two', Body: '2' }), {
      abortSignal: abort.signal,
    });
    second.catch(() => undefined);
    const record = await held;
    expect(record).toMatchObject({ service: 's3', operation: 'PutObject' });
    expect(h.sandbox.objects('stall-bucket').map((o) => o.key)).toEqual(['one']);
    abort.abort();
    await expect(second).rejects.toThrow();
    // One-shot: the next mutating call goes through.
    await s3.send(new PutObjectCommand({ Bucket: 'stall-bucket', Key: 'three', Body: '3' }));
    expect(h.sandbox.objects('stall-bucket').map((o) => o.key)).toEqual(['one', 'three']);
    destroy();
  });

  it('with phase after, applies the call and holds only its answer', async () => {
    const { s3, destroy } = sandboxClients(h.sandbox.endpoint, h.sandbox.region);
    h.sandbox.createBucket('stall-bucket');
    const held = h.sandbox.stallMutatingCall(1, 'after');
    const abort = new AbortController();
    const put = s3.send(new PutObjectCommand({ Bucket: 'stall-bucket', Key: 'k', Body: 'v' }), {
      abortSignal: abort.signal,
    });
    put.catch(() => undefined);
    await held;
    // The answer is held after the write took effect.
    for (let i = 0; i < 100 && h.sandbox.objects('stall-bucket').length === 0; i += 1)
      await new Promise((r) => setTimeout(r, 5));
    expect(h.sandbox.objects('stall-bucket').map((o) => o.key)).toEqual(['k']);
    abort.abort();
    await expect(put).rejects.toThrow();
    destroy();
  });
});
