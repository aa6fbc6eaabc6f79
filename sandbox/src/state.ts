/**
 * The sandbox's in-memory world: log groups with their streams and events, S3 buckets with their
 * objects, export tasks. Handlers read and change it; nothing here talks HTTP.
 */
import { SandboxLogGroupClass } from './awsFacts.js';
import { SANDBOX_PUT_EVENT_OVERHEAD_BYTES as PUT_EVENT_OVERHEAD_BYTES } from './logs/putLimits.js';
import { resourceNotFound } from './errors.js';
import { NamedMap } from './sortedIndex.js';
import { StreamTable } from './streamTable.js';
import type { Timers } from './timers.js';
import type { ExportTiming, LogGroupClassName, SandboxClock } from './types.js';

/** One stored event; `seq` is unique in its stream and breaks ties between equal timestamps. */
interface LogEvent {
  readonly timestamp: number;
  readonly message: string;
  readonly ingestionTime: number;
  readonly seq: number;
}

interface LogStream {
  readonly name: string;
  creationTime: number;
  /** False while seeding may still move the creation time back to the earliest event. */
  creationExplicit: boolean;
  /** Sorted by (timestamp, seq). */
  events: LogEvent[];
  nextSeq: number;
  /** Σ (UTF-8 message bytes + 26), kept current so DescribeLogGroups stays O(streams). */
  bytes: number;
  uploadSequence: number;
  lastIngestionTime?: number;
}

interface FilterRecord {
  readonly filterName: string;
  readonly filterPattern: string;
  readonly creationTime: number;
  readonly destinationArn?: string;
  readonly roleArn?: string;
  readonly distribution?: string;
  readonly metricTransformations?: unknown;
}

interface LogGroup {
  readonly name: string;
  creationTime: number;
  creationExplicit: boolean;
  retentionInDays?: number;
  logGroupClass: LogGroupClassName;
  kmsKeyId?: string;
  tags: Map<string, string>;
  storedBytesOverride?: number;
  dataProtection?: { policyDocument: string; lastUpdatedTime: number };
  /** By name, with sorted indexes for paging (see streamTable.ts). */
  streams: StreamTable<LogStream>;
  subscriptionFilters: Map<string, FilterRecord>;
  metricFilters: Map<string, FilterRecord>;
  /** PutTransformer's processors: they would transform every event put, re-puts included. */
  transformer?: { config: unknown[]; creationTime: number; lastModifiedTime: number };
  /** PutLogGroupDeletionProtection: while on, the group and its streams cannot be deleted. */
  deletionProtection?: boolean;
}

/** One account policy (PutAccountPolicy). */
interface AccountPolicyRecord {
  readonly policyName: string;
  readonly policyType: string;
  readonly policyDocument: string;
  readonly scope: string;
  readonly selectionCriteria?: string;
  readonly lastUpdatedTime: number;
}

interface StoredObject {
  readonly key: string;
  readonly body: Buffer;
  /** Quoted MD5 hex, as S3 sends it. */
  readonly etag: string;
  readonly lastModifiedMs: number;
  readonly contentType: string;
  readonly contentEncoding?: string;
  readonly metadata: Readonly<Record<string, string>>;
  /** `x-amz-checksum-<algorithm>` header name → base64 value, as the client sent it. */
  readonly checksums: Readonly<Record<string, string>>;
}

interface Bucket {
  readonly name: string;
  readonly creationTime: number;
  /** By key, with a sorted index for ListObjectsV2. */
  objects: NamedMap<StoredObject>;
}

interface ExportTask {
  readonly taskId: string;
  /** Creation order: DescribeExportTasks pages by it. */
  readonly ordinal: number;
  readonly taskName?: string;
  readonly logGroupName: string;
  readonly logStreamNamePrefix?: string;
  readonly from: number;
  readonly to: number;
  readonly destination: string;
  readonly destinationPrefix: string;
  status: { code: string; message: string };
  readonly creationTime: number;
  completionTime?: number;
  /** The matching events as they were at creation: AWS exports that moment, not later puts. */
  snapshot: { stream: string; events: LogEvent[] }[];
  /** Set by `failNextExport`: the task ends FAILED with this message. */
  readonly failWith?: string;
  timer?: NodeJS.Timeout;
}

interface SandboxState {
  readonly region: string;
  readonly accountId: string;
  readonly clock: SandboxClock;
  readonly timers: Timers;
  readonly exportTiming: ExportTiming;
  readonly exportChunkEvents: number;
  groups: NamedMap<LogGroup>;
  buckets: Map<string, Bucket>;
  exportTasks: Map<string, ExportTask>;
  failNextExport?: string;
  exportsCreated: number;
  /** By policy type and name. */
  accountPolicies: Map<string, AccountPolicyRecord>;
  storageTier: { tier: string; lastUpdatedTime?: number };
}

/** What one event counts against PutLogEvents' and GetLogEvents' byte limits. */
const eventBytes = (message: string): number => Buffer.byteLength(message, 'utf8') + PUT_EVENT_OVERHEAD_BYTES;

/** The group ARN without the trailing `:*` (`logGroupArn`, and what tagging calls take). */
const groupArn = (state: SandboxState, name: string): string =>
  `arn:aws:logs:${state.region}:${state.accountId}:log-group:${name}`;

/** A stream's ARN as DescribeLogStreams reports it. */
const streamArn = (state: SandboxState, group: string, stream: string): string =>
  `${groupArn(state, group)}:log-stream:${stream}`;

