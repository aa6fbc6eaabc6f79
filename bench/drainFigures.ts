/**
 * The arithmetic of the drain benchmarks, kept pure so it is unit-tested: the least number of
 * invocations a backlog needs, and the event-by-event check of what a drain left behind.
 */

interface EventLike {
  readonly timestamp: number;
  readonly message: string;
}

interface EventCheck {
  /** Seeded events checked. */
  readonly checked: number;
  /** Seeded events found neither in CloudWatch nor in the archive. */
  readonly lost: number;
  /** Extra copies of seeded events in CloudWatch (an event held twice counts once). */
  readonly duplicated: number;
  /** Events in CloudWatch that were never seeded. */
  readonly unexpected: number;
  /** Seeded events found in the archive (whether or not still in CloudWatch). */
  readonly archived: number;
}

const NO_EVENTS: EventCheck = { checked: 0, lost: 0, duplicated: 0, unexpected: 0, archived: 0 };

const eventKey = (e: EventLike): string => `${e.timestamp} ${e.message}`;

/**
 * One stream's seeded events against what CloudWatch holds of it now and the archived events of that
 * stream (keys from {@link eventKey}).
 *
 * @example checkStream([{ timestamp: 1, message: 'a' }], [], new Set(['1 a'])) // lost 0, archived 1
 */
function checkStream(
  seeded: readonly EventLike[],
  inCloudWatch: readonly EventLike[],
  archived: ReadonlySet<string>,
): EventCheck {
  const held = new Map<string, number>();
  for (const e of inCloudWatch) held.set(eventKey(e), (held.get(eventKey(e)) ?? 0) + 1);
  let lost = 0;
  let duplicated = 0;
  let inArchive = 0;
  const expected = new Set<string>();
  for (const e of seeded) {
    const key = eventKey(e);
    expected.add(key);
    const copies = held.get(key) ?? 0;
    const isArchived = archived.has(key);
    if (isArchived) inArchive += 1;
    if (copies === 0 && !isArchived) lost += 1;
    if (copies > 1) duplicated += copies - 1;
    // Count each seeded key once even if it was seeded twice.
    held.set(key, Math.min(copies, 1));
  }
  let unexpected = 0;
  for (const [key, copies] of held) if (!expected.has(key)) unexpected += copies;
  return { checked: seeded.length, lost, duplicated, unexpected, archived: inArchive };
}

const addChecks = (a: EventCheck, b: EventCheck): EventCheck => ({
  checked: a.checked + b.checked,
  lost: a.lost + b.lost,
  duplicated: a.duplicated + b.duplicated,
  unexpected: a.unexpected + b.unexpected,
  archived: a.archived + b.archived,
});

/**
 * The fewest invocations that can do `workSeconds` of quota-bound work when each invocation can work
 * `usableSecondsPerInvocation` (its timeout less the handler's margin): ceil(work ÷ usable), at least 1.
 *
 * @example invocationsLowerBound(100, 20.25) // 5
 */
function invocationsLowerBound(workSeconds: number, usableSecondsPerInvocation: number): number {
  if (!(usableSecondsPerInvocation > 0))
    throw new RangeError(`usable seconds per invocation must be > 0, got ${usableSecondsPerInvocation}`);
  return Math.max(1, Math.ceil(workSeconds / usableSecondsPerInvocation - 1e-9));
}

/** One full listing: ceil(streams ÷ 50) DescribeLogStreams pages per group, at least one a group. */
const describeLogStreamsMinimum = (streamsPerGroup: readonly number[]): number =>
  streamsPerGroup.reduce((n, streams) => n + Math.max(1, Math.ceil(streams / 50)), 0);

/** An export object's line, `2026-11-10T00:00:00.000Z message`, as an event key. */
function exportLineKey(line: string): string | undefined {
  const space = line.indexOf(' ');
  if (space < 0) return undefined;
  const ms = Date.parse(line.slice(0, space));
  return Number.isNaN(ms) ? undefined : `${ms} ${line.slice(space + 1)}`;
}

export { NO_EVENTS, addChecks, checkStream, describeLogStreamsMinimum, eventKey, exportLineKey, invocationsLowerBound };
export type { EventCheck, EventLike };
