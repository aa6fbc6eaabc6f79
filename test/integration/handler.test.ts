/**
 * The Lambda handler (from source) against the sandbox: settings from the environment, the report in S3
 * and in the log, and continuing itself only when a run ran out of time after making progress.
 */
import { Writable } from 'node:stream';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createClients } from '../../src/aws/clients.js';
import { ConfigError } from '../../src/errors.js';
import { createHandler, type HandlerOptions, type LambdaContext } from '../../src/handler.js';
import { createLogger } from '../../src/logger.js';
import { JsonReportSchema } from '../../src/report/jsonReport.js';
import { createSandboxClock, startSandbox, type Sandbox } from '@cwl-trim/sandbox';
import { expectNothingLost, invocations, seedBacklog } from '../deploy/backlog.js';
import { BUCKET, scaledQuotas } from '../helpers/runHarness.js';
import { sandboxClients, TEST_CREDENTIALS } from '@cwl-trim/sandbox/testing';

const NOW = Date.UTC(2026, 10, 21, 12);
const FUNCTION_NAME = 'cwl-trim-test';

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

/** The handler's log lines, parsed. */
function logSink(): { lines: Record<string, unknown>[]; stream: Writable } {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n'))
        if (line) lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  return { lines, stream };
}

function testHandler({
  env: envOverrides,
  ...options
}: Partial<HandlerOptions> & { env?: Record<string, string> } = {}) {
  const log = logSink();
  const env = {
    DAYS: '7',
    BUCKET,
    LOG_GROUP_PREFIXES: '/app/',
    AWS_REGION: sandbox.region,
    AWS_ENDPOINT_URL: sandbox.endpoint,
    AWS_LAMBDA_FUNCTION_NAME: FUNCTION_NAME,
    ...envOverrides,
  };
  const handler = createHandler({
    env,
    clients: (config) => createClients(config, { credentials: TEST_CREDENTIALS }),
    deps: {
      clock: sandbox.clock,
      logger: createLogger({ level: 'info', runId: 'test', destination: log.stream }),
      exportPoll: { initialMs: 5, maxMs: 20, factor: 1.5 },
      exportSlot: { initialMs: 5, maxMs: 20, factor: 1.5 },
      retry: { retries: 5, minTimeoutMs: 5, maxTimeoutMs: 20 },
      quotasTps: scaledQuotas(50),
    },
    deadlineMarginMs: 0,
    ...options,
  });
  return { handler, lines: log.lines };
}

/** A context with plenty of time left, or whatever `remainingMs` says. */
const context = (remainingMs: () => number = () => 600_000): LambdaContext => ({
  functionName: FUNCTION_NAME,
  awsRequestId: 'req-1',
  getRemainingTimeInMillis: remainingMs,
});

/** Time runs out as soon as the nth export task is created: the run before it made progress. */
const outOfTimeAtExport = (n: number): LambdaContext =>
  context(() => (sandbox.countCalls('CreateExportTask') >= n ? 0 : 600_000));

function reportAt(key: string | null) {
  expect(key).toMatch(/^cwl-archive\/reports\/.+\.json$/);
  const object = sandbox.objects(BUCKET, key!).find((o) => o.key === key);
  return JsonReportSchema.parse(JSON.parse(object!.body.toString('utf8')));
}

