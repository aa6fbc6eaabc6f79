import { describe, expect, it } from 'vitest';
import { MS_PER_DAY } from '../../../src/constants.js';
import type { Sandbox } from '@cwl-trim/sandbox';
import { BUCKET } from '../../helpers/runHarness.js';
import { archiveCli, deleteKey, getText, putObject, trimRun } from '../../helpers/archiveCli.js';
import { GROUP, seedOrders, useRunSandbox } from '../../helpers/scenario.js';

let sandbox: Sandbox;
useRunSandbox(
  (s) => {
    sandbox = s;
  },
  { exportChunkEvents: 40 },
);

const STATE_KEY = 'cwl-archive/state/groups/~app~orders.json';

/** Two runs a day apart: two windows, several objects each. */
async function archived(): Promise<void> {
  seedOrders(sandbox);
  await trimRun(sandbox);
  sandbox.clock.advance(MS_PER_DAY);
  await trimRun(sandbox);
  sandbox.clearCalls();
}

const exportObjects = () => sandbox.objects(BUCKET, 'cwl-archive/exports/').filter((o) => o.key.endsWith('.gz'));
const manifests = () => sandbox.objects(BUCKET, 'cwl-archive/exports/').filter((o) => o.key.endsWith('/manifest.json'));

describe('archive verify', () => {
  it('passes (exit 0) on the archive a run left, with read-only calls only', async () => {
    await archived();
    const out = await archiveCli(sandbox, ['verify']);
    expect(out.stderr).toBe('');
    expect(out.stdout).toMatch(/\/app\/orders: 2 windows, \d+ objects .* checked — ok/);
    expect(out.stdout).toMatch(/archive verified/);
    expect(out.code).toBe(0);
    expect(sandbox.mutatingCalls()).toEqual([]);
    expect(sandbox.countCalls('ListObjectsV2')).toBeGreaterThan(0);
  });

  it('fails on a deleted object, naming it', async () => {
    await archived();
    const victim = exportObjects()[3]!.key;
    await deleteKey(sandbox, victim);
    const out = await archiveCli(sandbox, ['verify', '--log-group', GROUP]);
    expect(out.code).toBe(1);
    expect(out.stdout).toContain(`object-missing: listed in the manifest`);
    expect(out.stdout).toContain(victim);
    expect(out.stdout).toMatch(/archive NOT verified/);
  });

  it('fails on a truncated object (its size no longer matches the manifest)', async () => {
    await archived();
    const victim = exportObjects()[0]!;
    await putObject(sandbox, victim.key, victim.body.subarray(0, Math.floor(victim.body.length / 2)));
    const out = await archiveCli(sandbox, ['verify', '--json']);
    expect(out.code).toBe(1);
    const result = JSON.parse(out.stdout) as { ok: boolean; groups: { problems: { kind: string; key?: string }[] }[] };
    expect(result.ok).toBe(false);
    expect(result.groups[0]!.problems).toEqual([expect.objectContaining({ kind: 'size-mismatch', key: victim.key })]);
  });

  it('fails on an object rewritten with the same size but other bytes (the ETag the manifest recorded differs)', async () => {
    await archived();
    const victim = exportObjects()[2]!;
    const manifest = manifests().find((m) =>
      JSON.parse(m.body.toString('utf8')).objects.some((o: { key: string }) => o.key === victim.key),
    )!;
    const entry = (
      JSON.parse(manifest.body.toString('utf8')) as { objects: { key: string; etag?: string }[] }
    ).objects.find((o) => o.key === victim.key)!;
    // The manifest records the ETag ListObjectsV2 gave when the export was verified.
    expect(entry.etag?.replace(/"/g, '')).toBe(victim.etag.replace(/"/g, ''));
    const tampered = Buffer.from(victim.body);
    const at = tampered.length - 5;
    tampered[at] = tampered[at]! ^ 0xff;
    await putObject(sandbox, victim.key, tampered);
    sandbox.clearCalls();
    const out = await archiveCli(sandbox, ['verify', '--json']);
    expect(out.code).toBe(1);
    const problems = (JSON.parse(out.stdout) as { groups: { problems: { kind: string; key?: string }[] }[] }).groups[0]!
      .problems;
    expect(problems).toEqual([expect.objectContaining({ kind: 'checksum-mismatch', key: victim.key })]);
    // No export object is downloaded to find it: the listing carries the ETags (only the state and manifests are read).
    const downloaded = sandbox.calls
      .filter((c) => c.operation === 'GetObject')
      .map((c) => (c.input as { Key: string }).Key);
    expect(downloaded.filter((k) => !k.endsWith('.json'))).toEqual([]);
    expect(downloaded.length).toBeLessThanOrEqual(2 * manifests().length + 1);
  });

  it('still verifies sizes of a manifest written before ETags were recorded, and says so', async () => {
    await archived();
    for (const m of manifests()) {
      const body = JSON.parse(m.body.toString('utf8')) as { objects: { key: string; size: number; etag?: string }[] };
      await putObject(
        sandbox,
        m.key,
        JSON.stringify({ ...body, objects: body.objects.map(({ key, size }) => ({ key, size })) }),
      );
    }
    const out = await archiveCli(sandbox, ['verify']);
    expect(out.code).toBe(0);
    expect(out.stdout).toMatch(/· \d+ objects have no checksum in their manifest: sizes checked only/);
  });

  it('fails on a missing manifest', async () => {
    await archived();
    const victim = manifests()[1]!.key;
    await deleteKey(sandbox, victim);
    const out = await archiveCli(sandbox, ['verify', '--json']);
    expect(out.code).toBe(1);
    const kinds = (JSON.parse(out.stdout) as { groups: { problems: { kind: string; key?: string }[] }[] }).groups[0]!
      .problems;
    expect(kinds).toContainEqual(expect.objectContaining({ kind: 'manifest-missing', key: victim }));
    // Its objects are now listed by no manifest: reported too.
    expect(kinds.some((p) => p.kind === 'unlisted-object')).toBe(true);
  });

  it('fails on a gap between windows', async () => {
    await archived();
    const state = JSON.parse(await getText(sandbox, STATE_KEY)) as {
      windows: { fromMs: number; destinationPrefix: string }[];
    };
    const second = state.windows[1]!;
    const manifestKey = `${second.destinationPrefix}/manifest.json`;
    const manifest = JSON.parse(await getText(sandbox, manifestKey)) as { fromMs: number };
    second.fromMs += 60_000;
    manifest.fromMs += 60_000;
    await putObject(sandbox, STATE_KEY, JSON.stringify(state));
    await putObject(sandbox, manifestKey, JSON.stringify(manifest));
    const out = await archiveCli(sandbox, ['verify']);
    expect(out.code).toBe(1);
    expect(out.stdout).toMatch(/✗ gap: no window covers /);
  });

  it('fails on an object under exports/ that no manifest lists', async () => {
    await archived();
    await putObject(sandbox, 'cwl-archive/exports/~app~orders/1-2/task/stray/000000.gz', 'x');
    const out = await archiveCli(sandbox, ['verify']);
    expect(out.code).toBe(1);
    expect(out.stdout).toContain(
      'unlisted-object: under exports/ but in no manifest (s3://archive/cwl-archive/exports/~app~orders/1-2/task/stray/000000.gz)',
    );
  });
});

