/**
 * The lock stream's reads and writes (src/archive/groupLock.ts is the protocol), in the lock group
 * {@link LOCK_GROUP_NAME}, the stream named as the group it locks: its events, our claim
 * written on CloudWatch's clock, whether the stream still holds it, and its conditional deletion.
 */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import {
  CreateLogGroupCommand,
  GetLogEventsCommand,
  PutRetentionPolicyCommand,
  type GetLogEventsCommandOutput,
} from '@aws-sdk/client-cloudwatch-logs';
import { callAws, errorName } from '../aws/callAws.js';
import { createStream, deleteStream, describeStream, putEvents } from '../aws/logStreams.js';
import { DEFAULT_SETTLE, type Deps } from '../deps.js';
import type { LogEvent } from '../plan/batchEvents.js';
import {
  LOCK_GROUP_NAME,
  encodeLockMessage,
  lockStreamOf,
  parseLockMessage,
  type LockEvent,
  type LockMessage,
} from '../plan/lockState.js';

type LockDeps = Deps;

/**
 * CloudWatch's clock as a run's client last saw it: `cloudWatchMs ≈ monotonic() + offsetMs`. Learnt
 * from a lock stream's creation time; only ever used to stamp lock events (which PutLogEvents refuses
 * 2 h ahead or 14 days behind), never to judge a lock.
 */
const cloudWatchClocks = new WeakMap<object, { readonly monotonic: () => number; readonly offsetMs: number }>();

/** Letters only: survives a data protection policy's masking of digits. */
const nonce = (): string => [...randomBytes(12)].map((b) => String.fromCharCode(97 + (b % 26))).join('');

const message = (deps: LockDeps, kind: LockMessage['kind'], ttlMs: number, extra: Partial<LockMessage> = {}): string =>
  encodeLockMessage({
    cwlTrimLock: 1,
    kind,
    runId: deps.runId,
    holder: `${hostname()}:${process.pid}`,
    ttlMs,
    ...extra,
  });

/** Every event of the lock stream with its ingestion time (a lock stream holds a few dozen). */
async function readLockEvents(deps: LockDeps, logGroupName: string): Promise<LockEvent[]> {
  const events: LockEvent[] = [];
  let token: string | undefined;
  for (;;) {
    const page = await callAws(deps.call, 'GetLogEvents', () =>
      deps.clients.logs.send(
        new GetLogEventsCommand({
          ...lockStreamOf(logGroupName),
          startFromHead: true,
          ...(token ? { nextToken: token } : {}),
        }),
      ),
    );
    for (const e of page.events ?? []) events.push({ message: e.message ?? '', ingestionTimeMs: e.ingestionTime ?? 0 });
    if (!page.nextForwardToken || page.nextForwardToken === token) return events;
    token = page.nextForwardToken;
  }
}

/**
 * Whether the lock stream is still the incarnation we created: it holds our claim (its nonce). A
 * stream deleted and created again by another run cannot hold it. Reads until the claim or the end.
 */
async function holdsClaim(deps: LockDeps, logGroupName: string, claimNonce: string): Promise<boolean> {
  let token: string | undefined;
  for (;;) {
    let page: GetLogEventsCommandOutput;
    try {
      page = await callAws(deps.call, 'GetLogEvents', () =>
        deps.clients.logs.send(
          new GetLogEventsCommand({
            ...lockStreamOf(logGroupName),
            startFromHead: true,
            ...(token ? { nextToken: token } : {}),
          }),
        ),
      );
    } catch (err) {
      if (errorName(err) === 'ResourceNotFoundException') return false;
      throw err;
    }
    if ((page.events ?? []).some((e) => parseLockMessage(e.message ?? '')?.nonce === claimNonce)) return true;
    if (!page.nextForwardToken || page.nextForwardToken === token) return false;
    token = page.nextForwardToken;
  }
}

/** How our claim was written: the nonce that tells our incarnation, and timestamps on CloudWatch's clock. */
interface Claimed {
  readonly claimNonce: string;
  readonly timestamp: () => number;
}

/**
 * Writes our claim into the stream we just created. Timestamps follow CloudWatch's clock, not this
 * host's (PutLogEvents refuses events more than 2 h in the future or 14 days in the past: a skewed host
 * could not write them otherwise), learnt from the stream's creation time once per client. Undefined
 * when the stream is gone (deleted under us: look again).
 */