describe('the Lambda handler', () => {
  it('writes the JSON report to S3, logs it as one line, and stops when nothing is left', async () => {
    const seeded = seedBacklog(sandbox, NOW, 2);
    const { handler, lines } = testHandler();

    const summary = await handler({}, context());

    expect(summary).toMatchObject({ outcome: 'done', continuation: 0, progress: true, deadlineReached: false });
    expect(summary.next).toEqual({ invoked: false, reason: 'nothing left to do' });
    const report = reportAt(summary.reportKey);
    expect(report).toMatchObject({ runId: summary.runId, mode: 'run', outcome: 'done' });
    const logged = lines.filter((l) => l.msg === 'cwl-trim report');
    expect(logged).toHaveLength(1);
    expect(logged[0]!.report).toEqual(report);
    expect(invocations(sandbox)).toEqual([]);
    expectNothingLost(sandbox, seeded, report.cutoff.ms);
  });

  it('saves its state at the deadline, continues itself once, and the continued run finishes with nothing lost', async () => {
    const seeded = seedBacklog(sandbox, NOW, 3);
    const { handler } = testHandler();
    const settings = { quietMinutes: '240' };

    const first = await handler({ settings }, outOfTimeAtExport(2));

    expect(first).toMatchObject({ outcome: 'partial', deadlineReached: true, progress: true });
    expect(first.next.invoked).toBe(true);
    expect(invocations(sandbox)).toEqual([
      { functionName: FUNCTION_NAME, invocationType: 'Event', payload: { continuation: 1, settings } },
    ]);
    expect(reportAt(first.reportKey).leftForNextRun?.count).toBeGreaterThan(0);
    // The export the deadline interrupted is in the group's saved state, task id and all.
    const [stateObject] = sandbox.objects(BUCKET, 'cwl-archive/state/groups/~app~service-2.json');
    const state = JSON.parse(stateObject!.body.toString('utf8')) as {
      inFlight?: { taskId?: string };
      archivedThroughMs?: number;
    };
    expect(state.inFlight?.taskId ?? state.archivedThroughMs).toBeDefined();

    const [captured] = invocations(sandbox);
    sandbox.clearCalls();
    const second = await handler(captured!.payload, context());

    expect(second).toMatchObject({
      outcome: 'done',
      continuation: 1,
      next: { invoked: false, reason: 'nothing left to do' },
    });
    expect(invocations(sandbox)).toEqual([]);
    expectNothingLost(sandbox, seeded, reportAt(second.reportKey).cutoff.ms);
  });

  it('never loops without progress: a run out of time before archiving anything stops', async () => {
    seedBacklog(sandbox, NOW, 2);
    const { handler } = testHandler();

    const summary = await handler(
      {},
      context(() => 0),
    );

    expect(summary).toMatchObject({ outcome: 'partial', deadlineReached: true, progress: false });
    expect(summary.next).toEqual({
      invoked: false,
      reason: 'the run made no progress before its deadline; not looping',
    });
    expect(invocations(sandbox)).toEqual([]);
  });

  it('stops at the continuation limit even with work left', async () => {
    seedBacklog(sandbox, NOW, 3);
    const { handler } = testHandler({ maxContinuations: 2 });

    const summary = await handler({ continuation: 2 }, outOfTimeAtExport(2));

    expect(summary).toMatchObject({ outcome: 'partial', progress: true, continuation: 2 });
    expect(summary.next).toEqual({
      invoked: false,
      reason: '2 continuations reached; the next scheduled run carries on',
    });
    expect(invocations(sandbox)).toEqual([]);
  });

  it('plans a dry run from the event settings: its report is its only write, and it does not continue', async () => {
    seedBacklog(sandbox, NOW, 2);
    const { handler } = testHandler();

    const summary = await handler({ settings: { dryRun: true } }, outOfTimeAtExport(1));

    expect(summary).toMatchObject({
      outcome: 'planned',
      next: { invoked: false, reason: 'a dry run does not continue' },
    });
    expect(reportAt(summary.reportKey)).toMatchObject({ mode: 'plan', outcome: 'planned' });
    expect(sandbox.mutatingCalls().map((c) => [c.operation, (c.input as { Key?: string }).Key])).toEqual([
      ['PutObject', summary.reportKey],
    ]);
  });

  it('rejects bad settings before any AWS call, naming the setting in the log', async () => {
    const { handler, lines } = testHandler({ env: { DAYS: 'soon' } });

    await expect(handler({}, context())).rejects.toBeInstanceOf(ConfigError);
    await expect(handler({ continuation: -1 }, context())).rejects.toThrow(/continuation must be a whole number/);
    await expect(handler({ settings: { nope: 1 } }, context())).rejects.toThrow(/unknown setting "nope"/);

    expect(sandbox.calls).toEqual([]);
    expect(lines.find((l) => l.msg?.toString().startsWith('invalid settings'))).toMatchObject({
      level: 'error',
      setting: 'DAYS',
    });
  });

  it('does nothing, and does not fail, while another run holds the lease', async () => {
    seedBacklog(sandbox, NOW, 1);
    const { s3, destroy } = sandboxClients(sandbox.endpoint, sandbox.region);
    const lease = { runId: 'other', holder: 'elsewhere:1', acquiredAtMs: NOW, expiresAtMs: NOW + 600_000 };
    await s3.send(
      new PutObjectCommand({ Bucket: BUCKET, Key: 'cwl-archive/state/lease.json', Body: JSON.stringify(lease) }),
    );
    destroy();
    const { handler } = testHandler();

    const summary = await handler({}, context());

    expect(summary).toMatchObject({ outcome: 'lease-held', next: { invoked: false } });
    expect(sandbox.countCalls('CreateExportTask')).toBe(0);
  });
});
