import { createHash } from 'node:crypto';
import type { EventBatch, LogEvent } from '../plan/batchEvents.js';
import { journalPrefix } from '../archive/keys.js';
import {
  checkSchema,
  deleteObject,
  deletePrefix,
  getBytes,
  getValidated,
  listObjects,
  parseJson,
  putJson,
  putText,
  type S3Deps,
  type Stored,
} from '../archive/s3Objects.js';
import { CwlTrimError, JournalInvalidError, StateUnreadableError } from '../errors.js';
import {
  BATCH_VERSION,
  JournalBatchSchema,
  JournalManifestSchema,
  JournalProgressSchema,
  PROGRESS_VERSION,
  type BatchEntry,
  type JournalManifest,
  type JournalPhase,
  type JournalProgress,
} from './journalSchema.js';

/**
 * The rebuild journal: the events a rebuilt stream must get back, saved in S3 before the stream is
 * deleted, already packed into PutLogEvents-ready batches, plus how far putting them back has got.
 *
 * Layout under `<prefix>/journal/<group>/<stream>/`:
 * - `batch-000000.json` … one object per batch, written first. Not compressed: the journal lives for
 *   minutes in the same Region, where bytes cost nothing and CPU is what a rebuild runs short of
 *   (gzip and gunzip were a sixth of it);
 * - `manifest.json`, written last: its presence is what makes the journal "saved"; it lists every
 *   batch with its event count, first and last timestamp, bytes and SHA-256, so that the whole
 *   journal can be verified before the stream is deleted ({@link Journal.verify});
 * - `progress.json`, the phase and the next batch to put; phase `removing` is written before a
 *   removal starts, so a half-removed journal is recognised and its removal finished.
 * A journal without a manifest is a save that never finished (the stream was not touched): discard it.
 */
interface JournalLocation {
  readonly bucket: string;
  readonly prefix: string;
}

/** Batches verified at once: each is up to a megabyte in memory. */
const VERIFY_AT_ONCE = 4;

const batchKey = (prefix: string, index: number): string => `${prefix}/batch-${String(index).padStart(6, '0')}.json`;
const BATCH_KEY = /\/batch-(\d{6,})\.json$/;

const sha256 = (bytes: Buffer | string): string => createHash('sha256').update(bytes).digest('hex');

/** Progress of a journal that has none stored: saved, nothing deleted or put yet. */
const SAVED: JournalProgress = Object.freeze({
  version: PROGRESS_VERSION,
  phase: 'saved',
  nextBatch: 0,
  rejected: 0,
  put: 0,
});

/** A journal for one stream; all I/O goes through the injected S3 client. */
class Journal {
  public readonly location: JournalLocation;
  readonly #deps: S3Deps;

  public constructor(deps: S3Deps, location: JournalLocation) {
    this.#deps = deps;
    this.location = location;
  }

  /** The journal of one stream under the archive prefix. */
  public static of(
    deps: S3Deps,
    bucket: string,
    bucketPrefix: string,
    logGroupName: string,
    logStreamName: string,
  ): Journal {
    return new Journal(deps, { bucket, prefix: journalPrefix(bucketPrefix, logGroupName, logStreamName) });
  }

