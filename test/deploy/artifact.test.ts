/**
 * The deployed code itself: the handler bundled in `.serverless/cwl-trim.zip`, unzipped and run as Lambda
 * would run it (settings from the environment, real default waits and limiters, no injected clients),
 * against the sandbox. Its deadline is short, so the backlog takes two invocations.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CwlTrimEvent, HandlerSummary, LambdaContext } from '../../src/handler.js';
import { JsonReportSchema } from '../../src/report/jsonReport.js';
import { startSandbox, type Sandbox } from '@cwl-trim/sandbox';
import { BUCKET } from '../helpers/runHarness.js';
import { expectNothingLost, groupNames, invocations, seedBacklog } from './backlog.js';
import { ARTIFACT_PATH, ensurePackaged } from './packaged.js';
import { extractZip } from './unzip.js';

/** The margin the handler keeps before Lambda's own deadline (DEFAULT_DEADLINE_MARGIN_MS). */
const MARGIN_MS = 90_000;
/** Export tasks take 0.6 s here, so the deployed polling always waits once, 1–2 s, before seeing them end. */
const EXPORT_TIMING = { pendingMs: 300, runningMs: 300 };
/**
 * Working time of the first invocation: the first group is archived within it, four groups never fit
 * (each waits at least one 1–2 s poll, one after the other: at least 4 s). 4 s leaves the first group,
 * which also takes its lock and re-lists its streams, room on a loaded machine.
 */
const SHORT_BUDGET_MS = 4_000;
const GROUPS = 4;
const FUNCTION_NAME = 'cwl-trim-dev';

type BundledHandler = (event: CwlTrimEvent | unknown, context: LambdaContext) => Promise<HandlerSummary>;

let sandbox: Sandbox;
let dir: string;
let bundled: BundledHandler;
const savedEnv = { ...process.env };

beforeAll(async () => {
  await ensurePackaged();
  dir = mkdtempSync(join(tmpdir(), 'cwl-trim-artifact-'));
  expect(extractZip(ARTIFACT_PATH, dir)).toContain('dist/handler.js');
  // Node's own loader, as Lambda's: CommonJS, outside vitest's transform.
  bundled = (createRequire(import.meta.url)(join(dir, 'dist', 'handler.js')) as { handler: BundledHandler }).handler;
  sandbox = await startSandbox({ quotasTps: false, exportTiming: EXPORT_TIMING });
  sandbox.createBucket(BUCKET);
  Object.assign(process.env, {
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    AWS_REGION: sandbox.region,
    AWS_ENDPOINT_URL: sandbox.endpoint,
    DAYS: '7',
    BUCKET,
    LOG_GROUP_PREFIXES: '/app/',
    QUOTA_SHARE: '1',
    LOG_LEVEL: 'warn',
  });
  for (const name of ['AWS_PROFILE', 'AWS_SESSION_TOKEN', 'DRY_RUN']) delete process.env[name];
}, 150_000);

afterAll(async () => {
  process.env = savedEnv;
  await sandbox?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Lambda's context for an invocation that has `workMs` left after the handler's margin. */
function lambdaContext(workMs: number): LambdaContext {
  const endsAt = Date.now() + MARGIN_MS + workMs;
  return {
    functionName: FUNCTION_NAME,
    awsRequestId: 'artifact-test',
    getRemainingTimeInMillis: () => endsAt - Date.now(),
  };
}

function storedReport(key: string | null) {
  const object = sandbox.objects(BUCKET, key ?? '').find((o) => o.key === key);
  expect(object, `report at ${key}`).toBeDefined();
  return JsonReportSchema.parse(JSON.parse(object!.body.toString('utf8')));
}

describe('the packaged handler, unzipped, against the sandbox', () => {
  it('saves its state at a short deadline, re-invokes itself, and the continued run finishes with nothing lost', async () => {
    const seeded = seedBacklog(sandbox, Date.now(), GROUPS);

    const first = await bundled({}, lambdaContext(SHORT_BUDGET_MS));

    expect(first).toMatchObject({ outcome: 'partial', deadlineReached: true, progress: true, continuation: 0 });
    expect(first.next.invoked).toBe(true);
    const firstReport = storedReport(first.reportKey);
    expect(firstReport.leftForNextRun?.count).toBeGreaterThan(0);
    // State saved in S3: the first group's watermark moved; the unfinished ones are listed for the next run.
    const state = sandbox.objects(BUCKET, 'cwl-archive/state/groups/');
    expect(state.map((o) => o.key)).toContain(
      `cwl-archive/state/groups/${groupNames(1)[0]!.replaceAll('/', '~')}.json`,
    );
    const invoked = invocations(sandbox);
    expect(invoked).toEqual([{ functionName: FUNCTION_NAME, invocationType: 'Event', payload: { continuation: 1 } }]);

    sandbox.clearCalls();
    const second = await bundled(invoked[0]!.payload, lambdaContext(60_000));

    expect(second).toMatchObject({
      outcome: 'done',
      continuation: 1,
      next: { invoked: false, reason: 'nothing left to do' },
    });
    expect(invocations(sandbox)).toEqual([]);
    const secondReport = storedReport(second.reportKey);
    expect(secondReport.totals.measured?.exportsArchived).toBeGreaterThan(0);
    expectNothingLost(sandbox, seeded, secondReport.cutoff.ms);
  }, 45_000);
});
