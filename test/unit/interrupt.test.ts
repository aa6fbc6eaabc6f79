/** The stop on SIGINT/SIGTERM: the deadline passes, waits wake up, a second signal is the caller's to act on. */
import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import type { Sleep } from '../../src/clock.js';
import { createDeps } from '../../src/createDeps.js';
import { NO_DEADLINE } from '../../src/deps.js';
import { interruptibleDeadline, wakeOnAbort, watchStopSignals } from '../../src/interrupt.js';
import { configFactory } from '../helpers/factories.js';

describe('watchStopSignals', () => {
  it('aborts at the first signal and calls onSecond at the next, then stops listening', () => {
    const source = new EventEmitter();
    const seen: string[] = [];
    const stop = watchStopSignals({
      source,
      onStop: (s) => seen.push(`stop ${s}`),
      onSecond: (s) => seen.push(`second ${s}`),
    });
    expect(stop.signal.aborted).toBe(false);
    source.emit('SIGTERM');
    expect(stop.signal.aborted).toBe(true);
    expect(stop.signal.reason).toBe('SIGTERM');
    source.emit('SIGINT');
    expect(seen).toEqual(['stop SIGTERM', 'second SIGINT']);
    stop.dispose();
    expect(source.listenerCount('SIGINT') + source.listenerCount('SIGTERM')).toBe(0);
  });
});

describe('interruptibleDeadline', () => {
  it('passes at once when the run is stopped, and follows the deadline until then', () => {
    const controller = new AbortController();
    const deadline = interruptibleDeadline({ remainingMs: () => 5_000 }, controller.signal);
    expect(deadline.remainingMs()).toBe(5_000);
    controller.abort('SIGINT');
    expect(deadline.remainingMs()).toBeLessThanOrEqual(0);
  });
});

describe('wakeOnAbort', () => {
  it('ends a sleep early, quietly, at the stop; a stopped run does not sleep at all', async () => {
    const controller = new AbortController();
    const calls: number[] = [];
    // A sleep that only ends when its signal is aborted: the test has no timer at all.
    const forever: Sleep = (ms, signal) =>
      new Promise((resolve, reject) => {
        calls.push(ms);
        signal?.addEventListener('abort', () => reject(signal.reason), { once: true });
      });
    const sleep = wakeOnAbort(forever, controller.signal);
    const waiting = sleep(60_000);
    controller.abort('SIGINT');
    await expect(waiting).resolves.toBeUndefined();
    await expect(sleep(60_000)).resolves.toBeUndefined();
    expect(calls).toEqual([60_000]);
  });

  it("leaves the caller's own abort an error", async () => {
    const own = new AbortController();
    const failing: Sleep = (_ms, signal) =>
      new Promise((_resolve, reject) => {
        signal?.addEventListener('abort', () => reject(new Error('own abort')), { once: true });
      });
    const waiting = wakeOnAbort(failing, new AbortController().signal)(1_000, own.signal);
    own.abort();
    await expect(waiting).rejects.toThrow('own abort');
  });
});

describe('createDeps with an interrupt', () => {
  it('hands the pipeline a deadline that passes and the signal itself', async () => {
    const controller = new AbortController();
    const deps = createDeps(configFactory(), { interrupt: controller.signal, deadline: NO_DEADLINE });
    expect(deps.deadline.remainingMs()).toBe(Number.POSITIVE_INFINITY);
    controller.abort('SIGTERM');
    expect(deps.deadline.remainingMs()).toBeLessThanOrEqual(0);
    expect(deps.interrupt?.aborted).toBe(true);
    await deps.call.limiters.stop();
    Object.values(deps.clients).forEach((c) => c.destroy());
  });
});
