/**
 * One cwl-trim run per log group, whatever the settings: a lock in the group's account and Region in
 * CloudWatch Logs, so that every run that can touch the group sees it (another bucket, another prefix,
 * a laptop next to the scheduled function), and that no host's clock can move.
 *
 * - **Where**: the stream named as the group in the account's lock group {@link LOCK_GROUP_NAME}
 *   (created with a 1-day retention by the first run that needs it), not in the group: the group's
 *   listing, subscribers and metric filters never see it.
 * - **Take**: `CreateLogStream` of that stream is an atomic create-or-fail; the winner writes its
 *   claim (run id, host, ttl) into it.
 * - **Hold**: a heartbeat event every `renewEveryMs`; each renewal also checks that the stream is
 *   still the one we created: the incarnation that holds our claim (its nonce, read back with
 *   GetLogEvents; a stream created again by another run cannot hold it). A lock we no longer hold, or
 *   could not renew for `ttl − margin` of this process's monotonic time, fires {@link GroupLock.signal}:
 *   every call and sleep made through {@link GroupLock.deps} stops before it is sent.
 * - **Cost**: events are stamped by CloudWatch's clock, learnt from the first lock a run creates
 *   (its creation time, one DescribeLogStreams) and kept per client; later locks of the run make no
 *   DescribeLogStreams call at all (a fleet lists each group once, not once plus its lock).
 * - **Judge** another run's lock: our own probe event, read back, carries CloudWatch's "now" as its
 *   ingestion time; the holder's last heartbeat carries CloudWatch's time too. Expired when
 *   `now − lastHeartbeat ≥ ttl`. DescribeLogStreams' lastIngestionTime lags up to an hour: never used.
 * - **Take over** an expired lock: delete it (only if it is still the incarnation we judged) and
 *   create it again; whoever loses that create leaves the group alone.
 * - **Release**: delete the stream, only if it still holds our claim.
 *
 * @example
 * const taken = await acquireGroupLock(deps, '/app/orders');
 * if (!taken.acquired) return skip(taken.detail);
 * try { await work(taken.lock.deps); } finally { await taken.lock.release(); }
 */
import { performance } from 'node:perf_hooks';
import { errorName } from '../aws/callAws.js';
import { deleteStream, describeStream, putEvents } from '../aws/logStreams.js';
import { MS_PER_MINUTE } from '../constants.js';
import { withSignal, type Deps } from '../deps.js';
import { GroupLockLostError } from '../errors.js';
import { LOCK_GROUP_NAME, describeHolder, judgeLock, parseLockMessage } from '../plan/lockState.js';
import {
  createLockStream,
  deleteIfOurs,
  holdsClaim,
  message,
  nonce,
  readLockEvents,
  writeClaim,
} from './lockStream.js';
import { renewEvery } from './renewal.js';

/** A killed run's lock blocks its group this long at most (the report says so). */
const GROUP_LOCK_TTL_MS = 5 * MS_PER_MINUTE;
const GROUP_LOCK_RENEW_EVERY_MS = MS_PER_MINUTE;
/** The holder gives its lock up this long before others may judge it expired (in-flight calls, drift). */
const GROUP_LOCK_SAFETY_MARGIN_MS = MS_PER_MINUTE;

interface GroupLockOptions {
  readonly ttlMs?: number;
  /** 0 turns the automatic renewal off (tests call `renew()` themselves). */
  readonly renewEveryMs?: number;
  readonly safetyMarginMs?: number;
  /** A monotonic clock in ms (tests move it); never the wall clock, which may be off. */
  readonly monotonicMs?: () => number;
}

interface GroupLock {
  readonly logGroupName: string;
  /** Fires once, when the lock is lost (taken over, deleted, not renewed in time) or released. */
  readonly signal: AbortSignal;
  /** The run's deps, stopped by {@link signal}: do all of the group's work through these. */
  readonly deps: Deps;
  /** Writes a heartbeat and checks that the lock is still ours; fires the signal when it is not. */
  renew(): Promise<void>;
  /** Stops renewing and deletes the lock stream if it is still ours. Never throws. */
  release(): Promise<void>;
}

type GroupLockResult =
  | { readonly acquired: true; readonly lock: GroupLock; readonly tookOverFrom?: string }
  | { readonly acquired: false; readonly detail: string };

type LockDeps = Deps;

/** This host's monotonic clock; one function, so that a run's locks can share what they learnt of CloudWatch's clock. */
const systemMonotonicMs = (): number => performance.now();

/**
 * Takes the group's lock, or says who holds it. A lock whose holder stopped renewing for its ttl
 * (by CloudWatch's clock) is taken over.
 */
async function acquireGroupLock(
  deps: LockDeps,
  logGroupName: string,
  options: GroupLockOptions = {},
): Promise<GroupLockResult> {
  const ttlMs = options.ttlMs ?? GROUP_LOCK_TTL_MS;
  let tookOverFrom: string | undefined;
  for (let attempt = 0; attempt < 3; attempt += 1) {
    const sentAt = (options.monotonicMs ?? systemMonotonicMs)();
    if ((await createLockStream(deps, logGroupName)) === 'created') {
      const lock = await claim(deps, logGroupName, ttlMs, sentAt, options);
      if (lock) return { acquired: true, lock, ...(tookOverFrom ? { tookOverFrom } : {}) };
      continue; // deleted under us between create and claim: look again
    }
    const looked = await inspect(deps, logGroupName, ttlMs);
    if (looked.state === 'gone') continue;
    if (looked.state === 'held') return { acquired: false, detail: looked.detail };
    // Expired: delete that very incarnation (not one a faster run just created), then create ours.
    const now = await describeStream(deps, LOCK_GROUP_NAME, logGroupName);
    if (now && now.creationTimeMs !== looked.creationTimeMs) continue;
    if (now) await deleteStream(deps, LOCK_GROUP_NAME, logGroupName);
    tookOverFrom = looked.runId ?? 'an unclaimed lock';
    deps.logger.warn({ logGroupName, expiredHolder: looked.runId }, 'group lock expired: taking it over');
  }
  return {
    acquired: false,
    detail: `the group lock of ${logGroupName} kept changing hands while this run tried to take it; left alone`,
  };
}

