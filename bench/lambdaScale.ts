/**
 * What the Lambda-style scenarios (huge-group, huge-drain) share: the environment a deployed
 * function would have, and one factor that scales AWS's quotas, cwl-trim's clock and waits, and
 * Lambda's timeout together, so that an invocation does the same work per invocation as on AWS in
 * 1/factor of the time.
 */
import { createLimiters, type Limiters } from '../src/aws/limiters.js';
import { BENCH_BUCKET, BENCH_DAYS, scaledQuotas } from './harness.js';
import type { InvocationJob } from './lambdaInvocation.js';

/** Lambda's timeout (serverless.yml) and the handler's margin before it, real ms on AWS. */
const LAMBDA_TIMEOUT_MS = 900_000;
const HANDLER_MARGIN_MS = 90_000;
/** cwl-trim's default share of each quota (QUOTA_SHARE). */
const QUOTA_SHARE = 0.5;

/** The function's environment, as serverless.yml would set it, pointed at the sandbox. */
function lambdaEnv(endpoint: string, region: string): Record<string, string> {
  return {
    DAYS: String(BENCH_DAYS),
    BUCKET: BENCH_BUCKET,
    LOG_GROUP_PREFIXES: '/',
    LOG_LEVEL: 'silent',
    FORCE_REBUILD: 'true',
    AWS_ENDPOINT_URL: endpoint,
    AWS_REGION: region,
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  };
}

/** An invocation's job at `factor`: quotas × factor, timeout and margin ÷ factor. */
function scaledJob(
  endpoint: string,
  region: string,
  factor: number,
): Omit<InvocationJob, 'event' | 'virtualAtGoMs' | 'mode'> {
  return {
    env: lambdaEnv(endpoint, region),
    factor,
    quotasTps: scaledQuotas(factor),
    timeoutMs: LAMBDA_TIMEOUT_MS / factor,
    marginMs: HANDLER_MARGIN_MS / factor,
  };
}

/** Seconds an invocation can work at `factor`: its timeout less the handler's margin. */
const usableSecondsPerInvocation = (factor: number): number => (LAMBDA_TIMEOUT_MS - HANDLER_MARGIN_MS) / factor / 1000;

/** The limiters cwl-trim builds at `factor` (for the allowed rates in the lower bounds). */
const scaledLimiters = (factor: number): Limiters =>
  createLimiters({ quotaShare: QUOTA_SHARE, quotasTps: scaledQuotas(factor) });

export { HANDLER_MARGIN_MS, LAMBDA_TIMEOUT_MS, lambdaEnv, scaledJob, scaledLimiters, usableSecondsPerInvocation };
