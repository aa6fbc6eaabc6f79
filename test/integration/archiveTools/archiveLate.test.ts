/**
 * Late writers caught up by cwl-trim itself (src/archive/catchUp.ts writes them under
 * `exports/<group>/late/…` with a manifest): `archive cat` finds them with the exported events, and
 * `archive verify` checks them like an export's objects instead of calling them unlisted.
 */
import { PutLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MS_PER_DAY } from '../../../src/constants.js';
import type { Sandbox, SeedEvent } from '@cwl-trim/sandbox';
import { archiveCli, deleteKey, inCatOrder, linesOf, trimRun } from '../../helpers/archiveCli.js';
import { BUCKET } from '../../helpers/runHarness.js';
import { sandboxClients, type SandboxClients } from '@cwl-trim/sandbox/testing';
import { GROUP, seedOrders, useRunSandbox } from '../../helpers/scenario.js';

let sandbox: Sandbox;
useRunSandbox((s) => {
  sandbox = s;
});
let clients: SandboxClients;
beforeAll(() => {
  clients = sandboxClients(sandbox.endpoint, sandbox.region);
});
afterAll(() => clients.destroy());

/** 30 events 12 to 8 days old written now into `current` (inside the window the first run exported). */
async function writeLate(): Promise<SeedEvent[]> {
  const now = sandbox.clock.now();
  const events = Array.from({ length: 30 }, (_, i) => {
    const timestamp = Math.round(now - 12 * MS_PER_DAY + (i * 4 * MS_PER_DAY) / 30);
    return { timestamp, message: `late current ${i}` };
  });
  // One call an event: a batch may not span more than 24 hours.
  for (const e of events)
    await clients.logs.send(new PutLogEventsCommand({ logGroupName: GROUP, logStreamName: 'current', logEvents: [e] }));
  return events;
}

async function caughtUp(): Promise<{ all: Map<string, SeedEvent[]>; late: SeedEvent[]; cutoffMs: number }> {
  const seeded = seedOrders(sandbox);
  await trimRun(sandbox);
  const late = await writeLate();
  sandbox.clock.advance(MS_PER_DAY);
  const cutoffMs = await trimRun(sandbox);
  const all = new Map(seeded);
  all.set('current', [...seeded.get('current')!, ...late]);
  return { all, late, cutoffMs };
}

const lateObjects = () => sandbox.objects(BUCKET, `cwl-archive/exports/~app~orders/late/`);

describe('archive tools over caught-up late events', () => {
  it('cat prints the caught-up events with the exported ones, each once, in order', async () => {
    const { all, late, cutoffMs } = await caughtUp();
    expect(lateObjects().some((o) => o.key.endsWith('/manifest.json'))).toBe(true);
    const out = await archiveCli(sandbox, ['cat', '--log-group', GROUP, '--stream', 'current']);
    expect(out.code).toBe(0);
    const expected = inCatOrder(all, (s, e) => s === 'current' && e.timestamp < cutoffMs);
    expect(expected.filter((l) => l.includes('late current'))).toHaveLength(late.length);
    expect(linesOf(out.stdout)).toEqual(expected);
  });

  it('verify checks the catch-up objects (present, size, ETag) and passes; fails when one is deleted', async () => {
    await caughtUp();
    const ok = await archiveCli(sandbox, ['verify', '--json']);
    const result = JSON.parse(ok.stdout) as { ok: boolean; groups: { objectsChecked: number; problems: unknown[] }[] };
    expect(result.groups[0]!.problems).toEqual([]);
    expect(ok.code).toBe(0);
    const gz = sandbox.objects(BUCKET, 'cwl-archive/exports/').filter((o) => o.key.endsWith('.gz'));
    expect(result.groups[0]!.objectsChecked).toBe(gz.length);

    const victim = lateObjects().find((o) => o.key.endsWith('.gz'))!.key;
    await deleteKey(sandbox, victim);
    const bad = await archiveCli(sandbox, ['verify']);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toContain(
      'object-missing: listed in the manifest of the catch-up of late events of current, absent from S3',
    );
    expect(bad.stdout).toContain(victim);
  });
});
