/**
 * The archive's index, read through ONE function ({@link readGroupIndex}): a group's state object
 * (watermark, windows, export in flight) and each window's manifest (the objects of its export).
 * Every archive command reads the archive through here, so a change of the stored format (manifests
 * split into parts, a new field) is a change in this file only. Everything read is validated (zod):
 * a bad object is reported as a problem of its window, never trusted.
 *
 * Layout read (keys.ts writes it):
 *   <prefix>/state/groups/<group, / → ~>.json                 the state: windows, archivedThroughMs
 *   <prefix>/exports/<group>/<fromMs>-<toMs>/manifest.json      a window's manifest: { objects: [{ key, size }] }
 *   <prefix>/exports/<group>/<fromMs>-<toMs>/<taskId>/<stream>/000000.gz   the export's objects
 *   <prefix>/exports/<group>/late/<stream>-<created>/<taskId>/manifest.json  a catch-up of late writers
 *     (src/archive/catchUp.ts): { logStreamName, fromMs, toMs, objects }, its object in export lines beside it
 */
import { z } from 'zod';
import { StateCorruptError } from '../errors.js';
import { groupKey, groupNameOfKey, manifestKey, stateKey, stateListPrefix } from '../archive/keys.js';
import { getJson, listObjects, type S3Deps, type Stored } from '../archive/s3Objects.js';
import type { Config } from '../types.js';

type IndexConfig = Pick<Config, 'bucket' | 'bucketPrefix'>;

const windowSchema = z.looseObject({
  fromMs: z.number().int(),
  toMs: z.number().int(),
  taskId: z.string().min(1),
  destinationPrefix: z.string().min(1),
  taskCreatedAtMs: z.number(),
  objectCount: z.number().int().nonnegative(),
  bytes: z.number().nonnegative(),
});

const stateSchema = z.looseObject({
  logGroupName: z.string().min(1),
  archivedThroughMs: z.number().int().optional(),
  windows: z.array(windowSchema),
  inFlight: z
    .looseObject({ fromMs: z.number(), toMs: z.number(), destinationPrefix: z.string(), taskId: z.string().optional() })
    .optional(),
});

const manifestObjectSchema = z.looseObject({
  key: z.string().min(1),
  size: z.number().int().nonnegative(),
  /** Recorded by later versions; checked by `archive verify` when present. */
  etag: z.string().optional(),
  checksumSha256: z.string().optional(),
});

const manifestSchema = z.looseObject({
  logGroupName: z.string(),
  fromMs: z.number().int(),
  toMs: z.number().int(),
  taskId: z.string().min(1),
  destinationPrefix: z.string().min(1),
  verifiedAtMs: z.number().optional(),
  /** A small export lists its objects inline; a large one in parts beside the manifest (src/archive/exportManifest.ts). */
  objects: z.array(manifestObjectSchema).optional(),
  parts: z.array(z.object({ key: z.string(), first: z.string(), last: z.string(), count: z.number() })).optional(),
});

type StateWindow = z.output<typeof windowSchema>;
type GroupStateView = z.output<typeof stateSchema>;
interface ManifestView {
  readonly logGroupName: string;
  readonly fromMs: number;
  readonly toMs: number;
  readonly taskId: string;
  readonly destinationPrefix: string;
  readonly verifiedAtMs?: number;
  /** How many objects the manifest lists (inline, or the sum of its parts' counts). */
  readonly objectCount: number;
  /** The keys of the parts beside the manifest that list its objects (a large export): part of the archive, not unlisted. */
  readonly partKeys?: readonly string[];
}
type ManifestObject = z.output<typeof manifestObjectSchema>;
type ManifestRead = z.output<typeof manifestSchema>;

/** One window of the state, with its manifest when it could be read. */
interface WindowEntry {
  readonly window: StateWindow;
  readonly manifestKey: string;
  readonly manifest?: ManifestView;
  /** Why the manifest is not usable (missing, unreadable, disagreeing with the state). */
  readonly problem?: string;
}

interface GroupIndex {
  readonly logGroupName: string;
  readonly stateKey: string;
  /** Undefined when the group was never archived (no state object). */
  readonly state?: GroupStateView;
  /** Why the state object is not usable. */
  readonly stateProblem?: string;
  readonly windows: readonly WindowEntry[];
}

/** Manifests read at once. */
const MANIFEST_READS_AT_ONCE = 8;

const describeZod = (err: z.ZodError): string =>
  err.issues
    .slice(0, 3)
    .map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`)
    .join('; ');

async function readValidated<T>(
  deps: S3Deps,
  bucket: string,
  key: string,
  schema: z.ZodType<T>,
): Promise<{ value?: T; problem?: string }> {
  let stored: Stored<unknown> | undefined;
  try {
    stored = await getJson<unknown>(deps, bucket, key);
  } catch (err) {
    if (err instanceof SyntaxError || err instanceof StateCorruptError)
      return { problem: `s3://${bucket}/${key} is not valid JSON` };
    throw err;
  }
  if (stored === undefined) return { problem: `s3://${bucket}/${key} is missing` };
  const parsed = schema.safeParse(stored.value);
  return parsed.success
    ? { value: parsed.data }
    : { problem: `s3://${bucket}/${key} is malformed (${describeZod(parsed.error)})` };
}

function manifestProblem(window: StateWindow, manifest: ManifestView): string | undefined {
  if (manifest.taskId !== window.taskId || manifest.fromMs !== window.fromMs || manifest.toMs !== window.toMs) {
    return (
      `the manifest (task ${manifest.taskId}, ${manifest.fromMs}–${manifest.toMs}) disagrees with the state ` +
      `(task ${window.taskId}, ${window.fromMs}–${window.toMs})`
    );
  }
  if (manifest.objectCount !== window.objectCount) {
    return `the manifest lists ${manifest.objectCount} objects, the state says ${window.objectCount}`;
  }
  return undefined;
}

