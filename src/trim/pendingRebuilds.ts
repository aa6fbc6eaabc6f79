import { groupNameOfKey, journalListPrefix, streamNameOfKey } from '../archive/keys.js';
import { listObjects, type S3Deps } from '../archive/s3Objects.js';
import type { Config, PendingRebuild } from '../types.js';
import { Journal } from './journal.js';

/** A journal whose save never finished: the stream was never touched, the journal is discarded. */
const INCOMPLETE_SAVE = 'incomplete-save';

/**
 * The journals earlier runs left behind, read-only: saved ones (with their phase and progress) are
 * finished by the next real run before anything else; half-written ones are discarded.
 *
 * @example const pending = await readPendingRebuilds(deps, config);
 */
async function readPendingRebuilds(deps: S3Deps, config: Pick<Config, 'bucket' | 'bucketPrefix'>): Promise<PendingRebuild[]> {
  const keys = (await listObjects(deps, config.bucket, journalListPrefix(config.bucketPrefix))).map((o) => o.Key ?? '');
  const dirs = [...new Set(keys.map((k) => k.slice(0, k.lastIndexOf('/'))))].sort();
  const withManifest = new Set(keys.filter((k) => k.endsWith('/manifest.json')).map((k) => k.slice(0, k.lastIndexOf('/'))));
  const pending: PendingRebuild[] = [];
  for (const prefix of dirs) {
    const journal = new Journal(deps, { bucket: config.bucket, prefix });
    const manifest = withManifest.has(prefix) ? await journal.manifest() : undefined;
    if (!manifest) {
      const [group = '', stream = ''] = prefix.slice(journalListPrefix(config.bucketPrefix).length).split('/');
      pending.push({
        logGroupName: groupNameOfKey(group),
        logStreamName: streamNameOfKey(stream),
        journalPrefix: prefix,
        events: 0,
        batches: 0,
        phase: INCOMPLETE_SAVE,
        nextBatch: 0,
      });
      continue;
    }
    const progress = await journal.progress();
    pending.push({
      logGroupName: manifest.logGroupName,
      logStreamName: manifest.logStreamName,
      journalPrefix: prefix,
      events: manifest.events,
      batches: manifest.batches,
      phase: progress.phase,
      nextBatch: progress.nextBatch,
    });
  }
  return pending;
}

export { INCOMPLETE_SAVE, readPendingRebuilds };
