/**
 * Service limits and defaults cwl-trim lives by. Each carries its reason; sources are listed in
 * ../shared/AWS-FACTS.md (CloudWatch Logs API reference and quotas pages).
 */

const MS_PER_SECOND = 1_000;
const MS_PER_MINUTE = 60 * MS_PER_SECOND;
const MS_PER_HOUR = 60 * MS_PER_MINUTE;
const MS_PER_DAY = 24 * MS_PER_HOUR;

/** PutLogEvents: a batch may hold at most this many bytes, counting {@link PUT_EVENT_OVERHEAD_BYTES} per event. */
const PUT_MAX_BATCH_BYTES = 1_048_576;
/** PutLogEvents: every event costs its UTF-8 message bytes plus 26 bytes. */
const PUT_EVENT_OVERHEAD_BYTES = 26;
/** PutLogEvents: at most 10,000 events a call. */
const PUT_MAX_EVENTS = 10_000;
/** PutLogEvents: the first and last event of a batch may be at most 24 hours apart. */
const PUT_MAX_SPAN_MS = 24 * MS_PER_HOUR;
/**
 * PutLogEvents: one event's message may be at most this many bytes. The current API reference
 * (InputLogEvent, and the SDK's own model) says 1 MB; the older PutLogEvents text says 256 KB (raised
 * in April 2025). We take 1 MB, bounded by the batch limit: one event alone must fit in a batch
 * (message + 26 ≤ 1,048,576). With 256 KB a stream holding a bigger event could never be rebuilt.
 */
const PUT_MAX_EVENT_BYTES = PUT_MAX_BATCH_BYTES - PUT_EVENT_OVERHEAD_BYTES;
/** PutLogEvents drops events older than 14 days (`tooOldLogEventEndIndex`). */
const PUT_MAX_AGE_MS = 14 * MS_PER_DAY;
/** PutLogEvents drops events more than 2 hours in the future (`tooNewLogEventStartIndex`). */
const PUT_MAX_FUTURE_MS = 2 * MS_PER_HOUR;

/** GetLogEvents: a page holds at most 10,000 events or 1 MB. */
const GET_MAX_EVENTS = 10_000;
const GET_MAX_PAGE_BYTES = 1_048_576;
/** DescribeLogStreams / DescribeLogGroups / DescribeExportTasks: at most 50 a page. */
const DESCRIBE_PAGE_LIMIT = 50;

/** Log data can take up to 12 hours to become exportable after ingestion. */
const EXPORT_LAG_MS = 12 * MS_PER_HOUR;
/**
 * How long after its creation a task still running counts as progress for a continuation chain that
 * only waited on it. AWS bounds neither a task's run ("seconds to hours") nor a stuck one: a chain
 * waits on a large export this long (about 48 invocations, under a dollar of Lambda), then stops and
 * says so, and the next scheduled run looks again.
 */
const EXPORT_WAIT_MAX_MS = 12 * MS_PER_HOUR;
/** The export marker AWS writes first under the destination prefix; it is not an exported object. */
const EXPORT_WRITE_TEST_OBJECT = 'aws-logs-write-test';

/**
 * DescribeLogStreams' first/last event and last ingestion times are eventually consistent, usually
 * within an hour: every guard that reads them adds this much.
 */
const METADATA_LAG_MS = MS_PER_HOUR;
/**
 * Events the rebuild keeps must still be accepted by PutLogEvents when they are put back, possibly by
 * the next daily run after a crash: they must be younger than 14 days (and than retention) by this much.
 */
const REPUT_SAFETY_MARGIN_MS = 25 * MS_PER_HOUR;
/**
 * Events can be written with timestamps up to 14 days in the past, so a group may hold events older
 * than its creation time: the first export window starts this long before it.
 */
const FIRST_EXPORT_LOOKBACK_MS = PUT_MAX_AGE_MS + MS_PER_DAY;
/** The retention strategy archives continuously, this far behind now (above the 12 h export lag). */
const RETENTION_EXPORT_LAG_MS = MS_PER_DAY;
/** The retention strategy sets a retention only if it leaves this long to archive an event before it expires. */
const RETENTION_MIN_HEADROOM_MS = 2 * MS_PER_DAY;
/** Bytes in the GB that prices are quoted per. */
const BYTES_PER_GB = 1024 ** 3;
const DAYS_PER_MONTH = 30.44;

