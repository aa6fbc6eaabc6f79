/**
 * Two real cwl-trim processes on one log group with different settings (two stages sharing a bucket
 * with different BUCKET_PREFIX, or the CLI by hand next to the scheduled function), started together:
 * exactly one works on the group, the other leaves it alone and says who holds it, and no event is
 * lost or duplicated. The sandbox keeps real time here (the processes read their own clocks).
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCK_GROUP_NAME } from '../../src/plan/lockState.js';
import { JsonReportSchema, type JsonReport } from '../../src/report/jsonReport.js';
import { createSandboxClock, startSandbox, type Sandbox } from '@cwl-trim/sandbox';
import { workCalls } from '../helpers/lockCalls.js';
import { BUCKET, archivedEvents, keys } from '../helpers/runHarness.js';
import { GROUP, seedOrders } from '../helpers/scenario.js';

const BIN = fileURLToPath(new URL('../../bin/cwl-trim.js', import.meta.url));
const ENV = {
  ...process.env,
  AWS_ACCESS_KEY_ID: 'test',
  AWS_SECRET_ACCESS_KEY: 'test',
  AWS_REGION: 'us-east-1',
  LOG_LEVEL: 'silent',
};

let sandbox: Sandbox;
beforeAll(async () => {
  // Exports take seconds, so that both processes are inside the group's work at the same time.
  sandbox = await startSandbox({
    clock: createSandboxClock(Date.now()),
    exportTiming: { pendingMs: 5_000, runningMs: 5_000 },
  });
});
afterAll(async () => {
  await sandbox.stop();
});

function cli(prefix: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const args = [
    BIN,
    'run',
    '--json',
    '--days',
    '7',
    '--force-rebuild',
    '--bucket',
    BUCKET,
    '--bucket-prefix',
    prefix,
    '--log-group-name',
    GROUP,
    '--endpoint-url',
    sandbox.endpoint,
  ];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { env: ENV });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('two processes, two prefixes, one group', () => {
  it('one works on the group, the other leaves it alone and names the holder; nothing lost or duplicated', async () => {
    sandbox.createBucket(BUCKET);
    const seeded = seedOrders(sandbox);
    const [a, b] = await Promise.all([cli('stage-a'), cli('stage-b')]);
    const reports = [a, b].map((r) => {
      expect(r.stdout, r.stderr).not.toBe('');
      return JsonReportSchema.parse(JSON.parse(r.stdout)) as JsonReport;
    });
    const locked = reports.filter((r) => r.groups[0]?.result?.lockedBy);
    const worked = reports.filter((r) => !r.groups[0]?.result?.lockedBy);
    expect(locked).toHaveLength(1);
    expect(worked).toHaveLength(1);
    const winner = worked[0]!;
    // The holder is named once its claim reads back; a look in between says so (both leave the group alone).
    expect(locked[0]!.groups[0]!.result!.lockedBy).toMatch(
      new RegExp(`cwl-trim run (${winner.runId} on |that has not written its claim yet holds)`),
    );
    expect(winner.outcome).toBe('done');

    // Only the winner touched the group: one export task, one rebuild's create.
    const accepted = workCalls(sandbox).filter((c) => c.error === undefined);
    expect(accepted.filter((c) => c.operation === 'CreateExportTask')).toHaveLength(1);
    expect(accepted.filter((c) => c.operation === 'CreateLogStream')).toHaveLength(1);

    // Event by event: the winner's archive holds every event before its cutoff once, CloudWatch the rest once.
    const cutoff = winner.cutoff.ms;
    const prefix = worked[0] === reports[0] ? 'stage-a' : 'stage-b';
    const archive = archivedEvents(sandbox, prefix);
    for (const [name, events] of seeded) {
      expect(keys(archive.get(`${GROUP}|${name}`) ?? []), `archive of ${name}`).toEqual(
        keys(events.filter((e) => e.timestamp < cutoff)),
      );
      const inCloudWatch = sandbox.streamNames(GROUP).includes(name) ? sandbox.events(GROUP, name) : [];
      expect(keys(inCloudWatch), `CloudWatch of ${name}`).toEqual(keys(events.filter((e) => e.timestamp >= cutoff)));
    }
    expect(sandbox.streamNames(LOCK_GROUP_NAME)).not.toContain(GROUP);
  }, 120_000);
});
