import { describe, expect, it } from 'vitest';
import { runCwlTrim } from '../../src/run.js';
import type { Sandbox } from '@cwl-trim/sandbox';
import { MS_PER_DAY, testConfig, testDeps } from '../helpers/runHarness.js';
import {
  expectInvariant as expectInvariantIn,
  GROUP,
  seedOrders as seedOrdersIn,
  useRunSandbox,
} from '../helpers/scenario.js';

const seedOrders = () => seedOrdersIn(sandbox);
const expectInvariant = (seeded: Parameters<typeof expectInvariantIn>[1], cutoffMs: number) =>
  expectInvariantIn(sandbox, seeded, cutoffMs);

let sandbox: Sandbox;
useRunSandbox(
  (s) => {
    sandbox = s;
  },
  { frozen: false },
);

describe('archive then trim, against the sandbox', () => {
  it('archives everything before the cutoff, deletes expired streams and rebuilds the straddling one', async () => {
    const seeded = seedOrders();
    const config = testConfig(sandbox, { days: 7, forceRebuild: true });
    const { plan, result } = await runCwlTrim(config, testDeps(sandbox, config));

    expect(result?.outcome).toBe('done');
    const actions = Object.fromEntries(plan.groups[0]!.streams.map((s) => [s.logStreamName, s.action]));
    expect(actions).toMatchObject({ straddling: 'rebuild', current: 'keep', '2026/10/01/[$LATEST]expired1': 'delete' });
    expect(sandbox.streamNames(GROUP).sort()).toEqual(['current', 'straddling']);
    expectInvariant(seeded, plan.cutoffMs);
  });

  it('exports disjoint windows on two runs a day apart, and the archive equals every event before the second cutoff', async () => {
    const seeded = seedOrders();
    const config = testConfig(sandbox, { days: 7, forceRebuild: true });
    const first = await runCwlTrim(config, testDeps(sandbox, config));
    sandbox.clock.advance(MS_PER_DAY);
    const second = await runCwlTrim(config, testDeps(sandbox, config));

    const [w1] = first.result!.groups[0]!.exports;
    const [w2] = second.result!.groups[0]!.exports;
    expect(w2!.fromMs).toBe(w1!.toMs + 1);
    expect(w2!.toMs).toBe(second.plan.cutoffMs - 1);
    expect(second.result?.outcome).toBe('done');
    expectInvariant(seeded, second.plan.cutoffMs);
  });

  it("starts a group's export once the previous task has ended, while that one is still being verified", async () => {
    const seeded = seedOrders();
    const payments = seedOrdersIn(sandbox, '/app/payments');
    sandbox.clearCalls();
    // A slow listing holds up the first group's verification: the second group's task must not wait for it.
    sandbox.setLatency('ListObjectsV2', 300);
    const config = testConfig(sandbox, { days: 7, forceRebuild: true });
    let run: Awaited<ReturnType<typeof runCwlTrim>>;
    try {
      run = await runCwlTrim(config, testDeps(sandbox, config));
    } finally {
      sandbox.setLatency('ListObjectsV2', 0);
    }

    expect(run.result?.outcome).toBe('done');
    const calls = sandbox.calls;
    const creates = calls.flatMap((c, i) => (c.operation === 'CreateExportTask' ? [{ i, error: c.error }] : []));
    // Never two tasks of ours at once: the account's one slot would have refused the second.
    expect(creates.map((c) => c.error)).toEqual([undefined, undefined]);
    const firstManifest = calls.findIndex(
      (c) => c.operation === 'PutObject' && String((c.input as { Key?: string }).Key).endsWith('/manifest.json'),
    );
    expect(creates[1]!.i).toBeLessThan(firstManifest);
    // A fresh window's destination is new: no search for a task an earlier run might have left.
    expect(
      calls.filter((c) => c.operation === 'DescribeExportTasks' && (c.input as { statusCode?: string }).statusCode),
    ).toEqual([]);
    expectInvariant(seeded, run.plan.cutoffMs);
    expectInvariantIn(sandbox, payments, run.plan.cutoffMs, { group: '/app/payments' });
  });

  it('makes no mutating call on a dry run', async () => {
    seedOrders();
    sandbox.clearCalls();
    const config = testConfig(sandbox, { days: 7, forceRebuild: true, dryRun: true });
    const { plan, result } = await runCwlTrim(config, testDeps(sandbox, config));
    expect(result).toBeUndefined();
    expect(plan.totals.delete).toBe(5);
    expect(sandbox.mutatingCalls()).toEqual([]);
  });
});
