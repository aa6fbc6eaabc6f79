import { hostname } from 'node:os';
import { performance } from 'node:perf_hooks';
import { DeleteObjectCommand, GetObjectCommand, HeadObjectCommand } from '@aws-sdk/client-s3';
import { z } from 'zod';
import { callAws, errorName } from '../aws/callAws.js';
import { MS_PER_MINUTE } from '../constants.js';
import { withSignal, type Deps } from '../deps.js';
import { LeaseHeldError, StateConflictError } from '../errors.js';
import { duration } from '../plan/lockState.js';
import type { Config } from '../types.js';
import { leaseKey } from './keys.js';
import { renewEvery } from './renewal.js';
import { deleteObject, putJson } from './s3Objects.js';

/** The lease object. Times in it are the writer's and informative only: expiry is judged by S3's clock. */
const LeaseBodySchema = z.object({
  runId: z.string(),
  holder: z.string(),
  acquiredAtMs: z.number(),
  /** How long the lease holds after its last write (Last-Modified, S3's clock). Absent in older leases. */
  ttlMs: z.number().int().positive().optional(),
  /** Written by older versions (their own clock); ignored. */
  expiresAtMs: z.number().optional(),
});
type LeaseBody = z.infer<typeof LeaseBodySchema>;

interface Lease {
  /** Fires once, when the lease is lost (taken, or not renewed in time) or released. */
  readonly signal: AbortSignal;
  /** The run's deps, stopped by {@link signal}: every call and sleep of the run goes through these. */
  readonly deps: Deps;
  /** Pushes the expiry forward; throws LeaseHeldError (and fires the signal) if another run took the lease meanwhile. */
  renew(): Promise<void>;
  /** Stops renewing and gives the lease up, only if it is still ours (a conditional delete). Never throws. */
  release(): Promise<void>;
}

interface LeaseOptions {
  /** 0: no automatic renewal (tests call renew()). @default a fifth of the ttl */
  readonly renewEveryMs?: number;
  /** The holder stops this long before others may judge the lease expired. @default a minute, at most ttl/4 */
  readonly safetyMarginMs?: number;
  readonly monotonicMs?: () => number;
}

type LeaseDeps = Deps;

interface HeldLease {
  readonly body: LeaseBody;
  readonly etag: string;
  /** S3's time of the lease's last write. */
  readonly lastModifiedMs: number;
}

async function readLease(deps: LeaseDeps, bucket: string, key: string): Promise<HeldLease | undefined> {
  try {
    const out = await callAws(deps.call, 'GetObject', () =>
      deps.clients.s3.send(new GetObjectCommand({ Bucket: bucket, Key: key })),
    );
    const text = await out.Body!.transformToString();
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    const body = LeaseBodySchema.safeParse(parsed);
    if (!body.success) {
      throw new LeaseHeldError(
        `s3://${bucket}/${key} is not a cwl-trim lease (${body.error.issues[0]?.message ?? 'unreadable'}); delete it if no run is working`,
      );
    }
    return { body: body.data, etag: out.ETag ?? '', lastModifiedMs: out.LastModified?.getTime() ?? 0 };
  } catch (err) {
    if (errorName(err) === 'NoSuchKey' || errorName(err) === 'NotFound') return undefined;
    throw err;
  }
}

/**
 * S3's own "now": the Last-Modified of an object we just wrote. No host's clock is trusted to judge
 * another run's lease (a host 21 minutes off once took a live lease and lost events).
 */
async function serverNowMs(deps: LeaseDeps, bucket: string, key: string): Promise<number> {
  const probe = `${key.replace(/\.json$/, '')}-probe-${deps.runId}.json`;
  await putJson(deps, bucket, probe, { runId: deps.runId, purpose: 'reads S3 time to judge the lease' });
  const head = await callAws(deps.call, 'HeadObject', () =>
    deps.clients.s3.send(new HeadObjectCommand({ Bucket: bucket, Key: probe })),
  );
  await deleteObject(deps, bucket, probe);
  return head.LastModified?.getTime() ?? 0;
}

/**
 * Takes the archive prefix's lease so that two runs with the same bucket and prefix never move the
 * same watermark or journal at once (the per-group lock, src/archive/groupLock.ts, keeps runs with
 * other settings apart). It is an S3 object written with conditional writes:
 * - a lease whose last write (S3's Last-Modified) is older than its ttl, by S3's clock, is taken
 *   over, conditional on its ETag;
 * - a conditional write that fails because of our own earlier attempt (a lost response, retried) is
 *   recognised by the run id in the object, and is ours;
 * - while held it renews itself; a renewal refused (another run took it) or none confirmed for
 *   `ttl − margin` of this process's monotonic time fires {@link Lease.signal}, which stops every
 *   call made through {@link Lease.deps} before it is sent.
 *
 * @example const lease = await acquireLease(deps, config, 6 * 60_000); try { … lease.deps … } finally { await lease.release(); }
 */