type Inspection =
  | { readonly state: 'gone' }
  | { readonly state: 'held'; readonly detail: string }
  | { readonly state: 'expired'; readonly creationTimeMs: number; readonly runId?: string };

/** Reads another run's lock and judges it by CloudWatch's clock (our probe's ingestion time). */
async function inspect(deps: LockDeps, logGroupName: string, ttlMs: number): Promise<Inspection> {
  const stream = await describeStream(deps, LOCK_GROUP_NAME, logGroupName);
  if (!stream) return { state: 'gone' };
  const probe = nonce();
  try {
    const rejected = await putEvents(deps, LOCK_GROUP_NAME, logGroupName, [
      { timestamp: deps.clock.now(), message: message(deps, 'probe', ttlMs, { nonce: probe }) },
    ]);
    if (rejected.length > 0) {
      return {
        state: 'held',
        detail: `${logGroupName} is locked by another run and this host's clock is too far off to probe it (PutLogEvents refused the probe); left alone`,
      };
    }
  } catch (err) {
    if (errorName(err) === 'ResourceNotFoundException') return { state: 'gone' };
    throw err;
  }
  const events = await readLockEvents(deps, logGroupName);
  const mine = events.find((e) => parseLockMessage(e.message)?.nonce === probe);
  if (!mine)
    return {
      state: 'held',
      detail: `${logGroupName} is locked by another run (its probe was not read back yet); left alone`,
    };
  const verdict = judgeLock({
    creationTimeMs: stream.creationTimeMs,
    events,
    serverNowMs: mine.ingestionTimeMs,
    defaultTtlMs: ttlMs,
  });
  if (verdict.state === 'held')
    return { state: 'held', detail: describeHolder(logGroupName, verdict, mine.ingestionTimeMs) };
  return {
    state: 'expired',
    creationTimeMs: stream.creationTimeMs,
    ...(verdict.runId ? { runId: verdict.runId } : {}),
  };
}

/** Writes our claim into the stream we just created and starts holding it. */
async function claim(
  deps: LockDeps,
  logGroupName: string,
  ttlMs: number,
  sentAtMono: number,
  options: GroupLockOptions,
): Promise<GroupLock | undefined> {
  const monotonic = options.monotonicMs ?? systemMonotonicMs;
  const claimed = await writeClaim(deps, logGroupName, ttlMs, monotonic);
  if (!claimed) return undefined;
  const { claimNonce, timestamp } = claimed;
  const controller = new AbortController();
  const marginMs = options.safetyMarginMs ?? GROUP_LOCK_SAFETY_MARGIN_MS;
  let confirmedMono = sentAtMono;
  const log = deps.logger.child({ logGroupName });
  const lose = (why: string): never => {
    if (!controller.signal.aborted) {
      log.error({ why }, 'group lock lost: stopping this group before its next call');
      controller.abort(
        new GroupLockLostError(`lost the lock of ${logGroupName}: ${why}; this run stopped working on the group`),
      );
    }
    throw controller.signal.reason;
  };
  const checkInTime = (): void => {
    if (controller.signal.aborted) return;
    if (monotonic() - confirmedMono >= ttlMs - marginMs)
      lose(`not renewed for ${Math.round((monotonic() - confirmedMono) / 1000)} s`);
  };
  const renew = async (): Promise<void> => {
    if (controller.signal.aborted) throw controller.signal.reason;
    checkInTime();
    const sentAt = monotonic();
    try {
      await putEvents(deps, LOCK_GROUP_NAME, logGroupName, [
        { timestamp: timestamp(), message: message(deps, 'heartbeat', ttlMs) },
      ]);
    } catch (err) {
      if (errorName(err) === 'ResourceNotFoundException') lose('its lock stream was deleted');
      throw err;
    }
    if (!(await holdsClaim(deps, logGroupName, claimNonce))) lose('another run took it over');
    confirmedMono = sentAt;
  };
  const timer = renewEvery(options.renewEveryMs ?? GROUP_LOCK_RENEW_EVERY_MS, renew, (err) => {
    if (!controller.signal.aborted) log.warn({ err }, 'could not renew the group lock; trying again');
  });
  let released = false;
  return {
    logGroupName,
    signal: controller.signal,
    deps: withSignal(deps, controller.signal, () => {
      try {
        checkInTime();
      } catch {
        // checkInTime fired the signal; withSignal's callers see it aborted
      }
    }),
    renew,
    async release() {
      if (released) return;
      released = true;
      if (timer) clearInterval(timer);
      const lost = controller.signal.aborted;
      if (!lost) controller.abort(new GroupLockLostError(`the lock of ${logGroupName} was released`));
      try {
        await deleteIfOurs(deps, logGroupName, claimNonce, lost);
      } catch (err) {
        log.warn({ err }, 'could not delete the group lock; it expires by itself');
      }
    },
  };
}

export { GROUP_LOCK_RENEW_EVERY_MS, GROUP_LOCK_TTL_MS, acquireGroupLock };
export type { GroupLock, GroupLockOptions, GroupLockResult };
