/**
 * The per-group lock's decisions, as pure code. The lock is a log stream named after the group in the
 * account's one lock group, {@link LOCK_GROUP_NAME} (see src/archive/groupLock.ts): every cwl-trim run
 * in the account and Region sees it, whatever its bucket, prefix, selection or host clock, and the
 * group's own streams, subscribers and metric filters never see the lock. Its events are the holder's claim and heartbeats and
 * other runs' probes; only their **ingestion times** (stamped by CloudWatch) and the stream's
 * creation time (also CloudWatch's) are used to judge it. Event timestamps are never trusted.
 */
import { z } from 'zod';

/**
 * The log group that holds every group's lock, one stream per locked group. Fixed, not a setting: two
 * deployments with different settings must find each other's locks. Never selected, never trimmed.
 */
const LOCK_GROUP_NAME = '/cwl-trim/locks';

/**
 * Where a group's lock lives: the stream named as the group. A group name ([.-_/#A-Za-z0-9], up to
 * 512 characters) is always a valid stream name (anything but `:` and `*`, up to 512).
 */
const lockStreamOf = (logGroupName: string): { readonly logGroupName: string; readonly logStreamName: string } => ({
  logGroupName: LOCK_GROUP_NAME,
  logStreamName: logGroupName,
});

/**
 * The lock stream earlier versions kept in the group itself. A run of this version never creates it,
 * but one left behind is never deleted, rebuilt or trimmed either (it expires by itself).
 */
const LOCK_STREAM_NAME = '__cwl-trim-lock__';

/** True for the in-group lock stream of an earlier version: the planner never deletes, rebuilds or trims it. */
const isLockStream = (logStreamName: string): boolean => logStreamName === LOCK_STREAM_NAME;

const LockMessageSchema = z.object({
  cwlTrimLock: z.literal(1),
  kind: z.enum(['claim', 'heartbeat', 'probe']),
  runId: z.string(),
  holder: z.string(),
  ttlMs: z.number().int().positive(),
  /** Probes only: matches the probe to its own read-back. */
  nonce: z.string().optional(),
});
type LockMessage = z.infer<typeof LockMessageSchema>;

/** One event read back from the lock stream. */
interface LockEvent {
  readonly message: string;
  /** CloudWatch's time of ingestion: the only time in the stream that no host's clock can move. */
  readonly ingestionTimeMs: number;
}

/**
 * Lock events are written as letters only (`cwl-trim-lock ` + the JSON's UTF-8 bytes in hex, digits
 * shifted to `g`–`p`): a data protection policy masks digits and identifiers in what GetLogEvents
 * returns, and a masked claim could not be read back.
 */
const LOCK_MESSAGE_PREFIX = 'cwl-trim-lock ';
const encodeLockMessage = (message: LockMessage): string =>
  LOCK_MESSAGE_PREFIX +
  Buffer.from(JSON.stringify(message), 'utf8')
    .toString('hex')
    .replace(/[0-9]/g, (d) => String.fromCharCode(103 + Number(d)));

const parseLockMessage = (message: string): LockMessage | undefined => {
  if (!message.startsWith(LOCK_MESSAGE_PREFIX)) return undefined;
  const hex = message.slice(LOCK_MESSAGE_PREFIX.length).replace(/[g-p]/g, (c) => String(c.charCodeAt(0) - 103));
  try {
    const parsed = LockMessageSchema.safeParse(JSON.parse(Buffer.from(hex, 'hex').toString('utf8')));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
};

/** Who holds a lock and until when, in the server's time. */
type LockVerdict =
  | {
      readonly state: 'held';
      readonly runId?: string;
      readonly holder?: string;
      /** Server time of the stream's creation, and of the holder's last sign of life. */
      readonly sinceMs: number;
      readonly lastAliveMs: number;
      /** How long the lock stays held without a renewal, from the server's now. */
      readonly remainingMs: number;
    }
  | { readonly state: 'expired'; readonly runId?: string; readonly holder?: string; readonly lastAliveMs: number };

/**
 * Judges a lock stream another run created. The holder is the run whose claim was ingested first; it
 * was alive at its last claim or heartbeat (or at the stream's creation, before its claim landed).
 * The lock is held while `serverNow − lastAlive < ttl` (the ttl the claim states, else `defaultTtlMs`).
 * `serverNowMs` is the ingestion time of the caller's own probe, read back from the same stream.
 *
 * @example judgeLock({ creationTimeMs, events, serverNowMs, defaultTtlMs: 5 * 60_000 })
 */
function judgeLock(input: {
  readonly creationTimeMs: number;
  readonly events: readonly LockEvent[];
  readonly serverNowMs: number;
  readonly defaultTtlMs: number;
}): LockVerdict {
  const all = input.events.map((e) => ({ ...e, body: parseLockMessage(e.message) }));
  const parsed = all.filter((e): e is LockEvent & { body: LockMessage } => e.body !== undefined);
  const claim = parsed.filter((e) => e.body.kind === 'claim').sort((a, b) => a.ingestionTimeMs - b.ingestionTimeMs)[0];
  const ttlMs = claim?.body.ttlMs ?? input.defaultTtlMs;
  let lastAliveMs = input.creationTimeMs;
  for (const e of all) {
    // An event that cannot be read (masked, damaged) may be the holder's heartbeat: it counts as one,
    // which can only delay a takeover, never cause a wrong one.
    if (e.body && (e.body.kind === 'probe' || (claim && e.body.runId !== claim.body.runId))) continue;
    lastAliveMs = Math.max(lastAliveMs, e.ingestionTimeMs);
  }
  const who = claim ? { runId: claim.body.runId, holder: claim.body.holder } : {};
  const remainingMs = lastAliveMs + ttlMs - input.serverNowMs;
  if (remainingMs > 0) return { state: 'held', ...who, sinceMs: input.creationTimeMs, lastAliveMs, remainingMs };
  return { state: 'expired', ...who, lastAliveMs };
}

/** A duration for people: seconds under two minutes, minutes above. */
const duration = (ms: number): string =>
  ms < 120_000 ? `${Math.max(0, Math.round(ms / 1_000))} s` : `${Math.ceil(ms / 60_000)} min`;

/** One sentence for the report: who holds the group, since when, and how long it stays held. */
function describeHolder(
  logGroupName: string,
  verdict: Extract<LockVerdict, { state: 'held' }>,
  serverNowMs: number,
): string {
  const who = verdict.runId
    ? `cwl-trim run ${verdict.runId} on ${verdict.holder ?? 'an unknown host'}`
    : 'a cwl-trim run that has not written its claim yet';
  return (
    `${who} holds ${logGroupName} (lock stream ${logGroupName} in ${LOCK_GROUP_NAME}, renewed ${duration(serverNowMs - verdict.lastAliveMs)} ago by ` +
    `CloudWatch's clock); left alone. If that run died, its lock expires in ${duration(verdict.remainingMs)} and the next run takes it over`
  );
}

export {
  LOCK_GROUP_NAME,
  LOCK_STREAM_NAME,
  lockStreamOf,
  LockMessageSchema,
  describeHolder,
  duration,
  encodeLockMessage,
  isLockStream,
  judgeLock,
  parseLockMessage,
};
export type { LockEvent, LockMessage, LockVerdict };