/** The seeded value if any, else Σ over its streams (UTF-8 bytes + 26 per event). */
function groupStoredBytes(group: LogGroup): number {
  if (group.storedBytesOverride !== undefined) return group.storedBytesOverride;
  let total = 0;
  for (const stream of group.streams.values()) total += stream.bytes;
  return total;
}

/** An empty STANDARD group; `explicit` says whether seeding may still back-date it. */
function newGroup(name: string, creationTime: number, explicit: boolean): LogGroup {
  return {
    name,
    creationTime,
    creationExplicit: explicit,
    logGroupClass: SandboxLogGroupClass.Standard,
    tags: new Map(),
    streams: new StreamTable<LogStream>(),
    subscriptionFilters: new Map(),
    metricFilters: new Map(),
  };
}

/** An empty stream; `explicit` says whether seeding may still back-date it. */
function newStream(name: string, creationTime: number, explicit: boolean): LogStream {
  return { name, creationTime, creationExplicit: explicit, events: [], nextSeq: 1, bytes: 0, uploadSequence: 0 };
}

/** Stream order: by timestamp, then by arrival. */
const compareEvents = (a: LogEvent, b: LogEvent): number => a.timestamp - b.timestamp || a.seq - b.seq;

/**
 * Adds events (already in timestamp order among themselves) to a stream, keeping it sorted.
 * Appending in order is the common case and costs O(k); an older batch costs one merge.
 */
function insertEvents(stream: LogStream, events: readonly Omit<LogEvent, 'seq'>[]): void {
  if (events.length === 0) return;
  // Named fields, not a spread: a spread object costs hundreds of bytes more per event.
  const added = events.map(
    (e): LogEvent => ({
      timestamp: e.timestamp,
      message: e.message,
      ingestionTime: e.ingestionTime,
      seq: stream.nextSeq++,
    }),
  );
  let lastIngestion = stream.lastIngestionTime ?? 0;
  for (const e of added) {
    stream.bytes += eventBytes(e.message);
    lastIngestion = Math.max(lastIngestion, e.ingestionTime);
  }
  stream.lastIngestionTime = lastIngestion;
  const last = stream.events.at(-1);
  const first = added[0];
  if (last === undefined) {
    // A fresh stream takes the batch's own array: exactly sized (a million seeded streams add up).
    stream.events = added;
  } else if (first !== undefined && first.timestamp >= last.timestamp) {
    for (const e of added) stream.events.push(e);
  } else {
    stream.events = mergeSorted(stream.events, added);
  }
}

function mergeSorted(a: readonly LogEvent[], b: readonly LogEvent[]): LogEvent[] {
  const out: LogEvent[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    const x = a[i];
    const y = b[j];
    if (y === undefined || (x !== undefined && compareEvents(x, y) <= 0)) {
      out.push(x as LogEvent);
      i++;
    } else {
      out.push(y);
      j++;
    }
  }
  return out;
}

/** The group, or ResourceNotFoundException as AWS words it. */
function requireGroup(state: SandboxState, name: string): LogGroup {
  const group = state.groups.get(name);
  if (!group) throw resourceNotFound('The specified log group does not exist.');
  return group;
}

/** The stream, or ResourceNotFoundException as AWS words it. */
function requireStream(group: LogGroup, name: string): LogStream {
  const stream = group.streams.get(name);
  if (!stream) throw resourceNotFound('The specified log stream does not exist.');
  return stream;
}

/**
 * A log group named by name or by ARN (with or without the trailing `:*`), as
 * `logGroupIdentifier` allows.
 */
function groupNameFromIdentifier(state: SandboxState, identifier: string): string {
  const prefix = `arn:aws:logs:${state.region}:${state.accountId}:log-group:`;
  if (!identifier.startsWith('arn:')) return identifier;
  if (!identifier.startsWith(prefix)) throw resourceNotFound('The specified log group does not exist.');
  const rest = identifier.slice(prefix.length);
  return rest.endsWith(':*') ? rest.slice(0, -2) : rest;
}

/** An empty world with the given settings. */
function createState(
  init: Omit<SandboxState, 'groups' | 'buckets' | 'exportTasks' | 'exportsCreated' | 'accountPolicies' | 'storageTier'>,
): SandboxState {
  return {
    ...init,
    groups: new NamedMap(),
    buckets: new Map(),
    exportTasks: new Map(),
    exportsCreated: 0,
    accountPolicies: new Map(),
    storageTier: { tier: 'STANDARD' },
  };
}

/** Forgets everything and stops running export tasks. */
function clearState(state: SandboxState): void {
  for (const task of state.exportTasks.values()) if (task.timer) state.timers.cancel(task.timer);
  state.groups = new NamedMap();
  state.buckets = new Map();
  state.exportTasks = new Map();
  state.accountPolicies = new Map();
  state.storageTier = { tier: 'STANDARD' };
  delete state.failNextExport;
}

export {
  clearState,
  compareEvents,
  createState,
  eventBytes,
  groupArn,
  groupNameFromIdentifier,
  groupStoredBytes,
  insertEvents,
  newGroup,
  newStream,
  requireGroup,
  requireStream,
  streamArn,
};
export type {
  AccountPolicyRecord,
  Bucket,
  ExportTask,
  FilterRecord,
  LogEvent,
  LogGroup,
  LogStream,
  SandboxState,
  StoredObject,
};
