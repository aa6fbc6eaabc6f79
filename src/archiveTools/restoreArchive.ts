/**
 * `archive restore`: archived events of a range back into a NEW log group, stream by stream, in
 * PutLogEvents-valid batches (BatchPacker), every call under the limiters. Refused up front, with no
 * writing call, when any event of the range is older than PutLogEvents accepts. Resumable: progress
 * is saved in S3 after every batch (`<prefix>/restores/<target group>/<request id>.json`); running the
 * same command again finishes the job, and the one batch whose put is uncertain after a crash is
 * compared with what the target stream holds, so nothing is put twice.
 */
import { createHash } from 'node:crypto';
import { CreateLogGroupCommand, DescribeLogGroupsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { groupKey } from '../archive/keys.js';
import { getJson, putJson } from '../archive/s3Objects.js';
import { callAws, errorName } from '../aws/callAws.js';
import { createStream, putEvents, readEvents } from '../aws/logStreams.js';
import type { Deps } from '../deps.js';
import { ConfigError } from '../errors.js';
import { BatchPacker, type LogEvent } from '../plan/batchEvents.js';
import type { IndexConfig } from './archiveIndex.js';
import { catRequest, type CatRequest } from './catQuery.js';
import { readArchive, readSources } from './readArchive.js';
import { sourcesByStream } from './streamSources.js';
import type { OrderedSource } from './sources.js';
import { notYetPut, oldestRestorableMs, refusal, toPutEvent } from './restorePlan.js';

interface RestoreFlags {
  readonly logGroup: string;
  readonly toLogGroup: string;
  readonly start: string;
  readonly end: string;
  readonly stream?: string;
  readonly streamPrefix?: string;
}

interface RestoreProgress {
  readonly request: RestoreFlags;
  /**
   * Streams go in name order: every stream up to this one is restored. A cursor, not a list, so that
   * saving progress after every batch costs the same for a million streams as for one.
   */
  readonly doneThrough?: string;
  /** Streams restored so far (those with events to put). */
  readonly streamsRestored: number;
  /** Streams restored, as a version that listed them wrote it: still honoured on a resume. */
  readonly completedStreams?: readonly string[];
  /** The stream being restored: events put so far, and the size of a batch sent but not yet confirmed. */
  readonly current?: { readonly stream: string; readonly put: number; readonly pending?: number };
  readonly put: number;
  readonly rejected: number;
  readonly done: boolean;
}

interface RestoreOutcome {
  readonly ok: boolean;
  readonly text: string;
  readonly put: number;
  readonly rejected: number;
  readonly refused?: number;
}

const GROUP_NAME = /^[.\-_/#A-Za-z0-9]{1,512}$/;

function checkFlags(flags: RestoreFlags, nowMs: number): CatRequest {
  const problems: string[] = [];
  for (const [flag, name] of [
    ['--log-group', flags.logGroup],
    ['--to-log-group', flags.toLogGroup],
  ] as const) {
    if (!GROUP_NAME.test(name))
      problems.push(
        `${flag} must be a log group name (1–512 letters, digits and . - _ / #), got ${JSON.stringify(name)}.`,
      );
  }
  if (flags.toLogGroup === flags.logGroup) {
    problems.push(
      `--to-log-group must name a new group, not the archived one (${flags.logGroup}): restore never writes into the original. ` +
        `Pass e.g. --to-log-group '${flags.logGroup}-restored'.`,
    );
  }
  let request: CatRequest | undefined;
  try {
    request = catRequest(flags, nowMs);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    problems.push(...err.message.split('\n'));
  }
  if (problems.length > 0 || request === undefined) throw new ConfigError('archive restore', problems.join('\n'));
  return request;
}

/** The target group's retention, and whether it exists (read-only). */
async function targetGroup(deps: Deps, name: string): Promise<{ exists: boolean; retentionInDays?: number }> {
  let nextToken: string | undefined;
  do {
    const page = await callAws(deps.call, 'DescribeLogGroups', () =>
      deps.clients.logs.send(
        new DescribeLogGroupsCommand({ logGroupNamePrefix: name, ...(nextToken ? { nextToken } : {}) }),
      ),
    );
    const found = page.logGroups?.find((g) => g.logGroupName === name);
    if (found)
      return {
        exists: true,
        ...(found.retentionInDays === undefined ? {} : { retentionInDays: found.retentionInDays }),
      };
    nextToken = page.nextToken;
  } while (nextToken);
  return { exists: false };
}

async function countEvents(deps: Deps, config: IndexConfig, group: string, request: CatRequest): Promise<number> {
  let n = 0;
  for await (const batch of readArchive(deps, config, group, request)) n += batch.length;
  return n;
}

const progressKey = (config: IndexConfig, flags: RestoreFlags): string => {
  const id = createHash('sha256')
    .update(JSON.stringify([flags.logGroup, flags.start, flags.end, flags.stream ?? null, flags.streamPrefix ?? null]))
    .digest('hex')
    .slice(0, 16);
  return `${config.bucketPrefix}/restores/${groupKey(flags.toLogGroup)}/${id}.json`;
};

/**
 * Restores one stream from `progress.current.put` on; saves progress after every batch.
 */
async function restoreStream(
  deps: Deps,
  config: IndexConfig,
  flags: RestoreFlags,
  request: CatRequest,
  stream: string,
  sources: readonly OrderedSource[],
  state: { progress: RestoreProgress; save: (p: RestoreProgress) => Promise<void> },
): Promise<number> {
  // Created with the first batch: a stream with no event in the range is not created at all.
  let created = false;
  const resumed = state.progress.current?.stream === stream ? state.progress.current : undefined;
  const resumeAt = resumed?.put ?? 0;
  let put = resumeAt;
  let uncertain = resumed?.pending;
  const earlierSameMs: LogEvent[] = [];
  let skipped = 0;
  const packer = new BatchPacker();
  let pendingBatch: LogEvent[] = [];
  const send = async (events: readonly LogEvent[]): Promise<void> => {
    let toPut = [...events];
    if (uncertain !== undefined) {
      // After a crash: this batch may have landed. Keep only what the target does not hold yet.
      const first = toPut[0]!;
      const present: LogEvent[] = [];
      for await (const e of readEvents(deps, {
        logGroupName: flags.toLogGroup,
        logStreamName: stream,
        startTimeMs: first.timestamp,
        endTimeMs: toPut.at(-1)!.timestamp + 1,
      }))
        present.push(e);
      toPut = notYetPut(
        toPut,
        present,
        earlierSameMs.filter((e) => e.timestamp >= first.timestamp),
      );
      uncertain = undefined;
    }
    await state.save({ ...state.progress, current: { stream, put, pending: events.length } });
    if (!created) await createStream(deps, flags.toLogGroup, stream);
    created = true;
    const rejected = toPut.length === 0 ? [] : await putEvents(deps, flags.toLogGroup, stream, toPut);
    put += events.length;
    await state.save({
      ...state.progress,
      current: { stream, put },
      // The whole batch counts once: what a crashed run put of it was never counted.
      put: state.progress.put + events.length - rejected.length,
      rejected: state.progress.rejected + rejected.length,
    });
    deps.progress?.(`restore ${flags.toLogGroup} ${stream}: ${put} events`);
  };
  // The stream's sources keep their ordinals (merge order), so a resumed restore sees the same sequence.
  for await (const batch of readSources(
    deps,
    config,
    sources.filter((s) => s.logStreamName === stream),
    request,
  )) {
    for (const archived of batch) {
      const event = toPutEvent(archived);
      if (skipped < resumeAt) {
        skipped += 1;
        // The events put just before a resumed batch, in case they share its first millisecond.
        if (earlierSameMs.length > 0 && earlierSameMs[0]!.timestamp !== event.timestamp) earlierSameMs.length = 0;
        earlierSameMs.push(event);
        continue;
      }
      if (uncertain !== undefined) {
        // Re-form exactly the batch that was in flight.
        pendingBatch.push(event);
        if (pendingBatch.length === uncertain) {
          await send(pendingBatch);
          pendingBatch = [];
        }
        continue;
      }
      const full = packer.add(event);
      if (full) await send(full.events);
    }
  }
  if (pendingBatch.length > 0) await send(pendingBatch);
  const rest = packer.flush();
  if (rest) await send(rest.events);
  return put;
}

/**
 * Runs (or resumes) a restore; the outcome's text is the report for people.
 *
 * @example const outcome = await restoreArchive(deps, config, { logGroup: '/app', toLogGroup: '/app-restored', start: '3d', end: 'now' });
 */
async function restoreArchive(deps: Deps, config: IndexConfig, flags: RestoreFlags): Promise<RestoreOutcome> {
  const request = checkFlags(flags, deps.clock.now());
  const { startMs, endMs } = request.query as { startMs: number; endMs: number };
  const target = await targetGroup(deps, flags.toLogGroup);
  const oldestMs = oldestRestorableMs(deps.clock.now(), target.retentionInDays);
  const tooOld =
    startMs < oldestMs
      ? await countEvents(deps, config, flags.logGroup, {
          ...request,
          query: { ...request.query, endMs: Math.min(endMs, oldestMs) },
        })
      : 0;
  const refused = refusal({
    sourceGroup: flags.logGroup,
    startMs,
    endMs,
    oldestMs,
    tooOld,
    ...(flags.stream === undefined ? {} : { stream: flags.stream }),
    ...(flags.streamPrefix === undefined ? {} : { streamPrefix: flags.streamPrefix }),
  });
  if (refused !== undefined) return { ok: false, text: refused, put: 0, rejected: 0, refused: tooOld };

  const key = progressKey(config, flags);
  const stored = await getJson<RestoreProgress>(deps, config.bucket, key);
  if (stored?.value.done === true) {
    return {
      ok: true,
      text: `already restored: ${stored.value.put} events into ${flags.toLogGroup} (s3://${config.bucket}/${key})`,
      put: stored.value.put,
      rejected: stored.value.rejected,
    };
  }
  const streams = sourcesByStream(deps, config, flags.logGroup, request.query)[Symbol.asyncIterator]();
  try {
    let next = await streams.next();
    if (next.done === true) {
      return {
        ok: false,
        put: 0,
        rejected: 0,
        text:
          `nothing to restore: no archived object of ${flags.logGroup} can hold events ` +
          `from ${flags.start} to ${flags.end}; nothing was written (archive ls shows what is archived).`,
      };
    }
    const state = {
      progress: stored?.value ?? { request: flags, streamsRestored: 0, put: 0, rejected: 0, done: false },
      save: async (progress: RestoreProgress): Promise<void> => {
        await putJson(deps, config.bucket, key, progress);
        state.progress = progress;
      },
    };
    await createTarget(deps, flags.toLogGroup, target.exists);
    const legacy = new Set(state.progress.completedStreams ?? []);
    for (; next.done !== true; next = await streams.next()) {
      const { stream, sources } = next.value;
      const { doneThrough } = state.progress;
      if ((doneThrough !== undefined && stream <= doneThrough) || legacy.has(stream)) continue;
      // A stream with nothing to put leaves no trace: reading it again on a resume writes nothing either.
      if ((await restoreStream(deps, config, flags, request, stream, sources, state)) === 0) continue;
      const { current: _done, ...rest } = state.progress;
      await state.save({ ...rest, doneThrough: stream, streamsRestored: (rest.streamsRestored ?? 0) + 1 });
    }
    return await finish(state, flags);
  } finally {
    await streams.return?.(undefined);
  }
}

/** The target group, created when absent (never the original: checkFlags refused that). */
async function createTarget(deps: Deps, name: string, exists: boolean): Promise<void> {
  if (exists) return;
  try {
    await callAws(deps.call, 'CreateLogGroup', () =>
      deps.clients.logs.send(new CreateLogGroupCommand({ logGroupName: name })),
    );
  } catch (err) {
    if (errorName(err) !== 'ResourceAlreadyExistsException') throw err;
  }
}

/** Marks the restore done and says what it did. */
async function finish(
  state: { progress: RestoreProgress; save: (p: RestoreProgress) => Promise<void> },
  flags: RestoreFlags,
): Promise<RestoreOutcome> {
  await state.save({ ...state.progress, done: true });
  const { put, rejected } = state.progress;
  const streams = (state.progress.streamsRestored ?? 0) + (state.progress.completedStreams?.length ?? 0);
  const text =
    `restored ${put} events of ${streams} stream${streams === 1 ? '' : 's'} from ${flags.logGroup} into ${flags.toLogGroup}` +
    (rejected > 0
      ? `; ${rejected} events refused by PutLogEvents (still in the archive: read them with archive cat)`
      : '');
  return { ok: rejected === 0, text, put, rejected };
}

export { restoreArchive };
export type { RestoreFlags, RestoreOutcome, RestoreProgress };