  /** Saves one batch; returns what the manifest records of it (the checksum is of the very bytes stored). */
  public async saveBatch(index: number, batch: EventBatch): Promise<BatchEntry> {
    const text = JSON.stringify({ version: BATCH_VERSION, events: batch.events });
    await putText(this.#deps, this.location.bucket, batchKey(this.location.prefix, index), text);
    return {
      events: batch.events.length,
      firstEventMs: batch.firstTimestampMs,
      lastEventMs: batch.lastTimestampMs,
      bytes: batch.bytes,
      sha256: sha256(text),
    };
  }

  /**
   * Reads one batch and checks it against its manifest entry: present, readable, the checksum of
   * what was written, valid, and holding the events the manifest counts. Anything else is a
   * {@link JournalInvalidError} naming the object.
   */
  public async readBatch(index: number, entry: BatchEntry): Promise<LogEvent[]> {
    const { bucket } = this.location;
    const key = batchKey(this.location.prefix, index);
    const invalid = (problem: string, cause?: unknown): JournalInvalidError =>
      new JournalInvalidError(
        bucket,
        key,
        problem,
        'see the README (rebuild journal)',
        cause === undefined ? undefined : { cause },
      );
    let stored: Stored<Buffer> | undefined;
    try {
      stored = await getBytes(this.#deps, bucket, key);
    } catch (err) {
      if (!(err instanceof StateUnreadableError)) throw err;
      throw invalid(
        'cannot be read (AccessDenied): the role needs s3:GetObject on the journal and, for an SSE-KMS bucket, kms:Decrypt on its key',
        err,
      );
    }
    if (!stored) throw invalid(`batch ${index} of ${this.location.prefix} is missing`);
    if (sha256(stored.value) !== entry.sha256) throw invalid(`batch ${index} is not what was saved (SHA-256 differs)`);
    let events: LogEvent[];
    try {
      events = checkSchema(JournalBatchSchema, parseJson(stored.value, bucket, key), bucket, key).events;
    } catch (err) {
      throw invalid(err instanceof CwlTrimError ? err.message : String(err), err);
    }
    const first = events[0]?.timestamp;
    const last = events[events.length - 1]?.timestamp;
    if (events.length !== entry.events || first !== entry.firstEventMs || last !== entry.lastEventMs) {
      throw invalid(
        `batch ${index} holds ${events.length} events (${first}…${last}), the manifest says ${entry.events} (${entry.firstEventMs}…${entry.lastEventMs})`,
      );
    }
    return events;
  }

  /**
   * Reads back the whole journal and checks it against the manifest: every batch present, readable,
   * unchanged and counted right, and no batch the manifest does not list. Throws
   * {@link JournalInvalidError} on the first that is not; holds {@link VERIFY_AT_ONCE} batches at most.
   */
  public async verify(manifest: JournalManifest): Promise<void> {
    const keys = (await listObjects(this.#deps, this.location.bucket, `${this.location.prefix}/`)).map(
      (o) => o.Key ?? '',
    );
    for (const key of keys) {
      const index = Number(BATCH_KEY.exec(key)?.[1] ?? -1);
      if (index >= manifest.batches) {
        throw new JournalInvalidError(
          this.location.bucket,
          key,
          `batch ${index} is not listed in the manifest (${manifest.batches} batches)`,
          'see the README (rebuild journal)',
        );
      }
    }
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < manifest.batches) {
        const index = next;
        next += 1;
        await this.readBatch(index, manifest.batchList[index]!);
      }
    };
    await Promise.all(Array.from({ length: Math.min(VERIFY_AT_ONCE, manifest.batches) }, worker));
  }

  /** Commits the save: from now on the journal must be finished, never discarded unread. */
  public async commit(manifest: JournalManifest): Promise<void> {
    await putJson(this.#deps, this.location.bucket, this.#manifestKey, manifest);
  }

  public async manifest(): Promise<JournalManifest | undefined> {
    return (
      await getValidated(this.#deps, this.location.bucket, this.#manifestKey, JournalManifestSchema, FIX_MANIFEST)
    )?.value;
  }

  /** The stored progress; a journal without one is saved and untouched. */
  public async progress(): Promise<JournalProgress> {
    const stored = await getValidated(
      this.#deps,
      this.location.bucket,
      this.#progressKey,
      JournalProgressSchema,
      FIX_MANIFEST,
    );
    return stored?.value ?? SAVED;
  }

  public async setProgress(progress: Omit<JournalProgress, 'version'>): Promise<void> {
    await putJson(this.#deps, this.location.bucket, this.#progressKey, { ...progress, version: PROGRESS_VERSION });
  }

  /** Whether anything (even a half-written save) is stored. */
  public async exists(): Promise<boolean> {
    return (await listObjects(this.#deps, this.location.bucket, `${this.location.prefix}/`)).length > 0;
  }

  /**
   * Removes the journal in an order that can always be finished: progress says `removing` first,
   * then the batches go, then the manifest, and the progress last. A run that dies halfway leaves a
   * journal marked `removing` (or, once the manifest is gone, a lone progress object, read as a
   * half-written save): either way the next run only completes the removal.
   */
  public async remove(): Promise<void> {
    await this.setProgress({ phase: 'removing', nextBatch: 0, rejected: 0, put: 0 });
    await deletePrefix(this.#deps, this.location.bucket, `${this.location.prefix}/b`);
    await deleteObject(this.#deps, this.location.bucket, this.#manifestKey);
    await deleteObject(this.#deps, this.location.bucket, this.#progressKey);
  }

  get #manifestKey(): string {
    return `${this.location.prefix}/manifest.json`;
  }

  get #progressKey(): string {
    return `${this.location.prefix}/progress.json`;
  }
}

const FIX_MANIFEST =
  'If the stream still holds its events (it was not deleted), delete this journal folder and the next run saves it again; ' +
  'otherwise restore the object from S3 versioning. The journal is kept and this stream is not touched until then';

export { BATCH_KEY, Journal, SAVED, batchKey, sha256 };
export type { BatchEntry, JournalLocation, JournalManifest, JournalPhase, JournalProgress };