/**
 * Reads one group's index: its state and every window's manifest, validated, without the objects they
 * list (about 470 bytes an object: a window's objects are read a page at a time when needed, windowPages.ts).
 * Read-only.
 *
 * @example
 * const index = await readGroupIndex(deps, config, '/app/orders');
 * for (const w of index.windows) console.log(w.window.fromMs, w.manifest?.objectCount ?? w.problem);
 */
async function readGroupIndex(deps: S3Deps, config: IndexConfig, logGroupName: string): Promise<GroupIndex> {
  const key = stateKey(config.bucketPrefix, logGroupName);
  const { value: state, problem: stateProblem } = await readValidated(deps, config.bucket, key, stateSchema);
  if (state === undefined) {
    const neverArchived = stateProblem?.endsWith('is missing') === true;
    return { logGroupName, stateKey: key, windows: [], ...(neverArchived ? {} : { stateProblem: stateProblem! }) };
  }
  const windows: WindowEntry[] = new Array<WindowEntry>(state.windows.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    for (let i = next++; i < state.windows.length; i = next++) {
      const window = state.windows[i]!;
      const mKey = manifestKey(window.destinationPrefix);
      const { value: read, problem } = await readValidated(deps, config.bucket, mKey, manifestSchema);
      const manifest = read && withoutObjects(read);
      const disagreement = manifest && manifestProblem(window, manifest);
      windows[i] = {
        window,
        manifestKey: mKey,
        ...(manifest && { manifest }),
        ...((problem ?? disagreement) && { problem: (problem ?? disagreement)! }),
      };
    }
  };
  await Promise.all(Array.from({ length: Math.min(MANIFEST_READS_AT_ONCE, state.windows.length) }, worker));
  return { logGroupName, stateKey: key, state, windows };
}

/** A manifest without its objects, counted from the manifest alone. */
function withoutObjects(m: z.output<typeof manifestSchema>): ManifestView {
  return {
    logGroupName: m.logGroupName,
    fromMs: m.fromMs,
    toMs: m.toMs,
    taskId: m.taskId,
    destinationPrefix: m.destinationPrefix,
    ...(m.verifiedAtMs === undefined ? {} : { verifiedAtMs: m.verifiedAtMs }),
    objectCount: (m.objects?.length ?? 0) + (m.parts ?? []).reduce((n, p) => n + p.count, 0),
    ...(m.parts === undefined ? {} : { partKeys: m.parts.map((p) => p.key) }),
  };
}

const catchUpSchema = z.looseObject({
  logStreamName: z.string().min(1),
  fromMs: z.number().int(),
  toMs: z.number().int(),
  objects: z.array(manifestObjectSchema),
});

/** A catch-up of late writers: the events a stream received after its window was exported, archived by cwl-trim. */
interface CatchUpEntry {
  readonly manifestKey: string;
  readonly manifest?: z.output<typeof catchUpSchema>;
  readonly problem?: string;
}

/** Where src/archive/catchUp.ts writes a group's catch-ups (each folder with its manifest.json). */
const catchUpListPrefix = (config: IndexConfig, logGroupName: string): string =>
  `${config.bucketPrefix}/exports/${groupKey(logGroupName)}/late/`;

/**
 * The group's catch-ups, each manifest read and validated (one listing, one GET per catch-up). Read-only.
 *
 * @example for (const c of await readCatchUps(deps, config, '/app/orders')) console.log(c.manifest?.logStreamName ?? c.problem);
 */
async function readCatchUps(deps: S3Deps, config: IndexConfig, logGroupName: string): Promise<CatchUpEntry[]> {
  const keys = (await listObjects(deps, config.bucket, catchUpListPrefix(config, logGroupName)))
    .map((o) => o.Key ?? '')
    .filter((k) => k.endsWith('/manifest.json'))
    .sort();
  const entries: CatchUpEntry[] = [];
  for (const key of keys) {
    const { value, problem } = await readValidated(deps, config.bucket, key, catchUpSchema);
    entries.push({ manifestKey: key, ...(value && { manifest: value }), ...(problem !== undefined && { problem }) });
  }
  return entries;
}

/** The groups that have a state object under the prefix, sorted by name. */
async function listIndexedGroups(deps: S3Deps, config: IndexConfig): Promise<string[]> {
  const prefix = stateListPrefix(config.bucketPrefix);
  const objects = await listObjects(deps, config.bucket, prefix);
  return objects
    .map((o) => o.Key ?? '')
    .filter((k) => k.endsWith('.json') && !k.slice(prefix.length).includes('/'))
    .map((k) => groupNameOfKey(k.slice(prefix.length, -'.json'.length)))
    .sort();
}

/** The windows of an index that can be read (manifest present and consistent), with their state entries. */
function readableEntries(index: GroupIndex): StateWindow[] {
  return index.windows.flatMap((w) => (w.manifest && w.problem === undefined ? [w.window] : []));
}

export {
  catchUpListPrefix,
  listIndexedGroups,
  readCatchUps,
  readGroupIndex,
  manifestObjectSchema,
  manifestProblem,
  withoutObjects,
  manifestSchema,
  readValidated,
  readableEntries,
};
export type {
  CatchUpEntry,
  GroupIndex,
  GroupStateView,
  IndexConfig,
  ManifestObject,
  ManifestRead,
  ManifestView,
  StateWindow,
  WindowEntry,
};
