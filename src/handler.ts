/**
 * The Lambda entry point: settings from the environment (and the event's `settings`), one run against a
 * deadline a little before Lambda's, the JSON report to S3 and to the log, and, when the run stopped at its
 * deadline with work left and made progress, the next invocation of itself to carry on.
 *
 * Continuing is bounded: a run must have made progress (archived, trimmed, or moved its listing on: never
 * loop without progress), it must have stopped for lack of time (a failed export waits for the next
 * schedule), and, as a backstop against a bug, the chain is at most {@link DEFAULT_MAX_CONTINUATIONS}
 * long. A run with nothing left stops. A backlog of a million streams drains in one chain at the speed
 * of the quota share: each invocation resumes the walk and the listing where the last one stopped.
 */
import { randomUUID } from 'node:crypto';
import { InvokeCommand } from '@aws-sdk/client-lambda';
import { callAws } from './aws/callAws.js';
import { createClients, type AwsClients } from './aws/clients.js';
import { parseConfig } from './config.js';
import type { Overrides } from './settings.js';
import { createDeps, type DepsOptions } from './createDeps.js';
import type { Deadline, Deps } from './deps.js';
import { ConfigError, LeaseHeldError, RunFailedError } from './errors.js';
import { continuationDecision, madeProgress, ranOutOfTime } from './plan/continuation.js';
import type { RunOutput, RunResult } from './plan/results.js';
import { watchStopSignals, type SignalSource } from './interrupt.js';
import { createLogger, type Logger } from './logger.js';
import type { JsonReport } from './report/jsonSchema.js';
import { runAndReport, type RunReport } from './runAndReport.js';
import { runMetrics } from './runMetrics.js';
import type { Config } from './types.js';

/** Saving state, writing the report and starting the next invocation fit in this much of the last time. */
const DEFAULT_DEADLINE_MARGIN_MS = 90_000;
/**
 * A backstop, not the bound that matters (progress is): 1,000 invocations of 15 minutes are ten days of
 * work, more than a daily schedule leaves, and more than a million-stream backlog needs (≈ 40 h at
 * 7.5 deletes/s).
 */
const DEFAULT_MAX_CONTINUATIONS = 1_000;
/** A log event holds 256 KiB; a larger report is logged without its per-group detail (S3 has it all). */
const MAX_LOGGED_REPORT_CHARS = 200_000;

/** The event the handler reads. A schedule sends EventBridge's own event, whose fields are ignored. */
interface CwlTrimEvent {
  /** How many invocations of this chain came before; absent (0) for a scheduled or manual run. */
  readonly continuation?: number;
  /** Settings for this run by setting name (`days`, `dryRun`…): each wins over its environment variable. */
  readonly settings?: Overrides;
}

/** The part of Lambda's context the handler uses. */
interface LambdaContext {
  readonly functionName?: string;
  readonly awsRequestId?: string;
  getRemainingTimeInMillis(): number;
}

/** What the invocation returns (and what `sls invoke` prints). */
interface HandlerSummary {
  readonly runId: string;
  /** planned: a dry run · lease-held: another run holds the archive's lease, nothing was done. */
  readonly outcome: 'planned' | RunResult['outcome'] | 'lease-held';
  readonly continuation: number;
  /** The run stopped for lack of time (its deadline passed, or work was left that would not fit before it). */
  readonly deadlineReached: boolean;
  /** Something was archived, deleted, rebuilt or had its retention set. */
  readonly progress: boolean;
  readonly next: { readonly invoked: boolean; readonly reason: string };
  /** Where the JSON report was written; null when it could not be. */
  readonly reportKey: string | null;
  /** Set when SIGTERM stopped the run at a safe point (Lambda shutting the environment down). */
  readonly interrupted?: string;
}

interface HandlerOptions {
  /** Read on every invocation. @default process.env */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Clients for a run; ones the handler creates itself are closed after the run. @default createClients(config) */
  readonly clients?: (config: Readonly<Config>) => AwsClients;
  /** Clock, logger, waits, quotas… for tests; the deadline comes from Lambda's context. */
  readonly deps?: Omit<DepsOptions, 'clients' | 'deadline' | 'runId'>;
  /** @default 90000 (90 s) */
  readonly deadlineMarginMs?: number;
  /** @default 1000 */
  readonly maxContinuations?: number;
  /** SIGTERM (and SIGINT) stop a run at its next safe point. @default process */
  readonly signals?: SignalSource;
  /** Where the EMF metrics line goes (Lambda: stdout, which CloudWatch Logs reads). @default process.stdout */
  readonly writeMetrics?: (line: string) => void;
}

