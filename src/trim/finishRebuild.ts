/**
 * The second half of a rebuild, the one that must survive any crash: from a saved and verified
 * journal, replace the stream and put every batch back exactly once. A run that died anywhere in it is
 * finished by the next run from the journal's recorded progress (src/execute/resumeRebuilds.ts).
 */
import { createStream, deleteStream, describeStream } from '../aws/logStreams.js';
import { tailChangedSince } from '../archive/streamTail.js';
import type { Deps } from '../deps.js';
import { JournalInvalidError } from '../errors.js';
import type { LogEvent } from '../plan/batchEvents.js';
import type { Config, StreamInfo } from '../types.js';
import { SAVED, type Journal, type JournalManifest, type JournalProgress } from './journal.js';
import { keepRejected, notYetPut, putBatch } from './putBack.js';

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
      /** Why it was finished although the run did not select its group. */
      readonly detail?: string;
    }
  | { readonly status: 'abandoned'; readonly detail: string }
  /** Not carried out on purpose (its group is not selected by this run); the stream is untouched. */
  | { readonly status: 'skipped'; readonly detail: string }
  | { readonly status: 'deadline'; readonly detail: string };

interface FinishOptions {
  /**
   * Set when this run must not touch the stream (its group is not selected): a stream not deleted yet
   * is left alone and its journal discarded (reported with `reason`); one already deleted is still
   * finished (reported with `ifDeleted`).
   */
  readonly leaveUntouched?: { readonly reason: string; readonly ifDeleted: string };
}

/** Whether a stream received events (or was recreated) since a snapshot of it. */
const changedSince = (now: StreamInfo, then: StreamInfo): boolean =>
  now.creationTimeMs !== then.creationTimeMs ||
  now.lastEventTimestampMs !== then.lastEventTimestampMs ||
  now.lastIngestionTimeMs !== then.lastIngestionTimeMs;

/**
 * Finishes a saved rebuild from wherever it stopped (this run, or a run that died): read back and
 * verify the whole journal, delete the stream if it still is the one that was saved, create it, and
 * put back every batch not yet confirmed. A journal that does not verify stops the rebuild before
 * anything destructive. Where a batch may already be in the stream (after a crash, a lost answer, or
 * a stream found recreated), what it holds is read first, so no event is put twice. The journal is
 * removed only once the events that reached the stream (and those refused, kept aside) are all the
 * manifest lists.
 */
async function finishRebuild(
  deps: Deps,
  config: RebuildConfig,
  journal: Journal,
  manifest: JournalManifest,
  resumed: boolean,
  options: FinishOptions = {},
): Promise<RebuildOutcome> {
  // A journal this run just saved has no progress yet: nothing to read back.
  const saved = resumed ? await journal.progress() : SAVED;
  if (saved.phase === 'removing') {
    await journal.remove();
    return {
      status: 'abandoned',
      detail: 'an earlier run had started to remove this journal; its removal is finished',
    };
  }
  const start =
    saved.phase === 'putting'
      ? await resumePutting(deps, journal, manifest, saved, resumed)
      : await replaceStream(deps, journal, manifest, saved, options);
  if ('status' in start) return start;
  const put = await putBatches(deps, config, journal, manifest, start);
  if ('status' in put) return put;
  if (put.put + put.rejected !== manifest.events) {
    throw new JournalInvalidError(
      config.bucket,
      `${journal.location.prefix}/manifest.json`,
      `${put.put} events reached the stream and ${put.rejected} were refused, but the manifest lists ${manifest.events}`,
      'The journal is kept: compare it with the stream before removing it',
    );
  }
  await journal.remove();
  const why = options.leaveUntouched ? { detail: options.leaveUntouched.ifDeleted } : {};
  return {
    status: 'rebuilt',
    events: put.put,
    bytes: manifest.bytes,
    batches: manifest.batches,
    rejected: put.rejected,
    ...why,
  };
}

/** Where putting back starts: the progress, and the first batch that may be in the stream already (checked, and the next ones while they are). */
interface PutStart {
  readonly progress: JournalProgress;
  readonly checkFrom?: number;
}

const PUT_FROM_START = (version: JournalProgress['version']): JournalProgress => ({
  version,
  phase: 'putting',
  nextBatch: 0,
  rejected: 0,
  put: 0,
});

/**
 * Before any batch is put: leave a stream that changed since it was saved, verify the journal, take
 * the last look at the tail, then delete the stream if it still is the one saved, and create it.
 */
