import { PutRetentionPolicyCommand } from '@aws-sdk/client-cloudwatch-logs';
import { manifestKey } from '../archive/keys.js';
import { getJson } from '../archive/s3Objects.js';
import { streamOfKey } from '../archive/runExport.js';
import { callAws } from '../aws/callAws.js';
import { deleteStream, listStreams } from '../aws/logStreams.js';
import { MS_PER_MINUTE } from '../constants.js';
import type { Deps } from '../deps.js';
import { changedSince, rebuildStream } from '../trim/rebuildStream.js';
import {
  StreamAction,
  type ArchivedWindow,
  type Config,
  type GroupPlan,
  type GroupState,
  type StreamInfo,
  type StreamPlan,
} from '../types.js';
import { concurrencyFor, forEachLimited, type Lane } from './pool.js';
import type { RetentionResult, StreamResult } from './results.js';

/** A plan older than this is re-checked against fresh stream metadata before anything is deleted. */
const REFRESH_AFTER_MS = 10 * MS_PER_MINUTE;

type TrimConfig = Pick<Config, 'bucket' | 'bucketPrefix' | 'unmask'>;

/**
 * Which streams each archived window holds, read from the window's objects (this run's exports)
 * or its manifest (earlier runs), once per window.
 */
class ArchiveIndex {
  readonly #known = new Map<string, ReadonlySet<string>>();
  readonly #deps: Deps;
  readonly #bucket: string;

  public constructor(deps: Deps, bucket: string) {
    this.#deps = deps;
    this.#bucket = bucket;
  }

  public remember(taskId: string, streams: ReadonlySet<string>): void {
    this.#known.set(taskId, streams);
  }

