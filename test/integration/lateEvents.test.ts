/**
 * Late writers (issue 13): PutLogEvents accepts events up to 14 days old, so a producer can write into
 * windows that were exported already. Each case has the producer write at the named moment through
 * the real API (CloudWatch stamps the ingestion time), then checks event by event that every event
 * before the cutoff is in the archive exactly once before CloudWatch lets it go.
 */
import { CreateLogStreamCommand, PutLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MS_PER_DAY } from '../../src/constants.js';
import { runCwlTrim } from '../../src/run.js';
import type { Sandbox, SeedEvent } from '@cwl-trim/sandbox';
import { archivedEvents, keys, testConfig, testDeps } from '../helpers/runHarness.js';
import { sandboxClients, type SandboxClients } from '@cwl-trim/sandbox/testing';
import { GROUP, seedOrders, useRunSandbox } from '../helpers/scenario.js';

let sandbox: Sandbox;
useRunSandbox((s) => {
  sandbox = s;
});
let clients: SandboxClients;
beforeAll(() => {
  clients = sandboxClients(sandbox.endpoint, sandbox.region);
});
afterAll(() => clients.destroy());

/** 40 events, `fromDays` to `toDays` old, written now by a producer (chronological, as PutLogEvents wants). */
async function writeLate(stream: string, fromDays: number, toDays: number, create = false): Promise<SeedEvent[]> {
  const now = sandbox.clock.now();
  const events = Array.from({ length: 40 }, (_, i) => {
    const timestamp = Math.round(now - fromDays * MS_PER_DAY + (i * (fromDays - toDays) * MS_PER_DAY) / 40);
    return { timestamp, message: `late ${stream} ${i} at ${new Date(timestamp).toISOString()}` };
  });
  if (create) await clients.logs.send(new CreateLogStreamCommand({ logGroupName: GROUP, logStreamName: stream }));
  // One call an event: a batch may not span more than 24 hours.
  for (const e of events) {
    const out = await clients.logs.send(
      new PutLogEventsCommand({ logGroupName: GROUP, logStreamName: stream, logEvents: [e] }),
    );
    expect(out.rejectedLogEventsInfo).toBeUndefined();
  }
  return events;
}

const run = async () => {
  const config = testConfig(sandbox, { days: 7, forceRebuild: true });
  return runCwlTrim(config, testDeps(sandbox, config));
};

/** Every event of `stream` before the cutoff is archived exactly once; CloudWatch holds the rest exactly once. */
function expectNothingLost(stream: string, written: readonly SeedEvent[], cutoffMs: number): void {
  const archived = archivedEvents(sandbox).get(`${GROUP}|${stream}`) ?? [];
  expect(keys(archived), `archive of ${stream}`).toEqual(keys(written.filter((e) => e.timestamp < cutoffMs)));
  const inCloudWatch = sandbox.streamNames(GROUP).includes(stream) ? sandbox.events(GROUP, stream) : [];
  expect(keys(inCloudWatch), `CloudWatch of ${stream}`).toEqual(keys(written.filter((e) => e.timestamp >= cutoffMs)));
}

