import { afterEach, describe, expect, it } from 'vitest';
import { OTHER_SERVICE_TPS, createLimiters } from '../../../src/aws/limiters.js';
import type { LimiterClock, Limiters } from '../../../src/aws/limiters.js';
import { DEFAULT_QUOTAS_TPS } from '../../../src/constants.js';
import { CwlTrimError } from '../../../src/errors.js';

let limiters: Limiters | undefined;
afterEach(async () => {
  await limiters?.stop();
  limiters = undefined;
});

/** Schedules `count` jobs at once; resolves with when each started, in ms after they were submitted. */
async function startOffsets(run: Limiters, operation: string, count: number): Promise<number[]> {
  const submittedAt = performance.now();
  const offsets = await Promise.all(
    Array.from({ length: count }, () => run.for(operation).schedule(async () => performance.now() - submittedAt)),
  );
  return offsets.sort((a, b) => a - b);
}

describe('createLimiters', () => {
  it('has exactly one limiter per operation, for every CloudWatch Logs, S3 and Lambda operation', () => {
    limiters = createLimiters({ quotaShare: 0.5 });
    const expected = [...Object.keys(DEFAULT_QUOTAS_TPS), ...Object.keys(OTHER_SERVICE_TPS)];
    expect([...limiters.operations].sort()).toEqual([...new Set(expected)].sort());
    expect(limiters.operations).toContain('Invoke');
    expect(limiters.operations).toContain('PutObject');
    expect(limiters.for('GetLogEvents')).toBe(limiters.for('GetLogEvents'));
    expect(limiters.for('GetLogEvents')).not.toBe(limiters.for('DescribeLogStreams'));
  });

  it('allows each CloudWatch Logs operation its quota times the share', () => {
    limiters = createLimiters({ quotaShare: 0.5 });
    expect(limiters.allowedTps('GetLogEvents')).toBe(5);
    expect(limiters.allowedTps('PutLogEvents')).toBe(2_500);
    expect(limiters.allowedTps('DescribeLogStreams')).toBe(12.5);
  });

  it('gives S3 and Lambda their fixed rates, not scaled by the share', () => {
    limiters = createLimiters({ quotaShare: 0.1 });
    expect(limiters.allowedTps('PutObject')).toBe(OTHER_SERVICE_TPS.PutObject);
    expect(limiters.allowedTps('Invoke')).toBe(OTHER_SERVICE_TPS.Invoke);
  });

  it('takes quotas that replace the defaults, and new operations', () => {
    limiters = createLimiters({ quotaShare: 0.5, quotasTps: { GetLogEvents: 20, SomeNewOperation: 4 } });
    expect(limiters.allowedTps('GetLogEvents')).toBe(10);
    expect(limiters.allowedTps('SomeNewOperation')).toBe(2);
  });

  it('refuses an operation it has no quota for', () => {
    limiters = createLimiters({ quotaShare: 0.5 });
    expect(() => limiters?.for('PutLogEvent')).toThrow(CwlTrimError);
    expect(() => limiters?.allowedTps('PutLogEvent')).toThrow(/No limiter for "PutLogEvent"/);
  });

  it.each([0, -0.5, 1.5, Number.NaN])('refuses a quota share of %d', (quotaShare) => {
    expect(() => createLimiters({ quotaShare })).toThrow(RangeError);
  });

  it.each([0, -1, Number.POSITIVE_INFINITY])('refuses a quota of %d', (quota) => {
    expect(() => createLimiters({ quotaShare: 1, quotasTps: { GetLogEvents: quota } })).toThrow(RangeError);
  });
});

describe('rate', () => {
  it('cannot start the first 10 calls within 500 ms at 20 TPS × 0.5', async () => {
    // Prepare: 10 calls per second, so one every 100 ms.
    limiters = createLimiters({ quotaShare: 0.5, quotasTps: { GetLogEvents: 20 } });

    // Act
    const offsets = await startOffsets(limiters, 'GetLogEvents', 10);

    // Assess: a noisy machine can only make calls later, never earlier.
    expect(offsets[9]).toBeGreaterThanOrEqual(500);
    offsets.forEach((offset, index) => expect(offset).toBeGreaterThanOrEqual(index * 100 - 5));
  });

  it('lets at most rate × window + 1 calls start in the first window, at a fast-scaled quota', async () => {
    // Prepare: 200 TPS × 0.5 = one call every 10 ms.
    limiters = createLimiters({ quotaShare: 0.5, quotasTps: { DescribeLogGroups: 200 } });

    // Act
    const offsets = await startOffsets(limiters, 'DescribeLogGroups', 30);

    // Assess
    const startedWithin = (windowMs: number): number => offsets.filter((offset) => offset < windowMs).length;
    expect(startedWithin(100)).toBeLessThanOrEqual(11);
    expect(startedWithin(200)).toBeLessThanOrEqual(21);
    offsets.forEach((offset, index) => expect(offset).toBeGreaterThanOrEqual(index * 10 - 5));
  });

  it('does not make one operation wait for another', async () => {
    // Prepare
    limiters = createLimiters({ quotaShare: 1, quotasTps: { GetLogEvents: 10, DescribeLogGroups: 10 } });
    const order: string[] = [];
    const run = (operation: string): Promise<void> =>
      limiters!.for(operation).schedule(async () => {
        order.push(operation);
      });

    // Act
    await Promise.all([run('GetLogEvents'), run('GetLogEvents'), run('GetLogEvents'), run('DescribeLogGroups')]);

    // Assess: DescribeLogGroups starts at once, not after the queued GetLogEvents calls.
    expect(order.indexOf('DescribeLogGroups')).toBeLessThan(order.lastIndexOf('GetLogEvents'));
  });
});

