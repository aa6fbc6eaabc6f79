/**
 * Direct access to the sandbox's state for tests: seeding history no API would accept (events of
 * any age, a stream spanning 90 days) and reading state back for assertions.
 */
import { gunzipSync } from 'node:zlib';
import { SandboxLogGroupClass } from './awsFacts.js';
import { insertEvents, newGroup, newStream } from './state.js';
import type { LogGroup, LogStream, SandboxState } from './state.js';
import { lastEventMs } from './streamTable.js';
import { addBucket, requireBucket, sortedObjects, validBucketName, writeObject } from './s3/store.js';
import type { ExportFileView, ObjectView, SeedEvent, SeedGroupOptions, StoredEventView } from './types.js';

/** The policy document a seeded data protection policy carries (masks e-mail addresses). */
const SEEDED_DATA_PROTECTION_POLICY = JSON.stringify({
  Name: 'sandbox-data-protection',
  Version: '2021-06-01',
  Statement: [
    {
      Sid: 'audit',
      DataIdentifier: ['arn:aws:dataprotection::aws:data-identifier/EmailAddress'],
      Operation: { Audit: {} },
    },
    {
      Sid: 'redact',
      DataIdentifier: ['arn:aws:dataprotection::aws:data-identifier/EmailAddress'],
      Operation: { Deidentify: { MaskConfig: {} } },
    },
  ],
});

function groupOf(state: SandboxState, name: string): LogGroup {
  const group = state.groups.get(name);
  if (!group) throw new Error(`sandbox: no log group ${JSON.stringify(name)}`);
  return group;
}

function streamOf(state: SandboxState, group: string, name: string): LogStream {
  const stream = groupOf(state, group).streams.get(name);
  if (!stream) throw new Error(`sandbox: no log stream ${JSON.stringify(name)} in ${JSON.stringify(group)}`);
  return stream;
}

/** Creates the group, or changes the given settings of an existing one. */
function seedGroup(state: SandboxState, name: string, opts: SeedGroupOptions = {}): void {
  const group =
    state.groups.get(name) ??
    newGroup(name, opts.creationTimeMs ?? state.clock.now(), opts.creationTimeMs !== undefined);
  state.groups.set(name, group);
  if (opts.creationTimeMs !== undefined) {
    group.creationTime = opts.creationTimeMs;
    group.creationExplicit = true;
  }
  if (opts.retentionInDays !== undefined) group.retentionInDays = opts.retentionInDays;
  group.logGroupClass = opts.logGroupClass ?? group.logGroupClass ?? SandboxLogGroupClass.Standard;
  if (opts.kmsKeyId !== undefined) group.kmsKeyId = opts.kmsKeyId;
  if (opts.tags !== undefined) group.tags = new Map([...group.tags, ...Object.entries(opts.tags)]);
  if (opts.storedBytes !== undefined) group.storedBytesOverride = opts.storedBytes;
  if (opts.dataProtection === true) {
    group.dataProtection = { policyDocument: SEEDED_DATA_PROTECTION_POLICY, lastUpdatedTime: state.clock.now() };
  } else if (opts.dataProtection === false) {
    delete group.dataProtection;
  }
}

/**
 * Adds events of any age to a stream (created, with its group, when missing). Events are sorted
 * by timestamp, stably. Unless a creation time was given, the group and stream are back-dated to
 * the earliest event: history implies they existed then.
 */
function seedStream(
  state: SandboxState,
  groupName: string,
  streamName: string,
  events: readonly SeedEvent[],
  opts: { readonly creationTimeMs?: number } = {},
): void {
  if (!state.groups.has(groupName)) seedGroup(state, groupName);
  const group = groupOf(state, groupName);
  const sorted = [...events].sort((a, b) => a.timestamp - b.timestamp);
  const earliest = sorted[0]?.timestamp ?? state.clock.now();
  const stream =
    group.streams.get(streamName) ??
    newStream(streamName, opts.creationTimeMs ?? state.clock.now(), opts.creationTimeMs !== undefined);
  group.streams.set(streamName, stream);
  if (opts.creationTimeMs !== undefined) {
    stream.creationTime = opts.creationTimeMs;
    stream.creationExplicit = true;
  }
  if (!stream.creationExplicit) stream.creationTime = Math.min(stream.creationTime, earliest);
  if (!group.creationExplicit) group.creationTime = Math.min(group.creationTime, stream.creationTime);
  const lastBefore = lastEventMs(stream);
  insertEvents(
    stream,
    sorted.map((e) => ({ timestamp: e.timestamp, message: e.message, ingestionTime: e.ingestionTime ?? e.timestamp })),
  );
  group.streams.touch(stream, lastBefore);
}

