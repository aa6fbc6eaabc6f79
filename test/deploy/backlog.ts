/**
 * A backlog bigger than one invocation: several groups with expired streams to archive and delete, plus
 * a current stream each. Shared by the handler tests (source) and the artifact test (the bundle), which
 * both check, event by event, that a run split over invocations loses nothing.
 */
import { expect } from 'vitest';
import type { Sandbox, SeedEvent } from '@cwl-trim/sandbox';
import { MS_PER_DAY, archivedEvents, history, keys } from '../helpers/runHarness.js';

const HOUR = 3_600_000;

/** Seeded events by `group|stream`. */
type Seeded = Map<string, SeedEvent[]>;

const groupNames = (count: number): string[] => Array.from({ length: count }, (_, i) => `/app/service-${i + 1}`);

/**
 * Seeds `groupCount` groups under `/app/`, each with two streams wholly older than 20 days and one
 * current stream, relative to `nowMs`.
 *
 * @example const seeded = seedBacklog(sandbox, Date.now(), 4);
 */
function seedBacklog(sandbox: Sandbox, nowMs: number, groupCount: number): Seeded {
  const seeded: Seeded = new Map();
  for (const group of groupNames(groupCount)) {
    sandbox.seedGroup(group, { creationTimeMs: nowMs - 40 * MS_PER_DAY });
    const streams: [string, SeedEvent[]][] = [
      [
        '2026/10/01/[$LATEST]old-a',
        history(`${group} old-a`, nowMs - 30 * MS_PER_DAY, nowMs - 25 * MS_PER_DAY, 6 * HOUR),
      ],
      [
        '2026/10/06/[$LATEST]old-b',
        history(`${group} old-b`, nowMs - 25 * MS_PER_DAY, nowMs - 20 * MS_PER_DAY, 6 * HOUR),
      ],
      ['current', history(`${group} current`, nowMs - 3 * MS_PER_DAY, nowMs - 20 * HOUR, 2 * HOUR)],
    ];
    for (const [stream, events] of streams) {
      sandbox.seedStream(group, stream, events);
      seeded.set(`${group}|${stream}`, events);
    }
  }
  return seeded;
}

/**
 * Nothing lost: S3 holds every seeded event before the cutoff exactly once, and CloudWatch holds
 * exactly the events at or after it.
 *
 * @example expectNothingLost(sandbox, seeded, report.cutoff.ms);
 */
function expectNothingLost(sandbox: Sandbox, seeded: Seeded, cutoffMs: number): void {
  const archive = archivedEvents(sandbox);
  for (const [key, events] of seeded) {
    const [group = '', stream = ''] = key.split('|');
    const old = events.filter((e) => e.timestamp < cutoffMs);
    expect(keys(archive.get(key) ?? []), `archive of ${key}`).toEqual(keys(old));
    const inCloudWatch = sandbox.streamNames(group).includes(stream) ? sandbox.events(group, stream) : [];
    expect(
      inCloudWatch.map((e) => `${e.timestamp} ${e.message}`),
      `CloudWatch of ${key}`,
    ).toEqual(events.filter((e) => e.timestamp >= cutoffMs).map((e) => `${e.timestamp} ${e.message}`));
  }
}

/** The Lambda invocations the sandbox received, as the handler sent them. */
function invocations(sandbox: Sandbox): { functionName: string; invocationType: string; payload: unknown }[] {
  return sandbox.calls
    .filter((c) => c.service === 'lambda' && c.operation === 'Invoke')
    .map((c) => c.input as { functionName: string; invocationType: string; payload: unknown });
}

export { expectNothingLost, groupNames, invocations, seedBacklog };
export type { Seeded };
