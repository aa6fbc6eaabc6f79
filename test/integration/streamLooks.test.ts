/**
 * How often a run reads a group's streams (issue 11: a fleet lists each group once). The export
 * decision's look (DescribeLogStreams by LastEventTime) is skipped where its answer is known, and a
 * look that read the whole group stands for its listing when nothing was exported in between.
 */
import { PutLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { describe, expect, it } from 'vitest';
import { MS_PER_DAY } from '../../src/constants.js';
import { runCwlTrim } from '../../src/run.js';
import type { CallRecord, Sandbox } from '@cwl-trim/sandbox';
import { workCalls } from '../helpers/lockCalls.js';
import { command, doBefore } from '../helpers/crash.js';
import { history, keys, testConfig, testDeps } from '../helpers/runHarness.js';
import { GROUP, seedOrders, useRunSandbox } from '../helpers/scenario.js';

let sandbox: Sandbox;
useRunSandbox((s) => {
  sandbox = s;
});

const streamReads = (): CallRecord[] =>
  workCalls(sandbox).filter(
    (c) =>
      c.operation === 'DescribeLogStreams' &&
      (c.input as { logStreamNamePrefix?: string }).logStreamNamePrefix === undefined,
  );
const looks = (): number =>
  streamReads().filter((c) => (c.input as { orderBy?: string }).orderBy === 'LastEventTime').length;
const listings = (): number => streamReads().length - looks();

describe("reading a group's streams", () => {
  it('decides a first export without a look at the streams, and later ones with one', async () => {
    seedOrders(sandbox);
    const config = testConfig(sandbox, { days: 7 });
    sandbox.clearCalls();
    expect((await runCwlTrim(config, testDeps(sandbox, config))).result?.outcome).toBe('done');
    expect({ looks: looks(), listings: listings() }).toEqual({ looks: 0, listings: 1 });
    // A day later: the new window [last cutoff, new cutoff) may hold nothing; the look says.
    sandbox.clock.advance(24 * 3_600_000);
    sandbox.clearCalls();
    const later = await runCwlTrim(config, testDeps(sandbox, config));
    expect(later.plan.groups[0]?.exportWindow).toBeDefined();
    expect(looks()).toBe(1);
  });

  it('looks at a group that stores nothing (its stored bytes may lag), before its first export', async () => {
    seedOrders(sandbox);
    sandbox.seedGroup(GROUP, { storedBytes: 0 });
    const config = testConfig(sandbox, { days: 7, dryRun: true });
    sandbox.clearCalls();
    const { plan } = await runCwlTrim(config, testDeps(sandbox, config));
    expect(looks()).toBe(1);
    expect(plan.groups[0]?.exportWindow).toBeDefined();
  });

  it('with nothing to export, plans the group from the look that read it whole, as a listing would', async () => {
    seedOrders(sandbox);
    const config = testConfig(sandbox, { days: 7 });
    expect((await runCwlTrim(config, testDeps(sandbox, config))).result?.outcome).toBe('done');
    sandbox.clearCalls();
    const dry = await runCwlTrim({ ...config, dryRun: true }, testDeps(sandbox, config));
    expect(dry.plan.groups[0]?.exportWindow).toBeUndefined();
    expect({ looks: looks(), listings: listings() }).toEqual({ looks: 1, listings: 0 });
    const names = sandbox
      .streamNames(GROUP)
      .filter((n) => !n.startsWith('__'))
      .sort();
    expect(dry.plan.groups[0]?.streams.map((s) => s.logStreamName)).toEqual(names);
    expect(dry.plan.groups[0]?.totals.streams).toBe(names.length);
  });

  it('lists the group again after an export, however whole the look was: a write during the export is seen', async () => {
    seedOrders(sandbox);
    const now = sandbox.clock.now();
    // Current today, expired tomorrow: tomorrow's window holds it.
    const seeded = history('soon', now - 7 * MS_PER_DAY + 3_600_000, now - 6.5 * MS_PER_DAY, 3_600_000);
    sandbox.seedStream(GROUP, 'soon-expired', seeded);
    const config = testConfig(sandbox, { days: 7 });
    expect((await runCwlTrim(config, testDeps(sandbox, config))).result?.outcome).toBe('done');
    sandbox.clock.advance(MS_PER_DAY);
    const deps = testDeps(sandbox, config);
    const producer = testDeps(sandbox, config);
    const written = { timestamp: sandbox.clock.now() - 60_000, message: 'written during the export' };
    const wrote = doBefore(
      deps,
      command('DescribeExportTasks', (i) => i.taskId !== undefined),
      async () => {
        await producer.clients.logs.send(
          new PutLogEventsCommand({ logGroupName: GROUP, logStreamName: 'soon-expired', logEvents: [written] }),
        );
      },
    );
    sandbox.clearCalls();
    const out = await runCwlTrim(config, deps);
    expect(wrote.fired()).toBe(true);
    expect(looks()).toBe(1);
    expect(out.plan.groups[0]?.streams.find((s) => s.logStreamName === 'soon-expired')).toMatchObject({
      action: 'skip',
      reason: 'active',
    });
    expect(keys(sandbox.events(GROUP, 'soon-expired'))).toEqual(keys([...seeded, written]));
  });
});
