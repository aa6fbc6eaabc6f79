import { rejectedPrefix } from '../archive/keys.js';
import { putJson } from '../archive/s3Objects.js';
import { createStream, deleteStream, describeStream, putEvents, readEvents } from '../aws/logStreams.js';
import type { Deps } from '../deps.js';
import { BatchPacker, type LogEvent } from '../plan/batchEvents.js';
import type { Config, StreamInfo } from '../types.js';
import { Journal, type JournalManifest, type JournalProgress } from './journal.js';

type RebuildConfig = Pick<Config, 'bucket' | 'bucketPrefix'>;

/** How one rebuild ended for this run. */
type RebuildOutcome =
  | {
      readonly status: 'rebuilt';
      readonly events: number;
      readonly bytes: number;
      readonly batches: number;
      /** Events PutLogEvents refused: kept under the rejected prefix, and reported. */
      readonly rejected: number;
    }
  | { readonly status: 'abandoned'; readonly detail: string }
  | { readonly status: 'deadline'; readonly detail: string };

interface RebuildRequest {
  readonly logGroupName: string;
  readonly logStreamName: string;
  readonly cutoffMs: number;
  /** The metadata the plan decided on: the stream must still look like this. */
  readonly planned: StreamInfo;
  readonly unmask: boolean;
}

/** Whether a stream received events (or was recreated) since a snapshot of it. */
const changedSince = (now: StreamInfo, then: StreamInfo): boolean =>
  now.creationTimeMs !== then.creationTimeMs ||
  now.lastEventTimestampMs !== then.lastEventTimestampMs ||
  now.lastIngestionTimeMs !== then.lastIngestionTimeMs;

/**
 * Rebuilds one straddling stream so that it keeps only its events at or after the cutoff:
 * save them to the S3 journal (batched, bounded memory) → check the stream did not change →
 * delete → create → put the batches back, recording progress after each. Every step is resumable
 * by {@link finishRebuild}; a crash while saving leaves the stream untouched.
 *
 * @example await rebuildStream(deps, config, { logGroupName, logStreamName, cutoffMs, planned, unmask: false });
 */
async function rebuildStream(deps: Deps, config: RebuildConfig, request: RebuildRequest): Promise<RebuildOutcome> {
  const { logGroupName, logStreamName } = request;
  const journal = Journal.of(deps, config.bucket, config.bucketPrefix, logGroupName, logStreamName);
  const existing = await journal.manifest();
  if (existing) return finishRebuild(deps, config, journal, existing, true);
  if (await journal.exists()) await journal.remove(); // a save that never finished: the stream is intact

  const before = await describeStream(deps, logGroupName, logStreamName);
  if (!before || changedSince(before, request.planned)) {
    return { status: 'abandoned', detail: 'the stream changed since it was planned; left as it is' };
  }
  const saved = await saveEvents(deps, journal, request, before);
  if (saved === 'deadline') {
    await journal.remove();
    return { status: 'deadline', detail: 'the deadline came while saving; the stream is untouched' };
  }
  return finishRebuild(deps, config, journal, saved, false);
}

async function saveEvents(
  deps: Deps,
  journal: Journal,
  request: RebuildRequest,
  snapshot: StreamInfo,
): Promise<JournalManifest | 'deadline'> {
  const packer = new BatchPacker();
  let batches = 0;
  let events = 0;
  let bytes = 0;
  let firstEventMs: number | undefined;
  let lastEventMs: number | undefined;
  // One journal write is in flight while the next page is read (a write otherwise holds up the
  // reads for a round trip per batch); it waits for the previous write, so batches land in order.
  let writing: Promise<void> = Promise.resolve();
  const save = async (batch: ReturnType<BatchPacker['flush']>): Promise<void> => {
    if (!batch) return;
    await writing;
    writing = journal.saveBatch(batches, batch);
    writing.catch(() => undefined); // rethrown by the next `await writing`
    batches += 1;
    events += batch.events.length;
    bytes += batch.bytes;
    firstEventMs ??= batch.firstTimestampMs;
    lastEventMs = batch.lastTimestampMs;
  };
  const source = readEvents(deps, {
    logGroupName: request.logGroupName,
    logStreamName: request.logStreamName,
    startTimeMs: request.cutoffMs,
    unmask: request.unmask,
  });
  for await (const event of source) {
    await save(packer.add(event));
    if (deps.deadline.remainingMs() <= 0) {
      await writing;
      return 'deadline';
    }
  }
  await save(packer.flush());
  await writing;
  const manifest: JournalManifest = {
    logGroupName: request.logGroupName,
    logStreamName: request.logStreamName,
    cutoffMs: request.cutoffMs,
    snapshot,
    batches,
    events,
    bytes,
    ...(firstEventMs === undefined ? {} : { firstEventMs }),
    ...(lastEventMs === undefined ? {} : { lastEventMs }),
    savedAtMs: deps.clock.now(),
    runId: deps.runId,
    unmasked: request.unmask,
  };
  await journal.commit(manifest);
  deps.progress?.(`saved ${events} events of ${request.logStreamName} in ${batches} batches`);
  return manifest;
}

/**
 * Finishes a saved rebuild from wherever it stopped (this run, or a run that died): delete the
 * stream if it still is the one that was saved, create it, and put back every batch not yet
 * confirmed. After a crash, the first batch is compared with what the stream already holds, so a
 * batch whose put succeeded just before the crash is not put twice.
 */
