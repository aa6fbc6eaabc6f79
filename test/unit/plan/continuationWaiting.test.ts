/**
 * Waiting on an export task counts as progress only for an export left in flight (`deadline`):
 * literal run results, no AWS.
 */
import { describe, expect, it } from 'vitest';
import { EXPORT_WAIT_MAX_MS, MS_PER_HOUR } from '../../../src/constants.js';
import { continuationDecision, madeProgress } from '../../../src/plan/continuation.js';
import type { ExportResult, RunResult } from '../../../src/plan/results.js';
import type { Plan } from '../../../src/plan/planTypes.js';

const plan = {} as Plan;
const ENDED = 50 * MS_PER_HOUR;
const endedWith = (...exports: ExportResult[]): RunResult => ({
  startedAtMs: 0,
  finishedAtMs: ENDED,
  resumedRebuilds: [],
  groups: [{ logGroupName: '/app/a', exports, streams: [] }],
  deadlineReached: true,
  outcome: 'partial',
});
const decision = (result: RunResult) => continuationDecision({ plan, result }, 3, 1000);

describe('waiting on an export task', () => {
  it('a failed export is no progress, however recently its task was running', () => {
    const failed: ExportResult = { fromMs: 0, toMs: 9, status: 'failed', taskId: 't', runningSinceMs: ENDED - 1 };
    expect(madeProgress(endedWith(failed))).toBe(false);
    expect(decision(endedWith(failed))).toEqual({
      continue: false,
      reason: 'the run made no progress before its deadline; not looping',
    });
  });

  it('a failed export is not named as the stale task the run waited on: only an export left in flight is', () => {
    const old = ENDED - 13 * MS_PER_HOUR;
    const failed: ExportResult = { fromMs: 0, toMs: 9, status: 'failed', taskId: 'failed-1', runningSinceMs: old };
    const leftInFlight: ExportResult = {
      fromMs: 10,
      toMs: 19,
      status: 'deadline',
      taskId: 'stuck-2',
      runningSinceMs: old,
    };
    expect(decision(endedWith(failed)).reason).toBe('the run made no progress before its deadline; not looping');
    expect(decision(endedWith(failed, leftInFlight)).reason).toMatch(/^the run only waited on export task stuck-2, /);
  });

  it('says "?" for a stale task it has no id for', () => {
    const noId: ExportResult = { fromMs: 0, toMs: 9, status: 'deadline', runningSinceMs: ENDED - EXPORT_WAIT_MAX_MS };
    expect(decision(endedWith(noId))).toEqual({
      continue: false,
      reason:
        'the run only waited on export task ?, running for 12.0 h (more than 12 h); not looping: ' +
        'the next scheduled run looks again',
    });
  });
});