/**
 * Seeds many streams of one group in one call (the benchmarks' million-stream groups), then builds
 * the group's sorted indexes, so the first DescribeLogStreams page of either order is as fast as the
 * next. Each stream is seeded as by `seedStream`.
 */
function seedStreams(
  state: SandboxState,
  groupName: string,
  streams: Iterable<{ readonly name: string; readonly events: readonly SeedEvent[]; readonly creationTimeMs?: number }>,
): number {
  let count = 0;
  for (const s of streams) {
    seedStream(
      state,
      groupName,
      s.name,
      s.events,
      s.creationTimeMs === undefined ? {} : { creationTimeMs: s.creationTimeMs },
    );
    count += 1;
  }
  const group = state.groups.get(groupName);
  group?.streams.byName.keys();
  group?.streams.byLastEvent.keys();
  state.groups.byName.keys();
  return count;
}

function seedSubscriptionFilter(state: SandboxState, group: string, name = 'sandbox-subscription'): void {
  groupOf(state, group).subscriptionFilters.set(name, {
    filterName: name,
    filterPattern: '',
    destinationArn: `arn:aws:lambda:${state.region}:${state.accountId}:function:sandbox-consumer`,
    distribution: 'ByLogStream',
    creationTime: state.clock.now(),
  });
}

function seedMetricFilter(state: SandboxState, group: string, name = 'sandbox-metric'): void {
  groupOf(state, group).metricFilters.set(name, {
    filterName: name,
    filterPattern: 'ERROR',
    metricTransformations: [{ metricName: 'Errors', metricNamespace: 'Sandbox', metricValue: '1' }],
    creationTime: state.clock.now(),
  });
}

function eventsOf(state: SandboxState, group: string, stream: string): StoredEventView[] {
  return streamOf(state, group, stream).events.map((e) => ({
    timestamp: e.timestamp,
    message: e.message,
    ingestionTime: e.ingestionTime,
  }));
}

const streamNamesOf = (state: SandboxState, group: string): string[] =>
  [...groupOf(state, group).streams.sortedValues()].map((s) => s.name);

const groupNamesOf = (state: SandboxState): string[] => [...state.groups.sortedValues()].map((g) => g.name);

/** Creates the bucket unless it exists. */
function seedBucket(state: SandboxState, name: string): void {
  if (!validBucketName(name)) throw new Error(`sandbox: invalid bucket name ${JSON.stringify(name)}`);
  if (!state.buckets.has(name)) addBucket(state, name);
}

/** Writes objects into a bucket as PutObject stores them; returns how many. */
function seedObjects(
  state: SandboxState,
  bucketName: string,
  objects: Iterable<{ readonly key: string; readonly body: Buffer }>,
): number {
  const bucket = requireBucket(state, bucketName);
  let n = 0;
  for (const o of objects) {
    writeObject(state, bucket, o.key, o.body);
    n += 1;
  }
  return n;
}

/** Removes the bucket and everything in it (as if someone else deleted it). */
function removeBucket(state: SandboxState, name: string): void {
  if (!state.buckets.delete(name)) throw new Error(`sandbox: no bucket ${JSON.stringify(name)}`);
}

function objectsOf(state: SandboxState, bucketName: string, prefix = ''): ObjectView[] {
  const bucket = state.buckets.get(bucketName);
  if (!bucket) throw new Error(`sandbox: no bucket ${JSON.stringify(bucketName)}`);
  return sortedObjects(bucket, prefix).map((o) => ({ key: o.key, body: o.body, etag: o.etag }));
}

/** The `.gz` objects under `prefix`, gunzipped and split into lines. */
function readExportOf(state: SandboxState, bucket: string, prefix: string): ExportFileView[] {
  return objectsOf(state, bucket, prefix)
    .filter((o) => o.key.endsWith('.gz'))
    .map((o) => {
      const text = gunzipSync(o.body).toString('utf8');
      const lines = text.split('\n');
      if (lines.at(-1) === '') lines.pop();
      return { key: o.key, lines };
    });
}

export {
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
};
