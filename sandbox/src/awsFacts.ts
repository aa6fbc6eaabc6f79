/**
 * The AWS facts the sandbox answers by (besides PutLogEvents' limits, in logs/putLimits.ts): the
 * oracle's own copy, written from the AWS documentation and never imported from the product, so that
 * a wrong product constant fails against it instead of moving with it. test/unit/awsFacts.test.ts
 * checks that the product's src/constants.ts agrees.
 *
 * Sources (CloudWatch Logs API Reference and User Guide):
 * - DescribeLogStreams / DescribeLogGroups / DescribeExportTasks / DescribeMetricFilters: "limit … the
 *   maximum number of items returned. If you don't specify a value, the default is up to 50 items."
 * - GetLogEvents: "as many log events as can fit in a response size of 1 MB (up to 10,000 log events)".
 * - PutRetentionPolicy, retentionInDays: "Possible values are: 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180,
 *   365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, and 3653."
 * - ExportTask status codes: CANCELLED | COMPLETED | FAILED | PENDING | PENDING_CANCEL | RUNNING.
 * - Log group classes: STANDARD | INFREQUENT_ACCESS | DELIVERY (and ESSENTIALS, newer).
 * - Export to S3 writes `aws-logs-write-test` under the destination prefix first (User Guide,
 *   "Exporting log data to Amazon S3"; observed).
 * - Quotas: User Guide, "CloudWatch Logs quotas" (per account per Region, transactions per second).
 */

const SANDBOX_DESCRIBE_PAGE_LIMIT = 50;
const SANDBOX_GET_MAX_EVENTS = 10_000;
const SANDBOX_GET_MAX_PAGE_BYTES = 1_048_576;
const SANDBOX_EXPORT_WRITE_TEST_OBJECT = 'aws-logs-write-test';

const SANDBOX_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;

const SandboxLogGroupClass = {
  Standard: 'STANDARD',
  InfrequentAccess: 'INFREQUENT_ACCESS',
  Delivery: 'DELIVERY',
  Essentials: 'ESSENTIALS',
} as const;

const SandboxExportStatus = {
  Pending: 'PENDING',
  Running: 'RUNNING',
  Completed: 'COMPLETED',
  Cancelled: 'CANCELLED',
  Failed: 'FAILED',
  PendingCancel: 'PENDING_CANCEL',
} as const;

/** The default quotas the sandbox throttles at (the quotas page; unpublished ones at the 5 TPS of reads). */
const SANDBOX_QUOTAS_TPS: Readonly<Record<string, number>> = {
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
  DescribeAccountPolicies: 5,
  GetTransformer: 5,
  GetStorageTierPolicy: 5,
  DeleteLogGroup: 5,
  CreateLogGroup: 5,
};

export {
  SANDBOX_DESCRIBE_PAGE_LIMIT,
  SANDBOX_EXPORT_WRITE_TEST_OBJECT,
  SANDBOX_GET_MAX_EVENTS,
  SANDBOX_GET_MAX_PAGE_BYTES,
  SANDBOX_QUOTAS_TPS,
  SANDBOX_RETENTION_DAYS,
  SandboxExportStatus,
  SandboxLogGroupClass,
};
