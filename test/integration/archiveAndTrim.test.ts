import { describe, expect, it } from 'vitest';
import { runCwlTrim } from '../../src/run.js';
import type { Sandbox } from '../../src/sandbox/index.js';
import { MS_PER_DAY, testConfig, testDeps } from '../helpers/runHarness.js';
import { expectInvariant as expectInvariantIn, GROUP, seedOrders as seedOrdersIn, useRunSandbox } from '../helpers/scenario.js';

const seedOrders = () => seedOrdersIn(sandbox);
const expectInvariant = (seeded: Parameters<typeof expectInvariantIn>[1], cutoffMs: number) => expectInvariantIn(sandbox, seeded, cutoffMs);

let sandbox: Sandbox;
useRunSandbox((s) => {
  sandbox = s;
}, { frozen: false });

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
