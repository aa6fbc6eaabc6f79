/**
 * Which of a group's settings a trim reads, and when (src/execute/trimPages.ts): the filters only
 * with STRATEGY=rebuild, once, when a stream whose events reach both sides of the cutoff shows up
 * (the boundary cases included: a re-put into a filtered group would be delivered again); the
 * empty-group settings only for a DELETE_EMPTY_GROUPS group whose listing found no stream.
 */
import { describe, expect, it } from 'vitest';
import { runCwlTrim } from '../../src/run.js';
import { cutoffMs as computeCutoffMs } from '../../src/plan/exportWindow.js';
import type { Sandbox } from '@cwl-trim/sandbox';
import type { Config } from '../../src/types.js';
import { MS_PER_DAY, history, testConfig, testDeps } from '../helpers/runHarness.js';
import { GROUP, HOUR, NOW, seedOrders, useRunSandbox } from '../helpers/scenario.js';
import { countWork } from '../helpers/lockCalls.js';

let sandbox: Sandbox;
useRunSandbox((s) => {
  sandbox = s;
});

const DAYS = 7;
const CUTOFF = computeCutoffMs(NOW, DAYS);

async function run(overrides: Partial<Config> = {}) {
  const config = testConfig(sandbox, { days: DAYS, forceRebuild: true, ...overrides });
  return runCwlTrim(config, testDeps(sandbox, config));
}

const streamPlan = (out: Awaited<ReturnType<typeof run>>, name: string) =>
  out.plan.groups[0]!.streams.find((s) => s.logStreamName === name);

/** The settings reads that only a re-put (or an empty group's deletion) needs. */
const settingsReads = () => ({
  DescribeSubscriptionFilters: countWork(sandbox, 'DescribeSubscriptionFilters'),
  DescribeMetricFilters: countWork(sandbox, 'DescribeMetricFilters'),
  GetTransformer: countWork(sandbox, 'GetTransformer'),
  DescribeAccountPolicies: countWork(sandbox, 'DescribeAccountPolicies'),
});
const NONE = {
  DescribeSubscriptionFilters: 0,
  DescribeMetricFilters: 0,
  GetTransformer: 0,
  DescribeAccountPolicies: 0,
};

/**
 * A filtered group with no straddling stream: expired ones, one whose first event is exactly at the
 * cutoff (current), and one whose last event is one ms before it (expired).
 */
function seedWithoutStraddling(): void {
  sandbox.seedGroup(GROUP, { creationTimeMs: NOW - 61 * MS_PER_DAY });
  for (const i of [1, 2])
    sandbox.seedStream(
      GROUP,
      `expired${i}`,
      history(`expired${i}`, NOW - 30 * MS_PER_DAY, NOW - 25 * MS_PER_DAY, HOUR),
    );
  sandbox.seedStream(GROUP, 'current', history('current', CUTOFF, CUTOFF + 5 * HOUR, HOUR));
  sandbox.seedStream(GROUP, 'justExpired', [
    ...history('justExpired', CUTOFF - 5 * HOUR, CUTOFF - 1, HOUR),
    { timestamp: CUTOFF - 1, message: 'justExpired last' },
  ]);
  sandbox.seedSubscriptionFilter(GROUP);
}

describe('the filters of a filtered group are read for a stream straddling the cutoff, at its edges', () => {
  it.each([
    { edge: 'last event exactly at the cutoff', from: CUTOFF - 5 * HOUR, last: CUTOFF },
    { edge: 'first event one ms before the cutoff', from: CUTOFF - 1, last: CUTOFF + 5 * HOUR },
  ])('$edge: the stream is kept (group-has-filters), nothing re-put', async ({ from, last }) => {
    sandbox.seedGroup(GROUP, { creationTimeMs: NOW - 30 * MS_PER_DAY });
    const events = [...history('edge', from, last, HOUR), { timestamp: last, message: 'edge last' }];
    sandbox.seedStream(GROUP, 'edge', events);
    sandbox.seedSubscriptionFilter(GROUP);
    const out = await run();
    expect(streamPlan(out, 'edge')).toMatchObject({ action: 'skip', reason: 'group-has-filters' });
    expect(out.result?.outcome).toBe('done');
    expect(countWork(sandbox, 'DescribeSubscriptionFilters')).toBe(1);
    expect(countWork(sandbox, 'PutLogEvents')).toBe(0);
    expect(sandbox.events(GROUP, 'edge').map((e) => e.timestamp)).toEqual(events.map((e) => e.timestamp));
  });
});

