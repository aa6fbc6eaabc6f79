/**
 * Invariants of the pools that bound how many calls wait at once (as p-limit's tests check them):
 * never more running than the concurrency, full use of it, start order, every item once, errors.
 */
import { describe, expect, it } from 'vitest';
import { concurrencyFor, createLane, createTurns, forEachLimited } from '../../../src/execute/pool.js';

/** A small deterministic PRNG, so that a failure replays. */
function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1_664_525 + 1_013_904_223) >>> 0;
    return s / 2 ** 32;
  };
}

/** Yields to the event loop for 0–3 ms: jobs end out of their start order. */
const pause = (random: () => number): Promise<void> =>
  new Promise((resolve) => setTimeout(resolve, Math.floor(random() * 4)));

/** Counts how many jobs run at once. */
function gauge() {
  let running = 0;
  let peak = 0;
  return {
    async around<T>(job: () => Promise<T>): Promise<T> {
      running += 1;
      peak = Math.max(peak, running);
      try {
        return await job();
      } finally {
        running -= 1;
      }
    },
    running: () => running,
    peak: () => peak,
  };
}

describe('forEachLimited', () => {
  it.each([1, 2, 3, 8])('never runs more than %i at once, and uses all of them', async (concurrency) => {
    const random = prng(concurrency);
    const g = gauge();
    const items = Array.from({ length: 40 }, (_, i) => i);
    await forEachLimited(items, concurrency, () =>
      g.around(async () => {
        expect(g.running()).toBeLessThanOrEqual(concurrency);
        await pause(random);
      }),
    );
    expect(g.peak()).toBe(concurrency);
    expect(g.running()).toBe(0);
  });

  it('works on every item exactly once, with its index, starting them in order', async () => {
    const random = prng(7);
    const started: number[] = [];
    const done: number[] = [];
    const items = Array.from({ length: 25 }, (_, i) => `item-${i}`);
    await forEachLimited(items, 4, async (item, index) => {
      expect(item).toBe(`item-${index}`);
      started.push(index);
      await pause(random);
      done.push(index);
    });
    expect(started).toEqual(items.map((_, i) => i));
    expect([...done].sort((a, b) => a - b)).toEqual(items.map((_, i) => i));
  });

  it('runs nothing for no items, and no more workers than items', async () => {
    let calls = 0;
    await forEachLimited([], 8, async () => {
      calls += 1;
    });
    expect(calls).toBe(0);
    const g = gauge();
    await forEachLimited([1, 2, 3], 8, () => g.around(() => new Promise((r) => setTimeout(r, 1))));
    expect(g.peak()).toBe(3);
  });

  it('rejects with the first error and starts no item after it', async () => {
    const random = prng(3);
    const started: number[] = [];
    let thrown = false;
    const startedAfterThrow: number[] = [];
    const failure = new Error('item 5 failed');
    const items = Array.from({ length: 30 }, (_, i) => i);
    await expect(
      forEachLimited(items, 3, async (i) => {
        started.push(i);
        if (thrown) startedAfterThrow.push(i);
        if (i === 5) {
          thrown = true;
          throw failure;
        }
        await pause(random);
      }),
    ).rejects.toBe(failure);
    // Let the jobs still in flight end: none of them starts another item.
    await new Promise((r) => setTimeout(r, 20));
    expect(startedAfterThrow).toEqual([]);
    expect(started).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it('with concurrency 1 runs strictly one after the other', async () => {
    const order: string[] = [];
    await forEachLimited([0, 1, 2], 1, async (i) => {
      order.push(`start ${i}`);
      await new Promise((r) => setTimeout(r, 1));
      order.push(`end ${i}`);
    });
    expect(order).toEqual(['start 0', 'end 0', 'start 1', 'end 1', 'start 2', 'end 2']);
  });
});

describe('createLane', () => {
  it.each([1, 2, 5])('never runs more than %i jobs at once, and uses all of them', async (concurrency) => {
    const random = prng(concurrency + 100);
    const lane = createLane(concurrency);
    const g = gauge();
    await Promise.all(
      Array.from({ length: 30 }, () =>
        lane.run(() =>
          g.around(async () => {
            expect(g.running()).toBeLessThanOrEqual(concurrency);
            await pause(random);
          }),
        ),
      ),
    );
    expect(g.peak()).toBe(concurrency);
  });

  it('starts jobs in the order they were given, and returns each job its own value', async () => {
    const random = prng(11);
    const lane = createLane(2);
    const started: number[] = [];
    const values = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        lane.run(async () => {
          started.push(i);
          await pause(random);
          return i * 10;
        }),
      ),
    );
    expect(started).toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect(values).toEqual(Array.from({ length: 20 }, (_, i) => i * 10));
  });

  it('passes a job its error and frees the slot for the next', async () => {
    const lane = createLane(1);
    const g = gauge();
    const failing = lane.run(() => g.around(async () => Promise.reject(new Error('boom'))));
    const after = Array.from({ length: 5 }, (_, i) => lane.run(() => g.around(async () => i)));
    await expect(failing).rejects.toThrow('boom');
    expect(await Promise.all(after)).toEqual([0, 1, 2, 3, 4]);
    expect(g.peak()).toBe(1);
    // The lane is idle again: a new job starts at once, alone.
    expect(await lane.run(async () => g.running())).toBe(0);
  });

  it('a job given later to an idle lane does not wait', async () => {
    const lane = createLane(1);
    await lane.run(async () => undefined);
    let ran = false;
    const job = lane.run(async () => {
      ran = true;
    });
    await Promise.resolve();
    expect(ran).toBe(true);
    await job;
  });
});

describe('concurrencyFor', () => {
  it('keeps rate × 0.5 s in flight, between 8 and 48', () => {
    expect(concurrencyFor(7.5)).toBe(8); // DeleteLogStream 15 TPS at half share
    expect(concurrencyFor(0)).toBe(8);
    expect(concurrencyFor(20)).toBe(10);
    expect(concurrencyFor(21)).toBe(11); // rounded up
    expect(concurrencyFor(96)).toBe(48);
    expect(concurrencyFor(10_000)).toBe(48);
  });

  it('never decreases as the rate grows', () => {
    let previous = 0;
    for (let tps = 0; tps <= 200; tps += 0.5) {
      const c = concurrencyFor(tps);
      expect(c).toBeGreaterThanOrEqual(previous);
      previous = c;
    }
  });
});

describe('createTurns', () => {
  const settled = async (p: Promise<void>): Promise<boolean> => {
    let done = false;
    void p.then(() => {
      done = true;
    });
    for (let i = 0; i < 5; i += 1) await Promise.resolve();
    return done;
  };

  it('gives the turns in the order they were taken, each once every earlier one was released', async () => {
    const slot = createTurns();
    const first = slot.take();
    const second = slot.take();
    const third = slot.take();
    expect(await settled(first.ready)).toBe(true);
    expect(await settled(second.ready)).toBe(false);
    first.release();
    expect(await settled(second.ready)).toBe(true);
    expect(await settled(third.ready)).toBe(false);
    second.release();
    second.release(); // a second release hands nothing more on
    expect(await settled(third.ready)).toBe(true);
  });

  it('lets a turn taken after a release start at once', async () => {
    const slot = createTurns();
    slot.take().release();
    expect(await settled(slot.take().ready)).toBe(true);
  });
});
