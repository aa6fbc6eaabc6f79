/**
 * `cwl-trim demo`: the first thing a new user runs, with no AWS account. It starts the local
 * sandbox, seeds a realistic account, prints the dry-run report, runs cwl-trim for real, and proves
 * from the sandbox's own contents that no event was lost. The same code paths as `plan` and `run`:
 * settings through parseConfig, the real SDK clients over HTTP, the same report.
 */
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { createClients } from '../aws/clients.js';
import { parseConfig } from '../config.js';
import type { Overrides } from '../settings.js';
import { scaledQuotas } from '../constants.js';
import { createDeps } from '../createDeps.js';
import { createLogger } from '../logger.js';
import type { JsonReport } from '../report/jsonSchema.js';
import { wrapText } from '../report/format.js';
import { renderTable } from '../report/renderTable.js';
import { runAndReport } from '../runAndReport.js';
import { createSandboxClock, startSandbox, type Sandbox } from '@cwl-trim/sandbox';
import type { Config } from '../types.js';
import { proveNothingLost, type Proof } from './proof.js';
import { callsSince, renderAccount, renderProof } from './renderDemo.js';
import { DEMO_DAYS, DEMO_TAG, seedAccount } from './seedAccount.js';

const BUCKET = 'cwl-trim-demo';
const WIDTH = 100;
/**
 * AWS quotas (GetLogEvents 10/s, DeleteLogStream 15/s…) multiplied by this, in the sandbox and in
 * cwl-trim's limiters alike, so that the demo takes seconds; the ratios between APIs stay AWS's.
 */
const QUOTA_SCALE = 40;
/** The sandbox accepts any credentials; these keep the SDK from looking for real ones. */
const DEMO_CREDENTIALS = { accessKeyId: 'demo', secretAccessKey: 'demo' } as const;

interface DemoOptions {
  /** Where the demo's text goes. @default process.stdout */
  readonly write?: (text: string) => void;
  /** Warnings and errors, as JSON log lines. @default process.stderr */
  readonly warn?: (text: string) => void;
  /** The sandbox's "now" (its clock flows from there). @default Date.now() */
  readonly nowMs?: number;
}

interface DemoResult {
  readonly plan: JsonReport;
  readonly run: JsonReport;
  readonly proof: Proof;
  /** Where the sandbox listened (it is stopped when runDemo returns). */
  readonly endpoint: string;
  /** Calls the dry run sent, and how many of them change anything (0). */
  readonly dryRunCalls: { readonly calls: number; readonly mutating: number };
}

function demoSettings(sandbox: Sandbox): Overrides {
  return {
    days: String(DEMO_DAYS),
    bucket: BUCKET,
    logGroupTag: `${DEMO_TAG.key}=${DEMO_TAG.value}`,
    endpointUrl: sandbox.endpoint,
    region: sandbox.region,
    logLevel: 'warn',
  };
}

/** One cwl-trim run against the sandbox, as the CLI does it, returning its JSON report. */
async function trim(
  sandbox: Sandbox,
  config: Readonly<Config>,
  warn: (text: string) => void,
  progress?: (line: string) => void,
): Promise<JsonReport> {
  const clients = createClients(config, { credentials: DEMO_CREDENTIALS });
  const runId = randomUUID().slice(0, 8);
  const deps = createDeps(config, {
    runId,
    clients,
    clock: sandbox.clock,
    logger: createLogger({ level: config.logLevel, runId, destination: { write: warn } }),
    exportPoll: { initialMs: 10, maxMs: 100, factor: 1.5 },
    exportSlot: { initialMs: 10, maxMs: 100, factor: 1.5 },
    retry: { retries: 10, minTimeoutMs: 10, maxTimeoutMs: 200 },
    quotasTps: scaledQuotas(QUOTA_SCALE),
    ...(progress ? { progress } : {}),
  });
  try {
    // As the CLI does: a real run's report is kept beside the archive.
    return (await runAndReport(config, deps)).report;
  } finally {
    await deps.call.limiters.stop();
    clients.logs.destroy();
    clients.s3.destroy();
    clients.lambda.destroy();
  }
}

/**
 * Runs the whole demo and stops the sandbox, whatever happens: nothing is left running.
 *
 * @example
 * const { proof } = await runDemo();
 * process.exitCode = proof.nothingLost ? 0 : 1;
 */
async function runDemo(options: DemoOptions = {}): Promise<DemoResult> {
  const write = options.write ?? ((text: string) => void process.stdout.write(text));
  const warn = options.warn ?? ((text: string) => void process.stderr.write(text));
  const say = (...lines: string[]): void => write(`${lines.join('\n')}\n`);
  const started = performance.now();
  // The sandbox is not AWS: the SDK's notice about Node versions would only be noise here.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const sandbox = await startSandbox({
    clock: createSandboxClock(options.nowMs ?? Date.now()),
    quotasTps: scaledQuotas(QUOTA_SCALE),
  });
  try {
    sandbox.createBucket(BUCKET);
    const account = seedAccount(sandbox, sandbox.clock.now());
    const settings = demoSettings(sandbox);
    const flags = `--days ${settings.days} --bucket ${BUCKET} --tag ${String(settings.logGroupTag)} \\\n      --endpoint-url ${sandbox.endpoint}`;
    say(
      ...wrapText(
        `cwl-trim demo: a local CloudWatch Logs + S3 sandbox on ${sandbox.endpoint}: no AWS account, ` +
          `nothing leaves this machine. API quotas are scaled ×${QUOTA_SCALE} for the demo, in the sandbox and in ` +
          "cwl-trim's limiters, so that it takes seconds; against AWS, cwl-trim uses QUOTA_SHARE (default: half) of " +
          'the real quotas.',
        WIDTH,
      ),
      '',
      'The seeded account. Stored sizes are what such groups would report; the sandbox holds a sample of',
      'their events, so measured bytes below are small next to the estimates.',
      renderAccount(account),
      '',
      'Step 1 · the dry run:',
      `  $ cwl-trim plan ${flags}`,
      '',
    );
    const before = sandbox.calls.length;
    const plan = await trim(sandbox, parseConfig({}, { ...settings, dryRun: true }), warn);
    const dryRunCalls = callsSince(sandbox, before);
    say(
      renderTable(plan),
      `The dry run sent ${dryRunCalls.calls} calls, ${dryRunCalls.mutating} of which change anything ` +
        "(from the sandbox's call log).",
      '',
      'Step 2 · the real run (progress goes to stderr in the CLI):',
      `  $ cwl-trim run ${flags}`,
      '',
    );
    const run = await trim(sandbox, parseConfig({}, { ...settings, dryRun: false }), warn, (line) =>
      say(`  · ${line}`),
    );
    say('', renderTable(run), 'Step 3 · the proof, counted from the sandbox against the seed, event by event:', '');
    const proof = proveNothingLost(sandbox, BUCKET, plan.archive.prefix, account.events);
    say(renderProof(proof));
    return { plan, run, proof, endpoint: sandbox.endpoint, dryRunCalls };
  } finally {
    await sandbox.stop();
    say(
      '',
      `Demo finished in ${((performance.now() - started) / 1000).toFixed(1)} s; the sandbox is stopped, nothing is left running.`,
    );
  }
}

export { runDemo };
export type { DemoOptions, DemoResult };
