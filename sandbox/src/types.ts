/**
 * Public types of the local sandbox: the options it starts with, the handle a test holds, and the
 * records it keeps. Types only.
 */

/**
 * The sandbox's clock. Structurally a `Clock` from `src/clock.ts`, so the code under test and the
 * sandbox can share one. Unless frozen it flows with real time from the last point it was set to.
 */
interface SandboxClock {
  /** Milliseconds since the epoch as the sandbox (and the code sharing it) sees them. */
  now(): number;
  /** Moves the clock forward (or back, with a negative value) by `ms`. */
  advance(ms: number): void;
  /** Sets the clock to `ms`; a flowing clock keeps flowing from there. */
  set(ms: number): void;
}

/** A latency: a fixed number of ms, or `[min, max]` drawn uniformly per call. */
type LatencySpec = number | readonly [number, number];

/** Which emulated service answered a call. */
type ServiceName = 'logs' | 's3' | 'lambda';

/** One call the sandbox received, in arrival order. */
interface CallRecord {
  readonly service: ServiceName;
  /** The operation as the SDK names it: `PutLogEvents`, `PutObject`, `Invoke`… */
  readonly operation: string;
  /** Logs: the JSON body. S3: SDK-style fields (`Bucket`, `Key`, `Prefix`…). Lambda: name, type, payload. */
  readonly input: unknown;
  /** Sandbox clock at arrival. */
  readonly atMs: number;
  /** `Date.now()` at arrival. */
  readonly realAtMs: number;
  /** The error name sent back (`__type` or S3 `Code`), or `Dropped` when the socket was destroyed. */
  error?: string;
}

/** A planned failure: the `nth` call of `operation` from now (and the `times − 1` after it) fails. */
interface FaultSpec {
  /** Operation name as the SDK names it, or `*` for any. */
  readonly operation: string;
  /**
   * Only requests whose URL path (decoded) contains this: an S3 fault on some keys, e.g. `/journal/`.
   * Calls that do not match are not counted either.
   */
  readonly pathContains?: string;
  /** 1-based, counted from when the fault is injected. @default 1 */
  readonly nth?: number;
  /** How many consecutive calls fail. @default 1 */
  readonly times?: number;
  /** The error to answer with. @default ServiceUnavailableException (logs) / InternalError (S3), 5xx */
  readonly error?: { readonly name: string; readonly message?: string; readonly status?: number };
  /** Destroy the socket without answering instead of sending an error (the call is not carried out). */
  readonly drop?: boolean;
  /** Carry the call out, then destroy the socket without answering: the answer is lost, the effect is not. */
  readonly dropResponse?: boolean;
  /**
   * Never answer (the connection stays open until the client gives up or the sandbox stops);
   * `'after-applying'` carries the call out first.
   */
  readonly hang?: 'before-applying' | 'after-applying';
  /** Answer as the service throttles (`ThrottlingException`, S3 `SlowDown`) instead of `error`. */
  readonly throttle?: boolean;
}

/** Where a stalled call is held: before it takes effect, or after (its answer is never sent). */
type StallPhase = 'before' | 'after';

/** How long a created export task stays PENDING and then RUNNING, in real-time ms. */
interface ExportTiming {
  readonly pendingMs: number;
  readonly runningMs: number;
}

interface SandboxOptions {
  /** TCP port on 127.0.0.1. @default 0 (a free port) */
  readonly port?: number;
  /** @default createSandboxClock(Date.now()) */
  readonly clock?: SandboxClock;
  /** @default 'us-east-1' */
  readonly region?: string;
  /** @default '123456789012' */
  readonly accountId?: string;
  /** Per-operation latency, or `*` for every operation. */
  readonly latencyMs?: Partial<Record<string, LatencySpec>>;
  /**
   * Per-operation transactions per second, merged over DEFAULT_QUOTAS_TPS for CloudWatch Logs
   * operations; S3 is unlimited unless named here. `false` disables every quota.
   */
  readonly quotasTps?: Partial<Record<string, number>> | false;
  /** @default { pendingMs: 20, runningMs: 50 } */
  readonly exportTiming?: ExportTiming;
  /** Events per `.gz` chunk of an export before `000001.gz` starts. @default 100_000 */
  readonly exportChunkEvents?: number;
}

type LogGroupClassName = 'STANDARD' | 'INFREQUENT_ACCESS' | 'DELIVERY' | 'ESSENTIALS';

