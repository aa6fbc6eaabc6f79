/**
 * When a run continues itself: literal run results, no AWS.
 */
import { describe, expect, it } from 'vitest';
import { EXPORT_WAIT_MAX_MS, MS_PER_HOUR } from '../../../src/constants.js';
import { continuationDecision, madeProgress, ranOutOfTime } from '../../../src/plan/continuation.js';
import type { GroupResult, RunOutput, RunResult } from '../../../src/plan/results.js';
import type { Plan } from '../../../src/plan/planTypes.js';

const plan = {} as Plan;
const archived = { fromMs: 0, toMs: 9, status: 'archived' } as const;
const group = (overrides: Partial<GroupResult> = {}): GroupResult => ({
  logGroupName: '/app/a',
  exports: [archived],
  streams: [],
  ...overrides,
});

function output(groups: GroupResult[], result: Partial<RunResult> = {}): RunOutput {
  return {
    plan,
    result: {
      startedAtMs: 0,
      finishedAtMs: 1,
      resumedRebuilds: [],
      groups,
      deadlineReached: false,
      outcome: 'partial',
      ...result,
    },
  };
}

describe('continuationDecision', () => {
  it('continues a run that archived something and left an export it had no time to wait for', () => {
    const run = output([
      group(),
      group({ logGroupName: '/app/b', exports: [{ fromMs: 0, toMs: 9, status: 'deadline', taskId: 't' }] }),
    ]);
    expect(continuationDecision(run, 0, 24)).toMatchObject({ continue: true });
  });

  it('continues when groups were not reached before the deadline', () => {
    const run = output([group(), group({ logGroupName: '/app/b', exports: [], notReached: true })], {
      deadlineReached: true,
    });
    expect(continuationDecision(run, 23, 24)).toMatchObject({
      continue: true,
      reason: expect.stringContaining('continuation 24 of at most 24'),
    });
  });

  it('stops when nothing is left, on a dry run, past the limit, or when time was not the problem', () => {
    expect(continuationDecision(output([group()], { outcome: 'done' }), 0, 24)).toEqual({
      continue: false,
      reason: 'nothing left to do',
    });
    expect(continuationDecision({ plan }, 0, 24).continue).toBe(false);
    const timedOut = output([group(), group({ exports: [], notReached: true })], { deadlineReached: true });
    expect(continuationDecision(timedOut, 24, 24)).toMatchObject({
      continue: false,
      reason: expect.stringContaining('24 continuations'),
    });
    const failedExport = output(
      [group({ exports: [{ fromMs: 0, toMs: 9, status: 'failed', message: 'FAILED' }] }), group()],
      { outcome: 'failed' },
    );
    expect(continuationDecision(failedExport, 0, 24)).toMatchObject({
      continue: false,
      reason: expect.stringContaining('other than time'),
    });
  });

  it('stops when the run made no progress, whatever was left', () => {
    const stuck = output([group({ exports: [{ fromMs: 0, toMs: 9, status: 'deadline' }] })], { deadlineReached: true });
    expect(continuationDecision(stuck, 0, 24)).toMatchObject({
      continue: false,
      reason: expect.stringContaining('no progress'),
    });
    const onlySkipped = output(
      [
        group({
          exports: [],
          streams: [{ logGroupName: '/app/a', logStreamName: 's', action: 'delete', outcome: 'deadline' }],
        }),
      ],
      { deadlineReached: true },
    );
    expect(continuationDecision(onlySkipped, 0, 24).continue).toBe(false);
  });
});

