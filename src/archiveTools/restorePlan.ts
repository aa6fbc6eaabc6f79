/**
 * `archive restore`'s decisions, pure: which events PutLogEvents would still accept, whether a range
 * is refused, and which events of a resumed batch are already in the target.
 */
import { MS_PER_DAY, MS_PER_HOUR, PUT_MAX_AGE_MS } from '../constants.js';
import type { ArchivedEvent } from './exportLines.js';

/**
 * Room left for the time a restore takes: an event must still be younger than 14 days (or the
 * target's retention) when its batch is put, an hour after the check at the latest for a typical run.
 */
const RESTORE_AGE_MARGIN_MS = MS_PER_HOUR;

/**
 * The oldest timestamp a restore puts: PutLogEvents drops events older than 14 days, or than the
 * target group's retention when that is shorter, so older ones are refused before anything is written.
 *
 * @example oldestRestorableMs(Date.now(), 7); // now − 7 days + 1 hour
 */
function oldestRestorableMs(nowMs: number, targetRetentionDays?: number): number {
  const ageMs = Math.min(
    PUT_MAX_AGE_MS,
    targetRetentionDays === undefined ? Number.POSITIVE_INFINITY : targetRetentionDays * MS_PER_DAY,
  );
  return nowMs - ageMs + RESTORE_AGE_MARGIN_MS;
}

interface RefusalInput {
  readonly sourceGroup: string;
  readonly startMs: number;
  readonly endMs: number;
  readonly oldestMs: number;
  /** Archived events of the request older than `oldestMs`. */
  readonly tooOld: number;
  readonly stream?: string;
  readonly streamPrefix?: string;
}

/**
 * The refusal message, or undefined when the range can be restored. A refused range is refused whole:
 * half a restore would look like a complete one to whoever reads the new group.
 *
 * @example refusal({ sourceGroup: '/app', startMs, endMs, oldestMs, tooOld: 12 }); // 'refused: 12 archived events …'
 */
function refusal(input: RefusalInput): string | undefined {
  if (input.tooOld === 0) return undefined;
  const iso = (ms: number): string => new Date(ms).toISOString();
  const streamFlag =
    input.stream !== undefined
      ? ` --stream '${input.stream}'`
      : input.streamPrefix !== undefined
        ? ` --stream-prefix '${input.streamPrefix}'`
        : '';
  return (
    `refused: ${input.tooOld} archived event${input.tooOld === 1 ? ' is' : 's are'} older than ${iso(input.oldestMs)}, which PutLogEvents ` +
    "no longer accepts (14 days, or the target group's retention); nothing was written. Read them from the archive instead:\n" +
    `  cwl-trim archive cat --log-group '${input.sourceGroup}'${streamFlag} --start ${iso(input.startMs)} --end ${iso(Math.min(input.endMs, input.oldestMs))}` +
    (input.endMs > input.oldestMs
      ? `\nor restore only from ${iso(input.oldestMs)} on (--start ${iso(input.oldestMs)}).`
      : '')
  );
}

const eventKey = (e: { timestamp: number; message: string }): string => `${e.timestamp}\u0000${e.message}`;

/**
 * The events of a batch whose put may or may not have landed (a crash between the put and the progress
 * write) that the target stream does not hold yet. `present` is what the stream holds from the batch's
 * first timestamp on; `earlier` the events put before the batch from that timestamp on (they are in
 * `present` too and must not be taken for this batch's). A multiset difference on timestamp and message.
 *
 * @example notYetPut(batch, eventsInTarget, eventsPutBefore); // [] when the put had landed
 */
function notYetPut<E extends { timestamp: number; message: string }>(
  batch: readonly E[],
  present: readonly { timestamp: number; message: string }[],
  earlier: readonly { timestamp: number; message: string }[],
): E[] {
  const counts = new Map<string, number>();
  for (const e of present) counts.set(eventKey(e), (counts.get(eventKey(e)) ?? 0) + 1);
  for (const e of earlier) {
    const n = counts.get(eventKey(e)) ?? 0;
    if (n > 0) counts.set(eventKey(e), n - 1);
  }
  return batch.filter((e) => {
    const n = counts.get(eventKey(e)) ?? 0;
    if (n === 0) return true;
    counts.set(eventKey(e), n - 1);
    return false;
  });
}

/** Events PutLogEvents takes: timestamp and message only. */
const toPutEvent = (e: ArchivedEvent): { timestamp: number; message: string } => ({
  timestamp: e.timestamp,
  message: e.message,
});

export { RESTORE_AGE_MARGIN_MS, notYetPut, oldestRestorableMs, refusal, toPutEvent };
export type { RefusalInput };
