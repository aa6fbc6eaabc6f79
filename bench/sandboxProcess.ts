/**
 * The sandbox in its own process. The sandbox holds every event in memory (a 1,000,000-event stream
 * is hundreds of MB there), so it must not share a process with the cwl-trim whose RSS is measured.
 * Started by `startSandboxProcess` (sandboxClient.ts) with `fork`; options come as JSON in argv[2],
 * commands arrive as IPC messages `{ id, cmd, args }` and are answered `{ id, ok, result | error }`.
 */
import { LOCK_GROUP_NAME } from '../src/plan/lockState.js';
import { LOCK_SUFFIX } from './callFigures.js';
import { startSandbox, type Sandbox, type SandboxOptions } from '@cwl-trim/sandbox';
import type { HugeSpec } from './hugeAccount.js';
import { seedArchiveCat, seedArchiveWide, type ArchiveCatSpec, type ArchiveWideSpec } from './archiveCatSeed.js';
import { seedBacklog, seedBigStream, seedFleet, type BigStreamSpec, type FleetSpec } from './seedData.js';
import { seedHuge, verifyHuge } from './verifyHuge.js';

interface Request {
  readonly id: number;
  readonly cmd: string;
  readonly args?: unknown;
}

/** Calls and error names per operation, as the sandbox received them (retries and throttled calls included). */
/** A call in cwl-trim's lock group (invariant 6), not on the data. */
const onLockStream = (c: Sandbox['calls'][number]): boolean =>
  (c.input as { logGroupName?: string } | undefined)?.logGroupName === LOCK_GROUP_NAME;

/** Calls by operation; those on the group lock's stream apart, as `<Operation> (group lock)`. */
function callCounts(sandbox: Sandbox): Record<string, { calls: number; errors: Record<string, number> }> {
  const out: Record<string, { calls: number; errors: Record<string, number> }> = {};
  for (const c of sandbox.calls) {
    const entry = (out[onLockStream(c) ? `${c.operation}${LOCK_SUFFIX}` : c.operation] ??= { calls: 0, errors: {} });
    entry.calls += 1;
    if (c.error !== undefined) entry.errors[c.error] = (entry.errors[c.error] ?? 0) + 1;
  }
  return out;
}

/** One stream's events as CloudWatch holds them: count, ends, and whether they are in order. */
function streamSummary(sandbox: Sandbox, group: string, stream: string) {
  if (!sandbox.streamNames(group).includes(stream)) return { exists: false, events: 0 };
  const events = sandbox.events(group, stream);
  let sorted = true;
  for (let i = 1; i < events.length; i += 1) if (events[i]!.timestamp < events[i - 1]!.timestamp) sorted = false;
  return {
    exists: true,
    events: events.length,
    firstMs: events[0]?.timestamp,
    lastMs: events.at(-1)?.timestamp,
    sorted,
  };
}

/** A page of a group's streams in name order (the listing; not the look by LastEventTime, not one stream's look). */
const isListingPage = (c: Sandbox['calls'][number]): boolean => {
  const input = c.input as { orderBy?: string; logStreamNamePrefix?: string } | undefined;
  return (
    c.operation === 'DescribeLogStreams' && input?.orderBy === undefined && input?.logStreamNamePrefix === undefined
  );
};

/** A DeleteLogStream of the data, not of cwl-trim's own lock stream. */
const isDataDelete = (c: Sandbox['calls'][number]): boolean =>
  c.operation === 'DeleteLogStream' && c.error === undefined && !onLockStream(c);

/** An export's manifest written: the export is verified. */
const isManifestWrite = (c: Sandbox['calls'][number]): boolean =>
  c.operation === 'PutObject' && /\/manifest\.json$/.test((c.input as { Key?: string } | undefined)?.Key ?? '');

/**
 * Calls since `sinceMs` (real time): counts by operation, the deletes of data streams (the lock's
 * aside) and the first of them, the first page of
 * streams read before it (after the last export verified before it, if any), and the Invoke payloads.
 */
