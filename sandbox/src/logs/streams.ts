/**
 * Log stream operations: create, delete, describe.
 */
import { SANDBOX_DESCRIBE_PAGE_LIMIT } from '../awsFacts.js';
import { invalidParameter, ServiceError, validationMessage } from '../errors.js';
import { groupNameFromIdentifier, newStream, requireGroup, requireStream, streamArn } from '../state.js';
import type { LogGroup, LogStream, SandboxState } from '../state.js';
import { decodeToken, encodeToken, limitOf, optBool, optString, reqString } from './input.js';
import { endOfPrefix, firstIndex } from '../sortedIndex.js';
import { compareStreamKeys, lastEventMs } from '../streamTable.js';
import type { StreamKey } from '../streamTable.js';
import type { Input } from './input.js';
import { refuseIfProtected } from './accountSettings.js';

/** AWS: 1–512 characters, no `:` and no `*`. */
const STREAM_NAME_PATTERN = /^[^:*]{1,512}$/;

/** The sequence token AWS still returns (and ignores): a long run of digits. */
const sequenceToken = (n: number): string => String(n).padStart(56, '0');

/** The group named by `logGroupName` or `logGroupIdentifier` (exactly one of them). */
function targetGroup(state: SandboxState, input: Input): LogGroup {
  const name = optString(input, 'logGroupName');
  const identifier = optString(input, 'logGroupIdentifier');
  if (name !== undefined && identifier !== undefined) {
    throw invalidParameter('LogGroup name and LogGroup ARN are mutually exclusive parameters.');
  }
  if (name === undefined && identifier === undefined) {
    throw invalidParameter('Should provide either name or ARN of the log group.');
  }
  return requireGroup(state, name ?? groupNameFromIdentifier(state, identifier ?? ''));
}

function createLogStream(state: SandboxState, input: Input): object {
  const group = requireGroup(state, reqString(input, 'logGroupName'));
  const name = reqString(input, 'logStreamName');
  if (!STREAM_NAME_PATTERN.test(name)) {
    throw invalidParameter(
      validationMessage('logStreamName', name, 'Member must satisfy regular expression pattern: [^:*]*'),
    );
  }
  if (group.streams.has(name)) {
    throw new ServiceError('ResourceAlreadyExistsException', 'The specified log stream already exists');
  }
  group.streams.set(name, newStream(name, state.clock.now(), true));
  return {};
}

function deleteLogStream(state: SandboxState, input: Input): object {
  const group = requireGroup(state, reqString(input, 'logGroupName'));
  const name = reqString(input, 'logStreamName');
  requireStream(group, name);
  refuseIfProtected(group, 'log stream');
  group.streams.delete(name);
  return {};
}

function describeStream(state: SandboxState, group: LogGroup, stream: LogStream): Record<string, unknown> {
  const first = stream.events[0];
  const last = stream.events.at(-1);
  return {
    logStreamName: stream.name,
    creationTime: stream.creationTime,
    ...(first !== undefined && { firstEventTimestamp: first.timestamp }),
    ...(last !== undefined && { lastEventTimestamp: last.timestamp }),
    ...(stream.lastIngestionTime !== undefined && { lastIngestionTime: stream.lastIngestionTime }),
    uploadSequenceToken: sequenceToken(stream.uploadSequence + 1),
    arn: streamArn(state, group.name, stream.name),
    // Deprecated by AWS and reported as 0 since 2019: only the group's storedBytes is real.
    storedBytes: 0,
  };
}

const isStreamKey = (v: unknown): v is StreamKey =>
  Array.isArray(v) && v.length === 2 && typeof v[0] === 'number' && typeof v[1] === 'string';

interface StreamQuery {
  readonly orderBy: 'LogStreamName' | 'LastEventTime';
  readonly descending: boolean;
  readonly prefix: string | undefined;
  /** The key of the last stream of the previous page. */
  readonly after: StreamKey | undefined;
  /** How many streams to return (the page and one more, to know whether a next page exists). */
  readonly count: number;
}

