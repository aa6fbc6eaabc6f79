import { describe, expect, it } from 'vitest';
import { ExitCode, exitCodeOf } from '../../../src/report/exitCode.js';
import { JsonReportSchema, toJsonReport } from '../../../src/report/jsonReport.js';
import { NOW } from '../../helpers/factories.js';
import { LONG_GROUP, LONG_STREAM, runOf, samplePlan } from './reportFixtures.js';

describe('toJsonReport', () => {
  it('reports a dry run as mode plan, outcome planned, with ISO times beside the milliseconds', () => {
    // Prepare
    const plan = samplePlan();
    // Act
    const report = toJsonReport({ plan }, { runId: 'r1' });
    // Assess
    expect(JsonReportSchema.parse(report)).toEqual(report);
    expect(report).toMatchObject({
      schemaVersion: 1,
      mode: 'plan',
      outcome: 'planned',
      run: null,
      leftForNextRun: null,
    });
    expect(report.cutoff).toEqual({ ms: plan.cutoffMs, iso: new Date(plan.cutoffMs).toISOString() });
    expect(report.groups[0]!.exportWindow?.to.ms).toBe(plan.cutoffMs - 1);
    expect(report.groups[0]!.streams.every((s) => s.result === null)).toBe(true);
  });

  it('lists every stream but the kept ones, and counts every stream by action and reason', () => {
    const report = toJsonReport({ plan: samplePlan(3) }, { runId: 'r1' });
    const group = report.groups.find((g) => g.logGroupName === LONG_GROUP)!;

    expect(group.streams.map((s) => s.action).sort()).toEqual(['delete', 'delete', 'delete', 'rebuild', 'skip']);
    expect(group.reasons).toEqual([
      { action: 'delete', reason: 'expired', count: 3, example: 'every event is archived', detailsVary: false },
      {
        action: 'rebuild',
        reason: 'straddling',
        count: 1,
        example: 'events before the cutoff are archived',
        detailsVary: false,
      },
      expect.objectContaining({ action: 'skip', reason: 'active', count: 1 }),
      expect.objectContaining({ action: 'keep', reason: 'current', count: 1 }),
    ]);
  });

  it('bounds the listing per group, rebuilds and skips first, and counts what it leaves out', () => {
    const report = toJsonReport({ plan: samplePlan(40) }, { runId: 'r1', maxStreamsPerGroup: 5 });
    const group = report.groups.find((g) => g.logGroupName === LONG_GROUP)!;

    expect(group.streams).toHaveLength(5);
    expect(group.streams.map((s) => s.action)).toEqual(['delete', 'delete', 'delete', 'rebuild', 'skip']);
    expect(group.streamsOmitted).toEqual({ delete: 37, rebuild: 0, skip: 0 });
    expect(group.totals.delete).toBe(40);
  });

  it('marks a skipped group and gives it no result on a run', () => {
    const plan = samplePlan();
    const report = toJsonReport({ plan, result: runOf(plan) }, { runId: 'r1' });
    const flow = report.groups.find((g) => g.logGroupName === '/vpc/flow')!;
    expect(flow.skipped?.reason).toBe('infrequent-access');
    expect(flow.result).toBeNull();
    expect(report.totals.groupsSkipped).toBe(1);
  });

  it('attaches measured results to a real run and says outcome done', () => {
    const plan = samplePlan(2);
    const report = toJsonReport(
      { plan, result: runOf(plan) },
      { runId: 'r1', apiCalls: { DeleteLogStream: { calls: 3, successes: 3, retries: 0, throttles: 0, failures: 0 } } },
    );

    expect(JsonReportSchema.safeParse(report).success).toBe(true);
    expect(report).toMatchObject({ mode: 'run', outcome: 'done', leftForNextRun: { count: 0, items: [], omitted: 0 } });
    expect(report.run).toEqual({
      startedAt: expect.objectContaining({ ms: NOW }),
      finishedAt: expect.objectContaining({ ms: NOW + 65_000 }),
      durationMs: 65_000,
      deadlineReached: false,
    });
    expect(report.totals.measured).toMatchObject({
      exportsArchived: 1,
      deleted: 2,
      rebuilt: 1,
      reputEvents: 120,
      reputBytes: 9_000,
      notDone: 0,
    });
    expect(report.totals.estimatedDone).toEqual(report.totals.estimated);
    const rebuilt = report.groups[0]!.streams.find((s) => s.action === 'rebuild')!;
    expect(rebuilt.result).toEqual({
      outcome: 'done',
      detail: null,
      events: 120,
      bytes: 9_000,
      batches: 2,
      rejected: 0,
    });
    expect(report.apiCalls?.DeleteLogStream?.calls).toBe(3);
  });

  it('lists what is left for the next run: unfinished streams and unreached groups', () => {
    const plan = samplePlan(2);
    const result = runOf(
      plan,
      { [`${LONG_STREAM}-1`]: { outcome: 'skipped', detail: 'the stream changed since it was planned' } },
      ['/empty'],
    );
    const report = toJsonReport({ plan, result }, { runId: 'r1' });

    expect(report.outcome).toBe('partial');
    expect(report.leftForNextRun?.items).toEqual([
      {
        logGroupName: LONG_GROUP,
        logStreamName: `${LONG_STREAM}-1`,
        what: 'delete',
        why: 'skipped: the stream changed since it was planned',
      },
      { logGroupName: '/empty', logStreamName: null, what: 'group', why: 'not reached before the deadline' },
    ]);
    // Unfinished actions are listed first, whatever the limit.
    const bounded = toJsonReport({ plan, result }, { runId: 'r1', maxStreamsPerGroup: 1 });
    expect(bounded.groups[0]!.streams.map((s) => s.logStreamName)).toEqual([`${LONG_STREAM}-1`]);
    expect(report.totals.measured?.notDone).toBe(1);
    expect(report.totals.estimatedDone!.removeStoredBytes).toBeLessThan(report.totals.estimated.removeStoredBytes);
  });

  it('marks planned actions of a group whose export did not archive as not attempted', () => {
    const plan = samplePlan(2);
    const result = runOf(plan);
    const failed = {
      ...result,
      groups: result.groups.map((g) =>
        g.logGroupName === LONG_GROUP
          ? {
              logGroupName: g.logGroupName,
              exports: [{ ...g.exports[0]!, status: 'failed' as const, message: 'export task t ended FAILED' }],
              streams: [],
            }
          : g,
      ),
      outcome: 'failed' as const,
    };
    const report = toJsonReport({ plan, result: failed }, { runId: 'r1' });
    const group = report.groups[0]!;

    expect(group.streams.filter((s) => s.action !== 'skip').every((s) => s.result?.outcome === 'not-attempted')).toBe(
      true,
    );
    expect(group.result?.outcomes['not-attempted']).toBe(3);
    expect(report.leftForNextRun?.items).toContainEqual({
      logGroupName: LONG_GROUP,
      logStreamName: null,
      what: 'export',
      why: 'export task t ended FAILED',
    });
  });

  it('keeps bytes whole and money to the micro-dollar', () => {
    const report = toJsonReport({ plan: samplePlan() }, { runId: 'r1' });
    for (const s of report.groups[0]!.streams) {
      expect(Number.isInteger(s.estimate.storedBytes)).toBe(true);
      expect(Math.round(s.estimate.reputCostUsd * 1e6)).toBeCloseTo(s.estimate.reputCostUsd * 1e6, 6);
    }
  });
});

describe('exitCodeOf', () => {
  it('maps planned and done to 0, failed to 1, partial to 3', () => {
    expect([exitCodeOf('planned'), exitCodeOf('done'), exitCodeOf('failed'), exitCodeOf('partial')]).toEqual([
      0, 0, 1, 3,
    ]);
    expect(ExitCode).toEqual({ Done: 0, Failed: 1, BadSettings: 2, Partial: 3, LeaseHeld: 4, Interrupted: 130 });
  });
});
