import { describe, expect, it } from 'vitest';
import { catRequest } from '../../../src/archiveTools/catQuery.js';
import { formatEventLine } from '../../../src/archiveTools/exportLines.js';
import { readArchive } from '../../../src/archiveTools/readArchive.js';
import { sourcesByStream } from '../../../src/archiveTools/streamSources.js';
import { MS_PER_DAY } from '../../../src/constants.js';
import type { Sandbox } from '@cwl-trim/sandbox';
import { archiveCli, deleteKey, linesOf, putObject, shuffleExports, trimRun } from '../../helpers/archiveCli.js';
import { splitManifests } from '../../helpers/manifestParts.js';
import { BUCKET, history, testConfig, testDeps } from '../../helpers/runHarness.js';
import { GROUP, NOW, seedOrders, useRunSandbox } from '../../helpers/scenario.js';

let sandbox: Sandbox;
// Small export chunks: a stream's export spans several objects, so parts of 3 objects cut through streams.
useRunSandbox(
  (s) => {
    sandbox = s;
  },
  { exportChunkEvents: 40 },
);

const PART_OBJECTS = 3;
const TARGET = '/app/orders-restored';
const iso = (ms: number): string => new Date(ms).toISOString();

/** Two windows archived by real runs, export objects shuffled as AWS leaves them (unless for verify: that changes their sizes). */
async function archivedHistory(shuffled = true): Promise<void> {
  seedOrders(sandbox);
  await trimRun(sandbox);
  sandbox.clock.advance(MS_PER_DAY);
  await trimRun(sandbox);
  if (shuffled) await shuffleExports(sandbox);
}

/** What cat prints for each of a few queries. */
async function catOutputs(): Promise<string[]> {
  const queries = [[], ['--stream', 'straddling'], ['--stream-prefix', '2026/10/0'], ['--start', '40d', '--json']];
  const out: string[] = [];
  for (const q of queries) {
    const run = await archiveCli(sandbox, ['cat', '--log-group', GROUP, ...q]);
    expect(run.code).toBe(0);
    out.push(run.stdout);
  }
  return out;
}

/** The restore's plan: each stream with the keys of its objects, in order. */
async function restorePlan(): Promise<[string, string[]][]> {
  const config = testConfig(sandbox, { days: 7 });
  const plan: [string, string[]][] = [];
  for await (const { stream, sources } of sourcesByStream(testDeps(sandbox, config), config, GROUP, {}))
    plan.push([stream, sources.map((s) => `${s.ordinal} ${s.key}`)]);
  return plan;
}

