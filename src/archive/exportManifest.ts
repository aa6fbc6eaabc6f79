/**
 * The manifest of a verified export: which objects the task wrote, listed from S3 after it COMPLETED.
 * A small export lists its objects inline (`objects`); a large one (a group of a million streams writes
 * a million objects) lists them in parts of {@link PART_OBJECTS} beside the manifest, each with the
 * first and last key it holds, so that neither writing nor reading it holds every key at once.
 */
import { z } from 'zod';
import { EXPORT_WRITE_TEST_OBJECT } from '../constants.js';
import type { Deps } from '../deps.js';
import { DeadlineReachedError } from '../errors.js';
import type { ArchivedWindow, InFlightExport } from '../types.js';
import { manifestKey } from './keys.js';
import { getJson, listObjectPages, putJson } from './s3Objects.js';
import { dropCheckpoint, loadCheckpoint, saveCheckpoint } from './verifyCheckpoint.js';

/** Objects per part, and the most a manifest lists inline. */
const PART_OBJECTS = 10_000;
/** Parts the index keeps in memory at once (streams are looked up in nearly the order of their keys). */
const PARTS_CACHED = 4;

const ObjectEntrySchema = z.object({
  key: z.string(),
  size: z.number().nonnegative(),
  /** The object's ETag as ListObjectsV2 gave it (free with the listing): `archive verify` compares it. Absent in older manifests. */
  etag: z.string().optional(),
});
const PartRefSchema = z.object({
  key: z.string(),
  first: z.string(),
  last: z.string(),
  count: z.number().int().positive(),
});
const ManifestSchema = z.object({
  logGroupName: z.string(),
  fromMs: z.number(),
  toMs: z.number(),
  taskId: z.string(),
  destinationPrefix: z.string(),
  taskCreatedAtMs: z.number(),
  objectCount: z.number().int().nonnegative(),
  bytes: z.number().nonnegative(),
  verifiedAtMs: z.number(),
  /** Every object, for an export of at most PART_OBJECTS objects. */
  objects: z.array(ObjectEntrySchema).optional(),
  /** The parts listing the objects of a larger export, in S3's key order. */
  parts: z.array(PartRefSchema).optional(),
});
const PartSchema = z.object({ objects: z.array(ObjectEntrySchema) });

type ExportManifest = z.infer<typeof ManifestSchema>;
type ObjectEntry = z.infer<typeof ObjectEntrySchema>;
type ManifestDeps = Pick<Deps, 'clients' | 'call' | 'clock'> & Partial<Pick<Deps, 'deadline'>>;

const partKey = (destinationPrefix: string, n: number): string =>
  `${destinationPrefix}/manifest-parts/${String(n).padStart(5, '0')}.json`;

/** `<dest>/<taskId>/<stream name, may contain slashes>/000000.gz` → the stream name. */
function streamOfKey(key: string, taskPrefix: string): string {
  const rest = key.slice(taskPrefix.length);
  const slash = rest.lastIndexOf('/');
  return slash < 0 ? rest : rest.slice(0, slash);
}

/**
 * Lists what a COMPLETED task wrote (page by page) and writes its manifest, in parts when large.
 * Returns the archived window; the objects are never all in memory. A listing the deadline cuts saves
 * the parts written so far (src/archive/verifyCheckpoint.ts) and the next run lists after their last
 * key; `progress.checkpointed` tells the caller that this run moved the verification on.
 *
 * @example const { window, manifest } = await writeExportManifest(deps, bucket, group, inFlight, taskId);
 */
