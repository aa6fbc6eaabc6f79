import { z } from 'zod';
import { StateConflictError, StateCorruptError } from '../errors.js';
import type { Config, GroupState } from '../types.js';
import { stateKey } from './keys.js';
import { getBytes, getValidated, putJson, type S3Deps } from './s3Objects.js';

/**
 * A group's state as last read or written, with the ETag that makes the next write conditional:
 * two writers can never silently overwrite each other's watermark.
 */
interface StateRef {
  state: GroupState;
  etag?: string;
}

type StoreConfig = Pick<Config, 'bucket' | 'bucketPrefix'>;

/** The version written today; objects written before versions existed read as version 1. */
const GROUP_STATE_VERSION = 1;

const ms = z.number().int();
const WindowSchema = z.object({ fromMs: ms, toMs: ms });
const ArchivedWindowSchema = WindowSchema.extend({
  taskId: z.string().min(1),
  destinationPrefix: z.string().min(1),
  taskCreatedAtMs: ms,
  objectCount: z.number().int().nonnegative(),
  bytes: z.number().nonnegative(),
});
const InFlightExportSchema = WindowSchema.extend({
  destinationPrefix: z.string().min(1),
  taskId: z.string().min(1).exactOptional(),
  intentAtMs: ms,
  taskCreatedAtMs: ms.exactOptional(),
});
const GroupStateSchema = z.object({
  version: z.literal(GROUP_STATE_VERSION).exactOptional(),
  logGroupName: z.string().min(1),
  archivedThroughMs: ms.exactOptional(),
  windows: z.array(ArchivedWindowSchema),
  inFlight: InFlightExportSchema.exactOptional(),
});

const FIX_STATE =
  "It holds the group's watermark and archived windows: restore an earlier version (S3 versioning), " +
  'or move it aside to have the group archived again from scratch (its exports stay in S3)';

/**
 * Reads a group's state, validated; a group never archived starts with no watermark and no windows.
 * A damaged object is a {@link StateCorruptError} naming it and the fix.
 */
async function loadGroupState(deps: S3Deps, config: StoreConfig, logGroupName: string): Promise<StateRef> {
  const key = stateKey(config.bucketPrefix, logGroupName);
  const stored = await getValidated(deps, config.bucket, key, GroupStateSchema, FIX_STATE);
  if (!stored) return { state: { logGroupName, windows: [] } };
  const { version: _version, ...state } = stored.value;
  if (state.logGroupName !== logGroupName) {
    throw new StateCorruptError(
      config.bucket,
      key,
      `holds the state of ${state.logGroupName}, not of ${logGroupName}`,
      FIX_STATE,
    );
  }
  return { state, etag: stored.etag };
}

/**
 * Writes a group's new state, conditional on the version read last (or on there being none), and
 * updates the reference. Throws StateConflictError when another run wrote in between.
 */
async function saveGroupState(deps: S3Deps, config: StoreConfig, ref: StateRef, next: GroupState): Promise<void> {
  const key = stateKey(config.bucketPrefix, next.logGroupName);
  const body = { version: GROUP_STATE_VERSION, ...next };
  let etag: string;
  try {
    etag = await putJson(deps, config.bucket, key, body, ref.etag ? { ifMatch: ref.etag } : { ifNoneMatch: '*' });
  } catch (err) {
    if (!(err instanceof StateConflictError)) throw err;
    // A retry after a lost answer finds our own write: the condition fails against it. What is
    // stored is then exactly what we wrote; anything else is another writer's.
    const stored = await getBytes(deps, config.bucket, key);
    if (!stored || !stored.value.equals(Buffer.from(JSON.stringify(body), 'utf8'))) throw err;
    etag = stored.etag;
  }
  ref.state = next;
  ref.etag = etag;
}

export { GroupStateSchema, loadGroupState, saveGroupState };
export type { StateRef, StoreConfig };
