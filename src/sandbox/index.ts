/**
 * The local sandbox of CloudWatch Logs + S3 (and Lambda Invoke) that tests, the demo and the
 * benchmarks run cwl-trim against. See `startSandbox`.
 */
export { createSandboxClock } from './clock.js';
export { startSandbox } from './startSandbox.js';
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