describe('archive ls', () => {
  it('lists windows, watermark, extra objects and findings per group', async () => {
    await archived();
    await putObject(sandbox, 'cwl-archive/rejected/~app~orders/straddling/batch-000000-r.json.gz', 'x');
    const out = await archiveCli(sandbox, ['ls', '--json']);
    expect(out.code).toBe(0);
    const listing = JSON.parse(out.stdout) as {
      groups: {
        logGroupName: string;
        archivedThroughMs: number;
        windows: { fromMs: number; toMs: number; objects: number }[];
        extra: Record<string, { objects: number }>;
        findings: unknown[];
      }[];
    };
    const [group] = listing.groups;
    expect(group!.logGroupName).toBe(GROUP);
    expect(group!.windows).toHaveLength(2);
    expect(group!.windows[1]!.fromMs).toBe(group!.windows[0]!.toMs + 1);
    expect(group!.archivedThroughMs).toBe(group!.windows[1]!.toMs);
    expect(group!.windows.reduce((n, w) => n + w.objects, 0)).toBe(exportObjects().length);
    expect(group!.extra).toEqual({ rejected: { objects: 1, bytes: 1 } });
    expect(group!.findings).toEqual([]);

    const text = await archiveCli(sandbox, ['ls']);
    expect(text.stdout).toMatch(/^\/app\/orders {2}archived through 20\d\d-/);
    expect(text.stdout).toContain('windows contiguous up to the watermark');
    expect(text.stdout).toContain('rejected events: 1 objects');
  });
});