describe('no settings read that no decision needs', () => {
  it('STRATEGY=rebuild, no straddling stream (edges included): no filter, transformer or account policy read', async () => {
    seedWithoutStraddling();
    const out = await run();
    expect(streamPlan(out, 'current')).toMatchObject({ action: 'keep', reason: 'current' });
    expect(streamPlan(out, 'justExpired')).toMatchObject({ action: 'delete' });
    expect(out.result?.outcome).toBe('done');
    expect(settingsReads()).toEqual(NONE);
  });

  it('DELETE_EMPTY_GROUPS with streams in the group: no empty-group settings read either', async () => {
    seedWithoutStraddling();
    const out = await run({ deleteEmptyGroups: true });
    expect(out.result?.outcome).toBe('done');
    expect(out.plan.groups[0]!.deleteGroup).toBeUndefined();
    expect(settingsReads()).toEqual(NONE);
  });

  it('STRATEGY=retention reads no filters, even for a straddling stream', async () => {
    seedOrders(sandbox);
    sandbox.seedSubscriptionFilter(GROUP);
    const out = await run({ strategy: 'retention' });
    expect(streamPlan(out, 'straddling')).toMatchObject({ action: 'keep', reason: 'retention-strategy' });
    expect(out.result?.outcome).toBe('done');
    expect(countWork(sandbox, 'DescribeSubscriptionFilters')).toBe(0);
    expect(countWork(sandbox, 'DescribeMetricFilters')).toBe(0);
  });

  it('a group of 2 listing pages, straddling streams on both: its filters are read once', async () => {
    sandbox.seedGroup(GROUP, { creationTimeMs: NOW - 61 * MS_PER_DAY });
    const names = Array.from({ length: 60 }, (_, i) => `s${String(i).padStart(2, '0')}`);
    for (const n of names) sandbox.seedStream(GROUP, n, history(n, CUTOFF - 3 * HOUR, CUTOFF + 3 * HOUR, HOUR));
    sandbox.seedSubscriptionFilter(GROUP);
    const out = await run();
    expect(out.plan.groups[0]!.streams.filter((s) => s.reason === 'group-has-filters')).toHaveLength(60);
    expect(countWork(sandbox, 'DescribeLogStreams')).toBeGreaterThanOrEqual(2);
    expect(countWork(sandbox, 'DescribeSubscriptionFilters')).toBe(1);
    expect(countWork(sandbox, 'DescribeMetricFilters')).toBe(1);
    expect(countWork(sandbox, 'GetTransformer')).toBe(1);
  });
});

describe('DELETE_EMPTY_GROUPS: the empty-group settings, for a group with no stream only', () => {
  it('a group with no stream, DELETE_EMPTY_GROUPS unset: no filter read', async () => {
    sandbox.seedGroup(GROUP, { creationTimeMs: NOW - 61 * MS_PER_DAY });
    sandbox.seedSubscriptionFilter(GROUP);
    const out = await run();
    expect(out.result?.outcome).toBe('done');
    expect(out.plan.groups[0]!.deleteGroup).toBeUndefined();
    expect(settingsReads()).toEqual(NONE);
  });

  it('a group with no stream, DELETE_EMPTY_GROUPS=true: its filters read once, no transformer or account policy', async () => {
    sandbox.seedGroup(GROUP, { creationTimeMs: NOW - 61 * MS_PER_DAY });
    sandbox.seedSubscriptionFilter(GROUP);
    const out = await run({ deleteEmptyGroups: true });
    expect(out.result?.outcome).toBe('done');
    expect(settingsReads()).toEqual({ ...NONE, DescribeSubscriptionFilters: 1, DescribeMetricFilters: 1 });
  });
});

describe('a stream listed with a first event but no last one yet (CloudWatch updates lastEventTimestamp late)', () => {
  it('does not count as straddling: no filter read for it', async () => {
    sandbox.seedGroup(GROUP, { creationTimeMs: NOW - 61 * MS_PER_DAY });
    sandbox.seedStream(GROUP, 'fresh', history('fresh', CUTOFF - 3 * HOUR, CUTOFF + 3 * HOUR, HOUR));
    sandbox.seedSubscriptionFilter(GROUP);
    const config = testConfig(sandbox, { days: DAYS, forceRebuild: true, dryRun: true });
    const deps = testDeps(sandbox, config);
    deps.clients.logs.middlewareStack.add(
      (next, context) => async (args) => {
        const out = await next(args);
        if (context.commandName === 'DescribeLogStreamsCommand') {
          const body = out.output as { logStreams?: { lastEventTimestamp?: number }[] };
          for (const s of body.logStreams ?? []) delete s.lastEventTimestamp;
        }
        return out;
      },
      { step: 'initialize', name: 'noLastEventYet' },
    );
    const out = await runCwlTrim(config, deps);
    expect(streamPlan(out, 'fresh')?.snapshot).toMatchObject({ firstEventTimestampMs: CUTOFF - 3 * HOUR });
    expect(streamPlan(out, 'fresh')?.snapshot.lastEventTimestampMs).toBeUndefined();
    expect(streamPlan(out, 'fresh')?.action).not.toBe('rebuild');
    expect(countWork(sandbox, 'DescribeSubscriptionFilters')).toBe(0);
  });
});
