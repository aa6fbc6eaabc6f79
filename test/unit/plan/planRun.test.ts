import { describe, expect, it } from 'vitest';
import { FIRST_EXPORT_LOOKBACK_MS, MS_PER_DAY, MS_PER_HOUR, MS_PER_MINUTE } from '../../../src/constants.js';
import { planRun, type GroupInventory } from '../../../src/plan/planRun.js';
import type { Config } from '../../../src/types.js';
import type { GroupPlan, StreamPlan } from '../../../src/plan/planTypes.js';
import { NOW, configFactory, daysAgo, groupFactory, stateFactory, streamFactory } from '../../helpers/factories.js';

const cutoff = (days: number): number => NOW - days * MS_PER_DAY;

function planOne(entry: Partial<GroupInventory>, config: Partial<Config> = {}): GroupPlan {
  const group = entry.group ?? groupFactory();
  const plan = planRun(
    [{ group, streams: entry.streams ?? [], state: entry.state ?? stateFactory(group.logGroupName) }],
    configFactory(config),
    NOW,
  );
  return plan.groups[0]!;
}

function streamPlan(group: GroupPlan, name: string): StreamPlan {
  const found = group.streams.find((s) => s.logStreamName === name);
  if (!found) throw new Error(`no plan for ${name}`);
  return found;
}

describe('planRun: export windows', () => {
  it('exports from 15 days before the group was created up to the cutoff − 1 on the first run', () => {
    const group = groupFactory({ creationTimeMs: daysAgo(60) });
    const plan = planOne({ group, streams: [streamFactory('s', 50, 40)] });
    expect(plan.exportWindow).toEqual({ fromMs: daysAgo(60) - FIRST_EXPORT_LOOKBACK_MS, toMs: cutoff(7) - 1 });
  });

  it('starts the next window right after the watermark: disjoint and without a gap', () => {
    const archivedThroughMs = cutoff(8) - 1;
    const plan = planOne({
      streams: [streamFactory('s', 10, 5)],
      state: stateFactory(undefined, { archivedThroughMs }),
    });
    expect(plan.exportWindow).toEqual({ fromMs: archivedThroughMs + 1, toMs: cutoff(7) - 1 });
  });

  it('resumes a window left in flight before exporting the next one', () => {
    const inFlight = { fromMs: 0, toMs: cutoff(9) - 1, destinationPrefix: 'p', taskId: 't-1', intentAtMs: daysAgo(2) };
    const plan = planOne({ streams: [streamFactory('s', 20, 1)], state: stateFactory(undefined, { inFlight }) });
    expect(plan.resumeExport).toEqual(inFlight);
    expect(plan.exportWindow).toEqual({ fromMs: inFlight.toMs + 1, toMs: cutoff(7) - 1 });
  });

  it('exports nothing when no stream has events in the window, and keeps the watermark', () => {
    const plan = planOne({
      streams: [streamFactory('new', 2, 1)],
      state: stateFactory(undefined, { archivedThroughMs: cutoff(30) }),
    });
    expect(plan.exportWindow).toBeUndefined();
  });

  it('archives a day behind now with the retention strategy', () => {
    const plan = planOne({ streams: [streamFactory('s', 20, 0.1)] }, { strategy: 'retention' });
    expect(plan.exportWindow?.toMs).toBe(NOW - MS_PER_DAY - 1);
  });
});

/** A year-long stream, idle for 17 hours, in a group of 50 GB stored: worth rebuilding with DAYS=3. */
const LONG = streamFactory('long', 365, 0.7);
const BIG = groupFactory({ storedBytes: 50 * 1024 ** 3 });

