import { describe, expect, it } from 'vitest';
import type { ArchivedEvent } from '../../../src/archiveTools/exportLines.js';
import { arrayRun, mergeSources, type EventRun, type MergeOptions } from '../../../src/archiveTools/mergeEvents.js';

interface Src {
  readonly ordinal: number;
  readonly fromMs: number;
  readonly events: ArchivedEvent[];
}

const ev = (timestamp: number, logStreamName: string, message = `${logStreamName}@${timestamp}`): ArchivedEvent => ({
  timestamp,
  logStreamName,
  message,
});

async function merged(
  sources: Src[],
  open: (s: Src) => Promise<EventRun> = (s) => Promise.resolve(arrayRun(s.events, 2)),
  batchSize = 3,
): Promise<ArchivedEvent[]> {
  const out: ArchivedEvent[] = [];
  for await (const batch of mergeSources(sources, (s) => s.fromMs, open, { batchSize, openAtOnce: 2 }))
    out.push(...batch);
  return out;
}

describe('mergeSources', () => {
  it("merges sorted runs by timestamp, then stream name, then source ordinal, keeping each run's order", async () => {
    const sources: Src[] = [
      { ordinal: 0, fromMs: 0, events: [ev(1, 'b', 'b1'), ev(5, 'b', 'b5'), ev(5, 'b', 'b5-again')] },
      { ordinal: 1, fromMs: 0, events: [ev(1, 'a'), ev(2, 'a'), ev(9, 'a')] },
      { ordinal: 2, fromMs: 0, events: [ev(5, 'b', 'b5-other-object')] },
    ];
    expect((await merged(sources)).map((e) => e.message)).toEqual([
      'a@1',
      'b1',
      'a@2',
      'b5',
      'b5-again',
      'b5-other-object',
      'a@9',
    ]);
  });

  it('opens a source only once the merge reaches its earliest timestamp', async () => {
    const opened: number[] = [];
    const emittedWhenOpened: number[] = [];
    const out: ArchivedEvent[] = [];
    const sources: Src[] = [
      { ordinal: 0, fromMs: 0, events: [ev(0, 'a'), ev(9, 'a')] },
      { ordinal: 1, fromMs: 10, events: [ev(10, 'a'), ev(19, 'a')] },
      { ordinal: 2, fromMs: 20, events: [ev(25, 'b'), ev(20, 'b')].sort((x, y) => x.timestamp - y.timestamp) },
    ];
    for await (const batch of mergeSources(
      sources,
      (s) => s.fromMs,
      (s) => {
        opened.push(s.ordinal);
        emittedWhenOpened.push(out.length);
        return Promise.resolve(arrayRun(s.events));
      },
      { batchSize: 1 },
    ))
      out.push(...batch);
    expect(opened).toEqual([0, 1, 2]);
    // Window 2 was opened after window 1's events were out, not at the start.
    expect(emittedWhenOpened).toEqual([0, 2, 4]);
    expect(out.map((e) => e.timestamp)).toEqual([0, 9, 10, 19, 20, 25]);
  });

  it('opens a source whose earliest timestamp equals the next event before emitting it (ties go by stream)', async () => {
    const sources: Src[] = [
      { ordinal: 0, fromMs: 0, events: [ev(10, 'z')] },
      { ordinal: 1, fromMs: 10, events: [ev(10, 'a')] },
    ];
    expect((await merged(sources)).map((e) => e.logStreamName)).toEqual(['a', 'z']);
  });

  it('handles empty runs and no sources', async () => {
    expect(await merged([])).toEqual([]);
    expect(
      await merged([
        { ordinal: 0, fromMs: 0, events: [] },
        { ordinal: 1, fromMs: 0, events: [ev(3, 'a')] },
      ]),
    ).toEqual([ev(3, 'a')]);
  });

  it('gives the same order as a full sort, on random input', async () => {
    let seed = 42;
    const random = (): number => (seed = (seed * 16807) % 2147483647) / 2147483647;
    const sources: Src[] = Array.from({ length: 12 }, (_, ordinal) => {
      const fromMs = Math.floor(ordinal / 3) * 100;
      // One stream per source, as an export object holds; several sources share a stream and a window.
      const stream = `s${ordinal % 2}`;
      const events = Array.from({ length: 40 }, () =>
        ev(fromMs + Math.floor(random() * 100), stream, String(random())),
      ).sort((a, b) => a.timestamp - b.timestamp);
      return { ordinal, fromMs, events };
    });
    const expected = sources
      .flatMap((s) => s.events.map((e, i) => ({ e, o: s.ordinal, i })))
      .sort(
        (a, b) =>
          a.e.timestamp - b.e.timestamp ||
          (a.e.logStreamName < b.e.logStreamName ? -1 : a.e.logStreamName > b.e.logStreamName ? 1 : 0) ||
          a.o - b.o ||
          a.i - b.i,
      )
      .map((x) => x.e);
    expect(await merged(sources)).toEqual(expected);
  });

  it('with maxOpen, merges a window of more sources than that in groups first: same order, never more runs open', async () => {
    let seed = 7;
    const random = (): number => (seed = (seed * 16807) % 2147483647) / 2147483647;
    // Two windows of 23 sources (streams) each, all due at once within a window, plus one source spanning both.
    const sources: Src[] = Array.from({ length: 47 }, (_, ordinal) => {
      const fromMs = ordinal === 0 ? 0 : ordinal <= 23 ? 0 : 1000;
      const events = Array.from({ length: 15 }, () =>
        ev(fromMs + Math.floor(random() * (ordinal === 0 ? 2000 : 1000)), `s${ordinal % 5}`, String(random())),
      ).sort((a, b) => a.timestamp - b.timestamp);
      return { ordinal, fromMs, events };
    });
    const expected = await merged(sources);
    let openNow = 0;
    let mostOpen = 0;
    let combined = 0;
    // A run counts as open from its opening until it has handed out its last event.
    const counted = (run: EventRun): EventRun => {
      openNow += 1;
      mostOpen = Math.max(mostOpen, openNow);
      let done = false;
      return {
        next: async () => {
          const chunk = await run.next();
          if (chunk.count === 0 && !done) {
            done = true;
            openNow -= 1;
          }
          return chunk;
        },
      };
    };
    const options: MergeOptions<Src> = {
      batchSize: 5,
      openAtOnce: 2,
      maxOpen: 4,
      combine: async (group) => {
        combined += 1;
        const events: ArchivedEvent[] = [];
        for await (const batch of mergeSources(group, (s) => s.fromMs, open, options)) events.push(...batch);
        return counted(arrayRun(events, 3));
      },
    };
    const open = (s: Src): Promise<EventRun> => Promise.resolve(counted(arrayRun(s.events, 2)));
    const out: ArchivedEvent[] = [];
    for await (const batch of mergeSources(sources, (s) => s.fromMs, open, options)) out.push(...batch);
    expect(out).toEqual(expected);
    expect(combined).toBeGreaterThan(2);
    // The top merge and one group being combined (itself bounded), nested groups included: 4 each at most.
    console.log('MOSTOPEN', mostOpen, combined);
    expect(mostOpen).toBeLessThanOrEqual(8 + 2);
  });
});
