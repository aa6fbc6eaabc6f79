import { performance } from 'node:perf_hooks';
import { CreateExportTaskCommand, DescribeLogGroupsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { describe, expect, it } from 'vitest';
const MS_PER_DAY = 86_400_000;
import { createSandboxClock, startSandbox } from '../src/index.js';
import { sandboxClients, TEST_CREDENTIALS } from './helpers/sandboxClients.js';
import { eventually, useSandbox } from './helpers/sandboxHarness.js';

const WATCHED = ['TCPServerWrap', 'TCPSocketWrap', 'Timeout'] as const;

function handleCounts(): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const name of process.getActiveResourcesInfo()) counts[name] = (counts[name] ?? 0) + 1;
  return counts;
}

describe('starting and stopping', () => {
  it('starts and stops well under a second, on 127.0.0.1', async () => {
    const t0 = performance.now();
    const sandbox = await startSandbox();
    await sandbox.stop();
    expect(performance.now() - t0).toBeLessThan(2_000);
    expect(sandbox.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(sandbox.region).toBe('us-east-1');
    expect(sandbox.accountId).toBe('123456789012');
  });

  it('leaves no server, socket or timer behind, even with calls and exports in flight', async () => {
    const before = handleCounts();
    const sandbox = await startSandbox({ exportTiming: { pendingMs: 600_000, runningMs: 1 } });
    const clients = sandboxClients(sandbox.endpoint);
    sandbox.createBucket('bkt');
    sandbox.seedGroup('g', { creationTimeMs: 0 });
    await clients.logs.send(
      new CreateExportTaskCommand({ logGroupName: 'g', from: 0, to: Date.now(), destination: 'bkt' }),
    );
    sandbox.setLatency('DescribeLogGroups', 600_000);
    const inFlight = clients.logs.send(new DescribeLogGroupsCommand({})).catch((e: unknown) => e);
    await eventually(() => (sandbox.countCalls('DescribeLogGroups') === 1 ? true : undefined));
    await sandbox.stop();
    expect(await inFlight).toBeInstanceOf(Error);
    clients.destroy();
    await eventually(() => {
      const after = handleCounts();
      return WATCHED.every((name) => (after[name] ?? 0) <= (before[name] ?? 0)) ? true : undefined;
    }, 2_000);
  });

  it('clears its timers on stop: an export in progress never completes afterwards', async () => {
    // Timers are unref'd, so they do not show in getActiveResourcesInfo(): watch their effect instead.
    const sandbox = await startSandbox({ exportTiming: { pendingMs: 100, runningMs: 100 } });
    const clients = sandboxClients(sandbox.endpoint);
    sandbox.createBucket('bkt');
    sandbox.seedStream('g', 's', [{ timestamp: Date.now() - 1_000, message: 'x' }]);
    await clients.logs.send(
      new CreateExportTaskCommand({ logGroupName: 'g', from: 0, to: Date.now(), destination: 'bkt' }),
    );
    clients.destroy();
    await sandbox.stop();
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(sandbox.objects('bkt').map((o) => o.key)).toEqual(['exportedlogs/aws-logs-write-test']);
  });

  it('stops idempotently', async () => {
    const sandbox = await startSandbox();
    await Promise.all([sandbox.stop(), sandbox.stop()]);
    await sandbox.stop();
  });
});

describe('the sandbox clock', () => {
  it('flows with real time from the point it was last set, unless frozen', async () => {
    const flowing = createSandboxClock(1_000_000);
    const frozen = createSandboxClock(1_000_000, { frozen: true });
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(flowing.now()).toBeGreaterThanOrEqual(1_000_020);
    expect(frozen.now()).toBe(1_000_000);
    frozen.advance(MS_PER_DAY);
    expect(frozen.now()).toBe(1_000_000 + MS_PER_DAY);
    flowing.set(5);
    expect(flowing.now()).toBeLessThan(1_000);
  });
});

describe('seeding and reading state', () => {
  const h = useSandbox({ quotasTps: false });

  it('sorts seeded events stably and back-dates the group and stream to the earliest event', async () => {
    const now = h.sandbox.clock.now();
    h.sandbox.seedStream('g', 's', [
      { timestamp: now - 1, message: 'b1' },
      { timestamp: now - 90 * MS_PER_DAY, message: 'a' },
      { timestamp: now - 1, message: 'b2' },
    ]);
    expect(h.sandbox.events('g', 's').map((e) => e.message)).toEqual(['a', 'b1', 'b2']);
    expect(h.sandbox.events('g', 's')[0]?.ingestionTime).toBe(now - 90 * MS_PER_DAY);
    const res = await h.logs.send(new DescribeLogGroupsCommand({}));
    expect(res.logGroups?.[0]?.creationTime).toBe(now - 90 * MS_PER_DAY);
    expect(h.sandbox.groupNames()).toEqual(['g']);
    expect(h.sandbox.streamNames('g')).toEqual(['s']);
  });

  it('keeps an explicit creation time and a fixed storedBytes', async () => {
    h.sandbox.seedGroup('g', { creationTimeMs: 5, storedBytes: 123 });
    h.sandbox.seedStream('g', 's', [{ timestamp: 1, message: 'x' }]);
    const res = await h.logs.send(new DescribeLogGroupsCommand({}));
    expect(res.logGroups?.[0]).toMatchObject({ creationTime: 5, storedBytes: 123 });
  });

  it('throws on reading what does not exist, and forgets everything on reset', () => {
    expect(() => h.sandbox.events('nope', 's')).toThrow(/no log group/);
    h.sandbox.createBucket('bkt');
    h.sandbox.seedGroup('g');
    h.sandbox.reset();
    expect(h.sandbox.groupNames()).toEqual([]);
    expect(() => h.sandbox.objects('bkt')).toThrow(/no bucket/);
  });

  it('records Lambda invocations and answers 202 to Event, 200 to RequestResponse', async () => {
    const lambda = new LambdaClient({
      endpoint: h.sandbox.endpoint,
      region: 'us-east-1',
      credentials: TEST_CREDENTIALS,
      maxAttempts: 1,
    });
    try {
      const payload = new TextEncoder().encode(JSON.stringify({ continueFrom: 'x' }));
      const asyncRes = await lambda.send(
        new InvokeCommand({ FunctionName: 'cwl-trim', InvocationType: 'Event', Payload: payload }),
      );
      const syncRes = await lambda.send(new InvokeCommand({ FunctionName: 'cwl-trim', Payload: payload }));
      expect(asyncRes.StatusCode).toBe(202);
      expect(syncRes.StatusCode).toBe(200);
      expect(h.sandbox.calls.map((c) => [c.service, c.operation, c.input])).toEqual([
        ['lambda', 'Invoke', { functionName: 'cwl-trim', invocationType: 'Event', payload: { continueFrom: 'x' } }],
        [
          'lambda',
          'Invoke',
          { functionName: 'cwl-trim', invocationType: 'RequestResponse', payload: { continueFrom: 'x' } },
        ],
      ]);
      expect(h.sandbox.mutatingCalls()).toEqual([]);
    } finally {
      lambda.destroy();
    }
  });
});
