/**
 * PutLogEvents with every documented rule. Two kinds of failure, as AWS has them:
 * - the whole call fails (InvalidParameterException, nothing stored): empty batch, more than
 *   10,000 events, more than 1,048,576 bytes counting 26 per event, not in chronological order,
 *   first to last event more than 24 h apart;
 * - single events are dropped and the rest stored (HTTP 200 with `rejectedLogEventsInfo`): older
 *   than 14 days (`tooOldLogEventEndIndex`, exclusive end), older than the group's retention
 *   (`expiredLogEventEndIndex`, exclusive end), more than 2 h ahead (`tooNewLogEventStartIndex`,
 *   inclusive start).
 */
import {
  SANDBOX_MS_PER_DAY as MS_PER_DAY,
  SANDBOX_PUT_MAX_AGE_MS as PUT_MAX_AGE_MS,
  SANDBOX_PUT_MAX_BATCH_BYTES as PUT_MAX_BATCH_BYTES,
  SANDBOX_PUT_MAX_EVENTS as PUT_MAX_EVENTS,
  SANDBOX_PUT_MAX_FUTURE_MS as PUT_MAX_FUTURE_MS,
  SANDBOX_PUT_MAX_SPAN_MS as PUT_MAX_SPAN_MS,
} from './putLimits.js';
import { invalidParameter, validationMessage } from '../errors.js';
import { eventBytes, insertEvents, requireGroup, requireStream } from '../state.js';
import { lastEventMs } from '../streamTable.js';
import type { SandboxState } from '../state.js';
import { reqString } from './input.js';
import type { Input } from './input.js';
import { effectiveRetentionDays } from './accountSettings.js';
import { sequenceToken } from './streams.js';

interface InputEvent {
  readonly timestamp: number;
  readonly message: string;
}

function parseEvents(raw: unknown): InputEvent[] {
  if (!Array.isArray(raw)) throw invalidParameter(validationMessage('logEvents', null, 'Member must not be null'));
  return raw.map((e: unknown, i) => {
    const event = (e ?? {}) as Record<string, unknown>;
    const { timestamp, message } = event;
    if (typeof timestamp !== 'number' || !Number.isFinite(timestamp)) {
      throw invalidParameter(
        validationMessage(`logEvents.${i + 1}.member.timestamp`, timestamp, 'Member must not be null'),
      );
    }
    if (typeof message !== 'string' || message.length === 0) {
      throw invalidParameter(
        validationMessage(
          `logEvents.${i + 1}.member.message`,
          message,
          'Member must have length greater than or equal to 1',
        ),
      );
    }
    return { timestamp, message };
  });
}

/** The rules that fail the whole call. */
function checkBatch(events: readonly InputEvent[]): void {
  if (events.length === 0) {
    throw invalidParameter(validationMessage('logEvents', '[]', 'Member must have length greater than or equal to 1'));
  }
  if (events.length > PUT_MAX_EVENTS) {
    throw invalidParameter(
      validationMessage(
        'logEvents',
        `[${events.length} events]`,
        `Member must have length less than or equal to ${PUT_MAX_EVENTS}`,
      ),
    );
  }
  let bytes = 0;
  for (const e of events) bytes += eventBytes(e.message);
  if (bytes > PUT_MAX_BATCH_BYTES) {
    throw invalidParameter(`Upload too large: ${bytes} bytes exceeds limit of ${PUT_MAX_BATCH_BYTES}`);
  }
  for (let i = 1; i < events.length; i++) {
    if ((events[i]?.timestamp ?? 0) < (events[i - 1]?.timestamp ?? 0)) {
      throw invalidParameter('Log events in a single PutLogEvents request must be in chronological order.');
    }
  }
  const span = (events.at(-1)?.timestamp ?? 0) - (events[0]?.timestamp ?? 0);
  if (span > PUT_MAX_SPAN_MS) {
    throw invalidParameter('The batch of log events in a single PutLogEvents request cannot span more than 24 hours.');
  }
}

/** Length of the leading run of events older than `cutoffMs` (events are chronological). */
function countBefore(events: readonly InputEvent[], cutoffMs: number): number {
  let n = 0;
  while (n < events.length && (events[n]?.timestamp ?? 0) < cutoffMs) n++;
  return n;
}

/** Index of the first event after `limitMs`; `events.length` when none. */
function firstAfter(events: readonly InputEvent[], limitMs: number): number {
  let i = events.length;
  while (i > 0 && (events[i - 1]?.timestamp ?? 0) > limitMs) i--;
  return i;
}

function putLogEvents(state: SandboxState, input: Input): object {
  const group = requireGroup(state, reqString(input, 'logGroupName'));
  const stream = requireStream(group, reqString(input, 'logStreamName'));
  const events = parseEvents(input['logEvents']);
  checkBatch(events);

  const nowMs = state.clock.now();
  const tooOldEnd = countBefore(events, nowMs - PUT_MAX_AGE_MS);
  const retentionInDays = effectiveRetentionDays(state, group);
  const expiredEnd = retentionInDays === undefined ? 0 : countBefore(events, nowMs - retentionInDays * MS_PER_DAY);
  const tooNewStart = firstAfter(events, nowMs + PUT_MAX_FUTURE_MS);
  const acceptedFrom = Math.max(tooOldEnd, expiredEnd);

  const accepted = events.slice(acceptedFrom, Math.max(acceptedFrom, tooNewStart));
  const lastBefore = lastEventMs(stream);
  insertEvents(
    stream,
    accepted.map((e) => ({ ...e, ingestionTime: nowMs })),
  );
  group.streams.touch(stream, lastBefore);
  stream.uploadSequence += 1;

  const rejected = {
    ...(tooNewStart < events.length && { tooNewLogEventStartIndex: tooNewStart }),
    ...(tooOldEnd > 0 && { tooOldLogEventEndIndex: tooOldEnd }),
    ...(expiredEnd > 0 && { expiredLogEventEndIndex: expiredEnd }),
  };
  return {
    nextSequenceToken: sequenceToken(stream.uploadSequence + 1),
    ...(Object.keys(rejected).length > 0 && { rejectedLogEventsInfo: rejected }),
  };
}

export { putLogEvents };