/**
 * The streams after `after` in the listing order, from the group's sorted indexes: a binary search
 * and the page itself. A token's key compares as the whole-list order always did ([0, name] for
 * name order), so pages and tokens are the same as sorting the group for every page.
 */
function streamsAfter(group: LogGroup, q: StreamQuery): LogStream[] {
  const out: LogStream[] = [];
  const take = (name: string, ms?: number): boolean => {
    const stream = group.streams.get(name);
    if (stream !== undefined && (ms === undefined || lastEventMs(stream) === ms)) out.push(stream);
    return out.length >= q.count;
  };
  const { after } = q;
  if (q.orderBy === 'LastEventTime') {
    const keys = group.streams.byLastEvent.keys();
    if (q.descending) {
      for (let i = (after ? group.streams.byLastEvent.lowerBound(after) : keys.length) - 1; i >= 0; i--) {
        if (take(keys[i]![1], keys[i]![0])) break;
      }
    } else {
      for (let i = after ? group.streams.byLastEvent.upperBound(after) : 0; i < keys.length; i++) {
        if (take(keys[i]![1], keys[i]![0])) break;
      }
    }
    return out;
  }
  const keys = group.streams.byName.keys();
  const prefix = q.prefix ?? '';
  const lo = firstIndex(keys, (k) => k >= prefix);
  const hi = endOfPrefix(keys, prefix, lo);
  const vsToken = (k: string): number => (after === undefined ? 0 : compareStreamKeys([0, k], after));
  if (q.descending) {
    const end =
      after === undefined
        ? hi
        : Math.min(
            hi,
            firstIndex(keys, (k) => vsToken(k) >= 0),
          );
    for (let i = end - 1; i >= lo; i--) if (take(keys[i]!)) break;
  } else {
    const start =
      after === undefined
        ? lo
        : Math.max(
            lo,
            firstIndex(keys, (k) => vsToken(k) > 0),
          );
    for (let i = start; i < hi; i++) if (take(keys[i]!)) break;
  }
  return out;
}

/** The key a DescribeLogStreams token carries for `stream`. */
const tokenKey = (orderBy: string, stream: LogStream): StreamKey => [
  orderBy === 'LastEventTime' ? lastEventMs(stream) : 0,
  stream.name,
];

function describeLogStreams(state: SandboxState, input: Input): object {
  const group = targetGroup(state, input);
  const prefix = optString(input, 'logStreamNamePrefix');
  const orderBy = optString(input, 'orderBy') ?? 'LogStreamName';
  if (orderBy !== 'LogStreamName' && orderBy !== 'LastEventTime') {
    throw invalidParameter(
      validationMessage('orderBy', orderBy, 'Member must satisfy enum value set: [LogStreamName, LastEventTime]'),
    );
  }
  if (orderBy === 'LastEventTime' && prefix !== undefined) {
    throw invalidParameter('Cannot order by LastEventTime with a logStreamNamePrefix.');
  }
  const limit = limitOf(input, SANDBOX_DESCRIBE_PAGE_LIMIT);
  const token = optString(input, 'nextToken');
  let after: StreamKey | undefined;
  if (token !== undefined) {
    const key = decodeToken(token);
    if (!isStreamKey(key)) throw invalidParameter('The specified nextToken is invalid.');
    after = key;
  }
  const found = streamsAfter(group, {
    orderBy,
    descending: optBool(input, 'descending') ?? false,
    prefix,
    after,
    count: limit + 1,
  });
  const page = found.slice(0, limit);
  const last = page.at(-1);
  const nextToken = found.length > limit && last !== undefined ? encodeToken(tokenKey(orderBy, last)) : undefined;
  return {
    logStreams: page.map((s) => describeStream(state, group, s)),
    ...(nextToken !== undefined && { nextToken }),
  };
}

export { createLogStream, deleteLogStream, describeLogStreams, sequenceToken, targetGroup };
