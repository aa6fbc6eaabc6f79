/**
 * Starting a sandbox: one server on 127.0.0.1 answering CloudWatch Logs, S3 and Lambda Invoke,
 * with its state, knobs and call log, and the handle tests drive it with.
 */
import { SANDBOX_QUOTAS_TPS } from './awsFacts.js';
import { CallLog } from './callLog.js';
import { createSandboxClock } from './clock.js';
import { listen } from './http.js';
import { Knobs } from './knobs.js';
import {
  eventsOf,
  groupNamesOf,
  objectsOf,
  readExportOf,
  removeBucket,
  seedBucket,
  seedGroup,
  seedMetricFilter,
  seedObjects,
  seedStream,
  seedStreams,
  seedSubscriptionFilter,
  streamNamesOf,
} from './seed.js';
import { clearState, createState } from './state.js';
import type { SandboxState } from './state.js';
import { Timers } from './timers.js';
import type { ExportTiming, Sandbox, SandboxOptions } from './types.js';

const DEFAULT_EXPORT_TIMING: ExportTiming = { pendingMs: 20, runningMs: 50 };
const DEFAULT_EXPORT_CHUNK_EVENTS = 100_000;

function checkOptions(options: SandboxOptions): void {
  const { port, exportTiming, exportChunkEvents } = options;
  if (port !== undefined && !(Number.isInteger(port) && port >= 0 && port < 65536)) {
    throw new TypeError(`Expected \`port\` to be an integer in 0–65535, got ${port}`);
  }
  if (exportTiming !== undefined && !(exportTiming.pendingMs >= 0 && exportTiming.runningMs >= 0)) {
    throw new TypeError('Expected `exportTiming.pendingMs` and `exportTiming.runningMs` to be ≥ 0');
  }
  if (exportChunkEvents !== undefined && !(Number.isInteger(exportChunkEvents) && exportChunkEvents >= 1)) {
    throw new TypeError(`Expected \`exportChunkEvents\` to be a positive integer, got ${exportChunkEvents}`);
  }
}

interface Parts {
  readonly state: SandboxState;
  readonly knobs: Knobs;
  readonly calls: CallLog;
  readonly endpoint: string;
  readonly close: () => Promise<void>;
}

/** The handle tests hold: thin delegations to the state, knobs and call log. */
function sandboxHandle({ state, knobs, calls, endpoint, close }: Parts): Sandbox {
  let stopping: Promise<void> | undefined;
  return {
    endpoint,
    region: state.region,
    accountId: state.accountId,
    clock: state.clock,
    get calls() {
      return calls.records;
    },
    clearCalls: () => calls.clear(),
    countCalls: (operation) => calls.count(operation),
    mutatingCalls: () => calls.mutating(),
    injectFault: (fault) => knobs.injectFault(fault),
    clearFaults: () => knobs.clearFaults(),
    stallMutatingCall: (nth, phase = 'before', where) => knobs.stallMutating(nth, phase, where),
    setFaultRate: (operation, rate, error) => knobs.setFaultRate(operation, rate, error),
    setLatency: (operation, ms) => knobs.setLatency(operation, ms),
    setQuota: (operation, tps) => knobs.setQuota(operation, tps),
    failNextExport: (message = 'Export failed (injected by the sandbox).') => {
      state.failNextExport = message;
    },
    seedGroup: (name, opts) => seedGroup(state, name, opts),
    seedStream: (group, stream, events, opts) => seedStream(state, group, stream, events, opts),
    seedStreams: (group, streams) => seedStreams(state, group, streams),
    seedSubscriptionFilter: (group, name) => seedSubscriptionFilter(state, group, name),
    seedMetricFilter: (group, name) => seedMetricFilter(state, group, name),
    events: (group, stream) => eventsOf(state, group, stream),
    streamNames: (group) => streamNamesOf(state, group),
    groupNames: () => groupNamesOf(state),
    createBucket: (name) => seedBucket(state, name),
    seedObjects: (bucket, objects) => seedObjects(state, bucket, objects),
    deleteBucket: (name) => removeBucket(state, name),
    objects: (bucket, prefix) => objectsOf(state, bucket, prefix),
    readExport: (bucket, prefix) => readExportOf(state, bucket, prefix),
    reset: () => {
      clearState(state);
      calls.clear();
      knobs.clearFaults();
    },
    stop: () => (stopping ??= close()),
  };
}

/**
 * Starts a local CloudWatch Logs + S3 sandbox on 127.0.0.1 (a free port by default). Point the
 * unmodified SDK v3 clients at `endpoint` (S3 with `forcePathStyle: true`). Stop it with `stop()`.
 *
 * @example
 * const sandbox = await startSandbox({ quotasTps: false });
 * sandbox.seedStream('/app/api', 'i-123', [{ timestamp: Date.now() - 90 * MS_PER_DAY, message: 'old' }]);
 * const logs = new CloudWatchLogsClient({ endpoint: sandbox.endpoint, region: sandbox.region, credentials });
 * // …
 * await sandbox.stop();
 */
async function startSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  checkOptions(options);
  const timers = new Timers();
  const state = createState({
    region: options.region ?? 'us-east-1',
    accountId: options.accountId ?? '123456789012',
    clock: options.clock ?? createSandboxClock(Date.now()),
    timers,
    exportTiming: options.exportTiming ?? DEFAULT_EXPORT_TIMING,
    exportChunkEvents: options.exportChunkEvents ?? DEFAULT_EXPORT_CHUNK_EVENTS,
  });
  // Quotas are real-world rates: CloudWatch Logs gets AWS's defaults, S3 none unless asked.
  const quotas = options.quotasTps === false ? {} : { ...SANDBOX_QUOTAS_TPS, ...options.quotasTps };
  const knobs = new Knobs(options.latencyMs ?? {}, quotas);
  const calls = new CallLog();
  const server = await listen({ state, knobs, calls, timers }, options.port ?? 0);
  return sandboxHandle({ state, knobs, calls, endpoint: `http://127.0.0.1:${server.port}`, close: server.close });
}

export { startSandbox };
