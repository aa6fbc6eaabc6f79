/**
 * Log stream operations: create, delete, describe.
 */
import { DESCRIBE_PAGE_LIMIT } from '../../constants.js';
import { invalidParameter, ServiceError, validationMessage } from '../errors.js';
import { groupNameFromIdentifier, newStream, requireGroup, requireStream, streamArn } from '../state.js';
import type { LogGroup, LogStream, SandboxState } from '../state.js';
import { byName, limitOf, optBool, optString, paginate, reqString } from './input.js';
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
    throw invalidParameter(validationMessage('logStreamName', name, 'Member must satisfy regular expression pattern: [^:*]*'));
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

type StreamKey = [number, string];

const isStreamKey = (v: unknown): v is StreamKey =>
  Array.isArray(v) && v.length === 2 && typeof v[0] === 'number' && typeof v[1] === 'string';

function streamOrder(orderBy: string, descending: boolean): { keyOf: (s: LogStream) => StreamKey; compare: (a: StreamKey, b: StreamKey) => number } {
  const sign = descending ? -1 : 1;
  // Streams without events sort as if their last event were at 0, i.e. oldest.
  const keyOf = (s: LogStream): StreamKey => [orderBy === 'LastEventTime' ? (s.events.at(-1)?.timestamp ?? 0) : 0, s.name];
  const compare = (a: StreamKey, b: StreamKey): number => sign * (a[0] - b[0] || byName.compare(a[1], b[1]));
  return { keyOf, compare };
}

function describeLogStreams(state: SandboxState, input: Input): object {
  const group = targetGroup(state, input);
  const prefix = optString(input, 'logStreamNamePrefix');
  const orderBy = optString(input, 'orderBy') ?? 'LogStreamName';
  if (orderBy !== 'LogStreamName' && orderBy !== 'LastEventTime') {
    throw invalidParameter(validationMessage('orderBy', orderBy, 'Member must satisfy enum value set: [LogStreamName, LastEventTime]'));
  }
  if (orderBy === 'LastEventTime' && prefix !== undefined) {
    throw invalidParameter('Cannot order by LastEventTime with a logStreamNamePrefix.');
  }
  const order = streamOrder(orderBy, optBool(input, 'descending') ?? false);
  const streams = [...group.streams.values()]
    .filter((s) => prefix === undefined || s.name.startsWith(prefix))
    .sort((a, b) => order.compare(order.keyOf(a), order.keyOf(b)));
  const { page, nextToken } = paginate(streams, {
    limit: limitOf(input, DESCRIBE_PAGE_LIMIT),
    token: optString(input, 'nextToken'),
    keyOf: order.keyOf,
    compare: order.compare,
    isKey: isStreamKey,
  });
  return { logStreams: page.map((s) => describeStream(state, group, s)), ...(nextToken !== undefined && { nextToken }) };
}

export { createLogStream, deleteLogStream, describeLogStreams, sequenceToken, targetGroup };