async function acquireLease(
  deps: LeaseDeps,
  config: Pick<Config, 'bucket' | 'bucketPrefix'>,
  ttlMs: number,
  options: LeaseOptions = {},
): Promise<Lease> {
  const { bucket } = config;
  const key = leaseKey(config.bucketPrefix);
  const monotonic = options.monotonicMs ?? performance.now.bind(performance);
  const body = (): LeaseBody => ({
    runId: deps.runId,
    holder: `${hostname()}:${process.pid}`,
    acquiredAtMs: deps.clock.now(),
    ttlMs,
  });
  const sentAt = monotonic();
  let etag = await take(deps, bucket, key, body, ttlMs);
  let confirmedMono = sentAt;

  const controller = new AbortController();
  const marginMs = options.safetyMarginMs ?? Math.min(MS_PER_MINUTE, ttlMs / 4);
  const lose = (err: Error): never => {
    if (!controller.signal.aborted) {
      deps.logger.error({ err }, 'the archive lease is lost: the run stops before its next call');
      controller.abort(err);
    }
    throw controller.signal.reason;
  };
  const checkInTime = (): void => {
    if (controller.signal.aborted) return;
    const since = monotonic() - confirmedMono;
    if (since >= ttlMs - marginMs) {
      lose(
        new LeaseHeldError(
          `the lease s3://${bucket}/${key} was not renewed for ${duration(since)}; another run may hold it now`,
        ),
      );
    }
  };
  const renew = async (): Promise<void> => {
    if (controller.signal.aborted) throw controller.signal.reason;
    checkInTime();
    const at = monotonic();
    try {
      etag = await putJson(deps, bucket, key, body(), { ifMatch: etag });
    } catch (err) {
      if (!(err instanceof StateConflictError)) throw err;
      const held = await readLease(deps, bucket, key);
      // Our own write whose answer was lost (and the retry refused): still ours.
      if (held?.body.runId === deps.runId) etag = held.etag;
      else
        lose(
          new LeaseHeldError(
            `the lease s3://${bucket}/${key} was taken by another run${held ? ` (${held.body.runId} on ${held.body.holder})` : ''}`,
            { cause: err },
          ),
        );
    }
    confirmedMono = at;
  };
  const timer = renewEvery(options.renewEveryMs ?? Math.round(ttlMs / 5), renew, (err) => {
    if (!controller.signal.aborted) deps.logger.warn({ err }, 'could not renew the lease; trying again');
  });
  let released = false;
  return {
    signal: controller.signal,
    deps: withSignal(deps, controller.signal, () => {
      try {
        checkInTime();
      } catch {
        // the signal fired: withSignal's callers see it aborted
      }
    }),
    renew,
    async release() {
      if (released) return;
      released = true;
      if (timer) clearInterval(timer);
      if (!controller.signal.aborted) controller.abort(new LeaseHeldError('the lease was released'));
      await deleteIfOurs(deps, bucket, key);
    },
  };
}

/** Deletes the lease if this run still holds it; a run that took it after ours expired keeps it (conditional delete). */
async function deleteIfOurs(deps: LeaseDeps, bucket: string, key: string): Promise<void> {
  try {
    const held = await readLease(deps, bucket, key);
    if (held?.body.runId !== deps.runId) return;
    await callAws(deps.call, 'DeleteObject', () =>
      deps.clients.s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: key, IfMatch: held.etag })),
    );
  } catch (err) {
    deps.logger.warn({ err }, 'could not release the lease; it expires by itself');
  }
}

/** The create, or the takeover of an expired lease; throws LeaseHeldError while another run holds it. */
async function take(
  deps: LeaseDeps,
  bucket: string,
  key: string,
  body: () => LeaseBody,
  ttlMs: number,
): Promise<string> {
  try {
    return await putJson(deps, bucket, key, body(), { ifNoneMatch: '*' });
  } catch (err) {
    if (!(err instanceof StateConflictError)) throw err;
  }
  const held = await readLease(deps, bucket, key);
  if (!held) return putJsonOrHeld(deps, bucket, key, body(), { ifNoneMatch: '*' });
  // A lost answer to our own create: the object is ours.
  if (held.body.runId === deps.runId) return held.etag;
  const heldTtlMs = held.body.ttlMs ?? ttlMs;
  const now = await serverNowMs(deps, bucket, key);
  const ageMs = now - held.lastModifiedMs;
  if (ageMs < heldTtlMs) {
    throw new LeaseHeldError(
      `another cwl-trim run (${held.body.runId} on ${held.body.holder}) holds s3://${bucket}/${key}: renewed ${duration(ageMs)} ago ` +
        `by S3's clock, it expires in ${duration(heldTtlMs - ageMs)} unless renewed. A run renews it every minute while it works; ` +
        `if that run was killed, the next run after that takes it over (or delete the object)`,
    );
  }
  deps.logger.warn({ holder: held.body.runId, ageMs }, 'the lease expired (by S3 time): taking it over');
  return putJsonOrHeld(deps, bucket, key, body(), { ifMatch: held.etag });
}

async function putJsonOrHeld(
  deps: LeaseDeps,
  bucket: string,
  key: string,
  value: LeaseBody,
  condition: { ifMatch?: string; ifNoneMatch?: '*' },
): Promise<string> {
  try {
    return await putJson(deps, bucket, key, value, condition);
  } catch (raced) {
    if (!(raced instanceof StateConflictError)) throw raced;
    const held = await readLease(deps, bucket, key);
    if (held?.body.runId === deps.runId) return held.etag;
    throw new LeaseHeldError('another cwl-trim run took the lease first', { cause: raced });
  }
}

export { LeaseBodySchema, acquireLease };
export type { Lease, LeaseBody, LeaseOptions };