describe('a manifest listed in parts', () => {
  it('cat and the restore plan give exactly what the single-part manifest gives', async () => {
    await archivedHistory();
    const before = await catOutputs();
    const planBefore = await restorePlan();

    const { parts } = await splitManifests(sandbox, PART_OBJECTS);
    expect([...parts.values()].some((p) => p.length > 5)).toBe(true);

    expect(await catOutputs()).toEqual(before);
    expect(before[0]!.split('\n').length).toBeGreaterThan(1000);
    expect(await restorePlan()).toEqual(planBefore);
    expect(planBefore.length).toBe(6);
  });

  it('verify checks every object of every part, as of the single-part manifest', async () => {
    await archivedHistory(false);
    const before = await archiveCli(sandbox, ['verify', '--log-group', GROUP]);
    await splitManifests(sandbox, PART_OBJECTS);
    const after = await archiveCli(sandbox, ['verify', '--log-group', GROUP]);
    expect(after.code).toBe(0);
    expect(after.stdout).toBe(before.stdout);
    expect(after.stdout).toMatch(/2 windows, \d\d+ objects/);
  });

  it('cat over parts with at most 2 runs open still merges every event in order', async () => {
    await archivedHistory();
    const config = testConfig(sandbox, { days: 7 });
    const deps = testDeps(sandbox, config);
    const read = async (): Promise<string[]> => {
      const lines: string[] = [];
      for await (const batch of readArchive(deps, config, GROUP, catRequest({}, NOW), { maxOpenRuns: 2 }))
        lines.push(...batch.map(formatEventLine));
      return lines;
    };
    const before = await read();
    await splitManifests(sandbox, PART_OBJECTS);
    expect(await read()).toEqual(before);
  });

  it('cat --stream reads only the parts whose key range can hold the stream', async () => {
    await archivedHistory();
    const before = await archiveCli(sandbox, ['cat', '--log-group', GROUP, '--stream', 'current']);
    const { parts } = await splitManifests(sandbox, PART_OBJECTS);
    sandbox.clearCalls();
    const after = await archiveCli(sandbox, ['cat', '--log-group', GROUP, '--stream', 'current']);
    expect(after.stdout).toBe(before.stdout);
    const partsRead = sandbox.calls
      .filter((c) => c.operation === 'GetObject')
      .map((c) => (c.input as { Key: string }).Key)
      .filter((k) => k.includes('/manifest-parts/'));
    const allParts = [...parts.values()].flat();
    expect(partsRead.length).toBeGreaterThan(0);
    expect(partsRead.length).toBeLessThan(allParts.length / 2);
  });

  it('restore from a manifest in parts puts exactly the archived range', async () => {
    await archivedHistory();
    await splitManifests(sandbox, PART_OBJECTS);
    const startMs = NOW - 11 * MS_PER_DAY;
    const endMs = NOW - 8 * MS_PER_DAY;
    const range = ['--start', iso(startMs), '--end', iso(endMs)];
    const archived = linesOf((await archiveCli(sandbox, ['cat', '--log-group', GROUP, ...range, '--json'])).stdout).map(
      (l) => JSON.parse(l) as { logStreamName: string; timestamp: number; message: string },
    );
    expect(archived.length).toBeGreaterThan(60);
    const out = await archiveCli(sandbox, ['restore', '--log-group', GROUP, ...range, '--to-log-group', TARGET]);
    expect(out.code).toBe(0);
    expect(out.stdout).toContain(`restored ${archived.length} events of 1 stream`);
    const restored = sandbox
      .events(TARGET, 'straddling')
      .map((e) => ({ logStreamName: 'straddling', timestamp: e.timestamp, message: e.message }));
    expect(restored).toEqual(archived);
  });

  it('verify names a missing part, and does not call the objects it listed unlisted', async () => {
    await archivedHistory(false);
    const { parts } = await splitManifests(sandbox, PART_OBJECTS);
    const victim = [...parts.values()][0]![1]!;
    await deleteKey(sandbox, victim);
    const out = await archiveCli(sandbox, ['verify', '--log-group', GROUP, '--json']);
    expect(out.code).toBe(1);
    const problems = (
      JSON.parse(out.stdout) as { groups: { problems: { kind: string; key?: string; detail: string }[] }[] }
    ).groups[0]!.problems;
    expect(problems).toEqual([
      expect.objectContaining({
        kind: 'manifest-invalid',
        key: victim,
        detail: expect.stringMatching(/is missing: its 3 objects .* cannot be checked/),
      }),
    ]);
  });

  it('verify calls a part that lists another count than the manifest says invalid', async () => {
    await archivedHistory(false);
    const { parts } = await splitManifests(sandbox, PART_OBJECTS);
    const victim = [...parts.values()][0]![2]!;
    const body = JSON.parse(sandbox.objects(BUCKET, victim)[0]!.body.toString('utf8')) as { objects: unknown[] };
    await putObject(sandbox, victim, JSON.stringify({ objects: body.objects.slice(1) }));
    const out = await archiveCli(sandbox, ['verify', '--log-group', GROUP]);
    expect(out.code).toBe(1);
    expect(out.stdout).toContain(`lists 2 objects, the manifest says 3: its 3 objects`);
    expect(out.stdout).not.toContain('unlisted-object');
  });

  it('cat names a missing part on stderr, prints the rest, and exits 1', async () => {
    await archivedHistory();
    const whole = linesOf((await archiveCli(sandbox, ['cat', '--log-group', GROUP])).stdout);
    const { parts } = await splitManifests(sandbox, PART_OBJECTS);
    const victim = [...parts.values()][0]![1]!;
    await deleteKey(sandbox, victim);
    const out = await archiveCli(sandbox, ['cat', '--log-group', GROUP]);
    expect(out.code).toBe(1);
    expect(out.stderr).toContain(victim);
    const printed = linesOf(out.stdout);
    expect(printed.length).toBeGreaterThan(whole.length / 2);
    expect(printed.length).toBeLessThan(whole.length);
    expect(printed.every((l) => whole.includes(l))).toBe(true);
  });
});

describe('restore progress over several streams', () => {
  it('resumes after the first stream is done without putting it again', async () => {
    const group = '/app/two';
    sandbox.seedGroup(group, { creationTimeMs: NOW - 20 * MS_PER_DAY });
    for (const stream of ['alpha', 'beta'])
      sandbox.seedStream(group, stream, history(stream, NOW - 12 * MS_PER_DAY, NOW - 11.5 * MS_PER_DAY, 3_600_000));
    await trimRun(sandbox);
    await splitManifests(sandbox, 1);
    const argv = ['restore', '--log-group', group, '--start', '13d', '--end', '8d', '--to-log-group', TARGET];
    // One batch a stream (12 hours of events). Progress writes: before alpha's batch, after it, alpha done,
    // then the one before beta's batch fails.
    sandbox.injectFault({ operation: 'PutObject', nth: 4, error: { name: 'AccessDenied', status: 403 } });
    expect((await archiveCli(sandbox, argv)).code).toBe(1);
    expect(sandbox.streamNames(TARGET)).toEqual(['alpha']);
    const resumed = await archiveCli(sandbox, argv);
    expect(resumed.code).toBe(0);
    expect(resumed.stdout).toContain('restored 24 events of 2 streams');
    for (const stream of ['alpha', 'beta'])
      expect(sandbox.events(TARGET, stream).map((e) => e.message)).toEqual(
        history(stream, NOW - 12 * MS_PER_DAY, NOW - 11.5 * MS_PER_DAY, 3_600_000).map((e) => e.message),
      );
  });
});
