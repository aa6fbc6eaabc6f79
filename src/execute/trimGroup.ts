import { PutRetentionPolicyCommand } from '@aws-sdk/client-cloudwatch-logs';
import type { ArchiveIndex } from '../archive/exportManifest.js';
import { callAws } from '../aws/callAws.js';
import { deleteStream } from '../aws/logStreams.js';
import { catchUpStream } from '../archive/catchUp.js';
import type { Deps } from '../deps.js';
import { rebuildStream } from '../trim/rebuildStream.js';
import type { Config, GroupState } from '../types.js';
import { StreamAction, type GroupPlan, type StreamPlan } from '../plan/planTypes.js';
import { recheck } from '../plan/recheck.js';
import type { RetentionResult, StreamResult } from '../plan/results.js';

type TrimConfig = Pick<Config, 'bucket' | 'bucketPrefix' | 'unmask'>;

/**
 * The re-checks before a stream's delete or rebuild, on the state as it is now (src/plan/recheck.ts
 * decides), then the archive's own word: each export named must hold an object for the stream. Catches
 * any mismatch between what the metadata promises and what S3 holds before a byte is removed. A reason
 * to leave it, or undefined to go ahead.
 *
 * @example const blocked = await blockedAction(index, ref.state, streamPlan);
 */
async function blockedAction(index: ArchiveIndex, state: GroupState, s: StreamPlan): Promise<string | undefined> {
  const r = recheck(state, s);
  if ('blocked' in r) return r.blocked;
  for (const window of r.lookups) {
    if (!(await index.holds(window, s.snapshot.logStreamName))) return `export ${window.taskId} holds no object for it`;
  }
  return undefined;
}

/**
 * Carries out one planned delete or rebuild after its re-checks; never throws (an error is the
 * stream's result, the run goes on).
 *
 * @example const result = await carryOut(deps, config, group.logGroupName, streamPlan, ref.state, index, plan.cutoffMs);
 */
async function carryOut(
  deps: Deps,
  config: TrimConfig,
  logGroupName: string,
  s: StreamPlan,
  state: GroupState,
  index: ArchiveIndex,
  cutoffMs: number,
): Promise<StreamResult> {
  const base = { logGroupName, logStreamName: s.logStreamName, action: s.action as 'delete' | 'rebuild' };
  if (deps.deadline.remainingMs() <= 0)
    return { ...base, outcome: 'deadline', detail: 'not reached before the deadline' };
  try {
    const blocked = await blockedAction(index, state, s);
    if (blocked) return { ...base, outcome: 'skipped', detail: blocked };
    // Late events in already exported windows are archived before the stream can lose them.
    const late = s.catchUp?.length ? await catchUpStream(deps, config, logGroupName, s.snapshot, s.catchUp) : undefined;
    const done =
      s.action === StreamAction.Delete
        ? await runDelete(deps, logGroupName, s)
        : await runRebuild(deps, config, logGroupName, s, cutoffMs);
    return late?.events ? { ...done, caughtUp: late.events } : done;
  } catch (err) {
    deps.logger.error({ err, logGroupName, logStreamName: s.logStreamName }, 'stream action failed');
    return { ...base, outcome: 'failed', detail: (err as Error).message };
  }
}

async function runDelete(deps: Deps, logGroupName: string, s: StreamPlan): Promise<StreamResult> {
  const outcome = await deleteStream(deps, logGroupName, s.logStreamName);
  return {
    logGroupName,
    logStreamName: s.logStreamName,
    action: 'delete',
    outcome: 'done',
    ...(outcome === 'absent' ? { detail: 'already gone' } : {}),
  };
}

async function runRebuild(
  deps: Deps,
  config: TrimConfig,
  logGroupName: string,
  s: StreamPlan,
  cutoffMs: number,
): Promise<StreamResult> {
  deps.progress?.(`rebuilding ${logGroupName} ${s.logStreamName}`);
  const outcome = await rebuildStream(deps, config, {
    logGroupName,
    logStreamName: s.logStreamName,
    cutoffMs,
    planned: s.snapshot,
    unmask: config.unmask,
  });
  const base = { logGroupName, logStreamName: s.logStreamName, action: 'rebuild' as const };
  if (outcome.status !== 'rebuilt') return { ...base, outcome: outcome.status, detail: outcome.detail };
  const { status: _s, ...measured } = outcome;
  return { ...base, outcome: 'done', ...measured };
}

/**
 * The retention strategy: set the planned retention once this run archived the group, and only
 * when the plan found it safe.
 */
async function applyRetention(deps: Deps, group: GroupPlan, archived: boolean): Promise<RetentionResult | undefined> {
  const change = group.retention;
  if (!change) return undefined;
  const days = change.targetDays;
  if (!change.safe) return { days, outcome: 'skipped', detail: change.detail };
  if (!archived)
    return { days, outcome: 'skipped', detail: 'the archive is not verified up to date; retention left as it is' };
  if (change.currentDays === days) return { days, outcome: 'unchanged', detail: change.detail };
  await callAws(deps.call, 'PutRetentionPolicy', () =>
    deps.clients.logs.send(new PutRetentionPolicyCommand({ logGroupName: group.logGroupName, retentionInDays: days })),
  );
  return { days, outcome: 'set', detail: change.detail };
}

export { applyRetention, blockedAction, carryOut };
