/** The account most integration tests start from, and the invariant every run must keep. */
import { afterAll, beforeAll, beforeEach, expect } from 'vitest';
import { createSandboxClock, startSandbox, type Sandbox, type SandboxOptions, type SeedEvent } from '@cwl-trim/sandbox';
import { BUCKET, MS_PER_DAY, archivedEvents, history, keys, scaledQuotas } from './runHarness.js';

const NOW = Date.UTC(2026, 10, 21, 12);
const HOUR = 3_600_000;
const GROUP = '/app/orders';

/** A realistic group: expired short streams, a long straddling one (idle 19 h), a current one. */
function seedOrders(sandbox: Sandbox, group = GROUP): Map<string, SeedEvent[]> {
  const now = sandbox.clock.now();
  const streams = new Map<string, SeedEvent[]>([
    ...[1, 2, 3, 4, 5].map(
      (i) =>
        [
          `2026/10/0${i}/[$LATEST]expired${i}`,
          history(`expired${i}`, now - (30 - i) * MS_PER_DAY, now - (25 - i) * MS_PER_DAY, 2 * HOUR),
        ] as const,
    ),
    ['straddling', history('straddling', now - 60 * MS_PER_DAY, now - 19 * HOUR, HOUR)],
    ['current', history('current', now - 3 * MS_PER_DAY, now - 20 * HOUR, HOUR)],
  ]);
  sandbox.seedGroup(group, { creationTimeMs: now - 61 * MS_PER_DAY });
  for (const [name, events] of streams) sandbox.seedStream(group, name, events);
  return streams;
}

/**
 * Event by event: S3 holds every seeded event before the cutoff exactly once, and CloudWatch holds
 * exactly the events at or after it, in order — for streams the run trimmed. Streams named in
 * `untouched` must still hold every seeded event.
 */
function expectInvariant(
  sandbox: Sandbox,
  seeded: Map<string, SeedEvent[]>,
  cutoffMs: number,
  options: { group?: string; untouched?: readonly string[] } = {},
): void {
  const group = options.group ?? GROUP;
  const archive = archivedEvents(sandbox);
  for (const [name, events] of seeded) {
    const old = events.filter((e) => e.timestamp < cutoffMs);
    const untouched = options.untouched?.includes(name) ?? false;
    const kept = untouched ? events : events.filter((e) => e.timestamp >= cutoffMs);
    expect(keys(archive.get(`${group}|${name}`) ?? []), `archive of ${name}`).toEqual(keys(old));
    const inCloudWatch = sandbox.streamNames(group).includes(name) ? sandbox.events(group, name) : [];
    expect(
      inCloudWatch.map((e) => `${e.timestamp} ${e.message}`),
      `CloudWatch of ${name}`,
    ).toEqual(kept.map((e) => `${e.timestamp} ${e.message}`));
  }
}

/**
 * One sandbox per test file, with quotas scaled ×20 (as `testDeps` scales cwl-trim's limiters) and a
 * clock at NOW (frozen by default, so a second run has the same cutoff); before each test it is
 * emptied, the clock reset and the archive bucket created. `onStart` receives it.
 *
 * @example let sandbox: Sandbox; useRunSandbox((s) => { sandbox = s; });
 */
function useRunSandbox(onStart: (sandbox: Sandbox) => void, options: { frozen?: boolean } & SandboxOptions = {}): void {
  let sandbox: Sandbox | undefined;
  const { frozen = true, ...sandboxOptions } = options;
  beforeAll(async () => {
    sandbox = await startSandbox({
      quotasTps: scaledQuotas(20),
      clock: createSandboxClock(NOW, { frozen }),
      ...sandboxOptions,
    });
    onStart(sandbox);
  });
  afterAll(async () => {
    await sandbox?.stop();
  });
  beforeEach(() => {
    sandbox?.reset();
    sandbox?.clock.set(NOW);
    sandbox?.createBucket(BUCKET);
  });
}

export { GROUP, HOUR, NOW, expectInvariant, seedOrders, useRunSandbox };
