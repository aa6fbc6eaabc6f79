import { describe, expect, it } from 'vitest';
import { PutLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { runCwlTrim } from '../../src/run.js';
import type { Config } from '../../src/types.js';
import { command, doBefore } from '../helpers/crash.js';
import { sandboxClients } from '@cwl-trim/sandbox/testing';
import type { Sandbox, SeedEvent } from '@cwl-trim/sandbox';
import { MS_PER_DAY, history, testConfig, testDeps } from '../helpers/runHarness.js';
import { expectInvariant, GROUP, HOUR, NOW, seedOrders, useRunSandbox } from '../helpers/scenario.js';
import { countWork, workCalls } from '../helpers/lockCalls.js';

let sandbox: Sandbox;
useRunSandbox((s) => {
  sandbox = s;
});

const EXPIRED = ['1', '2', '3', '4', '5'].map((i) => `2026/10/0${i}/[$LATEST]expired${i}`);

async function run(overrides: Partial<Config> = {}) {
  const config = testConfig(sandbox, { days: 7, forceRebuild: true, ...overrides });
  return runCwlTrim(config, testDeps(sandbox, config));
}

const streamResult = (out: Awaited<ReturnType<typeof run>>, name: string) =>
  out.plan.groups[0]!.streams.find((s) => s.logStreamName === name);

describe('trim guards, end to end', () => {
  it.each(['subscription', 'metric'] as const)(
    'leaves straddling streams of a group with a %s filter, deletes expired ones',
    async (kind) => {
      const seeded = seedOrders(sandbox);
      if (kind === 'subscription') sandbox.seedSubscriptionFilter(GROUP);
      else sandbox.seedMetricFilter(GROUP);
      const out = await run();
      expect(streamResult(out, 'straddling')).toMatchObject({ action: 'skip', reason: 'group-has-filters' });
      expect(out.result?.outcome).toBe('done');
      expect(countWork(sandbox, 'PutLogEvents')).toBe(0);
      expectInvariant(sandbox, seeded, out.plan.cutoffMs, { untouched: ['straddling'] });
      expect(sandbox.streamNames(GROUP).filter((n) => EXPIRED.includes(n))).toEqual([]);
    },
  );

  it('rebuilds a data-protected group only with unmask, and puts the original values back', async () => {
    const secret = (stream: string, t: number): SeedEvent => ({
      timestamp: t,
      message: `${stream} card 4111111111111111 at ${t}`,
    });
    const events = Array.from({ length: 200 }, (_, i) => secret('s', NOW - 20 * MS_PER_DAY + i * 2 * HOUR));
    sandbox.seedGroup(GROUP, { creationTimeMs: NOW - 30 * MS_PER_DAY, dataProtection: true });
    sandbox.seedStream(GROUP, 's', events);
    const masked = await run();
    expect(streamResult(masked, 's')).toMatchObject({ action: 'skip', reason: 'data-protected' });

    const unmasked = await run({ unmask: true });
    expect(streamResult(unmasked, 's')?.action).toBe('rebuild');
    expect(unmasked.result?.outcome).toBe('done');
    const back = sandbox.events(GROUP, 's').map((e) => e.message);
    expect(back).toEqual(events.filter((e) => e.timestamp >= unmasked.plan.cutoffMs).map((e) => e.message));
    expect(back.every((m) => m.includes('4111111111111111'))).toBe(true);
  });

  it('skips an Infrequent Access group entirely and says why', async () => {
    sandbox.seedGroup('/ia/group', { creationTimeMs: NOW - 30 * MS_PER_DAY, logGroupClass: 'INFREQUENT_ACCESS' });
    sandbox.seedStream('/ia/group', 'old', history('old', NOW - 20 * MS_PER_DAY, NOW - 19 * MS_PER_DAY, HOUR));
    const out = await run();
    expect(out.plan.groups[0]).toMatchObject({ logGroupName: '/ia/group', skip: { reason: 'infrequent-access' } });
    expect(sandbox.countCalls('CreateExportTask')).toBe(0);
    expect(countWork(sandbox, 'DeleteLogStream')).toBe(0);
  });

  it('plans each page when it is read, after the export: a stream written to while the export ran is left alone', async () => {
    const seeded = seedOrders(sandbox);
    const config = testConfig(sandbox, { days: 7, forceRebuild: true });
    const deps = testDeps(sandbox, config);
    const { logs, destroy } = sandboxClients(sandbox.endpoint, sandbox.region);
    const woken = EXPIRED[0]!;
    const late = { timestamp: NOW, message: 'written while the export ran' };
    // While the export runs, 11 minutes pass and a producer writes to a stream that was expired before.
    doBefore(deps, command('CreateExportTask'), async () => {
      sandbox.clock.advance(11 * 60_000);
      await logs.send(new PutLogEventsCommand({ logGroupName: GROUP, logStreamName: woken, logEvents: [late] }));
    });
    const out = await runCwlTrim(config, deps);
    destroy();
    // The streams are listed once the export is verified: the plan sees the write and keeps the stream.
    expect(out.plan.groups[0]?.streams.find((s) => s.logStreamName === woken)).toMatchObject({
      action: 'skip',
      reason: 'active',
    });
    expect(out.result?.groups[0]?.streams.find((s) => s.logStreamName === woken)).toBeUndefined();
    expect(sandbox.events(GROUP, woken).map((e) => e.message)).toEqual(
      [...seeded.get(woken)!, late].map((e) => e.message),
    );
  });

  it('never rebuilds with DAYS = 14, but still deletes expired streams', async () => {
    const seeded = seedOrders(sandbox);
    const out = await run({ days: 14 });
    expect(streamResult(out, 'straddling')).toMatchObject({ action: 'skip', reason: 'outside-put-window' });
    expect(out.plan.groups[0]!.retentionAdvised).toMatch(/^safer/);
    expect(countWork(sandbox, 'PutLogEvents')).toBe(0);
    expectInvariant(sandbox, seeded, out.plan.cutoffMs, { untouched: ['straddling'] });
  });

  it('with the retention strategy archives a day behind now, sets retention and deletes nothing', async () => {
    const seeded = seedOrders(sandbox);
    const out = await run({ days: 10, strategy: 'retention' });
    expect(out.result?.outcome).toBe('done');
    expect(out.result?.groups[0]?.retention).toMatchObject({ days: 14, outcome: 'set' });
    expect(countWork(sandbox, 'DeleteLogStream')).toBe(0);
    expect(countWork(sandbox, 'PutLogEvents')).toBe(0);
    const retention = workCalls(sandbox).find((c) => c.operation === 'PutRetentionPolicy');
    expect(retention?.input).toMatchObject({ logGroupName: GROUP, retentionInDays: 14 });
    // Everything older than a day is archived; nothing left CloudWatch.
    expectInvariant(sandbox, seeded, NOW - MS_PER_DAY, { untouched: [...seeded.keys()] });
  });
});