describe('planRun: stream actions', () => {
  it('deletes an expired, idle, archived stream and keeps a current one', () => {
    const plan = planOne({ streams: [streamFactory('old', 30, 20), streamFactory('new', 3, 0.5)] });
    expect(streamPlan(plan, 'old')).toMatchObject({
      action: 'delete',
      reason: 'expired',
      requiresArchivedThroughMs: daysAgo(20),
    });
    expect(streamPlan(plan, 'new')).toMatchObject({ action: 'keep', reason: 'current' });
  });

  it('rebuilds a straddling stream when every guard passes', () => {
    const straddling = LONG;
    const plan = planOne({ group: BIG, streams: [straddling] }, { days: 3 });
    const s = streamPlan(plan, 'long');
    expect(s).toMatchObject({ action: 'rebuild', reason: 'straddling', requiresArchivedThroughMs: cutoff(3) - 1 });
    expect(s.estimate.reputBytes).toBeGreaterThan(0);
    expect(s.snapshot).toEqual(straddling);
  });

  it('skips a stream written within the quiet period', () => {
    const plan = planOne({
      streams: [streamFactory('busy', 60, 0, { lastIngestionTimeMs: NOW - 10 * MS_PER_MINUTE })],
    });
    expect(streamPlan(plan, 'busy')).toMatchObject({ action: 'skip', reason: 'active' });
  });

  it('skips an expired stream written within 12 h of the export that covers it', () => {
    // Events from 20 days ago, but an event arrived 5 hours ago (back-dated): the export may miss it.
    const late = streamFactory('late', 21, 20, { lastIngestionTimeMs: NOW - 5 * MS_PER_HOUR });
    const plan = planOne({ streams: [late] });
    expect(streamPlan(plan, 'late')).toMatchObject({ action: 'skip', reason: 'ingested-after-export' });
  });

  it('never rebuilds with DAYS ≥ 14 and says why', () => {
    const plan = planOne({ group: BIG, streams: [LONG] }, { days: 14, forceRebuild: true });
    const s = streamPlan(plan, 'long');
    expect(s).toMatchObject({ action: 'skip', reason: 'outside-put-window' });
    expect(s.detail).toContain('14 days');
    expect(s.detail).toContain('STRATEGY=retention');
    expect(plan.retentionAdvised).toMatch(/^safer/);
  });

  it('never rebuilds when the kept events would be older than the group retention at put time', () => {
    const plan = planOne(
      {
        group: groupFactory({ retentionInDays: 7, storedBytes: 50 * 1024 ** 3 }),
        streams: [streamFactory('long', 60, 1)],
      },
      { days: 6, forceRebuild: true },
    );
    expect(streamPlan(plan, 'long')).toMatchObject({ action: 'skip', reason: 'outside-put-window' });
  });

  it('skips groups with subscription or metric filters unless allowed', () => {
    const group = groupFactory({ subscriptionFilterCount: 1, storedBytes: 50 * 1024 ** 3 });
    const streams = [LONG];
    expect(streamPlan(planOne({ group, streams }, { days: 3 }), 'long')).toMatchObject({
      action: 'skip',
      reason: 'group-has-filters',
    });
    expect(streamPlan(planOne({ group, streams }, { days: 3, allowFilteredGroups: true }), 'long').action).toBe(
      'rebuild',
    );
    const metric = groupFactory({ metricFilterCount: 2, storedBytes: 50 * 1024 ** 3 });
    expect(streamPlan(planOne({ group: metric, streams }, { days: 3 }), 'long').reason).toBe('group-has-filters');
  });

  it('skips data-protected groups unless unmask is allowed', () => {
    const group = groupFactory({ hasDataProtectionPolicy: true, storedBytes: 50 * 1024 ** 3 });
    const streams = [LONG];
    expect(streamPlan(planOne({ group, streams }, { days: 3 }), 'long').reason).toBe('data-protected');
    expect(streamPlan(planOne({ group, streams }, { days: 3, unmask: true }), 'long').action).toBe('rebuild');
  });

  it('skips a rebuild that does not pay for itself, unless forced', () => {
    // 6 of 7 days kept: re-putting them costs far more than the one old day saves.
    const streams = [streamFactory('young', 8, 1)];
    const s = streamPlan(planOne({ streams }), 'young');
    expect(s).toMatchObject({ action: 'skip', reason: 'not-worth-it' });
    expect(s.estimate.reputCostUsd).toBeGreaterThan(s.estimate.monthlySavingUsd);
    expect(streamPlan(planOne({ streams }, { forceRebuild: true }), 'young').action).toBe('rebuild');
  });

  it('does not rebuild the same long-lived stream again the next day', () => {
    // Day 0: 362 old days → rebuilt. Day 1: the rebuilt stream holds 4 days, 1 of them old → not worth it.
    expect(streamPlan(planOne({ group: BIG, streams: [LONG] }, { days: 3 }), 'long').action).toBe('rebuild');
    const rebuilt = groupFactory({ storedBytes: (50 * 1024 ** 3 * 4) / 365 });
    const nextDay = planOne(
      {
        group: rebuilt,
        streams: [streamFactory('long', 4, 0.7)],
        state: stateFactory(undefined, { archivedThroughMs: cutoff(4) - 1 }),
      },
      { days: 3 },
    );
    expect(streamPlan(nextDay, 'long').reason).toBe('not-worth-it');
  });

  it('deletes old empty streams and keeps recent ones', () => {
    const oldEmpty = { logStreamName: 'old-empty', creationTimeMs: daysAgo(30) };
    const newEmpty = { logStreamName: 'new-empty', creationTimeMs: NOW - 5 * MS_PER_MINUTE };
    const plan = planOne({ streams: [oldEmpty, newEmpty, streamFactory('s', 30, 20)] });
    expect(streamPlan(plan, 'old-empty')).toMatchObject({ action: 'delete', reason: 'empty-old' });
    expect(streamPlan(plan, 'new-empty')).toMatchObject({ action: 'keep', reason: 'empty-recent' });
  });

  it('leaves streams to the retention it sets with the retention strategy', () => {
    const plan = planOne({ streams: [streamFactory('s', 30, 20)] }, { strategy: 'retention', days: 10 });
    expect(streamPlan(plan, 's')).toMatchObject({ action: 'keep', reason: 'retention-strategy' });
    expect(plan.retention).toMatchObject({ targetDays: 14, safe: true });
  });

  it('refuses a retention that leaves no time to archive', () => {
    const plan = planOne({ streams: [streamFactory('s', 30, 20)] }, { strategy: 'retention', days: 1 });
    expect(plan.retention).toMatchObject({ targetDays: 1, safe: false });
  });

  it('sets the smallest allowed retention of at least DAYS, and one leaving exactly 2 days to archive is safe', () => {
    const retention = (days: number) =>
      planOne({ streams: [streamFactory('s', 30, 20)] }, { strategy: 'retention', days }).retention;
    // 3 days − the 1-day archive lag = the 2-day minimum headroom: allowed (the bound is inclusive).
    expect(retention(3)).toMatchObject({ targetDays: 3, safe: true });
    // 2 is not an allowed retention: the next one up, never the one below DAYS.
    expect(retention(2)).toMatchObject({ targetDays: 3, safe: true });
    expect(retention(8)).toMatchObject({ targetDays: 14, safe: true });
  });
});

