import { describe, expect, it } from 'vitest';
import { MS_PER_DAY, MS_PER_HOUR } from '../../../src/constants.js';
import type { Sandbox } from '@cwl-trim/sandbox';
import { archiveCli, linesOf, trimRun } from '../../helpers/archiveCli.js';
import { GROUP, NOW, seedOrders, useRunSandbox } from '../../helpers/scenario.js';

let sandbox: Sandbox;
useRunSandbox((s) => {
  sandbox = s;
});

const TARGET = '/app/orders-restored';
const iso = (ms: number): string => new Date(ms).toISOString();

/** `archive cat --json` of a range, as the events PutLogEvents takes. */
async function catRange(
  group: string,
  startMs: number,
  endMs: number,
): Promise<{ logStreamName: string; timestamp: number; message: string }[]> {
  const out = await archiveCli(sandbox, [
    'cat',
    '--log-group',
    group,
    '--start',
    iso(startMs),
    '--end',
    iso(endMs),
    '--json',
  ]);
  return linesOf(out.stdout).map((l) => JSON.parse(l) as { logStreamName: string; timestamp: number; message: string });
}

const restoredEvents = (stream: string) =>
  sandbox.events(TARGET, stream).map((e) => ({ logStreamName: stream, timestamp: e.timestamp, message: e.message }));

describe('archive restore', () => {
  it("puts a range within 14 days into a new group: the new group then holds exactly the archive's range", async () => {
    seedOrders(sandbox);
    await trimRun(sandbox);
    const startMs = NOW - 11 * MS_PER_DAY;
    const endMs = NOW - 8 * MS_PER_DAY;
    const archivedRange = await catRange(GROUP, startMs, endMs);
    expect(archivedRange.length).toBeGreaterThan(60);

    const out = await archiveCli(sandbox, [
      'restore',
      '--log-group',
      GROUP,
      '--start',
      iso(startMs),
      '--end',
      iso(endMs),
      '--to-log-group',
      TARGET,
    ]);
    expect(out.stderr).toMatch(/restore \/app\/orders-restored straddling/);
    expect(out.code).toBe(0);
    expect(out.stdout).toContain(`restored ${archivedRange.length} events of 1 stream from ${GROUP} into ${TARGET}`);
    expect(sandbox.groupNames()).toContain(TARGET);
    expect(restoredEvents('straddling')).toEqual(archivedRange);
    // Batches are PutLogEvents-valid: three days of events need at least three (24 h span each).
    expect(sandbox.countCalls('PutLogEvents')).toBeGreaterThanOrEqual(3);

    const again = await archiveCli(sandbox, [
      'restore',
      '--log-group',
      GROUP,
      '--start',
      iso(startMs),
      '--end',
      iso(endMs),
      '--to-log-group',
      TARGET,
    ]);
    expect(again.stdout).toMatch(/^already restored/);
    expect(restoredEvents('straddling')).toEqual(archivedRange);
  });

  it('refuses a range with events older than 14 days, with their count, and makes no call that writes', async () => {
    const seeded = seedOrders(sandbox);
    await trimRun(sandbox);
    sandbox.clearCalls();
    const startMs = NOW - 30 * MS_PER_DAY;
    const endMs = NOW - 8 * MS_PER_DAY;
    const oldestMs = NOW - 14 * MS_PER_DAY + MS_PER_HOUR;
    const tooOld = [...seeded.values()].flat().filter((e) => e.timestamp >= startMs && e.timestamp < oldestMs).length;
    expect(tooOld).toBeGreaterThan(0);

    const out = await archiveCli(sandbox, [
      'restore',
      '--log-group',
      GROUP,
      '--start',
      iso(startMs),
      '--end',
      iso(endMs),
      '--to-log-group',
      TARGET,
    ]);
    expect(out.code).toBe(1);
    expect(out.stdout).toContain(`refused: ${tooOld} archived events are older than ${iso(oldestMs)}`);
    expect(out.stdout).toContain(
      `cwl-trim archive cat --log-group '${GROUP}' --start ${iso(startMs)} --end ${iso(oldestMs)}`,
    );
    expect(sandbox.mutatingCalls()).toEqual([]);
    expect(sandbox.groupNames()).not.toContain(TARGET);
  });

  it("refuses by the target group's retention when it is shorter than 14 days", async () => {
    seedOrders(sandbox);
    await trimRun(sandbox);
    sandbox.seedGroup(TARGET, { retentionInDays: 7 });
    sandbox.clearCalls();
    const out = await archiveCli(sandbox, [
      'restore',
      '--log-group',
      GROUP,
      '--start',
      iso(NOW - 11 * MS_PER_DAY),
      '--end',
      iso(NOW - 8 * MS_PER_DAY),
      '--to-log-group',
      TARGET,
    ]);
    expect(out.code).toBe(1);
    expect(out.stdout).toMatch(/^refused: \d+ archived events are older than /);
    expect(sandbox.mutatingCalls()).toEqual([]);
  });

  it('writes nothing, not even the target group, when nothing is archived for the range', async () => {
    sandbox.clearCalls();
    const out = await archiveCli(sandbox, [
      'restore',
      '--log-group',
      '/app/none',
      '--start',
      '3d',
      '--end',
      '1d',
      '--to-log-group',
      TARGET,
    ]);
    expect(out.code).toBe(1);
    expect(out.stdout).toMatch(/^nothing to restore: no archived object of \/app\/none/);
    expect(sandbox.mutatingCalls()).toEqual([]);
  });

  it('never writes into the original group', async () => {
    sandbox.clearCalls();
    const out = await archiveCli(sandbox, [
      'restore',
      '--log-group',
      GROUP,
      '--start',
      '10d',
      '--end',
      '8d',
      '--to-log-group',
      GROUP,
    ]);
    expect(out.code).toBe(2);
    expect(out.stderr).toContain('--to-log-group must name a new group, not the archived one');
    expect(sandbox.calls).toEqual([]);
  });

  it('resumes after a crash between a put and its progress write, and puts nothing twice', async () => {
    seedOrders(sandbox);
    await trimRun(sandbox);
    const startMs = NOW - 11 * MS_PER_DAY;
    const endMs = NOW - 8 * MS_PER_DAY;
    const archivedRange = await catRange(GROUP, startMs, endMs);
    const argv = [
      'restore',
      '--log-group',
      GROUP,
      '--start',
      iso(startMs),
      '--end',
      iso(endMs),
      '--to-log-group',
      TARGET,
    ];
    // Progress writes: before batch 1, after it, before batch 2, after it ← this one fails: batch 2 landed.
    sandbox.injectFault({ operation: 'PutObject', nth: 4, error: { name: 'AccessDenied', status: 403 } });
    const crashed = await archiveCli(sandbox, argv);
    expect(crashed.code).toBe(1);
    expect(sandbox.events(TARGET, 'straddling').length).toBeGreaterThan(0);
    expect(sandbox.events(TARGET, 'straddling').length).toBeLessThan(archivedRange.length);

    const resumed = await archiveCli(sandbox, argv);
    expect(resumed.code).toBe(0);
    expect(restoredEvents('straddling')).toEqual(archivedRange);
    // The batch that had landed counts once in the report.
    expect(resumed.stdout).toContain(`restored ${archivedRange.length} events of 1 stream`);
  });
});
