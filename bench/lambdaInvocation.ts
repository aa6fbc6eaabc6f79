/**
 * One cwl-trim process as Lambda (or `cwl-trim plan`) runs it: started by invocations.ts with the
 * job as JSON in argv[2], it loads, says `ready`, waits for `go`, then runs the real handler
 * (createHandler) against the sandbox with quotas, waits, clock and deadline scaled by one factor, or
 * a dry run (runAndReport with dryRun, as `cwl-trim plan` does). Its own RSS is what the benchmark
 * measures (the parent reads it from /proc and kills the process at the scaled Lambda timeout).
 */
import { createClients } from '../src/aws/clients.js';
import { parseConfig } from '../src/config.js';
import { createDeps } from '../src/createDeps.js';
import { DEFAULT_EXPORT_POLL, DEFAULT_EXPORT_SLOT } from '../src/deps.js';
import { createHandler } from '../src/handler.js';
import { createLogger } from '../src/logger.js';
import { runAndReport } from '../src/runAndReport.js';

interface InvocationJob {
  readonly mode: 'handler' | 'plan';
  readonly env: Readonly<Record<string, string>>;
  readonly event: unknown;
  readonly factor: number;
  readonly quotasTps: Record<string, number>;
  /** The scaled Lambda timeout and handler margin, real ms. */
  readonly timeoutMs: number;
  readonly marginMs: number;
  /** The scaled clock: it reads `virtualAtGoMs` at `go` and runs `factor` times faster than real time. */
  readonly virtualAtGoMs: number;
}

const CREDENTIALS = { accessKeyId: 'bench', secretAccessKey: 'bench' } as const;

const scaled = (b: { initialMs: number; maxMs: number; factor: number }, f: number) => ({
  initialMs: b.initialMs / f,
  maxMs: b.maxMs / f,
  factor: b.factor,
});

async function run(job: InvocationJob, goAtMs: number): Promise<unknown> {
  const f = job.factor;
  const clock = { now: () => job.virtualAtGoMs + (Date.now() - goAtMs) * f };
  const logger = createLogger({ level: 'silent', runId: 'bench' });
  const common = {
    logger,
    clock,
    quotasTps: job.quotasTps,
    exportPoll: scaled(DEFAULT_EXPORT_POLL, f),
    exportSlot: scaled(DEFAULT_EXPORT_SLOT, f),
    retry: { minTimeoutMs: 200 / f, maxTimeoutMs: 20_000 / f },
  };
  if (job.mode === 'plan') {
    const config = parseConfig({ ...job.env, DRY_RUN: 'true' });
    const deps = createDeps(config, { ...common, clients: createClients(config, { credentials: CREDENTIALS }) });
    const {
      output: { plan },
    } = await runAndReport(config, deps);
    return { totals: plan.totals, groups: plan.groups.length };
  }
  const handler = createHandler({
    env: job.env,
    clients: (config) => createClients(config, { credentials: CREDENTIALS }),
    deps: common,
    deadlineMarginMs: job.marginMs,
  });
  return handler(job.event, {
    functionName: 'cwl-trim-bench',
    awsRequestId: 'bench',
    getRemainingTimeInMillis: () => job.timeoutMs - (Date.now() - goAtMs),
  });
}

function main(): void {
  const job = JSON.parse(process.argv[2] ?? '{}') as InvocationJob;
  process.on('message', (message: { go?: boolean }) => {
    if (!message.go) return;
    const goAtMs = Date.now();
    process.send?.({ started: goAtMs });
    run(job, goAtMs).then(
      (result) =>
        process.send?.({ result, maxRssBytes: process.resourceUsage().maxRSS * 1024 }, () => process.disconnect()),
      (err: unknown) =>
        process.send?.(
          { error: err instanceof Error ? err.stack : String(err), maxRssBytes: process.resourceUsage().maxRSS * 1024 },
          () => process.disconnect(),
        ),
    );
  });
  process.send?.({ ready: true });
}

main();

export type { InvocationJob };