describe('planRun: groups', () => {
  it('skips Infrequent Access groups and says why', () => {
    const plan = planOne({
      group: groupFactory({ logGroupClass: 'INFREQUENT_ACCESS' }),
      streams: [streamFactory('s', 30, 20)],
    });
    expect(plan.skip?.reason).toBe('infrequent-access');
    expect(plan.exportWindow).toBeUndefined();
    expect(plan.streams).toEqual([]);
  });

  it('warns when the group retention is shorter than DAYS', () => {
    const plan = planOne({ group: groupFactory({ retentionInDays: 5 }), streams: [] }, { days: 7 });
    expect(plan.warnings.join(' ')).toContain('shorter than DAYS');
  });

  it('is a pure function: the same input gives the same plan', () => {
    const inventory = [
      {
        group: groupFactory(),
        streams: [streamFactory('a', 30, 20), streamFactory('b', 60, 1)],
        state: stateFactory(),
      },
    ];
    expect(planRun(inventory, configFactory(), NOW)).toEqual(planRun(inventory, configFactory(), NOW));
  });

  it('adds up totals across groups', () => {
    const g1 = groupFactory({ logGroupName: '/a' });
    const g2 = groupFactory({ logGroupName: '/b' });
    const plan = planRun(
      [
        { group: g1, streams: [streamFactory('x', 30, 20)], state: stateFactory('/a') },
        { group: g2, streams: [streamFactory('y', 30, 20), streamFactory('z', 2, 1)], state: stateFactory('/b') },
      ],
      configFactory(),
      NOW,
    );
    expect(plan.totals).toMatchObject({ groups: 2, exports: 2, streams: 3, delete: 2, keep: 1 });
    // Group /b's gigabyte is split by time span: y wrote for 10 days, z for 1.
    expect(plan.totals.removeStoredBytes).toBeCloseTo(1024 ** 3 * (1 + 10 / 11), 0);
  });

  it('plans a stream with a saved journal only as finishing that journal; a half-written save does not hold it back', () => {
    const group = groupFactory();
    const streams = [streamFactory('expired', 30, 20), streamFactory('other', 30, 20)];
    const pending = (logStreamName: string, phase: string) => ({
      logGroupName: group.logGroupName,
      logStreamName,
      journalPrefix: `p/${logStreamName}`,
      events: 1,
      batches: 1,
      phase,
      nextBatch: 0,
    });
    const plan = planRun([{ group, streams, state: stateFactory() }], configFactory(), NOW, [
      pending('expired', 'putting'),
      pending('other', 'incomplete-save'),
    ]).groups[0]!;
    // The journal holds events the stream must get back: nothing else is decided for it this run.
    expect(streamPlan(plan, 'expired')).toMatchObject({ action: 'keep', reason: 'journal-pending' });
    // A save that never finished left the stream untouched: it is planned as any other.
    expect(streamPlan(plan, 'other')).toMatchObject({ action: 'delete' });
  });

  it("never plans to delete an empty group while a rebuild of it is unfinished; another group's rebuild does not count", () => {
    const window = {
      fromMs: 0,
      toMs: cutoff(10),
      taskId: 't',
      destinationPrefix: 'p',
      taskCreatedAtMs: cutoff(9),
      objectCount: 1,
      bytes: 1,
    };
    const group = groupFactory({
      storedBytes: 0,
      extras: {
        accountSubscriptionPolicies: [],
        accountMetricPolicies: [],
        transformers: [],
        accountDataProtection: false,
        deletionProtected: false,
        storageTier: 'STANDARD',
        filterCount: 0,
      },
    });
    const state = stateFactory(group.logGroupName, { archivedThroughMs: window.toMs, windows: [window] });
    const pending = (logGroupName: string) => ({
      logGroupName,
      logStreamName: 's',
      journalPrefix: 'p/s',
      events: 1,
      batches: 1,
      phase: 'putting',
      nextBatch: 0,
    });
    const deleteGroup = (...groups: string[]) =>
      planRun([{ group, streams: [], state }], configFactory({ deleteEmptyGroups: true }), NOW, groups.map(pending))
        .groups[0]!.deleteGroup;
    expect(deleteGroup('/another/group', group.logGroupName)).toBeUndefined();
    expect(deleteGroup('/another/group')).toBeDefined();
  });

  it('holds back only the stream of its own group that has a journal, not a same-named stream elsewhere', () => {
    const group = groupFactory();
    const pending = {
      logGroupName: '/another/group',
      logStreamName: 'expired',
      journalPrefix: 'p',
      events: 1,
      batches: 1,
      phase: 'putting',
      nextBatch: 0,
    };
    const plan = planRun(
      [{ group, streams: [streamFactory('expired', 30, 20)], state: stateFactory() }],
      configFactory(),
      NOW,
      [pending],
    ).groups[0]!;
    expect(streamPlan(plan, 'expired')).toMatchObject({ action: 'delete' });
  });

  it("judges late writes against a resumed export by its task's creation time", () => {
    // The resumed window holds both streams; its intent was saved 3 days ago, its task created 1 day ago.
    const inFlight = {
      fromMs: 0,
      toMs: cutoff(9) - 1,
      destinationPrefix: 'p',
      taskId: 't-1',
      intentAtMs: daysAgo(3),
      taskCreatedAtMs: daysAgo(1),
    };
    const state = stateFactory(undefined, { inFlight });
    // Written 30 h ago: within 12 h (+1 h metadata lag) of the task's creation, so the export may miss it.
    const late = streamFactory('late', 21, 20, { lastIngestionTimeMs: NOW - 30 * MS_PER_HOUR });
    // Written 50 h ago: more than 13 h before the task was created (though not before the intent).
    const settled = streamFactory('settled', 21, 20, { lastIngestionTimeMs: NOW - 50 * MS_PER_HOUR });
    const plan = planOne({ streams: [late, settled], state });
    expect(streamPlan(plan, 'late')).toMatchObject({ action: 'skip', reason: 'ingested-after-export' });
    expect(streamPlan(plan, 'settled')).toMatchObject({ action: 'delete' });
  });

  it('warns only for the rebuild strategy and a retention strictly shorter than DAYS', () => {
    const warnings = (retentionInDays: number | undefined, strategy: Config['strategy'] = 'rebuild') =>
      planOne(
        { group: groupFactory(retentionInDays === undefined ? {} : { retentionInDays }), streams: [] },
        { days: 7, strategy },
      ).warnings;
    expect(warnings(7)).toEqual([]);
    expect(warnings(undefined)).toEqual([]);
    expect(warnings(5, 'retention')).toEqual([]);
    expect(warnings(5)).toHaveLength(1);
  });
});

