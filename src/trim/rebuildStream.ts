/**
 * The first half of a rebuild: the events a straddling stream must keep, saved to an S3 journal and
 * verified; then {@link finishRebuild} replaces the stream and puts them back.
 */
import { describeStream, readEvents } from '../aws/logStreams.js';
import type { Deps } from '../deps.js';
import { BatchPacker } from '../plan/batchEvents.js';
import type { StreamInfo } from '../types.js';
import { changedSince, finishRebuild, type RebuildConfig, type RebuildOutcome } from './finishRebuild.js';
import { Journal, type BatchEntry, type JournalManifest } from './journal.js';
import { JOURNAL_VERSION } from './journalSchema.js';

interface RebuildRequest {
  readonly logGroupName: string;
  readonly logStreamName: string;
  readonly cutoffMs: number;
  /** The metadata the plan decided on: the stream must still look like this. */
  readonly planned: StreamInfo;
  readonly unmask: boolean;
}

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
  const batchList: BatchEntry[] = [];
  // One journal write is in flight while the next page is read (a write otherwise holds up the
  // reads for a round trip per batch); it waits for the previous write, so batches land in order.
  let writing: Promise<void> = Promise.resolve();
  const save = async (batch: ReturnType<BatchPacker['flush']>): Promise<void> => {
    if (!batch) return;
    await writing;
    const index = batches;
    writing = journal.saveBatch(index, batch).then((entry) => {
      batchList[index] = entry;
    });
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
    version: JOURNAL_VERSION,
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
    batchList,
  };
  await journal.commit(manifest);
  deps.progress?.(`saved ${events} events of ${request.logStreamName} in ${batches} batches`);
  return manifest;
}

export { rebuildStream };
export type { RebuildRequest };