async function writeClaim(
  deps: LockDeps,
  logGroupName: string,
  ttlMs: number,
  monotonic: () => number,
): Promise<Claimed | undefined> {
  const known = cloudWatchClocks.get(deps.clients.logs);
  let offsetMs = known?.monotonic === monotonic ? known.offsetMs : undefined;
  /** CloudWatch's clock from the stream's creation time (one DescribeLogStreams); false when the stream is gone. */
  const learnClock = async (): Promise<boolean> => {
    const created = await describeStream(deps, LOCK_GROUP_NAME, logGroupName);
    if (!created) return false;
    offsetMs = created.creationTimeMs - monotonic();
    cloudWatchClocks.set(deps.clients.logs, { monotonic, offsetMs });
    return true;
  };
  const learnt = offsetMs === undefined;
  if (learnt && !(await learnClock())) return undefined;
  const timestamp = (): number => Math.round(monotonic() + offsetMs!);
  const claimNonce = nonce();
  const putClaim = async (): Promise<LogEvent[] | undefined> => {
    try {
      return await putEvents(deps, LOCK_GROUP_NAME, logGroupName, [
        { timestamp: timestamp(), message: message(deps, 'claim', ttlMs, { nonce: claimNonce }) },
      ]);
    } catch (err) {
      if (errorName(err) === 'ResourceNotFoundException') return undefined;
      throw err;
    }
  };
  let refused = await putClaim();
  if (refused === undefined) return undefined;
  // The clock kept from an earlier lock was off (refused stamps): learn it from this stream and claim again.
  if (refused.length > 0 && !learnt) {
    if (!(await learnClock())) return undefined;
    refused = await putClaim();
    if (refused === undefined) return undefined;
  }
  return { claimNonce, timestamp };
}

/** Days the lock group keeps events: a crashed run's claims and heartbeats go, its empty stream stays. */
const LOCK_GROUP_RETENTION_DAYS = 1;

/**
 * Creates the group's lock stream (create-or-fail). The lock group is created the first time a run in
 * the account needs it (with its retention); a run that loses that race finds it created.
 */
async function createLockStream(deps: LockDeps, logGroupName: string): Promise<'created' | 'existed'> {
  try {
    return await createStream(deps, LOCK_GROUP_NAME, logGroupName);
  } catch (err) {
    if (errorName(err) !== 'ResourceNotFoundException') throw err;
  }
  try {
    await callAws(deps.call, 'CreateLogGroup', () =>
      deps.clients.logs.send(new CreateLogGroupCommand({ logGroupName: LOCK_GROUP_NAME })),
    );
    await callAws(deps.call, 'PutRetentionPolicy', () =>
      deps.clients.logs.send(
        new PutRetentionPolicyCommand({ logGroupName: LOCK_GROUP_NAME, retentionInDays: LOCK_GROUP_RETENTION_DAYS }),
      ),
    );
    deps.logger.info({ lockGroup: LOCK_GROUP_NAME }, 'created the lock group');
  } catch (err) {
    if (errorName(err) !== 'ResourceAlreadyExistsException') throw err;
  }
  return createStream(deps, LOCK_GROUP_NAME, logGroupName);
}

/** Deletes the lock stream if it still holds our claim; otherwise (taken over, or gone) it is left as it is. */
async function deleteIfOurs(deps: LockDeps, logGroupName: string, claimNonce: string, lost: boolean): Promise<void> {
  let ours = await holdsClaim(deps, logGroupName, claimNonce);
  // A claim written a moment ago may not read back yet: a held lock looks once more before it is left to expire.
  if (!ours && !lost) {
    await deps.sleep((deps.settle ?? DEFAULT_SETTLE).initialMs);
    ours = await holdsClaim(deps, logGroupName, claimNonce);
  }
  if (ours) await deleteStream(deps, LOCK_GROUP_NAME, logGroupName);
}

export {
  LOCK_GROUP_RETENTION_DAYS,
  createLockStream,
  deleteIfOurs,
  holdsClaim,
  message,
  nonce,
  readLockEvents,
  writeClaim,
};
export type { Claimed };
