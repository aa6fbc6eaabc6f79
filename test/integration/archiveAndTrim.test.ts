import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { runCwlTrim } from '../../src/run.js';
import { startSandbox, type Sandbox, type SeedEvent } from '../../src/sandbox/index.js';
import { BUCKET, MS_PER_DAY, archivedEvents, history, keys, scaledQuotas, testConfig, testDeps } from '../helpers/runHarness.js';

const NOW = Date.UTC(2026, 10, 21, 12);
const HOUR = 3_600_000;
const GROUP = '/app/orders';

let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await startSandbox({ quotasTps: scaledQuotas(20) });
});
afterAll(async () => {
  await sandbox.stop();
});
beforeEach(() => {
  sandbox.reset();
  sandbox.clock.set(NOW);
  sandbox.createBucket(BUCKET);
});

/** A realistic group: expired short streams, a long straddling one (idle 19 h), a current one. */
function seedOrders(): Map<string, SeedEvent[]> {
  const streams = new Map<string, SeedEvent[]>([
    ...[1, 2, 3, 4, 5].map((i) => [`2026/10/0${i}/[$LATEST]expired${i}`, history(`expired${i}`, NOW - (30 - i) * MS_PER_DAY, NOW - (25 - i) * MS_PER_DAY, 2 * HOUR)] as const),
    ['straddling', history('straddling', NOW - 60 * MS_PER_DAY, NOW - 19 * HOUR, HOUR)],
    ['current', history('current', NOW - 3 * MS_PER_DAY, NOW - 20 * HOUR, HOUR)],
  ]);
  sandbox.seedGroup(GROUP, { creationTimeMs: NOW - 61 * MS_PER_DAY });
  for (const [name, events] of streams) sandbox.seedStream(GROUP, name, events);
  return streams;
}

function expectInvariant(seeded: Map<string, SeedEvent[]>, cutoffMs: number): void {
  const archive = archivedEvents(sandbox);
  for (const [name, events] of seeded) {
    const old = events.filter((e) => e.timestamp < cutoffMs);
    const kept = events.filter((e) => e.timestamp >= cutoffMs);
    // S3 holds every event before the cutoff, exactly once.
    expect(keys(archive.get(`${GROUP}|${name}`) ?? []), `archive of ${name}`).toEqual(keys(old));
    // CloudWatch holds exactly the events at or after it, in order.
    const inCloudWatch = sandbox.streamNames(GROUP).includes(name) ? sandbox.events(GROUP, name) : [];
    expect(inCloudWatch.map((e) => `${e.timestamp} ${e.message}`), `CloudWatch of ${name}`).toEqual(
      kept.map((e) => `${e.timestamp} ${e.message}`),
    );
  }
}

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