type Handler = (event: unknown, context: LambdaContext) => Promise<HandlerSummary>;

/** Reads the event's own fields; anything else in it (a schedule's event) is ignored. */
function readEvent(event: unknown): { continuation: number; settings?: Overrides } {
  const e = (typeof event === 'object' && event !== null ? event : {}) as Record<string, unknown>;
  const continuation = e.continuation ?? 0;
  if (typeof continuation !== 'number' || !Number.isSafeInteger(continuation) || continuation < 0) {
    throw new ConfigError(
      'continuation',
      `event.continuation must be a whole number ≥ 0, got ${JSON.stringify(continuation)}. ` +
        'Leave it out: the handler sets it when it continues itself.',
    );
  }
  const settings = e.settings ?? undefined;
  if (settings === undefined) return { continuation };
  if (typeof settings !== 'object' || settings === null || Array.isArray(settings)) {
    throw new ConfigError(
      'settings',
      `event.settings must be an object of settings by name, e.g. {"dryRun": true}, got ${JSON.stringify(settings)}.`,
    );
  }
  return { continuation, settings: settings as Overrides };
}

/** The report as one log line: whole when it fits in a log event, else without its per-group detail. */
function loggable(report: JsonReport, key: string | null): object {
  if (JSON.stringify(report).length <= MAX_LOGGED_REPORT_CHARS) return report;
  const { groups: _g, pendingRebuilds: _p, resumedRebuilds: _r, leftForNextRun, ...rest } = report;
  return {
    ...rest,
    leftForNextRunCount: leftForNextRun?.count ?? null,
    detailOmitted: `read the whole report at ${key ?? '(not written)'}`,
  };
}

/** Starts the next invocation asynchronously; the payload carries the chain's count and this run's settings. */
async function invokeNext(deps: Deps, functionName: string, payload: CwlTrimEvent): Promise<void> {
  await callAws(deps.call, 'Invoke', () =>
    deps.clients.lambda.send(
      new InvokeCommand({
        FunctionName: functionName,
        InvocationType: 'Event',
        Payload: new TextEncoder().encode(JSON.stringify(payload)),
      }),
    ),
  );
}

/** Continues if the decision says so; a failed invoke is logged, not thrown (the next schedule carries on). */
async function continueIfNeeded(
  deps: Deps,
  output: RunOutput,
  event: { continuation: number; settings?: Overrides },
  functionName: string | undefined,
  max: number,
): Promise<HandlerSummary['next']> {
  const decision = continuationDecision(output, event.continuation, max);
  if (!decision.continue) {
    deps.logger.info({ continuation: event.continuation, reason: decision.reason }, 'not continuing');
    return { invoked: false, reason: decision.reason };
  }
  if (!functionName) {
    const reason = 'no function name in the context or AWS_LAMBDA_FUNCTION_NAME; cannot continue';
    deps.logger.error({ continuation: event.continuation }, reason);
    return { invoked: false, reason };
  }
  const payload: CwlTrimEvent = {
    continuation: event.continuation + 1,
    ...(event.settings ? { settings: event.settings } : {}),
  };
  try {
    await invokeNext(deps, functionName, payload);
    deps.logger.info(
      { functionName, continuation: payload.continuation, reason: decision.reason },
      'continuing in a new invocation',
    );
    return { invoked: true, reason: decision.reason };
  } catch (err) {
    deps.logger.error({ err, functionName }, 'could not start the next invocation; the next scheduled run carries on');
    return { invoked: false, reason: `the invoke failed: ${(err as Error).message}` };
  }
}

/** Settings, or a logged ConfigError thrown before any AWS call. */
function configOf(
  env: Readonly<Record<string, string | undefined>>,
  event: unknown,
  logger: () => Logger,
): {
  config: Readonly<Config>;
  event: { continuation: number; settings?: Overrides };
} {
  try {
    const parsed = readEvent(event);
    return { config: parseConfig(env, parsed.settings), event: parsed };
  } catch (err) {
    if (err instanceof ConfigError) logger().error({ err, setting: err.setting }, `invalid settings: ${err.message}`);
    throw err;
  }
}

