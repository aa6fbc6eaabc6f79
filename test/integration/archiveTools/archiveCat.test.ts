import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { catRequest } from '../../../src/archiveTools/catQuery.js';
import { formatEventLine } from '../../../src/archiveTools/exportLines.js';
import { readArchive, type ReadProgress } from '../../../src/archiveTools/readArchive.js';
import { MS_PER_DAY } from '../../../src/constants.js';
import type { Sandbox } from '@cwl-trim/sandbox';
import {
  archiveCli,
  catLine,
  deleteKey,
  inCatOrder,
  linesOf,
  putObject,
  shuffleExports,
  trimRun,
} from '../../helpers/archiveCli.js';
import { testConfig, testDeps } from '../../helpers/runHarness.js';
import { GROUP, NOW, seedOrders, useRunSandbox } from '../../helpers/scenario.js';

let sandbox: Sandbox;
// Small export chunks: each stream's export spans several objects, as a large stream's does in AWS.
useRunSandbox(
  (s) => {
    sandbox = s;
  },
  { exportChunkEvents: 40 },
);

/** Seeds the standard group, runs cwl-trim twice a day apart (two windows), and shuffles the export objects. */
async function archivedHistory() {
  const seeded = seedOrders(sandbox);
  await trimRun(sandbox);
  sandbox.clock.advance(MS_PER_DAY);
  const cutoffMs = await trimRun(sandbox);
  await shuffleExports(sandbox);
  return { seeded, cutoffMs };
}