async function writeExportManifest(
  deps: ManifestDeps,
  bucket: string,
  logGroupName: string,
  inFlight: InFlightExport,
  taskId: string,
  progress: { checkpointed: boolean } = { checkpointed: false },
): Promise<{ window: ArchivedWindow; manifest: ExportManifest }> {
  const taskPrefix = `${inFlight.destinationPrefix}/${taskId}/`;
  const resumed = await loadCheckpoint(deps, bucket, inFlight.destinationPrefix, taskId);
  const parts: z.infer<typeof PartRefSchema>[] = [...(resumed?.parts ?? [])];
  let buffer: ObjectEntry[] = [];
  let objectCount = resumed?.objectCount ?? 0;
  let bytes = resumed?.bytes ?? 0;
  /** Bytes of the objects in `buffer`, not in a part yet. */
  let bufferBytes = 0;
  const flush = async (): Promise<void> => {
    const key = partKey(inFlight.destinationPrefix, parts.length);
    await putJson(deps, bucket, key, { objects: buffer });
    parts.push({ key, first: buffer[0]!.key, last: buffer.at(-1)!.key, count: buffer.length });
    buffer = [];
    bufferBytes = 0;
  };
  for await (const page of listObjectPages(deps, bucket, taskPrefix, resumed?.parts.at(-1)?.last)) {
    // A million-object listing takes a while: at the deadline the export stays in flight (its task id
    // saved) with the parts written so far, and the next run goes on after them.
    if (deps.deadline && deps.deadline.remainingMs() <= 0) {
      if (parts.length > (resumed?.parts.length ?? 0)) {
        const flushed = { objectCount: objectCount - buffer.length, bytes: bytes - bufferBytes };
        await saveCheckpoint(deps, bucket, inFlight.destinationPrefix, { taskId, parts, ...flushed });
        progress.checkpointed = true;
      }
      throw new DeadlineReachedError(`the deadline came while verifying export ${taskId}`);
    }
    for (const o of page) {
      if (o.Key === undefined || o.Key.endsWith(`/${EXPORT_WRITE_TEST_OBJECT}`)) continue;
      buffer.push({ key: o.Key, size: o.Size ?? 0, ...(o.ETag === undefined ? {} : { etag: o.ETag }) });
      objectCount += 1;
      bytes += o.Size ?? 0;
      bufferBytes += o.Size ?? 0;
      if (buffer.length === PART_OBJECTS) await flush();
    }
  }
  const inline = parts.length === 0;
  if (!inline && buffer.length > 0) await flush();
  const window: ArchivedWindow = {
    fromMs: inFlight.fromMs,
    toMs: inFlight.toMs,
    taskId,
    destinationPrefix: inFlight.destinationPrefix,
    taskCreatedAtMs: inFlight.taskCreatedAtMs ?? inFlight.intentAtMs,
    objectCount,
    bytes,
  };
  const manifest: ExportManifest = {
    logGroupName,
    ...window,
    verifiedAtMs: deps.clock.now(),
    ...(inline ? { objects: buffer } : { parts }),
  };
  await putJson(deps, bucket, manifestKey(inFlight.destinationPrefix), manifest);
  if (resumed || progress.checkpointed) await dropCheckpoint(deps, bucket, inFlight.destinationPrefix);
  return { window, manifest };
}

/** Reads a window's manifest; undefined when there is none (or it is not of this shape). */
async function readExportManifest(
  deps: ManifestDeps,
  bucket: string,
  window: Pick<ArchivedWindow, 'destinationPrefix'>,
): Promise<ExportManifest | undefined> {
  const stored = await getJson<unknown>(deps, bucket, manifestKey(window.destinationPrefix));
  const parsed = stored ? ManifestSchema.safeParse(stored.value) : undefined;
  return parsed?.success ? parsed.data : undefined;
}

/**
 * Every object a manifest lists, part by part (one part in memory at a time).
 *
 * @example for await (const o of manifestObjects(deps, bucket, manifest)) console.log(o.key, o.size);
 */
async function* manifestObjects(
  deps: ManifestDeps,
  bucket: string,
  manifest: ExportManifest,
): AsyncGenerator<ObjectEntry> {
  yield* manifest.objects ?? [];
  for (const part of manifest.parts ?? []) yield* await readPart(deps, bucket, part.key);
}

