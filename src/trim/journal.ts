import type { EventBatch, LogEvent } from '../plan/batchEvents.js';
import type { StreamInfo } from '../types.js';
import { journalPrefix } from '../archive/keys.js';
import { deleteObject, deletePrefix, getJson, listObjects, putJson, type S3Deps } from '../archive/s3Objects.js';

/**
 * The rebuild journal: the events a rebuilt stream must get back, saved in S3 before the stream is
 * deleted, already packed into PutLogEvents-ready batches, plus how far putting them back has got.
 *
 * Layout under `<prefix>/journal/<group>/<stream>/`:
 * - `batch-000000.json` … one object per batch, written first. Not compressed: the journal lives for
 *   minutes in the same Region, where bytes cost nothing and CPU is what a rebuild runs short of
 *   (gzip and gunzip were a sixth of it);
 * - `manifest.json`, written last: its presence is what makes the journal "saved";
 * - `progress.json`, the phase and the next batch to put.
 * A journal without a manifest is a save that never finished (the stream was not touched): discard it.
 */
interface JournalManifest {
  readonly logGroupName: string;
  readonly logStreamName: string;
  /** Events at or after this timestamp were saved. */
  readonly cutoffMs: number;
  /** The stream as it was just before its events were read; it must still look like this at delete time. */
  readonly snapshot: StreamInfo;
  readonly batches: number;
  readonly events: number;
  /** PutLogEvents bytes (message + 26 per event). */
  readonly bytes: number;
  readonly firstEventMs?: number;
  readonly lastEventMs?: number;
  readonly savedAtMs: number;
  readonly runId: string;
  /** Read with `unmask: true` (data-protected group). */
  readonly unmasked: boolean;
}

type JournalPhase = 'saved' | 'deleting' | 'putting';

interface JournalProgress {
  readonly phase: JournalPhase;
  /** The next batch to put (phase 'putting'). */
  readonly nextBatch: number;
  /** Events PutLogEvents refused so far (kept under the rejected prefix). */
  readonly rejected: number;
  /** Events put back so far. */
  readonly put: number;
}

interface JournalLocation {
  readonly bucket: string;
  readonly prefix: string;
}

const batchKey = (prefix: string, index: number): string => `${prefix}/batch-${String(index).padStart(6, '0')}.json`;

/** A journal for one stream; all I/O goes through the injected S3 client. */
class Journal {
  public readonly location: JournalLocation;
  readonly #deps: S3Deps;

  public constructor(deps: S3Deps, location: JournalLocation) {
    this.#deps = deps;
    this.location = location;
  }

  /** The journal of one stream under the archive prefix. */
  public static of(deps: S3Deps, bucket: string, bucketPrefix: string, logGroupName: string, logStreamName: string): Journal {
    return new Journal(deps, { bucket, prefix: journalPrefix(bucketPrefix, logGroupName, logStreamName) });
  }

  public async saveBatch(index: number, batch: EventBatch): Promise<void> {
    await putJson(this.#deps, this.location.bucket, batchKey(this.location.prefix, index), { events: batch.events });
  }

  public async readBatch(index: number): Promise<LogEvent[]> {
    const stored = await getJson<{ events: LogEvent[] }>(this.#deps, this.location.bucket, batchKey(this.location.prefix, index));
    if (!stored) throw new Error(`journal batch ${index} is missing under ${this.location.prefix}`);
    return stored.value.events;
  }

  /** Commits the save: from now on the journal must be finished, never discarded unread. */
  public async commit(manifest: JournalManifest): Promise<void> {
    await putJson(this.#deps, this.location.bucket, `${this.location.prefix}/manifest.json`, manifest);
  }

  public async manifest(): Promise<JournalManifest | undefined> {
    return (await getJson<JournalManifest>(this.#deps, this.location.bucket, `${this.location.prefix}/manifest.json`))?.value;
  }

  public async progress(): Promise<JournalProgress> {
    const stored = await getJson<JournalProgress>(this.#deps, this.location.bucket, `${this.location.prefix}/progress.json`);
    return stored?.value ?? { phase: 'saved', nextBatch: 0, rejected: 0, put: 0 };
  }

  public async setProgress(progress: JournalProgress): Promise<void> {
    await putJson(this.#deps, this.location.bucket, `${this.location.prefix}/progress.json`, progress);
  }

  /** Whether anything (even a half-written save) is stored. */
  public async exists(): Promise<boolean> {
    return (await listObjects(this.#deps, this.location.bucket, `${this.location.prefix}/`)).length > 0;
  }

  /**
   * Removes the journal. The manifest goes last: a crash halfway leaves either a manifest whose
   * progress says every batch is put, or no manifest at all, and both are handled.
   */
  public async remove(): Promise<void> {
    const manifestKey = `${this.location.prefix}/manifest.json`;
    const keys = await listObjects(this.#deps, this.location.bucket, `${this.location.prefix}/`);
    const others = keys.filter((o) => o.Key !== manifestKey);
    if (others.length > 0) await deletePrefix(this.#deps, this.location.bucket, `${this.location.prefix}/b`);
    await deleteObject(this.#deps, this.location.bucket, `${this.location.prefix}/progress.json`);
    await deleteObject(this.#deps, this.location.bucket, manifestKey);
  }
}

export { Journal, batchKey };
export type { JournalLocation, JournalManifest, JournalPhase, JournalProgress };