async function replaceStream(
  deps: Deps,
  journal: Journal,
  manifest: JournalManifest,
  progress: JournalProgress,
  options: FinishOptions,
): Promise<PutStart | RebuildOutcome> {
  const { logGroupName, logStreamName } = manifest;
  const current = await describeStream(deps, logGroupName, logStreamName);
  const sameStream = current !== undefined && current.creationTimeMs === manifest.snapshot.creationTimeMs;
  if (sameStream && changedSince(current, manifest.snapshot)) {
    await journal.remove();
    return { status: 'abandoned', detail: 'the stream received events after they were saved; left as it is' };
  }
  if (sameStream && options.leaveUntouched !== undefined) {
    await journal.remove();
    return {
      status: 'skipped',
      detail: `${options.leaveUntouched.reason}; the stream was not touched and its journal is discarded`,
    };
  }
  // The journal is whole first (a damaged one fails the stream, named); then the last look (issue 13):
  // the tail read with GetLogEvents, which does not lag like the metadata.
  await verifyJournal(journal, manifest, sameStream);
  const tail = sameStream
    ? await tailChangedSince(deps, manifest, (i) => journal.readBatch(i, manifest.batchList[i]!))
    : undefined;
  if (tail) {
    await journal.remove();
    return { status: 'abandoned', detail: tail };
  }
  if (sameStream) {
    await journal.setProgress({ ...progress, phase: 'deleting' });
    await deleteStream(deps, logGroupName, logStreamName);
  }
  const created = await createStream(deps, logGroupName, logStreamName);
  const started = PUT_FROM_START(progress.version);
  await journal.setProgress(started);
  // A stream that exists but is not the one saved was recreated: by us (progress older than it
  // should be) or by a producer. Either way our batches may be in it.
  return (current !== undefined && !sameStream) || created === 'existed'
    ? { progress: started, checkFrom: 0 }
    : { progress: started };
}

/** A rebuild that was putting back when it stopped: its journal verified, its progress trusted only if it adds up. */
async function resumePutting(
  deps: Deps,
  journal: Journal,
  manifest: JournalManifest,
  progress: JournalProgress,
  resumed: boolean,
): Promise<PutStart> {
  await verifyJournal(journal, manifest, false);
  const recorded = manifest.batchList.slice(0, progress.nextBatch).reduce((n, b) => n + b.events, 0);
  if (progress.nextBatch > manifest.batches || progress.put + progress.rejected !== recorded) {
    // Progress that does not add up is not trusted: what the stream holds is read from batch 0.
    deps.logger.warn(
      { logGroupName: manifest.logGroupName, logStreamName: manifest.logStreamName, progress },
      'journal progress does not match its manifest; checking the stream from the first batch',
    );
    return { progress: PUT_FROM_START(progress.version), checkFrom: 0 };
  }
  // After a crash only the first batch not recorded as put may have been put already.
  return resumed ? { progress, checkFrom: progress.nextBatch } : { progress };
}

/**
 * Puts back every batch from `start`, recording progress after each; where a batch may be in the
 * stream already, what it holds is read first. Stops at the deadline (the next run finishes).
 */
async function putBatches(
  deps: Deps,
  config: RebuildConfig,
  journal: Journal,
  manifest: JournalManifest,
  start: PutStart,
): Promise<JournalProgress | RebuildOutcome> {
  const { logGroupName, logStreamName } = manifest;
  let { progress, checkFrom } = start;
  // The next batch is read from the journal while this one is put back and its progress recorded:
  // reading is not a step of the protocol, so it need not wait for them (two batches in memory at most).
  let reading: Promise<LogEvent[]> | undefined;
  const prefetch = (index: number): void => {
    reading = index < manifest.batches ? journal.readBatch(index, manifest.batchList[index]!) : undefined;
    reading?.catch(() => undefined); // rethrown where it is awaited
  };
  prefetch(progress.nextBatch);
  for (let index = progress.nextBatch; index < manifest.batches; index += 1) {
    if (deps.deadline.remainingMs() <= 0) {
      return { status: 'deadline', detail: `put back ${index} of ${manifest.batches} batches; the next run finishes` };
    }
    const batch = await reading!;
    prefetch(index + 1);
    let events = batch;
    if (checkFrom !== undefined && index >= checkFrom) {
      events = await notYetPut(deps, journal, manifest, index, batch);
      // Batches are put in order: past one not wholly in the stream, none is.
      if (events.length > 0) checkFrom = undefined;
    }
    const { rejected, present } = await putBatch(deps, journal, manifest, index, batch, events);
    if (rejected.length > 0) await keepRejected(deps, config, manifest, index, rejected);
    progress = {
      version: progress.version,
      phase: 'putting',
      nextBatch: index + 1,
      put: progress.put + batch.length - rejected.length,
      rejected: progress.rejected + rejected.length,
    } satisfies JournalProgress;
    await journal.setProgress(progress);
    if (present > 0)
      deps.logger.info(
        { logGroupName, logStreamName, batch: index, present },
        'events already in the stream were not put again',
      );
    deps.progress?.(`${logStreamName}: put back batch ${index + 1}/${manifest.batches}`, {
      phase: 'rebuild',
      done: index + 1,
      total: manifest.batches,
      subject: logStreamName,
    });
  }
  return progress;
}

/**
 * Verifies the whole journal; when it does not verify, says what to do: a stream not yet deleted
 * still holds every event, so the damaged journal is discarded and the next run saves it again; a
 * stream already deleted needs the object back.
 */
async function verifyJournal(journal: Journal, manifest: JournalManifest, streamIntact: boolean): Promise<void> {
  try {
    await journal.verify(manifest);
  } catch (err) {
    if (!(err instanceof JournalInvalidError)) throw err;
    if (streamIntact) {
      await journal.remove();
      throw new JournalInvalidError(
        err.bucket,
        err.key,
        err.problem,
        'The stream was not touched; the journal was discarded and the next run saves its events again',
        { cause: err },
      );
    }
    throw new JournalInvalidError(
      err.bucket,
      err.key,
      err.problem,
      'The stream was already deleted: restore the object (S3 versioning) and run again; the journal is kept and nothing more is put until then',
      { cause: err },
    );
  }
}

export { changedSince, finishRebuild };
export type { FinishOptions, RebuildConfig, RebuildOutcome };