async function finishRebuild(
  deps: Deps,
  config: RebuildConfig,
  journal: Journal,
  manifest: JournalManifest,
  resumed: boolean,
): Promise<RebuildOutcome> {
  const { logGroupName, logStreamName } = manifest;
  let progress = await journal.progress();
  if (progress.phase !== 'putting') {
    const current = await describeStream(deps, logGroupName, logStreamName);
    const sameStream = current !== undefined && current.creationTimeMs === manifest.snapshot.creationTimeMs;
    if (sameStream && changedSince(current, manifest.snapshot)) {
      await journal.remove();
      return { status: 'abandoned', detail: 'the stream received events after they were saved; left as it is' };
    }
    if (sameStream) {
      await journal.setProgress({ ...progress, phase: 'deleting' });
      await deleteStream(deps, logGroupName, logStreamName);
    }
    await createStream(deps, logGroupName, logStreamName);
    progress = { phase: 'putting', nextBatch: 0, rejected: 0, put: 0 };
    await journal.setProgress(progress);
    resumed = false;
  }
  // The next batch is read from the journal while this one is put back and its progress recorded:
  // reading is not a step of the protocol, so it need not wait for them (two batches in memory at most).
  let reading: Promise<LogEvent[]> | undefined;
  const prefetch = (index: number): void => {
    reading = index < manifest.batches ? journal.readBatch(index) : undefined;
    reading?.catch(() => undefined); // rethrown where it is awaited
  };
  // After a crash only the first batch not recorded as put may have been put already.
  const uncertainBatch = resumed ? progress.nextBatch : undefined;
  prefetch(progress.nextBatch);
  for (let index = progress.nextBatch; index < manifest.batches; index += 1) {
    if (deps.deadline.remainingMs() <= 0) {
      return { status: 'deadline', detail: `put back ${index} of ${manifest.batches} batches; the next run finishes` };
    }
    let events = await reading!;
    prefetch(index + 1);
    if (index === uncertainBatch) events = await notYetPut(deps, journal, manifest, index, events);
    const rejected = events.length === 0 ? [] : await putEvents(deps, logGroupName, logStreamName, events);
    if (rejected.length > 0) await keepRejected(deps, config, manifest, index, rejected);
    progress = {
      phase: 'putting',
      nextBatch: index + 1,
      put: progress.put + events.length - rejected.length,
      rejected: progress.rejected + rejected.length,
    } satisfies JournalProgress;
    await journal.setProgress(progress);
    deps.progress?.(`${logStreamName}: put back batch ${index + 1}/${manifest.batches}`,
      { phase: 'rebuild', done: index + 1, total: manifest.batches, subject: logStreamName });
  }
  await journal.remove();
  return { status: 'rebuilt', events: manifest.events, bytes: manifest.bytes, batches: manifest.batches, rejected: progress.rejected };
}

/** The batch's events the stream does not hold yet (a multiset difference on timestamp and message). */
async function notYetPut(
  deps: Deps,
  journal: Journal,
  manifest: JournalManifest,
  index: number,
  events: readonly LogEvent[],
): Promise<LogEvent[]> {
  const first = events[0];
  const last = events[events.length - 1];
  if (!first || !last) return [];
  const present = new Map<string, number>();
  const key = (e: LogEvent): string => `${e.timestamp}\u0000${e.message}`;
  const stored = readEvents(deps, {
    logGroupName: manifest.logGroupName,
    logStreamName: manifest.logStreamName,
    startTimeMs: first.timestamp,
    endTimeMs: last.timestamp + 1,
    unmask: manifest.unmasked,
  });
  for await (const e of stored) present.set(key(e), (present.get(key(e)) ?? 0) + 1);
  // Batches put before may end in the very millisecond this one starts: their events there are in
  // the stream too, and must not be taken for this batch's (identical events would be dropped).
  for (let earlier = index - 1; earlier >= 0; earlier -= 1) {
    const batch = await journal.readBatch(earlier);
    for (const e of batch) {
      const n = present.get(key(e)) ?? 0;
      if (e.timestamp >= first.timestamp && n > 0) present.set(key(e), n - 1);
    }
    if ((batch[0]?.timestamp ?? Number.NEGATIVE_INFINITY) < first.timestamp) break;
  }
  return events.filter((e) => {
    const n = present.get(key(e)) ?? 0;
    if (n === 0) return true;
    present.set(key(e), n - 1);
    return false;
  });
}

/** Events PutLogEvents refused are never dropped: they stay in the archive under `rejected/`. */
async function keepRejected(
  deps: Deps,
  config: RebuildConfig,
  manifest: JournalManifest,
  index: number,
  events: readonly LogEvent[],
): Promise<void> {
  const prefix = rejectedPrefix(config.bucketPrefix, manifest.logGroupName, manifest.logStreamName);
  await putJson(deps, config.bucket, `${prefix}/batch-${String(index).padStart(6, '0')}-${deps.runId}.json.gz`, {
    logGroupName: manifest.logGroupName,
    logStreamName: manifest.logStreamName,
    reason: 'PutLogEvents refused these events (older than 14 days or the retention, or too far in the future)',
    events,
  });
  deps.logger.error(
    { logGroupName: manifest.logGroupName, logStreamName: manifest.logStreamName, rejected: events.length },
    'events could not be put back; kept in the archive under rejected/',
  );
}

export { changedSince, finishRebuild, rebuildStream };
export type { RebuildOutcome, RebuildRequest };
