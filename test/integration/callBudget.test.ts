import { describe, expect, it } from 'vitest';
import { minimumPutCalls } from '../../src/plan/batchEvents.js';
import { runCwlTrim } from '../../src/run.js';
import type { Sandbox } from '@cwl-trim/sandbox';
import { testConfig, testDeps } from '../helpers/runHarness.js';
import { seedOrders, useRunSandbox } from '../helpers/scenario.js';
import { lockCalls, workCalls } from '../helpers/lockCalls.js';

let sandbox: Sandbox;
useRunSandbox((s) => {
  sandbox = s;
});

describe('API calls of a run', () => {
  it('stays within 10 % of the minimum the work needs, polling aside', async () => {
    const seeded = seedOrders(sandbox);
    const config = testConfig(sandbox, { days: 7, forceRebuild: true });
    const { plan, result } = await runCwlTrim(config, testDeps(sandbox, config));
    expect(result?.outcome).toBe('done');

    const cutoff = plan.cutoffMs;
    const kept = seeded.get('straddling')!.filter((e) => e.timestamp >= cutoff);
    const keptBytes = kept.reduce((n, e) => n + Buffer.byteLength(e.message) + 26, 0);
    const puts = minimumPutCalls({
      events: kept.length,
      bytes: keptBytes,
      spanMs: kept.at(-1)!.timestamp - kept[0]!.timestamp,
    });
    // The minimum: one page of groups; one page of streams, and for the rebuild one look before reading
    // and one before deleting; both filter lists (a straddling stream exists); one export task; five
    // deletes and the rebuild's delete; one create; the puts; GetLogEvents: one page plus the page that
    // repeats the token (the only way to know the end). A straddling stream also needs the account's
    // policies (one listing per guarded type), the group's transformer; every run reads the storage tier.
    const minimum: Record<string, number> = {
      DescribeAccountPolicies: 5,
      GetTransformer: 1,
      GetStorageTierPolicy: 1,
      DescribeLogGroups: 1,
      DescribeLogStreams: 4,
      DescribeSubscriptionFilters: 1,
      DescribeMetricFilters: 1,
      CreateExportTask: 1,
      DeleteLogStream: 6,
      CreateLogStream: 1,
      PutLogEvents: puts,
      // Saving: one page plus the repeated token; the last look at the tail before the delete: the same.
      GetLogEvents: 4,
    };
    // The group lock's own calls are counted apart: create (the account's first lock creates the lock
    // group, with its retention, then the stream), look (the run's first lock learns CloudWatch's clock),
    // claim; on release, read the claim back, delete.
    expect(lockCalls(sandbox).map((c) => c.operation)).toEqual([
      'CreateLogStream',
      'CreateLogGroup',
      'PutRetentionPolicy',
      'CreateLogStream',
      'DescribeLogStreams',
      'PutLogEvents',
      'GetLogEvents',
      'DeleteLogStream',
    ]);
    const logsCalls = workCalls(sandbox).filter((c) => c.service === 'logs' && c.operation !== 'DescribeExportTasks');
    const counted: Record<string, number> = {};
    for (const c of logsCalls) counted[c.operation] = (counted[c.operation] ?? 0) + 1;
    expect(Object.keys(counted).sort()).toEqual(Object.keys(minimum).sort());
    const total = Object.values(minimum).reduce((a, b) => a + b, 0);
    expect(logsCalls.length).toBeLessThanOrEqual(Math.floor(total * 1.1));
    for (const [op, n] of Object.entries(minimum)) expect(counted[op], op).toBeLessThanOrEqual(Math.ceil(n * 1.1));
  });
});