describe('ranOutOfTime and madeProgress, one reason at a time', () => {
  const quiet: RunResult = {
    startedAtMs: 0,
    finishedAtMs: 1,
    resumedRebuilds: [],
    groups: [],
    deadlineReached: false,
    outcome: 'partial',
  };
  const run = (over: Partial<RunResult>, groups: GroupResult[] = []): RunResult => ({ ...quiet, groups, ...over });
  const leftInFlight = { fromMs: 0, toMs: 9, status: 'deadline' } as const;
  const done = { logGroupName: '/app/a', logStreamName: 's', action: 'delete', outcome: 'done' } as const;
  const notReached = { logGroupName: '/app/a', logStreamName: 's', action: 'delete', outcome: 'deadline' } as const;

  it('ran out of time for each reason alone, and not without one', () => {
    expect(ranOutOfTime(run({}, [group({ exports: [] })]))).toBe(false);
    expect(ranOutOfTime(run({ deadlineReached: true }))).toBe(true);
    expect(ranOutOfTime(run({ walkLeft: true }))).toBe(true);
    expect(ranOutOfTime(run({}, [group({ exports: [], streams: [notReached] })]))).toBe(true);
    expect(ranOutOfTime(run({}, [group({ exports: [], notReached: true })]))).toBe(true);
    expect(ranOutOfTime(run({}, [group({ exports: [], listingLeft: true })]))).toBe(true);
    expect(ranOutOfTime(run({}, [group({ exports: [archived, leftInFlight] })]))).toBe(true);
    expect(ranOutOfTime(run({}, [group({ exports: [archived] })]))).toBe(false);
  });

  it('made progress for each durable step alone, and not for waiting', () => {
    expect(madeProgress(run({}, [group({ exports: [leftInFlight] })]))).toBe(false);
    expect(madeProgress(run({}, [group({ exports: [], streams: [done] })]))).toBe(true);
    expect(madeProgress(run({}, [group({ exports: [archived] })]))).toBe(true);
    expect(madeProgress(run({}, [group({ exports: [{ ...leftInFlight, started: true }] })]))).toBe(true);
    expect(madeProgress(run({}, [group({ exports: [{ ...leftInFlight, verificationAdvanced: true }] })]))).toBe(true);
    expect(madeProgress(run({}, [group({ exports: [], retention: { days: 30, outcome: 'set', detail: '' } })]))).toBe(
      true,
    );
    expect(
      madeProgress(run({}, [group({ exports: [], retention: { days: 30, outcome: 'unchanged', detail: '' } })])),
    ).toBe(false);
    expect(madeProgress(run({}, [group({ exports: [], listingAdvanced: true })]))).toBe(true);
  });

  it('counts waiting on a running task as progress until the task is EXPORT_WAIT_MAX_MS old, then says why it stops', () => {
    const ended = 50 * MS_PER_HOUR;
    const waitingSince = (sinceMs: number): RunResult =>
      run({ deadlineReached: true, finishedAtMs: ended }, [
        group({ exports: [{ ...leftInFlight, taskId: 'task-9', runningSinceMs: sinceMs }] }),
      ]);
    expect(madeProgress(waitingSince(ended - EXPORT_WAIT_MAX_MS + 1))).toBe(true);
    expect(continuationDecision({ plan, result: waitingSince(ended - EXPORT_WAIT_MAX_MS + 1) }, 3, 1000).continue).toBe(
      true,
    );
    expect(madeProgress(waitingSince(ended - EXPORT_WAIT_MAX_MS))).toBe(false);
    expect(continuationDecision({ plan, result: waitingSince(ended - 13 * MS_PER_HOUR) }, 3, 1000)).toEqual({
      continue: false,
      reason:
        'the run only waited on export task task-9, running for 13.0 h (more than 12 h); not looping: ' +
        'the next scheduled run looks again',
    });
    // A deadline with no running task (a busy slot, a cut verification) is no progress, with the plain reason.
    expect(
      continuationDecision(
        { plan, result: run({ deadlineReached: true }, [group({ exports: [leftInFlight] })]) },
        3,
        1000,
      ).reason,
    ).toBe('the run made no progress before its deadline; not looping');
  });

  it('says why it stops: a dry run, nothing left, not for lack of time, no progress, the backstop', () => {
    expect(continuationDecision({ plan }, 0, 5).reason).toBe('a dry run does not continue');
    expect(continuationDecision({ plan, result: run({ outcome: 'done', deadlineReached: true }) }, 0, 5).reason).toBe(
      'nothing left to do',
    );
    expect(continuationDecision({ plan, result: run({}, [group({ exports: [] })]) }, 0, 5).reason).toMatch(
      /other than time \(partial\)/,
    );
    expect(continuationDecision({ plan, result: run({ deadlineReached: true }) }, 0, 5).reason).toMatch(/no progress/);
    const going = run({ deadlineReached: true }, [group({ listingAdvanced: true, exports: [] })]);
    expect(continuationDecision({ plan, result: going }, 5, 5)).toEqual({
      continue: false,
      reason: '5 continuations reached; the next scheduled run carries on',
    });
    expect(continuationDecision({ plan, result: going }, 4, 5)).toEqual({
      continue: true,
      reason: 'deadline reached with work left (continuation 5 of at most 5)',
    });
  });
});
