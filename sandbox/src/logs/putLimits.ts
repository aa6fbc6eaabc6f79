/**
 * PutLogEvents' limits as the sandbox enforces them: the oracle's own copy, written from the AWS
 * documentation and never imported from the product (if a product constant were wrong, the product,
 * the oracle and the oracle's tests would otherwise move together, and moto checks none of these).
 *
 * Source: CloudWatch Logs API Reference, PutLogEvents
 * (https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_PutLogEvents.html):
 * "The maximum batch size is 1,048,576 bytes. This size is calculated as the sum of all event
 * messages in UTF-8, plus 26 bytes for each log event." · "The maximum number of log events in a
 * batch is 10,000." · "A batch of log events in a single request cannot span more than 24 hours." ·
 * "Events more than 2 hours in the future are rejected" · "Events older than 14 days or preceding
 * the log group's retention period are rejected while processing remaining valid events."
 * test/unit/putLimits.test.ts checks that the product's src/constants.ts agrees.
 */

/** Σ UTF-8 message bytes + {@link SANDBOX_PUT_EVENT_OVERHEAD_BYTES} per event. */
const SANDBOX_PUT_MAX_BATCH_BYTES = 1_048_576;
const SANDBOX_PUT_EVENT_OVERHEAD_BYTES = 26;
const SANDBOX_PUT_MAX_EVENTS = 10_000;
/** First to last event of one batch: 24 hours. */
const SANDBOX_PUT_MAX_SPAN_MS = 86_400_000;
/** Older than 14 days: dropped (`tooOldLogEventEndIndex`). */
const SANDBOX_PUT_MAX_AGE_MS = 1_209_600_000;
/** More than 2 hours ahead: dropped (`tooNewLogEventStartIndex`). */
const SANDBOX_PUT_MAX_FUTURE_MS = 7_200_000;
const SANDBOX_MS_PER_DAY = 86_400_000;

export {
  SANDBOX_MS_PER_DAY,
  SANDBOX_PUT_EVENT_OVERHEAD_BYTES,
  SANDBOX_PUT_MAX_AGE_MS,
  SANDBOX_PUT_MAX_BATCH_BYTES,
  SANDBOX_PUT_MAX_EVENTS,
  SANDBOX_PUT_MAX_FUTURE_MS,
  SANDBOX_PUT_MAX_SPAN_MS,
};