/**
 * Builds the Lambda handler. The deployed `handler` is `createHandler()`; tests pass clients pointed at
 * the sandbox, a logger they read, and fast waits.
 *
 * @example
 * const handler = createHandler({ clients: (config) => createClients(config, { credentials }) });
 * const summary = await handler({ settings: { dryRun: true } }, { getRemainingTimeInMillis: () => 900_000 });
 */
function createHandler(options: HandlerOptions = {}): Handler {
  const marginMs = options.deadlineMarginMs ?? DEFAULT_DEADLINE_MARGIN_MS;
  const max = options.maxContinuations ?? DEFAULT_MAX_CONTINUATIONS;
  return async (rawEvent, context) => {
    const env = options.env ?? process.env;
    const runId = randomUUID().slice(0, 8);
    const { config, event } = configOf(
      env,
      rawEvent,
      () => options.deps?.logger ?? createLogger({ level: 'info', runId }),
    );
    const own = options.clients === undefined;
    const clients = options.clients?.(config) ?? createClients(config);
    const deadline: Deadline = { remainingMs: () => context.getRemainingTimeInMillis() - marginMs };
    // Lambda's SIGTERM (the environment shutting down) stops the run at a safe point, as Ctrl-C does the CLI's.
    const stop = watchStopSignals({
      source: options.signals ?? process,
      onStop: (signal) => deps.logger.warn({ signal }, 'stopping at the next safe point'),
    });
    const deps = createDeps(config, { ...options.deps, clients, deadline, runId, interrupt: stop.signal });
    deps.logger.info(
      { continuation: event.continuation, awsRequestId: context.awsRequestId, dryRun: config.dryRun },
      'cwl-trim starting',
    );
    try {
      let run: RunReport;
      try {
        run = await runAndReport(config, deps, { keepPlan: true });
      } catch (err) {
        if (!(err instanceof LeaseHeldError)) throw err;
        deps.logger.warn({ err }, 'another run holds the lease; this invocation does nothing');
        return {
          runId,
          outcome: 'lease-held',
          continuation: event.continuation,
          deadlineReached: false,
          progress: false,
          next: { invoked: false, reason: 'another run holds the lease' },
          reportKey: null,
        };
      }
      const { output, report } = run;
      const key = run.saved?.saved === true ? run.saved.key : null;
      deps.logger.info({ report: loggable(report, key), reportKey: key }, 'cwl-trim report');
      const functionName = context.functionName || env.AWS_LAMBDA_FUNCTION_NAME;
      if (output.result) {
        (options.writeMetrics ?? ((line) => void process.stdout.write(line)))(
          `${JSON.stringify(runMetrics(report, { functionName: functionName ?? 'cwl-trim', nowMs: deps.clock.now() }))}\n`,
        );
      }
      const next = await continueIfNeeded(deps, output, event, functionName, max);
      // A failed run fails the invocation, its report written: Lambda's Errors metric (and the alarm on it) sees it.
      if (output.result?.outcome === 'failed') {
        throw new RunFailedError(
          `the run failed; read its report at s3://${config.bucket}/${key ?? '(not written)'}`,
          key,
        );
      }
      return {
        runId,
        outcome: output.result?.outcome ?? 'planned',
        continuation: event.continuation,
        deadlineReached: output.result ? ranOutOfTime(output.result) : false,
        progress: output.result ? madeProgress(output.result) : false,
        next,
        reportKey: key,
        ...(stop.signal.aborted && { interrupted: String(stop.signal.reason) }),
      };
    } catch (err) {
      deps.logger.error({ err }, 'cwl-trim run failed');
      throw err;
    } finally {
      stop.dispose();
      if (own) for (const client of Object.values(clients)) client.destroy();
    }
  };
}

/** The Lambda entry point (serverless.yml: `handler: dist/handler.handler`). */
const handler: Handler = createHandler();

export { DEFAULT_DEADLINE_MARGIN_MS, DEFAULT_MAX_CONTINUATIONS, createHandler, handler };
export type { CwlTrimEvent, Handler, HandlerOptions, HandlerSummary, LambdaContext };