describe('stop', () => {
  it('drops queued calls and can be called twice', async () => {
    // Prepare: one call a second, so the second call is still queued when we stop.
    const own = createLimiters({ quotaShare: 1, quotasTps: { GetLogEvents: 1 } });
    let markStarted = (): void => undefined;
    const started = new Promise<void>((resolve) => {
      markStarted = resolve;
    });
    const first = own.for('GetLogEvents').schedule(async () => {
      markStarted();
      return 'sent';
    });
    const second = own
      .for('GetLogEvents')
      .schedule(async () => 'sent')
      .then(
        () => 'sent',
        (error: unknown) => (error as Error).message,
      );
    await started;

    // Act
    await Promise.all([own.stop(), own.stop()]);

    // Assess
    await expect(first).resolves.toBe('sent');
    await expect(second).resolves.toMatch(/stopped/);
  });
});

/**
 * A clock the test drives: timers fire when `advanceTo` passes them, each `lateMs` after its due time
 * (a busy event loop), and the jobs they start run before the next timer.
 */
function fakeClock(lateMs = 0) {
  let nowMs = 0;
  let timers: { at: number; fn: () => void; id: number }[] = [];
  let nextId = 1;
  const clock: LimiterClock = {
    now: () => nowMs,
    setTimeout: (fn, ms) => {
      const id = nextId++;
      timers.push({ at: nowMs + Math.max(1, ms) + lateMs, fn, id });
      return id;
    },
    clearTimeout: (id) => {
      timers = timers.filter((t) => t.id !== id);
    },
  };
  const flush = async (): Promise<void> => {
    for (let i = 0; i < 5; i++) await Promise.resolve();
  };
  return {
    clock,
    now: () => nowMs,
    async advanceTo(targetMs: number): Promise<void> {
      for (;;) {
        timers.sort((a, b) => a.at - b.at);
        const next = timers[0];
        if (next === undefined || next.at > targetMs) break;
        timers.shift();
        nowMs = next.at;
        next.fn();
        await flush();
      }
      nowMs = targetMs;
      await flush();
    },
  };
}

describe('token bucket', () => {
  /** Schedules `count` calls at once; returns the fake time each one started at. */
  function scheduleAll(run: Limiters, operation: string, count: number, now: () => number): number[] {
    const startedAt: number[] = [];
    for (let i = 0; i < count; i++)
      run
        .for(operation)
        .schedule(() => {
          startedAt.push(now());
        })
        .catch(() => undefined);
    return startedAt;
  }

  it.each([0, 0.7, 3])('admits rate × elapsed ± burst over 500 calls with timers %d ms late', async (lateMs) => {
    // Prepare: 50 calls a second for cwl-trim (quota 100 × share 0.5), every timer late by lateMs.
    const fake = fakeClock(lateMs);
    limiters = createLimiters({ quotaShare: 0.5, quotasTps: { DescribeLogStreams: 100 }, clock: fake.clock });
    const { burst } = limiters.for('DescribeLogStreams');
    const startedAt = scheduleAll(limiters, 'DescribeLogStreams', 500, fake.now);

    // Act and assess: at every point of the run, the calls started are rate × elapsed, within the burst.
    for (let t = 0; t <= 10_500; t += 250) {
      await fake.advanceTo(t);
      const expected = 1 + (50 * t) / 1000;
      expect(startedAt.length).toBeLessThanOrEqual(expected + burst);
      expect(startedAt.length).toBeGreaterThanOrEqual(Math.min(500, expected - burst));
    }
    expect(startedAt).toHaveLength(500);
    // Calls never start faster than the rate allows over any window longer than the burst.
    for (let i = burst; i < startedAt.length; i++) {
      expect(startedAt[i]! - startedAt[i - burst]!).toBeGreaterThanOrEqual(((burst - 1) * 1000) / 50 - 1e-9);
    }
  });

  it('loses the rate to late timers without its catch-up: the contrast', async () => {
    // 3 ms late per 20 ms wait would cost 13 % of the rate with a timer per call and no catch-up.
    const fake = fakeClock(3);
    limiters = createLimiters({ quotaShare: 0.5, quotasTps: { DescribeLogStreams: 100 }, clock: fake.clock });
    const startedAt = scheduleAll(limiters, 'DescribeLogStreams', 500, fake.now);
    await fake.advanceTo(5_000);
    const withoutCatchUp = Math.floor(5_000 / (20 + 3)) + 1;
    expect(startedAt.length).toBeGreaterThan(withoutCatchUp + 20);
  });

  it('starts at most a burst at once after an idle spell, and only one call at first', async () => {
    const fake = fakeClock();
    limiters = createLimiters({ quotaShare: 1, quotasTps: { GetLogEvents: 200 }, clock: fake.clock });
    const { burst } = limiters.for('GetLogEvents');
    expect(burst).toBe(20);
    const first = scheduleAll(limiters, 'GetLogEvents', 5, fake.now);
    await fake.advanceTo(0);
    expect(first).toEqual([0]);
    await fake.advanceTo(60_000);
    const later = scheduleAll(limiters, 'GetLogEvents', 100, fake.now);
    await fake.advanceTo(60_000);
    expect(later).toHaveLength(burst);
    await fake.advanceTo(60_100);
    expect(later.length).toBeLessThanOrEqual(burst + 20 + 1);
  });

  it('keeps a burst of at least two calls at slow rates, so one late timer is still caught up', () => {
    limiters = createLimiters({ quotaShare: 0.5, quotasTps: { DeleteLogStream: 15 } });
    expect(limiters.for('DeleteLogStream').burst).toBe(2);
  });
});
