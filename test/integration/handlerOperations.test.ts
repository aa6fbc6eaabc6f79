/**
 * The handler for operations: a failed run fails the invocation after writing its report (so Lambda's
 * Errors metric and the alarm on it move), every real run publishes its metrics as one EMF line, and
 * SIGTERM stops the run at a safe point.
 */
import { EventEmitter } from 'node:events';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createClients } from '../../src/aws/clients.js';
import { RunFailedError } from '../../src/errors.js';
import { createHandler, type LambdaContext } from '../../src/handler.js';
import { createLogger } from '../../src/logger.js';
import { JsonReportSchema } from '../../src/report/jsonReport.js';
import { createSandboxClock, startSandbox, type Sandbox } from '@cwl-trim/sandbox';
import { seedBacklog } from '../deploy/backlog.js';
import { BUCKET, scaledQuotas } from '../helpers/runHarness.js';
import { TEST_CREDENTIALS } from '@cwl-trim/sandbox/testing';

const NOW = Date.UTC(2026, 10, 21, 12);
const FUNCTION_NAME = 'cwl-trim-ops';

let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await startSandbox({ quotasTps: false, clock: createSandboxClock(NOW) });
});
afterAll(async () => {
  await sandbox.stop();
});
beforeEach(() => {
  sandbox.reset();
  sandbox.clock.set(NOW);
  sandbox.createBucket(BUCKET);
});

function testHandler() {
  const metrics: Record<string, unknown>[] = [];
  const signals = new EventEmitter();
  const handler = createHandler({
    env: {
      DAYS: '7',
      BUCKET,
      LOG_GROUP_PREFIXES: '/app/',
      AWS_REGION: sandbox.region,
      AWS_ENDPOINT_URL: sandbox.endpoint,
    },
    clients: (config) => createClients(config, { credentials: TEST_CREDENTIALS }),
    deps: {
      clock: sandbox.clock,
      logger: createLogger({
        level: 'silent',
        runId: 'test',
        destination: new Writable({ write: (_c, _e, done) => done() }),
      }),
      exportPoll: { initialMs: 5, maxMs: 20, factor: 1.5 },
      exportSlot: { initialMs: 5, maxMs: 20, factor: 1.5 },
      retry: { retries: 5, minTimeoutMs: 5, maxTimeoutMs: 20 },
      quotasTps: scaledQuotas(50),
    },
    deadlineMarginMs: 0,
    signals,
    writeMetrics: (line) => metrics.push(JSON.parse(line) as Record<string, unknown>),
  });
  return { handler, metrics, signals };
}

const context: LambdaContext = {
  functionName: FUNCTION_NAME,
  awsRequestId: 'req-1',
  getRemainingTimeInMillis: () => 600_000,
};
const reportKeys = (): string[] => sandbox.objects(BUCKET, 'cwl-archive/reports/').map((o) => o.key);

describe('operations', () => {
  it('publishes the run as EMF metrics by function name', async () => {
    seedBacklog(sandbox, NOW, 2);
    const { handler, metrics } = testHandler();
    const summary = await handler({}, context);
    expect(summary.outcome).toBe('done');
    expect(metrics).toHaveLength(1);
    const [emf] = metrics;
    expect(emf).toMatchObject({
      _aws: {
        Timestamp: expect.any(Number),
        CloudWatchMetrics: [{ Namespace: 'cwl-trim', Dimensions: [['FunctionName']] }],
      },
      FunctionName: FUNCTION_NAME,
      StreamsDeleted: 4,
      StreamsRebuilt: 0,
      EventsReput: 0,
      EventsRejected: 0,
      RunFailed: 0,
      outcome: 'done',
      runId: summary.runId,
    });
    expect(emf!.BytesRemoved).toBeGreaterThan(0);
    const names = (
      emf!._aws as { CloudWatchMetrics: { Metrics: { Name: string }[] }[] }
    ).CloudWatchMetrics[0]!.Metrics.map((m) => m.Name);
    for (const name of names) expect(typeof emf![name]).toBe('number');
  });

  it('fails the invocation when the run fails, after writing its report and its metrics', async () => {
    seedBacklog(sandbox, NOW, 1);
    sandbox.failNextExport('access denied on the bucket');
    const { handler, metrics } = testHandler();
    const error = await handler({}, context).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(error).toBeInstanceOf(RunFailedError);
    const key = (error as RunFailedError).reportKey;
    expect(reportKeys()).toEqual([key]);
    const report = JsonReportSchema.parse(JSON.parse(sandbox.objects(BUCKET, key!)[0]!.body.toString('utf8')));
    expect(report.outcome).toBe('failed');
    expect(metrics).toMatchObject([{ RunFailed: 1, outcome: 'failed' }]);
  });

  it('does not publish metrics for a dry run', async () => {
    seedBacklog(sandbox, NOW, 1);
    const { handler, metrics } = testHandler();
    expect((await handler({ settings: { dryRun: true } }, context)).outcome).toBe('planned');
    expect(metrics).toEqual([]);
  });

  it('SIGTERM stops the run at a safe point: report written, lease released, interrupted in the summary', async () => {
    seedBacklog(sandbox, NOW, 3);
    const { handler, signals } = testHandler();
    // The signal comes as the first export task is created: the later groups are left for the next run.
    const stopAtFirstExport: LambdaContext = {
      ...context,
      getRemainingTimeInMillis: () => {
        if (sandbox.countCalls('CreateExportTask') >= 1 && signals.listenerCount('SIGTERM') > 0)
          signals.emit('SIGTERM');
        return 600_000;
      },
    };
    const summary = await handler({}, stopAtFirstExport);
    expect(summary).toMatchObject({ outcome: 'partial', interrupted: 'SIGTERM', deadlineReached: true });
    expect(reportKeys()).toEqual([summary.reportKey]);
    expect(sandbox.objects(BUCKET, 'cwl-archive/state/lease.json')).toEqual([]);
    expect(signals.listenerCount('SIGTERM')).toBe(0);
  });
});
