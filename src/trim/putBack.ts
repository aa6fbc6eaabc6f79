/**
 * Putting a journal's batches back into the stream, each exactly once: what the stream already holds
 * of a batch is read back whenever a put may have happened unseen (a crash, a lost answer), and the
 * events PutLogEvents refuses are kept in the archive.
 */
import { rejectedPrefix } from '../archive/keys.js';
import { putJson } from '../archive/s3Objects.js';
import { isUncertainError } from '../aws/callAws.js';
import { putEvents, readEvents } from '../aws/logStreams.js';
import { backoffDelayMs, DEFAULT_SETTLE, type Deps } from '../deps.js';
import type { LogEvent } from '../plan/batchEvents.js';
import type { Config } from '../types.js';
import type { Journal, JournalManifest } from './journal.js';

type RebuildConfig = Pick<Config, 'bucket' | 'bucketPrefix'>;

/** Sends of one batch whose answers were lost, before the rebuild stops (the next run goes on from the journal). */
const MAX_UNCERTAIN_PUTS = 4;

/**
 * Puts one batch exactly once. An answer lost to a timeout, a dropped connection or a 5xx leaves it
 * unknown whether the events were stored: after a pause, what the stream holds of the batch is read
 * back and only the rest is sent again. `pending` is the part of `batch` to put (all of it unless it was
 * found partly stored). Returns the events PutLogEvents refused and how many of the batch were found
 * already stored.
 */
async function putBatch(
  deps: Deps,
  journal: Journal,
  manifest: JournalManifest,
  index: number,
  batch: readonly LogEvent[],
  pending: readonly LogEvent[],
): Promise<{ rejected: LogEvent[]; present: number }> {
  for (let attempt = 0; ; attempt += 1) {
    if (pending.length === 0) return { rejected: [], present: batch.length };
    try {
      const rejected = await putEvents(deps, manifest.logGroupName, manifest.logStreamName, pending);
      return { rejected, present: batch.length - pending.length };
    } catch (err) {
      if (!isUncertainError(err) || attempt + 1 >= MAX_UNCERTAIN_PUTS) throw err;
      deps.logger.warn(
        { err, logStreamName: manifest.logStreamName, batch: index },
        'PutLogEvents answer lost; checking what reached the stream',
      );
      await deps.sleep(backoffDelayMs(deps.settle ?? DEFAULT_SETTLE, attempt));
      pending = await notYetPut(deps, journal, manifest, index, batch);
    }
  }
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
    const batch = await journal.readBatch(earlier, manifest.batchList[earlier]!);
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

export { keepRejected, notYetPut, putBatch };
