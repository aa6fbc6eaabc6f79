/**
 * Where an earlier invocation stopped, so that the next one carries on instead of starting again: the
 * walk over the selected groups, and each group's listing of streams. A cursor only saves work: every
 * decision is still made on the metadata read when a page is read, so an old, lost or unreadable cursor
 * costs a longer listing, never an event. A cursor is ignored (and replaced) when it is older than
 * {@link CURSOR_MAX_AGE_MS} or does not parse.
 */
import { z } from 'zod';
import { MS_PER_HOUR } from '../constants.js';
import { StateCorruptError } from '../errors.js';
import type { Deps } from '../deps.js';
import { deleteObject, getJson, putJson, type Stored } from './s3Objects.js';
import { groupKey } from './keys.js';

/**
 * A cursor older than this starts its listing again. Listing tokens of CloudWatch Logs are opaque and
 * their lifetime is not documented (GetLogEvents' expire after 24 h); a day-old walk is stale anyway.
 */
const CURSOR_MAX_AGE_MS = 12 * MS_PER_HOUR;

type CursorDeps = Pick<Deps, 'clients' | 'call' | 'logger' | 'clock'>;
type CursorConfig = { readonly bucket: string; readonly bucketPrefix: string };

const StreamCursorSchema = z.object({
  schemaVersion: z.literal(1),
  logGroupName: z.string(),
  /** DescribeLogStreams' token for the first page not yet fully acted on. */
  nextToken: z.string().min(1),
  savedAtMs: z.number(),
  /** Streams listed before this point, and the Σ of their weights (for the group's estimates). */
  streamsBefore: z.number().int().nonnegative(),
  weightBefore: z.number().nonnegative(),
});
type StreamCursor = z.infer<typeof StreamCursorSchema>;

const FleetCursorSchema = z.object({
  schemaVersion: z.literal(1),
  /** The selection the walk was made for: another selection starts from the first group. */
  selection: z.string(),
  /** Every selected group up to and including this name was finished. */
  afterGroupName: z.string(),
  /** The walk item (src/plan/selectionWalk.ts, walkItemKey) whose listing held that group, and the token of its page. */
  itemKey: z.string().exactOptional(),
  pageToken: z.string().exactOptional(),
  savedAtMs: z.number(),
});
type FleetCursor = z.infer<typeof FleetCursorSchema>;

const streamCursorKey = (prefix: string, logGroupName: string): string =>
  `${prefix}/state/cursors/${groupKey(logGroupName)}.json`;
const fleetCursorKey = (prefix: string): string => `${prefix}/state/cursors/fleet.json`;

async function readCursor<T extends { savedAtMs: number }>(
  deps: CursorDeps,
  bucket: string,
  key: string,
  schema: z.ZodType<T>,
): Promise<T | undefined> {
  let stored: Stored<unknown> | undefined;
  try {
    stored = await getJson<unknown>(deps, bucket, key);
  } catch (err) {
    // An unparseable object: the listing starts again (and the next save replaces it).
    if (!(err instanceof StateCorruptError)) throw err;
    deps.logger.warn({ bucket, key, err }, 'ignoring an unreadable cursor; listing from the start');
    return undefined;
  }
  if (!stored) return undefined;
  const parsed = schema.safeParse(stored.value);
  if (!parsed.success) {
    deps.logger.warn(
      { bucket, key, issues: parsed.error.issues.length },
      'ignoring a cursor of another shape; listing from the start',
    );
    return undefined;
  }
  if (deps.clock.now() - parsed.data.savedAtMs > CURSOR_MAX_AGE_MS) return undefined;
  return parsed.data;
}

/**
 * The saved listing position of one group's streams, if any and recent.
 *
 * @example const cursor = await loadStreamCursor(deps, config, '/aws/lambda/app');
 */
function loadStreamCursor(
  deps: CursorDeps,
  config: CursorConfig,
  logGroupName: string,
): Promise<StreamCursor | undefined> {
  return readCursor(deps, config.bucket, streamCursorKey(config.bucketPrefix, logGroupName), StreamCursorSchema);
}

async function saveStreamCursor(
  deps: CursorDeps,
  config: CursorConfig,
  cursor: Omit<StreamCursor, 'schemaVersion' | 'savedAtMs'>,
): Promise<void> {
  const value: StreamCursor = { schemaVersion: 1, ...cursor, savedAtMs: deps.clock.now() };
  await putJson(deps, config.bucket, streamCursorKey(config.bucketPrefix, cursor.logGroupName), value);
}

/** The listing reached the group's last stream: the next run lists it from the start. */
async function clearStreamCursor(deps: CursorDeps, config: CursorConfig, logGroupName: string): Promise<void> {
  await deleteObject(deps, config.bucket, streamCursorKey(config.bucketPrefix, logGroupName));
}

/** @example const fleet = await loadFleetCursor(deps, config, selectionKey(config.selection)); */
async function loadFleetCursor(
  deps: CursorDeps,
  config: CursorConfig,
  selection: string,
): Promise<FleetCursor | undefined> {
  const cursor = await readCursor(deps, config.bucket, fleetCursorKey(config.bucketPrefix), FleetCursorSchema);
  return cursor?.selection === selection ? cursor : undefined;
}

async function saveFleetCursor(
  deps: CursorDeps,
  config: CursorConfig,
  selection: string,
  at: { readonly afterGroupName: string; readonly itemKey?: string; readonly pageToken?: string },
): Promise<void> {
  const value: FleetCursor = { schemaVersion: 1, selection, ...at, savedAtMs: deps.clock.now() };
  await putJson(deps, config.bucket, fleetCursorKey(config.bucketPrefix), value);
}

/** The walk reached the last selected group: the next run starts at the first. */
async function clearFleetCursor(deps: CursorDeps, config: CursorConfig): Promise<void> {
  await deleteObject(deps, config.bucket, fleetCursorKey(config.bucketPrefix));
}

export {
  CURSOR_MAX_AGE_MS,
  clearFleetCursor,
  clearStreamCursor,
  fleetCursorKey,
  loadFleetCursor,
  loadStreamCursor,
  saveFleetCursor,
  saveStreamCursor,
  streamCursorKey,
};
export type { CursorConfig, FleetCursor, StreamCursor };