describe('archive cat', () => {
  it('returns every event that left CloudWatch, each once, in timestamp order across objects, windows and streams', async () => {
    const { seeded, cutoffMs } = await archivedHistory();
    const out = await archiveCli(sandbox, ['cat', '--log-group', GROUP]);

    expect(out.stderr).toBe('');
    expect(out.code).toBe(0);
    const left = inCatOrder(seeded, (_s, e) => e.timestamp < cutoffMs);
    expect(left.length).toBeGreaterThan(1000);
    expect(linesOf(out.stdout)).toEqual(left);
    // Those are exactly the events CloudWatch no longer holds.
    for (const [stream, events] of seeded) {
      const inCloudWatch = sandbox.streamNames(GROUP).includes(stream) ? sandbox.events(GROUP, stream).length : 0;
      expect(events.filter((e) => e.timestamp < cutoffMs).length + inCloudWatch).toBe(events.length);
    }
  });

  it('with --start, --end, --stream and --grep prints exactly the matching subset', async () => {
    const { seeded, cutoffMs } = await archivedHistory();
    const startMs = NOW - 40 * MS_PER_DAY;
    const endMs = NOW - 20 * MS_PER_DAY;
    const range = await archiveCli(sandbox, [
      'cat',
      '--log-group',
      GROUP,
      '--start',
      new Date(startMs).toISOString(),
      '--end',
      String(endMs),
    ]);
    expect(linesOf(range.stdout)).toEqual(
      inCatOrder(seeded, (_s, e) => e.timestamp >= startMs && e.timestamp < endMs && e.timestamp < cutoffMs),
    );

    const stream = await archiveCli(sandbox, ['cat', '--log-group', GROUP, '--stream', 'straddling', '--start', '50d']);
    expect(linesOf(stream.stdout)).toEqual(
      inCatOrder(
        seeded,
        (s, e) => s === 'straddling' && e.timestamp >= NOW + MS_PER_DAY - 50 * MS_PER_DAY && e.timestamp < cutoffMs,
      ),
    );

    const prefix = await archiveCli(sandbox, ['cat', '--log-group', GROUP, '--stream-prefix', '2026/10/0']);
    expect(linesOf(prefix.stdout)).toEqual(
      inCatOrder(seeded, (s, e) => s.startsWith('2026/10/0') && e.timestamp < cutoffMs),
    );

    const grep = await archiveCli(sandbox, ['cat', '--log-group', GROUP, '--grep', 'T03:00:00']);
    const grepped = inCatOrder(seeded, (_s, e) => e.message.includes('T03:00:00') && e.timestamp < cutoffMs);
    expect(grepped.length).toBeGreaterThan(10);
    expect(linesOf(grep.stdout)).toEqual(grepped);

    const regex = await archiveCli(sandbox, ['cat', '--log-group', GROUP, '--regex', '^expired[13] ']);
    expect(linesOf(regex.stdout)).toEqual(
      inCatOrder(seeded, (_s, e) => /^expired[13] /.test(e.message) && e.timestamp < cutoffMs),
    );
  });

  it('prints JSON lines with timestamp, logStreamName and message', async () => {
    const { seeded, cutoffMs } = await archivedHistory();
    const out = await archiveCli(sandbox, ['cat', '--log-group', GROUP, '--stream', 'straddling', '--json']);
    const expected = seeded
      .get('straddling')!
      .filter((e) => e.timestamp < cutoffMs)
      .map((e) => ({ timestamp: e.timestamp, logStreamName: 'straddling', message: e.message }));
    expect(linesOf(out.stdout).map((l) => JSON.parse(l) as unknown)).toEqual(expected);
  });

  it('also reads events archived outside exports (rejected and late objects), merged in order', async () => {
    const { seeded, cutoffMs } = await archivedHistory();
    const rejected = [{ timestamp: NOW - 33 * MS_PER_DAY + 7, message: 'refused by PutLogEvents' }];
    const late = [
      { timestamp: NOW - 9 * MS_PER_DAY + 3, message: 'written late' },
      { timestamp: NOW - 9 * MS_PER_DAY + 1, message: 'written later, older' },
    ];
    await putObject(
      sandbox,
      'cwl-archive/rejected/~app~orders/straddling/batch-000000-run1.json.gz',
      gzipSync(JSON.stringify({ logGroupName: GROUP, logStreamName: 'straddling', events: rejected })),
    );
    await putObject(
      sandbox,
      `cwl-archive/late/~app~orders/current/${late[1]!.timestamp}-${late[0]!.timestamp}-catchup.json.gz`,
      gzipSync(JSON.stringify({ logGroupName: GROUP, logStreamName: 'current', events: late })),
    );

    const out = await archiveCli(sandbox, ['cat', '--log-group', GROUP]);
    const streams = new Map(seeded);
    streams.set('straddling', [...streams.get('straddling')!, ...rejected]);
    streams.set('current', [...streams.get('current')!, ...late]);
    expect(linesOf(out.stdout)).toEqual(
      inCatOrder(streams, (s, e) => e.timestamp < cutoffMs || rejected.includes(e) || late.includes(e)),
    );
    expect(out.stdout).toContain(catLine('current', late[1]!));
  });

  it('keeps messages that contain newlines whole', async () => {
    sandbox.seedGroup('/app/multi', { creationTimeMs: NOW - 40 * MS_PER_DAY });
    const events = [
      { timestamp: NOW - 30 * MS_PER_DAY, message: 'Traceback:\n  at a()\n  at b()' },
      { timestamp: NOW - 29 * MS_PER_DAY, message: 'next' },
    ];
    sandbox.seedStream('/app/multi', 'worker', events);
    await trimRun(sandbox);
    const out = await archiveCli(sandbox, ['cat', '--log-group', '/app/multi', '--json']);
    expect(linesOf(out.stdout).map((l) => (JSON.parse(l) as { message: string }).message)).toEqual(
      events.map((e) => e.message),
    );
  });

  it('names a window whose manifest is gone, prints the others, and exits 1', async () => {
    const { seeded, cutoffMs } = await archivedHistory();
    const manifests = sandbox
      .objects('archive', 'cwl-archive/exports/')
      .filter((o) => o.key.endsWith('/manifest.json'))
      .map((o) => o.key)
      .sort();
    const state = JSON.parse(
      sandbox.objects('archive', 'cwl-archive/state/groups/~app~orders.json')[0]!.body.toString('utf8'),
    ) as { windows: { fromMs: number; toMs: number; destinationPrefix: string }[] };
    const lost = state.windows.find((w) => `${w.destinationPrefix}/manifest.json` === manifests[1])!;
    await deleteKey(sandbox, manifests[1]!);
    const out = await archiveCli(sandbox, ['cat', '--log-group', GROUP]);
    expect(out.code).toBe(1);
    expect(out.stderr).toContain(
      `archive cat: window ${new Date(lost.fromMs).toISOString()} – ${new Date(lost.toMs).toISOString()} cannot be read`,
    );
    expect(linesOf(out.stdout)).toEqual(
      inCatOrder(seeded, (_s, e) => e.timestamp < cutoffMs && (e.timestamp < lost.fromMs || e.timestamp > lost.toMs)),
    );
  });

  it('says so, and exits 1, when the group has no archive at all (a typo in its name)', async () => {
    await archivedHistory();
    const out = await archiveCli(sandbox, ['cat', '--log-group', '/app/order']);
    expect(out.code).toBe(1);
    expect(out.stdout).toBe('');
    expect(out.stderr).toContain('archive cat: nothing is archived for /app/order under s3://archive/cwl-archive/');
  });

  it('refuses bad flags before any call, naming the fix', async () => {
    sandbox.clearCalls();
    const out = await archiveCli(sandbox, [
      'cat',
      '--log-group',
      GROUP,
      '--start',
      'yesterday',
      '--grep',
      'a',
      '--regex',
      'b',
    ]);
    expect(out.code).toBe(2);
    expect(out.stderr).toMatch(/--start must be a time, got "yesterday"/);
    expect(out.stderr).toMatch(/--grep and --regex cannot be combined/);
    expect(sandbox.calls).toEqual([]);
  });
});

