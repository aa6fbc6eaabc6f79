import type { Config, GroupState } from '../types.js';
import { stateKey } from './keys.js';
import { getJson, putJson, type S3Deps } from './s3Objects.js';

/**
 * A group's state as last read or written, with the ETag that makes the next write conditional:
 * two writers can never silently overwrite each other's watermark.
 */
interface StateRef {
  state: GroupState;
  etag?: string;
}

type StoreConfig = Pick<Config, 'bucket' | 'bucketPrefix'>;

/** Reads a group's state; a group never archived starts with no watermark and no windows. */
async function loadGroupState(deps: S3Deps, config: StoreConfig, logGroupName: string): Promise<StateRef> {
  const stored = await getJson<GroupState>(deps, config.bucket, stateKey(config.bucketPrefix, logGroupName));
  if (!stored) return { state: { logGroupName, windows: [] } };
  return { state: stored.value, etag: stored.etag };
}

/**
 * Writes a group's new state, conditional on the version read last (or on there being none), and
 * updates the reference. Throws StateConflictError when another run wrote in between.
 */
async function saveGroupState(deps: S3Deps, config: StoreConfig, ref: StateRef, next: GroupState): Promise<void> {
  const key = stateKey(config.bucketPrefix, next.logGroupName);
  const etag = await putJson(deps, config.bucket, key, next, ref.etag ? { ifMatch: ref.etag } : { ifNoneMatch: '*' });
  ref.state = next;
  ref.etag = etag;
}

export { loadGroupState, saveGroupState };
export type { StateRef, StoreConfig };
