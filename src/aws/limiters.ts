/**
 * One rate limiter per API operation. CloudWatch Logs quotas are per account and Region and shared with
 * every producer and reader there, so cwl-trim takes only `quotaShare` of each; S3 and Lambda calls are
 * cheap next to their own quotas and get generous fixed rates.
 */
import Bottleneck from 'bottleneck';
import { DEFAULT_QUOTAS_TPS } from '../constants.js';
import { CwlTrimError } from '../errors.js';

/**
 * Rates for the S3 and Lambda operations we call, in requests per second. S3 allows 3,500 writes and
 * 5,500 reads per second per prefix; we stay far below both. These are not scaled by `quotaShare`:
 * nobody else shares the archive prefix.
 */
const OTHER_SERVICE_TPS = {
  PutObject: 200,
  GetObject: 200,
  HeadObject: 200,
  DeleteObject: 200,
  DeleteObjects: 50,
  ListObjectsV2: 100,
  HeadBucket: 20,
  GetBucketLocation: 20,
  Invoke: 20,
} as const satisfies Record<string, number>;

interface LimitersOptions {
  /** The share (0 < share ≤ 1) of each CloudWatch Logs quota cwl-trim may use. */
  readonly quotaShare: number;
  /**
   * Quotas in transactions per second, by operation, replacing the defaults (live Service Quotas
   * values, or fast-scaled quotas in tests). An operation not known yet is added as a CloudWatch Logs
   * operation (scaled by `quotaShare`).
   */
  readonly quotasTps?: Partial<Record<string, number>>;
}

/**
 * The limiters of one run. **Never call a limiter from inside a job it is running** (e.g. scheduling a
 * `DescribeLogStreams` inside a `DescribeLogStreams` job of the same limiter waits on itself): nest calls of
 * different operations only, and do the nesting outside the job where you can.
 */
interface Limiters {
  /** The operation's only limiter; throws `UNKNOWN_OPERATION` for a name it has no quota for. */
  for(operation: string): Bottleneck;
  /** Requests per second cwl-trim allows itself for the operation (benchmarks use it for the lower bound). */
  allowedTps(operation: string): number;
  /** The operations that have a limiter. */
  readonly operations: readonly string[];
  /** Stops every limiter: queued jobs are dropped (they reject), running ones finish. Safe to call twice. */
  stop(): Promise<void>;
}

/**
 * Creates one Bottleneck per operation (every CloudWatch Logs operation of `DEFAULT_QUOTAS_TPS`, the S3
 * operations and Lambda `Invoke`). Each starts at most one request every `1000 / rate` ms, so the rate is
 * spread evenly instead of bursting at the start of every second, where rate = quota × `quotaShare` for
 * CloudWatch Logs and the fixed rate for S3 and Lambda.
 *
 * @example
 * const limiters = createLimiters({ quotaShare: config.quotaShare });
 * const page = await limiters.for('DescribeLogGroups').schedule(() => logs.send(command));
 */
function createLimiters(options: LimitersOptions): Limiters {
  const { quotaShare, quotasTps = {} } = options;
  if (!(quotaShare > 0 && quotaShare <= 1)) {
    throw new RangeError(`Expected quotaShare to be > 0 and ≤ 1, got ${quotaShare}.`);
  }
  const rates = new Map<string, number>();
  for (const [operation, quota] of Object.entries({ ...DEFAULT_QUOTAS_TPS, ...quotasTps })) {
    if (quota === undefined) continue;
    if (!(quota > 0 && Number.isFinite(quota))) {
      throw new RangeError(`Expected the quota of ${operation} to be a positive number, got ${quota}.`);
    }
    const isOtherService = Object.hasOwn(OTHER_SERVICE_TPS, operation);
    rates.set(operation, isOtherService ? quota : quota * quotaShare);
  }
  for (const [operation, rate] of Object.entries(OTHER_SERVICE_TPS)) {
    if (!rates.has(operation)) rates.set(operation, rate);
  }
  const limiters = new Map<string, Bottleneck>(
    [...rates].map(([operation, rate]) => [operation, new Bottleneck({ id: operation, minTime: 1000 / rate })]),
  );
  const known = (operation: string): void => {
    if (!limiters.has(operation)) {
      throw new CwlTrimError('UNKNOWN_OPERATION', `No limiter for "${operation}": add its quota to `
        + `DEFAULT_QUOTAS_TPS (src/constants.ts). Known operations: ${[...limiters.keys()].join(', ')}.`);
    }
  };
  let stopped: Promise<void> | undefined;
  return Object.freeze({
    for(operation: string): Bottleneck {
      known(operation);
      return limiters.get(operation) as Bottleneck;
    },
    allowedTps(operation: string): number {
      known(operation);
      return rates.get(operation) as number;
    },
    operations: Object.freeze([...limiters.keys()]),
    stop(): Promise<void> {
      // Bottleneck throws on a second stop(); callers (deadline, finally blocks) may well call it twice.
      stopped ??= Promise.all([...limiters.values()].map((limiter) => limiter.stop({ dropWaitingJobs: true })))
        .then(() => undefined);
      return stopped;
    },
  });
}

export { OTHER_SERVICE_TPS, createLimiters };
export type { Limiters, LimitersOptions };