describe('archive cat reads the index a window at a time', () => {
  it("reads a window's objects from its manifest only when the merge reaches that window", async () => {
    const { seeded, cutoffMs } = await archivedHistory();
    sandbox.clearCalls();
    const out = await archiveCli(sandbox, ['cat', '--log-group', GROUP]);
    expect(linesOf(out.stdout)).toEqual(inCatOrder(seeded, (_s, e) => e.timestamp < cutoffMs));
    const gets = sandbox.calls.filter((c) => c.operation === 'GetObject').map((c) => (c.input as { Key: string }).Key);
    const manifests = [...new Set(gets.filter((k) => k.endsWith('/manifest.json')))].sort();
    expect(manifests).toHaveLength(2);
    // The second window's manifest is read again, for its objects, after the first window's objects.
    const lastReadOfSecond = gets.lastIndexOf(manifests[1]!);
    const firstObjectOfFirst = gets.findIndex(
      (k) => k.startsWith(manifests[0]!.slice(0, -'manifest.json'.length)) && k.endsWith('.gz'),
    );
    expect(firstObjectOfFirst).toBeGreaterThanOrEqual(0);
    expect(lastReadOfSecond).toBeGreaterThan(firstObjectOfFirst);
  });
});

describe('archive cat over a memory budget', () => {
  it('spills sorted runs to disk once the budget is spent, and prints the very same events in the same order', async () => {
    const { seeded, cutoffMs } = await archivedHistory();
    const config = testConfig(sandbox, { days: 7 });
    const deps = testDeps(sandbox, config);
    const lines: string[] = [];
    let last: ReadProgress | undefined;
    for await (const batch of readArchive(deps, config, GROUP, catRequest({}, NOW), {
      memoryBudgetBytes: 20_000,
      onProgress: (p) => {
        last = p;
      },
    })) {
      lines.push(...batch.map(formatEventLine));
    }
    expect(last!.spilledRuns).toBeGreaterThan(5);
    expect(last!.objectsRead).toBe(last!.objects);
    expect(lines).toEqual(inCatOrder(seeded, (_s, e) => e.timestamp < cutoffMs));
  });

  it("with at most 3 runs open, merges a window's many objects in groups on disk first, and prints the very same events in the same order", async () => {
    const { seeded, cutoffMs } = await archivedHistory();
    const config = testConfig(sandbox, { days: 7 });
    const deps = testDeps(sandbox, config);
    const lines: string[] = [];
    let last: ReadProgress | undefined;
    for await (const batch of readArchive(deps, config, GROUP, catRequest({}, NOW), {
      maxOpenRuns: 3,
      onProgress: (p) => {
        last = p;
      },
    })) {
      lines.push(...batch.map(formatEventLine));
    }
    // Nothing spills on the default budget: every run on disk is a group merged there.
    expect(last!.objects).toBeGreaterThan(10);
    expect(last!.spilledRuns).toBeGreaterThan(2);
    expect(lines).toEqual(inCatOrder(seeded, (_s, e) => e.timestamp < cutoffMs));
  });
});
