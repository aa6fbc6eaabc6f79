import { hostname } from 'node:os';
import type { Deps } from '../deps.js';
import { LeaseHeldError, StateConflictError } from '../errors.js';
import type { Config } from '../types.js';
import { leaseKey } from './keys.js';
import { deleteObject, getJson, putJson } from './s3Objects.js';

interface LeaseBody {
  readonly runId: string;
  readonly holder: string;
  readonly acquiredAtMs: number;
  readonly expiresAtMs: number;
}

interface Lease {
  /** Pushes the expiry forward; throws LeaseHeldError if another run took the lease meanwhile. */
  renew(): Promise<void>;
  /** Gives the lease up (only if it is still ours). */
  release(): Promise<void>;
}

type LeaseDeps = Pick<Deps, 'clients' | 'call' | 'clock' | 'runId'>;

/**
 * Takes the archive prefix's lease so that two runs (the schedule and a manual invoke, say) never
 * rebuild the same stream or move the same watermark at once. It is an S3 object written with a
 * conditional write; an expired lease (a run that died) is taken over, conditional on its ETag.
 *
 * @example const lease = await acquireLease(deps, config, 20 * 60_000); try { … } finally { await lease.release(); }
 */
async function acquireLease(deps: LeaseDeps, config: Pick<Config, 'bucket' | 'bucketPrefix'>, ttlMs: number): Promise<Lease> {
  const key = leaseKey(config.bucketPrefix);
  const body = (): LeaseBody => {
    const now = deps.clock.now();
    return { runId: deps.runId, holder: `${hostname()}:${process.pid}`, acquiredAtMs: now, expiresAtMs: now + ttlMs };
  };
  let etag: string;
  try {
    etag = await putJson(deps, config.bucket, key, body(), { ifNoneMatch: '*' });
  } catch (err) {
    if (!(err instanceof StateConflictError)) throw err;
    const held = await getJson<LeaseBody>(deps, config.bucket, key);
    if (held && held.value.expiresAtMs > deps.clock.now()) {
      throw new LeaseHeldError(
        `another cwl-trim run (${held.value.runId} on ${held.value.holder}) holds s3://${config.bucket}/${key} until ` +
          `${new Date(held.value.expiresAtMs).toISOString()}; try again later, or delete that object if that run is dead`,
      );
    }
    try {
      etag = await putJson(deps, config.bucket, key, body(), held ? { ifMatch: held.etag } : { ifNoneMatch: '*' });
    } catch (raced) {
      if (raced instanceof StateConflictError) throw new LeaseHeldError('another cwl-trim run took the lease first', { cause: raced });
      throw raced;
    }
  }
  return {
    async renew() {
      try {
        etag = await putJson(deps, config.bucket, key, body(), { ifMatch: etag });
      } catch (err) {
        if (err instanceof StateConflictError) throw new LeaseHeldError('the lease was taken by another run', { cause: err });
        throw err;
      }
    },
    async release() {
      const held = await getJson<LeaseBody>(deps, config.bucket, key);
      if (held?.value.runId === deps.runId) await deleteObject(deps, config.bucket, key);
    },
  };
}

export { acquireLease };
export type { Lease, LeaseBody };
