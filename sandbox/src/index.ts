/**
 * The local sandbox of CloudWatch Logs + S3 (and Lambda Invoke) that tests, the demo and the
 * benchmarks run cwl-trim against. See `startSandbox`.
 */
export { createSandboxClock } from './clock.js';
export { startSandbox } from './startSandbox.js';
export { seededRandom } from './random.js';
// The oracle's own AWS facts, for the tests that check the product agrees with them.
export * as awsFacts from './awsFacts.js';
export * as putLimits from './logs/putLimits.js';
export type {
  CallRecord,
  StallPhase,
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
  StoredEventView,
} from './types.js';