describe('late writers into archived windows', () => {
  it.each([
    ['8–12 days old', 12, 8],
    ['0.5–2 days before the last cutoff', 9, 7.5],
  ])(
    'a rebuilt straddling stream written with 40 events %s: archived before the next rebuild',
    async (_name, fromDays, toDays) => {
      const seeded = seedOrders(sandbox);
      const first = await run();
      expect(first.result?.outcome).toBe('done');
      const late = await writeLate('straddling', fromDays, toDays);
      sandbox.clock.advance(MS_PER_DAY);
      const second = await run();
      expect(second.result?.outcome).toBe('done');
      const rebuilt = second.result?.groups[0]?.streams.find((s) => s.logStreamName === 'straddling');
      expect(rebuilt).toMatchObject({ action: 'rebuild', outcome: 'done', caughtUp: 40 });
      expectNothingLost('straddling', [...seeded.get('straddling')!, ...late], second.plan.cutoffMs);
    },
  );

  it('an expired stream deleted, then recreated by its producer with 40 late events: archived, then deleted', async () => {
    const seeded = seedOrders(sandbox);
    const name = '2026/10/01/[$LATEST]expired1';
    await run();
    expect(sandbox.streamNames(GROUP)).not.toContain(name);
    const late = await writeLate(name, 13, 10, true);
    sandbox.clock.advance(MS_PER_DAY);
    const second = await run();
    expect(second.result?.groups[0]?.streams.find((s) => s.logStreamName === name)).toMatchObject({
      action: 'delete',
      outcome: 'done',
      caughtUp: 40,
    });
    expectNothingLost(name, [...seeded.get(name)!, ...late], second.plan.cutoffMs);
  });

  it('late events into a stream that was current at the last run: archived before its first rebuild', async () => {
    const seeded = seedOrders(sandbox);
    await run();
    const late = await writeLate('current', 12, 8);
    sandbox.clock.advance(MS_PER_DAY);
    const second = await run();
    expect(second.result?.groups[0]?.streams.find((s) => s.logStreamName === 'current')).toMatchObject({
      action: 'rebuild',
      outcome: 'done',
      caughtUp: 40,
    });
    expectNothingLost('current', [...seeded.get('current')!, ...late], second.plan.cutoffMs);
  });

  it('a catch-up redone (the run died before the delete) rewrites the same object: nothing archived twice', async () => {
    const seeded = seedOrders(sandbox);
    const name = '2026/10/01/[$LATEST]expired1';
    await run();
    const late = await writeLate(name, 13, 10, true);
    sandbox.clock.advance(MS_PER_DAY);
    // The first attempt dies at the delete (after the catch-up was written): the stream stays.
    sandbox.injectFault({
      operation: 'DeleteLogStream',
      times: 100,
      error: { name: 'AccessDeniedException', status: 400 },
    });
    const failed = await run();
    expect(failed.result?.groups[0]?.streams.find((s) => s.logStreamName === name)?.outcome).toBe('failed');
    sandbox.clearFaults();
    // The refused deletes kept that run's group lock too: it expires after 5 minutes (CloudWatch's clock).
    sandbox.clock.advance(6 * 60_000);
    const again = await run();
    expect(again.result?.groups[0]?.streams.find((s) => s.logStreamName === name)).toMatchObject({
      outcome: 'done',
      caughtUp: 40,
    });
    expectNothingLost(name, [...seeded.get(name)!, ...late], again.plan.cutoffMs);
  });
});

describe('late writers with the retention strategy', () => {
  it('archives events written into an archived window before the retention can expire them', async () => {
    const seeded = seedOrders(sandbox);
    const config = testConfig(sandbox, { days: 7, strategy: 'retention' });
    const first = await runCwlTrim(config, testDeps(sandbox, config));
    expect(first.result?.groups[0]?.retention).toMatchObject({ outcome: 'set', days: 7 });
    // More than a day late: inside the window the first run archived (it ends a day before now).
    const late = await writeLate('current', 4, 2);
    sandbox.clock.advance(MS_PER_DAY);
    const second = await runCwlTrim(config, testDeps(sandbox, config));
    expect(second.result?.groups[0]?.caughtUpEvents).toBe(40);
    const archivedThrough = second.result!.groups[0]!.archivedThroughMs!;
    const archived = archivedEvents(sandbox).get(`${GROUP}|current`) ?? [];
    const all = [...seeded.get('current')!, ...late];
    expect(keys(archived)).toEqual(keys(all.filter((e) => e.timestamp <= archivedThrough)));
    // CloudWatch keeps everything: the retention, not cwl-trim, expires it.
    expect(sandbox.events(GROUP, 'current')).toHaveLength(all.length);
  });
});