/** The only values PutRetentionPolicy accepts. */
const ALLOWED_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;

/**
 * Default per-account per-Region quotas in transactions per second. cwl-trim only ever uses a
 * configured share of these: the account's own producers and readers come first.
 */
const DEFAULT_QUOTAS_TPS = {
  PutLogEvents: 5_000,
  GetLogEvents: 10,
  FilterLogEvents: 5,
  DescribeLogStreams: 25,
  DescribeLogGroups: 5,
  CreateLogStream: 50,
  DeleteLogStream: 15,
  CreateExportTask: 5,
  DescribeExportTasks: 5,
  CancelExportTask: 5,
  ListTagsForResource: 5,
  ListTagsLogGroup: 5,
  PutRetentionPolicy: 5,
  DescribeSubscriptionFilters: 5,
  DescribeMetricFilters: 5,
  GetDataProtectionPolicy: 5,
  // Not in the quotas page: the default of the account-level reads (5 TPS) is assumed.
  DescribeAccountPolicies: 5,
  GetTransformer: 5,
  GetStorageTierPolicy: 5,
  DeleteLogGroup: 5,
  // The lock group's creation, once per account and Region.
  CreateLogGroup: 5,
} as const satisfies Record<string, number>;

type LogsOperation = keyof typeof DEFAULT_QUOTAS_TPS;

/**
 * AWS's default quotas × `factor`, the ratio between operations kept: the demo, the tests and the
 * benchmarks give the same figures to the sandbox and to cwl-trim's limiters so that runs take seconds.
 *
 * @example scaledQuotas(20).DeleteLogStream // 300
 */
const scaledQuotas = (factor: number): Record<LogsOperation, number> =>
  Object.fromEntries(Object.entries(DEFAULT_QUOTAS_TPS).map(([operation, tps]) => [operation, tps * factor])) as Record<
    LogsOperation,
    number
  >;

const LogGroupClass = {
  Standard: 'STANDARD',
  InfrequentAccess: 'INFREQUENT_ACCESS',
  Delivery: 'DELIVERY',
  /** The docs say "a subset of features" and do not list export or GetLogEvents: treated as unsupported. */
  Essentials: 'ESSENTIALS',
} as const;

const ExportStatus = {
  Pending: 'PENDING',
  Running: 'RUNNING',
  Completed: 'COMPLETED',
  Cancelled: 'CANCELLED',
  Failed: 'FAILED',
  PendingCancel: 'PENDING_CANCEL',
} as const;

type ExportStatusCode = (typeof ExportStatus)[keyof typeof ExportStatus];

export {
  scaledQuotas,
  ALLOWED_RETENTION_DAYS,
  BYTES_PER_GB,
  DAYS_PER_MONTH,
  FIRST_EXPORT_LOOKBACK_MS,
  METADATA_LAG_MS,
  REPUT_SAFETY_MARGIN_MS,
  RETENTION_EXPORT_LAG_MS,
  RETENTION_MIN_HEADROOM_MS,
  DEFAULT_QUOTAS_TPS,
  DESCRIBE_PAGE_LIMIT,
  EXPORT_LAG_MS,
  EXPORT_WAIT_MAX_MS,
  EXPORT_WRITE_TEST_OBJECT,
  ExportStatus,
  GET_MAX_EVENTS,
  GET_MAX_PAGE_BYTES,
  LogGroupClass,
  MS_PER_DAY,
  MS_PER_HOUR,
  MS_PER_MINUTE,
  MS_PER_SECOND,
  PUT_EVENT_OVERHEAD_BYTES,
  PUT_MAX_AGE_MS,
  PUT_MAX_BATCH_BYTES,
  PUT_MAX_EVENTS,
  PUT_MAX_EVENT_BYTES,
  PUT_MAX_FUTURE_MS,
  PUT_MAX_SPAN_MS,
};
export type { ExportStatusCode, LogsOperation };
