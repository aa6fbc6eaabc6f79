/**
 * The CloudWatch Logs operations the sandbox answers, by the name in `X-Amz-Target`.
 */
import type { SandboxState } from '../state.js';
import {
  deleteAccountPolicy,
  deleteTransformer,
  describeAccountPolicies,
  getStorageTierPolicy,
  getTransformer,
  putAccountPolicy,
  putLogGroupDeletionProtection,
  putStorageTierPolicy,
  putTransformer,
} from './accountSettings.js';
import { cancelExportTask, createExportTask, describeExportTasks } from './exportTasks.js';
import {
  deleteMetricFilter,
  deleteSubscriptionFilter,
  describeMetricFilters,
  describeSubscriptionFilters,
  putMetricFilter,
  putSubscriptionFilter,
} from './filters.js';
import {
  deleteDataProtectionPolicy,
  getDataProtectionPolicy,
  listTagsForResource,
  listTagsLogGroup,
  putDataProtectionPolicy,
  tagLogGroup,
  tagResource,
  untagLogGroup,
  untagResource,
} from './groupSettings.js';
import {
  createLogGroup,
  deleteLogGroup,
  deleteRetentionPolicy,
  describeLogGroups,
  putRetentionPolicy,
} from './groups.js';
import type { Input } from './input.js';
import { putLogEvents } from './putLogEvents.js';
import { filterLogEvents, getLogEvents } from './readEvents.js';
import { createLogStream, deleteLogStream, describeLogStreams } from './streams.js';

type LogsHandler = (state: SandboxState, input: Input) => object;

/** The JSON 1.1 target prefix the SDK sends: `Logs_20140328.<Operation>`. */
const LOGS_TARGET_PREFIX = 'Logs_20140328.';

const LOGS_HANDLERS: Readonly<Record<string, LogsHandler>> = {
  CreateLogGroup: createLogGroup,
  DeleteLogGroup: deleteLogGroup,
  DescribeLogGroups: describeLogGroups,
  PutRetentionPolicy: putRetentionPolicy,
  DeleteRetentionPolicy: deleteRetentionPolicy,
  ListTagsForResource: listTagsForResource,
  TagResource: tagResource,
  UntagResource: untagResource,
  ListTagsLogGroup: listTagsLogGroup,
  TagLogGroup: tagLogGroup,
  UntagLogGroup: untagLogGroup,
  PutDataProtectionPolicy: putDataProtectionPolicy,
  GetDataProtectionPolicy: getDataProtectionPolicy,
  DeleteDataProtectionPolicy: deleteDataProtectionPolicy,
  CreateLogStream: createLogStream,
  DeleteLogStream: deleteLogStream,
  DescribeLogStreams: describeLogStreams,
  PutLogEvents: putLogEvents,
  GetLogEvents: getLogEvents,
  FilterLogEvents: filterLogEvents,
  CreateExportTask: createExportTask,
  DescribeExportTasks: describeExportTasks,
  CancelExportTask: cancelExportTask,
  PutSubscriptionFilter: putSubscriptionFilter,
  DescribeSubscriptionFilters: describeSubscriptionFilters,
  DeleteSubscriptionFilter: deleteSubscriptionFilter,
  PutMetricFilter: putMetricFilter,
  DescribeMetricFilters: describeMetricFilters,
  DeleteMetricFilter: deleteMetricFilter,
  PutAccountPolicy: putAccountPolicy,
  DescribeAccountPolicies: describeAccountPolicies,
  DeleteAccountPolicy: deleteAccountPolicy,
  PutTransformer: putTransformer,
  GetTransformer: getTransformer,
  DeleteTransformer: deleteTransformer,
  PutLogGroupDeletionProtection: putLogGroupDeletionProtection,
  GetStorageTierPolicy: getStorageTierPolicy,
  PutStorageTierPolicy: putStorageTierPolicy,
};

export { LOGS_HANDLERS, LOGS_TARGET_PREFIX };
export type { LogsHandler };
