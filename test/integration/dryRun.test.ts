/**
 * The dry run over the whole demo account, through the CLI: read-only, and the very plan that
 * `run` then carries out (same input, same frozen clock).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli.js';
import { DEMO_TAG, seedAccount } from '../../src/demo/seedAccount.js';
import { JsonReportSchema, type JsonReport } from '../../src/report/jsonReport.js';
import { createSandboxClock, startSandbox, type Sandbox } from '@cwl-trim/sandbox';
import { BUCKET, scaledQuotas } from '../helpers/runHarness.js';
import { workCalls } from '../helpers/lockCalls.js';

const NOW = Date.UTC(2026, 10, 21, 12);
const ENV = { AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test', AWS_REGION: 'us-east-1' };

let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await startSandbox({ quotasTps: scaledQuotas(40), clock: createSandboxClock(NOW, { frozen: true }) });
  sandbox.createBucket(BUCKET);
  seedAccount(sandbox, NOW);
});
afterAll(async () => {
  await sandbox.stop();
});

async function cli(command: 'plan' | 'run', ...extra: string[]): Promise<{ code: number; stdout: string }> {
  let stdout = '';
  const code = await main(
    [
      command,
      '--days',
      '7',
      '--bucket',
      BUCKET,
      '--tag',
      `${DEMO_TAG.key}=${DEMO_TAG.value}`,
      '--endpoint-url',
      sandbox.endpoint,
      ...extra,
    ],
    ENV,
    {
      stdout: (t) => {
        stdout += t;
      },
      stderr: () => {},
      deps: {
        clock: sandbox.clock,
        exportPoll: { initialMs: 5, maxMs: 40, factor: 1.5 },
        exportSlot: { initialMs: 5, maxMs: 40, factor: 1.5 },
        retry: { retries: 10, minTimeoutMs: 5, maxTimeoutMs: 50 },
        quotasTps: scaledQuotas(40),
      },
    },
  );
  return { code, stdout };
}

/** The decisions of a report, without what only a run has (results, measurements, call counts). */
function decisions(report: JsonReport) {
  const {
    runId: _r,
    mode: _m,
    outcome: _o,
    run: _run,
    apiCalls: _a,
    leftForNextRun: _l,
    resumedRebuilds: _rr,
    notes: _n,
    ...rest
  } = report;
  const { estimatedDone: _d, measured: _me, ...totals } = rest.totals;
  const groups = rest.groups.map(({ result: _g, streams, ...g }) => ({
    ...g,
    streams: streams.map(({ result: _s, ...s }) => s).sort((a, b) => a.logStreamName.localeCompare(b.logStreamName)),
  }));
  return { ...rest, totals, groups };
}

const actionsOf = (report: JsonReport, ...actions: string[]): string[] =>
  report.groups
    .flatMap((g) =>
      g.streams.filter((s) => actions.includes(s.action)).map((s) => `${g.logGroupName} ${s.logStreamName}`),
    )
    .sort();

describe('the dry run over the demo account', () => {
  let planned: JsonReport;

  it('makes only read-only calls, and its JSON report validates', async () => {
    sandbox.clearCalls();
    const { code, stdout } = await cli('plan', '--json');
    planned = JsonReportSchema.parse(JSON.parse(stdout));

    expect(code).toBe(0);
    expect(sandbox.calls.length).toBeGreaterThan(10);
    expect(sandbox.mutatingCalls()).toEqual([]);
    expect(planned.groups.map((g) => g.logGroupName)).toEqual([
      '/aws/lambda/checkout-api',
      '/ecs/orders-service',
      '/ecs/payments',
      '/vpc/flow-logs',
    ]);
    expect(planned.totals).toMatchObject({ delete: 320, rebuild: 1, skip: 3, keep: 42, groupsSkipped: 1 });
  });

  it('prints a table no wider than 100 columns', async () => {
    const { stdout } = await cli('plan');
    expect(Math.max(...stdout.split('\n').map((line) => [...line].length))).toBeLessThanOrEqual(100);
  });

  it('is the plan the real run carries out, stream by stream', async () => {
    sandbox.clearCalls();
    const { code, stdout } = await cli('run', '--json');
    const ran = JsonReportSchema.parse(JSON.parse(stdout));

    expect(code).toBe(0);
    expect(ran.outcome).toBe('done');
    expect(decisions(ran)).toEqual(decisions(planned));
    // Exactly the planned deletes and rebuilds were deleted (a rebuild deletes, then recreates).
    const deleted = workCalls(sandbox)
      .filter((c) => c.operation === 'DeleteLogStream')
      .map((c) => {
        const input = c.input as { logGroupName: string; logStreamName: string };
        return `${input.logGroupName} ${input.logStreamName}`;
      })
      .sort();
    expect(deleted).toEqual(actionsOf(planned, 'delete', 'rebuild'));
    expect(workCalls(sandbox).filter((c) => c.operation === 'CreateLogStream')).toHaveLength(planned.totals.rebuild);
  });
});
