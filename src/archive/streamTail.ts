/**
 * The last look before a rebuild's delete: DescribeLogStreams' last event and ingestion times lag up
 * to an hour, so a write that arrived after the events were saved may not show there. The stream's
 * tail, read with GetLogEvents (consistent), must be exactly the saved events' tail.
 */
import { readEvents } from '../aws/logStreams.js';
import type { Deps } from '../deps.js';
import type { LogEvent } from '../plan/batchEvents.js';

interface SavedTail {
  readonly logGroupName: string;
  readonly logStreamName: string;
  readonly cutoffMs: number;
  /** The newest saved event's timestamp; undefined when nothing at or after the cutoff was saved. */
  readonly lastEventMs?: number;
  readonly unmasked: boolean;
}

/**
 * Why the stream no longer ends with the saved events (undefined when it does): events at or after
 * the last saved timestamp are read (a handful) and compared, as a multiset, with the saved ones at
 * that timestamp. A write back-dated before it is not seen here (see the README's known limits).
 *
 * @example const changed = await tailChangedSince(deps, manifest, (i) => journal.readBatch(i));
 */
async function tailChangedSince(
  deps: Pick<Deps, 'clients' | 'call'>,
  saved: SavedTail & { readonly batches: number },
  readBatch: (index: number) => Promise<readonly LogEvent[]>,
): Promise<string | undefined> {
  const fromMs = saved.lastEventMs ?? saved.cutoffMs;
  // The saved events at the last timestamp: they may span batches (10,000 events in one millisecond).
  const expected: LogEvent[] = [];
  for (let i = saved.batches - 1; i >= 0 && saved.lastEventMs !== undefined; i -= 1) {
    const batch = await readBatch(i);
    expected.push(...batch.filter((e) => e.timestamp === saved.lastEventMs));
    if ((batch[0]?.timestamp ?? Number.NEGATIVE_INFINITY) < saved.lastEventMs) break;
  }
  const key = (e: LogEvent): string => `${e.timestamp}\u0000${e.message}`;
  const left = new Map<string, number>();
  for (const e of expected) left.set(key(e), (left.get(key(e)) ?? 0) + 1);
  let seen = 0;
  const stream = readEvents(deps, {
    logGroupName: saved.logGroupName,
    logStreamName: saved.logStreamName,
    startTimeMs: fromMs,
    unmask: saved.unmasked,
  });
  for await (const e of stream) {
    seen += 1;
    const n = left.get(key(e)) ?? 0;
    if (n === 0)
      return `an event at ${new Date(e.timestamp).toISOString()} arrived after the events were saved; left as it is`;
    left.set(key(e), n - 1);
  }
  if (seen < expected.length) return 'events saved from the stream are no longer in it; left as it is';
  return undefined;
}

export { tailChangedSince };
export type { SavedTail };
