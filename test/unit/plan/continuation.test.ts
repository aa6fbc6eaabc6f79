/**
 * When a run continues itself: literal run results, no AWS.
 */
import { describe, expect, it } from 'vitest';
import { continuationDecision } from '../../../src/plan/continuation.js';
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