describe('planRun: what the plan reports', () => {
  it('says what the retention strategy changes, word for word, and whether it is safe', () => {
    const retention = (days: number, retentionInDays?: number) =>
      planOne(
        {
          group: groupFactory(retentionInDays === undefined ? {} : { retentionInDays }),
          streams: [streamFactory('s', 30, 20)],
        },
        { strategy: 'retention', days },
      ).retention;
    expect(retention(10)).toEqual({
      targetDays: 14,
      safe: true,
      detail: 'set retention never expire → 14 days once the archive is verified',
    });
    expect(retention(10, 30)).toEqual({
      currentDays: 30,
      targetDays: 14,
      safe: true,
      detail: 'set retention 30 days → 14 days once the archive is verified',
    });
    expect(retention(14, 14)).toMatchObject({ currentDays: 14, detail: 'retention is already 14 days' });
    expect(retention(1, 30)).toEqual({
      currentDays: 30,
      targetDays: 1,
      safe: false,
      detail: 'a 1-day retention leaves less than 2 days to archive events before they expire; use DAYS ≥ 3',
    });
  });

  it('names the group retention and the watermark in the group plan', () => {
    const archivedThroughMs = cutoff(8) - 1;
    const plan = planOne({
      group: groupFactory({ retentionInDays: 30 }),
      streams: [streamFactory('s', 10, 5)],
      state: stateFactory(undefined, { archivedThroughMs }),
    });
    expect(plan).toMatchObject({ retentionInDays: 30, archivedThroughMs });
    const fresh = planOne({ streams: [streamFactory('s', 10, 5)] });
    expect('retentionInDays' in fresh || 'archivedThroughMs' in fresh).toBe(false);
  });

  it('advises the retention strategy as cheaper only when a rebuild is not worth it, and never with it', () => {
    const notWorth = { streams: [streamFactory('s', 8, 1)] };
    const rebuild = planOne(notWorth);
    expect(streamPlan(rebuild, 's').reason).toBe('not-worth-it');
    expect(rebuild.retentionAdvised).toBe(
      'cheaper: re-ingesting the events to keep costs more than the storage it saves',
    );
    expect(planOne(notWorth, { forceRebuild: true }).retentionAdvised).toBeUndefined();
    expect(planOne(notWorth, { strategy: 'retention' }).retentionAdvised).toBeUndefined();
  });

  it('warns only when the group retention is shorter than DAYS', () => {
    const warnings = (retentionInDays?: number) =>
      planOne({
        group: groupFactory(retentionInDays === undefined ? {} : { retentionInDays }),
        streams: [streamFactory('s', 10, 5)],
      }).warnings;
    expect(warnings(5)).toEqual([
      'retention (5 days) is shorter than DAYS (7): CloudWatch expires events before cwl-trim archives them',
    ]);
    expect(warnings(7)).toEqual([]);
    expect(warnings()).toEqual([]);
  });

  it('counts an export to resume and a new window as two exports of the run', () => {
    const inFlight = { fromMs: 0, toMs: cutoff(9) - 1, destinationPrefix: 'p', taskId: 't-1', intentAtMs: daysAgo(2) };
    const group = groupFactory();
    const plan = planRun(
      [{ group, streams: [streamFactory('s', 20, 1)], state: stateFactory(group.logGroupName, { inFlight }) }],
      configFactory(),
      NOW,
    );
    expect(plan.totals.exports).toBe(2);
  });
});