  public async streamsOf(window: ArchivedWindow): Promise<ReadonlySet<string>> {
    const known = this.#known.get(window.taskId);
    if (known) return known;
    const manifest = await getJson<{ objects: { key: string }[] }>(this.#deps, this.#bucket, manifestKey(window.destinationPrefix));
    const taskPrefix = `${window.destinationPrefix}/${window.taskId}/`;
    const streams = new Set((manifest?.value.objects ?? []).map((o) => streamOfKey(o.key, taskPrefix)));
    this.#known.set(window.taskId, streams);
    return streams;
  }
}

/**
 * The archive must hold the stream: the window holding its first event (and, for a delete, its last)
 * must have exported an object for it. Catches any mismatch between what the metadata promises and
 * what S3 holds before a byte is removed.
 */
async function missingFromArchive(index: ArchiveIndex, state: GroupState, s: StreamPlan): Promise<string | undefined> {
  const points = [s.snapshot.firstEventTimestampMs];
  if (s.action === StreamAction.Delete) points.push(s.snapshot.lastEventTimestampMs);
  for (const t of points) {
    if (t === undefined) continue;
    const window = state.windows.find((w) => w.fromMs <= t && t <= w.toMs);
    if (!window) return `no archived window holds its event at ${new Date(t).toISOString()}`;
    if (!(await index.streamsOf(window)).has(s.snapshot.logStreamName)) {
      return `export ${window.taskId} holds no object for it`;
    }
  }
  return undefined;
}

/**
 * Carries out one group's delete and rebuild actions, each only if the group is archived far
 * enough, the archive holds the stream, and (for an old plan) the stream did not change since.
 *
 * @example const results = await trimGroup(deps, config, groupPlan, ref.state, archiveIndex, plan.nowMs, plan.cutoffMs);
 */
async function trimGroup(
  deps: Deps,
  config: TrimConfig,
  group: GroupPlan,
  state: GroupState,
  index: ArchiveIndex,
  plannedAtMs: number,
  cutoffMs: number,
  /** Shared by the run's overlapping trims so that rebuilds still go one at a time across groups. */
  rebuildLane?: Lane,
): Promise<StreamResult[]> {
  const actions = group.streams.filter((s) => s.action === StreamAction.Delete || s.action === StreamAction.Rebuild);
  if (actions.length === 0) return [];
  const fresh = deps.clock.now() - plannedAtMs > REFRESH_AFTER_MS ? await freshStreams(deps, group.logGroupName) : undefined;
  const results: StreamResult[] = [];
  const base = (s: StreamPlan) => ({
    logGroupName: group.logGroupName,
    logStreamName: s.logStreamName,
    action: s.action as 'delete' | 'rebuild',
  });
  const check = async (s: StreamPlan): Promise<string | undefined> => {
    // Only a stream with no events at all has no requirement.
    const required = s.requiresArchivedThroughMs;
    if (required !== undefined && required > (state.archivedThroughMs ?? -Infinity)) return 'its window is not archived yet';
    const now = fresh?.get(s.logStreamName);
    if (fresh && (!now || changedSince(now, s.snapshot))) return 'the stream changed since it was planned';
    return missingFromArchive(index, state, s);
  };
  const run = async (s: StreamPlan): Promise<void> => {
    if (deps.deadline.remainingMs() <= 0) {
      results.push({ ...base(s), outcome: 'deadline', detail: 'not reached before the deadline' });
      return;
    }
    try {
      const blocked = await check(s);
      if (blocked) {
        results.push({ ...base(s), outcome: 'skipped', detail: blocked });
        return;
      }
      results.push(s.action === StreamAction.Delete ? await runDelete(deps, group, s) : await runRebuild(deps, config, group, s, cutoffMs));
    } catch (err) {
      deps.logger.error({ err, logGroupName: group.logGroupName, logStreamName: s.logStreamName }, 'stream action failed');
      results.push({ ...base(s), outcome: 'failed', detail: (err as Error).message });
    }
  };
  // Deletes are cheap and many: enough wait on the limiter at once that it, not the latency, sets the
  // pace (8 at the default quotas). Rebuilds go one at a time.
  const deleteConcurrency = concurrencyFor(deps.call.limiters.allowedTps('DeleteLogStream'));
  const deletes = actions.filter((s) => s.action === StreamAction.Delete);
  let deleted = 0; // live progress only (the CLI's bars): one step per delete action carried out or left
  await forEachLimited(deletes, deleteConcurrency, async (s) => {
    await run(s);
    deleted += 1;
    deps.progress?.(`${group.logGroupName}: ${deleted}/${deletes.length} deletes`, { phase: 'delete', done: deleted, total: deletes.length, subject: group.logGroupName });
  });
  for (const s of actions.filter((a) => a.action === StreamAction.Rebuild)) {
    await (rebuildLane ? rebuildLane.run(() => run(s)) : run(s));
  }
  return results;
}

async function runDelete(deps: Deps, group: GroupPlan, s: StreamPlan): Promise<StreamResult> {
  const outcome = await deleteStream(deps, group.logGroupName, s.logStreamName);
  return {
    logGroupName: group.logGroupName,
    logStreamName: s.logStreamName,
    action: 'delete',
    outcome: 'done',
    ...(outcome === 'absent' ? { detail: 'already gone' } : {}),
  };
}

async function runRebuild(deps: Deps, config: TrimConfig, group: GroupPlan, s: StreamPlan, cutoffMs: number): Promise<StreamResult> {
  deps.progress?.(`rebuilding ${group.logGroupName} ${s.logStreamName}`);
  const outcome = await rebuildStream(deps, config, {
    logGroupName: group.logGroupName,
    logStreamName: s.logStreamName,
    cutoffMs,
    planned: s.snapshot,
    unmask: config.unmask,
  });
  const base = { logGroupName: group.logGroupName, logStreamName: s.logStreamName, action: 'rebuild' as const };
  if (outcome.status !== 'rebuilt') return { ...base, outcome: outcome.status, detail: outcome.detail };
  const { status: _s, ...measured } = outcome;
  return { ...base, outcome: 'done', ...measured };
}

async function freshStreams(deps: Deps, logGroupName: string): Promise<Map<string, StreamInfo>> {
  const streams = new Map<string, StreamInfo>();
  for await (const s of listStreams(deps, logGroupName)) streams.set(s.logStreamName, s);
  return streams;
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
  if (!archived) return { days, outcome: 'skipped', detail: 'the archive is not verified up to date; retention left as it is' };
  if (change.currentDays === days) return { days, outcome: 'unchanged', detail: change.detail };
  await callAws(deps.call, 'PutRetentionPolicy', () =>
    deps.clients.logs.send(new PutRetentionPolicyCommand({ logGroupName: group.logGroupName, retentionInDays: days })),
  );
  return { days, outcome: 'set', detail: change.detail };
}

export { ArchiveIndex, applyRetention, trimGroup };
