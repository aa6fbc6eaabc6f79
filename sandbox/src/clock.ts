import { performance } from 'node:perf_hooks';
import type { SandboxClock } from './types.js';

/**
 * Creates the clock a sandbox and the code under test share.
 *
 * A flowing clock (the default) reads `startMs` plus the real time elapsed since it was last set,
 * so timeouts and polling behave as in life while a test can still jump days ahead with `advance`.
 * A frozen clock only moves when told to.
 *
 * @example
 * const clock = createSandboxClock(Date.parse('2024-05-01T00:00:00Z'), { frozen: true });
 * clock.advance(90 * MS_PER_DAY);
 */
function createSandboxClock(startMs: number = Date.now(), opts: { frozen?: boolean } = {}): SandboxClock {
  if (!Number.isFinite(startMs)) throw new TypeError(`Expected \`startMs\` to be a finite number, got ${startMs}`);
  const frozen = opts.frozen ?? false;
  let baseMs = startMs;
  // performance.now() is monotonic: a wall-clock step (NTP) must not move the sandbox clock.
  let realBase = performance.now();
  const elapsed = (): number => (frozen ? 0 : Math.floor(performance.now() - realBase));
  return {
    now: () => baseMs + elapsed(),
    advance: (ms: number) => {
      baseMs += ms;
    },
    set: (ms: number) => {
      baseMs = ms;
      realBase = performance.now();
    },
  };
}

export { createSandboxClock };