async function readPart(deps: ManifestDeps, bucket: string, key: string): Promise<ObjectEntry[]> {
  const stored = await getJson<unknown>(deps, bucket, key);
  const parsed = stored ? PartSchema.safeParse(stored.value) : undefined;
  // A part the manifest names and S3 does not give back: no stream of it counts as archived.
  return parsed?.success ? parsed.data.objects : [];
}

/**
 * Whether an archived window holds objects for a stream, from its manifest, with bounded memory:
 * a small manifest's stream names are kept per window; a large one's parts are found by their key
 * ranges and only the few last used are kept.
 */
class ArchiveIndex {
  readonly #manifests = new Map<string, Promise<ExportManifest | undefined>>();
  readonly #inline = new Map<string, ReadonlySet<string>>();
  readonly #parts = new Map<string, Promise<ReadonlySet<string>>>();
  readonly #deps: ManifestDeps;
  readonly #bucket: string;

  public constructor(deps: ManifestDeps, bucket: string) {
    this.#deps = deps;
    this.#bucket = bucket;
  }

  /** A manifest this run has just written: no need to read it back. */
  public remember(manifest: ExportManifest): void {
    this.#manifests.set(manifest.taskId, Promise.resolve(manifest));
  }

  /** @example if (!(await index.holds(window, 'stream-a'))) skip('export holds no object for it'); */
  public async holds(window: ArchivedWindow, logStreamName: string): Promise<boolean> {
    let manifest = this.#manifests.get(window.taskId);
    if (!manifest) {
      // The promise is kept, not the result: many deletes ask about one window at the same moment.
      manifest = readExportManifest(this.#deps, this.#bucket, window);
      this.#manifests.set(window.taskId, manifest);
    }
    const m = await manifest;
    if (!m) return false;
    const taskPrefix = `${m.destinationPrefix}/${m.taskId}/`;
    if (m.objects) {
      let names = this.#inline.get(m.taskId);
      if (!names) {
        names = new Set(m.objects.map((o) => streamOfKey(o.key, taskPrefix)));
        this.#inline.set(m.taskId, names);
      }
      return names.has(logStreamName);
    }
    const low = `${taskPrefix}${logStreamName}/`;
    const high = `${low}\uffff`;
    for (const part of partsOverlapping(m.parts ?? [], low, high)) {
      if ((await this.#part(part.key, taskPrefix)).has(logStreamName)) return true;
    }
    return false;
  }

  #part(key: string, taskPrefix: string): Promise<ReadonlySet<string>> {
    const cached = this.#parts.get(key);
    if (cached) {
      // Most recently used last.
      this.#parts.delete(key);
      this.#parts.set(key, cached);
      return cached;
    }
    const loading = readPart(this.#deps, this.#bucket, key).then(
      (objects) => new Set(objects.map((o) => streamOfKey(o.key, taskPrefix))),
    );
    this.#parts.set(key, loading);
    while (this.#parts.size > PARTS_CACHED) this.#parts.delete(this.#parts.keys().next().value!);
    return loading;
  }
}

/** The parts whose key range meets `[low, high]`, found by binary search (parts are in key order). */
function partsOverlapping<T extends { first: string; last: string }>(
  parts: readonly T[],
  low: string,
  high: string,
): T[] {
  let lo = 0;
  let hi = parts.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (parts[mid]!.last < low) lo = mid + 1;
    else hi = mid;
  }
  const out: T[] = [];
  for (let i = lo; i < parts.length && parts[i]!.first <= high; i += 1) out.push(parts[i]!);
  return out;
}

export {
  ArchiveIndex,
  PART_OBJECTS,
  manifestObjects,
  partsOverlapping,
  readExportManifest,
  streamOfKey,
  writeExportManifest,
};
export type { ExportManifest, ObjectEntry };