function callsSince(sandbox: Sandbox, sinceMs: number) {
  const counts: Record<string, number> = {};
  let firstDeleteMs: number | undefined;
  let firstListingMs: number | undefined;
  let dataDeletes = 0;
  const invokes: unknown[] = [];
  let start = sandbox.calls.length;
  while (start > 0 && sandbox.calls[start - 1]!.realAtMs >= sinceMs) start -= 1;
  for (let i = start; i < sandbox.calls.length; i++) {
    const c = sandbox.calls[i]!;
    counts[c.operation] = (counts[c.operation] ?? 0) + 1;
    if (isDataDelete(c)) dataDeletes += 1;
    if (firstDeleteMs === undefined) {
      if (isDataDelete(c)) firstDeleteMs = c.realAtMs;
      else if (isManifestWrite(c)) firstListingMs = undefined;
      else if (firstListingMs === undefined && isListingPage(c)) firstListingMs = c.realAtMs;
    }
    if (c.operation === 'Invoke') invokes.push((c.input as { payload?: unknown }).payload);
  }
  return {
    counts,
    dataDeletes,
    firstDeleteMs,
    ...(firstDeleteMs !== undefined && firstListingMs !== undefined ? { firstListingMs } : {}),
    invokes,
  };
}

function commands(sandbox: Sandbox): Record<string, (args: never) => unknown> {
  return {
    seedFleet: (a: { spec: FleetSpec; nowMs: number }) => seedFleet(sandbox, a.spec, a.nowMs),
    seedBigStream: (a: { spec: BigStreamSpec; nowMs: number }) => seedBigStream(sandbox, a.spec, a.nowMs),
    seedBacklog: (a: { groups: number; nowMs: number }) => seedBacklog(sandbox, a.groups, a.nowMs),
    seedHuge: (a: { spec: HugeSpec; nowMs: number }) => seedHuge(sandbox, a.spec, a.nowMs),
    verifyHuge: (a: { spec: HugeSpec; nowMs: number; bucket: string }) =>
      verifyHuge(sandbox, a.spec, a.nowMs, a.bucket),
    callsSince: (a: { sinceMs: number }) => callsSince(sandbox, a.sinceMs),
    seedArchiveCat: (a: { spec: ArchiveCatSpec; nowMs: number }) => seedArchiveCat(sandbox, a.spec, a.nowMs),
    seedArchiveWide: (a: { spec: ArchiveWideSpec; nowMs: number; bucket: string }) =>
      seedArchiveWide(sandbox, a.bucket, a.spec, a.nowMs),
    clearCalls: () => sandbox.clearCalls(),
    callCounts: () => callCounts(sandbox),
    streamCount: () => sandbox.groupNames().reduce((n, g) => n + sandbox.streamNames(g).length, 0),
    streamSummary: (a: { group: string; stream: string }) => streamSummary(sandbox, a.group, a.stream),
    objectCount: (a: { bucket: string; prefix: string }) => sandbox.objects(a.bucket, a.prefix).length,
    setQuota: (a: { operation: string; tps?: number }) => sandbox.setQuota(a.operation, a.tps),
    arrivals: (a: { operation: string }) =>
      sandbox.calls
        .filter((c) => c.operation === a.operation)
        .map((c) => [c.realAtMs, (c.input as { logGroupName?: string }).logGroupName ?? '']),
    usage: () => ({ cpu: process.cpuUsage(), memory: process.memoryUsage() }),
  };
}

async function main(): Promise<void> {
  const options = JSON.parse(process.argv[2] ?? '{}') as SandboxOptions & { bucket: string };
  const { bucket, ...sandboxOptions } = options;
  const sandbox = await startSandbox(sandboxOptions);
  sandbox.createBucket(bucket);
  const handlers = commands(sandbox);
  const reply = (message: unknown): void => {
    process.send?.(message);
  };
  process.on('message', (message: Request) => {
    if (message.cmd === 'stop') {
      void sandbox.stop().then(() => {
        reply({ id: message.id, ok: true });
        process.disconnect();
      });
      return;
    }
    try {
      const handler = handlers[message.cmd];
      if (!handler) throw new Error(`unknown command ${message.cmd}`);
      reply({ id: message.id, ok: true, result: handler(message.args as never) ?? null });
    } catch (err) {
      reply({ id: message.id, ok: false, error: err instanceof Error ? err.stack : String(err) });
    }
  });
  reply({ ready: true, endpoint: sandbox.endpoint, region: sandbox.region });
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