interface SeedGroupOptions {
  /** @default the sandbox clock's now, lowered to the earliest seeded event unless given */
  readonly creationTimeMs?: number;
  readonly retentionInDays?: number;
  readonly logGroupClass?: LogGroupClassName;
  readonly kmsKeyId?: string;
  readonly tags?: Readonly<Record<string, string>>;
  /** A fixed `storedBytes`; by default computed from the events (UTF-8 bytes + 26 per event). */
  readonly storedBytes?: number;
  /** Attach a data protection policy: reads come back masked unless `unmask: true`. */
  readonly dataProtection?: boolean;
}

interface SeedEvent {
  readonly timestamp: number;
  readonly message: string;
  /** @default the event's timestamp (history that arrived on time) */
  readonly ingestionTime?: number;
}

interface StoredEventView {
  timestamp: number;
  message: string;
  ingestionTime: number;
}

interface ObjectView {
  key: string;
  body: Buffer;
  etag: string;
}

interface ExportFileView {
  key: string;
  lines: string[];
}

/** The handle a test holds on a running sandbox. */
interface Sandbox {
  /** `http://127.0.0.1:PORT`: CloudWatch Logs (X-Amz-Target), S3 (path-style) and Lambda Invoke. */
  readonly endpoint: string;
  readonly region: string;
  readonly accountId: string;
  readonly clock: SandboxClock;
  /** Every call received, in arrival order. */
  readonly calls: readonly CallRecord[];
  clearCalls(): void;
  /** Calls of `operation`, or of everything when omitted. */
  countCalls(operation?: string): number;
  /** Calls that change (or tried to change) state, failed ones included. */
  mutatingCalls(): CallRecord[];
  injectFault(fault: FaultSpec): void;
  /** Clears planned faults and fault rates. */
  clearFaults(): void;
  /**
   * Answers `rate` (0–1) of the calls of `operation` (`*` for every operation) with `error`, at random;
   * throttling (`ThrottlingException` for logs, `SlowDown` for S3) by default.
   */
  setFaultRate(operation: string, rate: number, error?: FaultSpec['error']): void;
  setLatency(operation: string, ms: LatencySpec): void;
  /** `undefined` removes the quota of `operation`. */
  setQuota(operation: string, tps: number | undefined): void;
  /**
   * Holds the `nth` mutating call from now (counted as `mutatingCalls()` counts) and never answers
   * it, `before` or `after` applying it; resolves with its record once held. With `where`, only the
   * mutating calls it accepts are counted. Cleared by `clearFaults`.
   */
  stallMutatingCall(nth: number, phase?: StallPhase, where?: (record: CallRecord) => boolean): Promise<CallRecord>;
  /** The next export task created ends FAILED with `message`. */
  failNextExport(message?: string): void;
  seedGroup(name: string, opts?: SeedGroupOptions): void;
  seedStream(
    group: string,
    stream: string,
    events: readonly SeedEvent[],
    opts?: { readonly creationTimeMs?: number },
  ): void;
  /**
   * Seeds many streams of one group at once, each as `seedStream` would, then builds the group's
   * sorted indexes: a million streams in seconds, without a million HTTP calls. Returns how many.
   */
  seedStreams(
    group: string,
    streams: Iterable<{
      readonly name: string;
      readonly events: readonly SeedEvent[];
      readonly creationTimeMs?: number;
    }>,
  ): number;
  seedSubscriptionFilter(group: string, name?: string): void;
  seedMetricFilter(group: string, name?: string): void;
  events(group: string, stream: string): StoredEventView[];
  streamNames(group: string): string[];
  groupNames(): string[];
  createBucket(name: string): void;
  /**
   * Writes objects straight into a bucket, as PutObject would store them (ETag the MD5 of the body):
   * an archive of a million objects in seconds, without a million HTTP calls. Returns how many.
   */
  seedObjects(bucket: string, objects: Iterable<{ readonly key: string; readonly body: Buffer }>): number;
  deleteBucket(name: string): void;
  objects(bucket: string, prefix?: string): ObjectView[];
  readExport(bucket: string, prefix: string): ExportFileView[];
  /** Forgets every group, bucket, task, call and fault; keeps the clock, latencies and quotas. */
  reset(): void;
  /** Closes the server and every socket, clears every timer. */
  stop(): Promise<void>;
}

export type {
  CallRecord,
  ExportFileView,
  ExportTiming,
  FaultSpec,
  LatencySpec,
  LogGroupClassName,
  ObjectView,
  Sandbox,
  SandboxClock,
  SandboxOptions,
  SeedEvent,
  SeedGroupOptions,
  ServiceName,
  StallPhase,
  StoredEventView,
};
