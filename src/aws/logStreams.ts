import {
  CreateLogStreamCommand,
  DeleteLogStreamCommand,
  DescribeLogStreamsCommand,
  GetLogEventsCommand,
  PutLogEventsCommand,
  type GetLogEventsCommandInput,
  type LogStream,
  type RejectedLogEventsInfo,
} from '@aws-sdk/client-cloudwatch-logs';
import type { Deps } from '../deps.js';
import type { LogEvent } from '../plan/batchEvents.js';
import type { StreamInfo } from '../types.js';
import { callAws, errorName } from './callAws.js';
import { bulkRequest } from './clients.js';
import { paginate } from './paginate.js';

type LogsDeps = Pick<Deps, 'clients' | 'call'>;

/** SDK stream → our plain metadata. */
function toStreamInfo(s: LogStream): StreamInfo {
  return {
    logStreamName: s.logStreamName ?? '',
    creationTimeMs: s.creationTime ?? 0,
    ...(s.firstEventTimestamp === undefined ? {} : { firstEventTimestampMs: s.firstEventTimestamp }),
    ...(s.lastEventTimestamp === undefined ? {} : { lastEventTimestampMs: s.lastEventTimestamp }),
    ...(s.lastIngestionTime === undefined ? {} : { lastIngestionTimeMs: s.lastIngestionTime }),
  };
}

/**
 * Every stream of a group, 50 a page. The name prefix is a prefix match, so callers that want one
 * stream must compare names exactly.
 */
async function* listStreams(deps: LogsDeps, logGroupName: string, namePrefix?: string): AsyncGenerator<StreamInfo> {
  let nextToken: string | undefined;
  do {
    const page = await callAws(deps.call, 'DescribeLogStreams', () =>
      deps.clients.logs.send(
        new DescribeLogStreamsCommand({
          logGroupName,
          limit: 50,
          ...(namePrefix ? { logStreamNamePrefix: namePrefix } : {}),
          ...(nextToken ? { nextToken } : {}),
        }),
      ),
    );
    for (const s of page.logStreams ?? []) yield toStreamInfo(s);
    nextToken = page.nextToken;
  } while (nextToken);
}

/** One stream's current metadata, or undefined when it does not exist. */
async function describeStream(
  deps: LogsDeps,
  logGroupName: string,
  logStreamName: string,
): Promise<StreamInfo | undefined> {
  for await (const s of listStreams(deps, logGroupName, logStreamName)) {
    if (s.logStreamName === logStreamName) return s;
  }
  return undefined;
}

/** Deletes a stream; one already gone counts as deleted. */
async function deleteStream(
  deps: LogsDeps,
  logGroupName: string,
  logStreamName: string,
): Promise<'deleted' | 'absent'> {
  try {
    await callAws(deps.call, 'DeleteLogStream', () =>
      deps.clients.logs.send(new DeleteLogStreamCommand({ logGroupName, logStreamName })),
    );
    return 'deleted';
  } catch (err) {
    if (errorName(err) === 'ResourceNotFoundException') return 'absent';
    throw err;
  }
}

/** Creates a stream; a producer that recreated it first is fine (`ResourceAlreadyExistsException`). */
async function createStream(
  deps: LogsDeps,
  logGroupName: string,
  logStreamName: string,
): Promise<'created' | 'existed'> {
  try {
    await callAws(deps.call, 'CreateLogStream', () =>
      deps.clients.logs.send(new CreateLogStreamCommand({ logGroupName, logStreamName })),
    );
    return 'created';
  } catch (err) {
    if (errorName(err) === 'ResourceAlreadyExistsException') return 'existed';
    throw err;
  }
}

/**
 * Reads a stream forward from `startTimeMs` (inclusive) to `endTimeMs` (exclusive), page by page, as
 * the SDK's `paginateGetLogEvents` does: every page resends the whole query (times included) with the
 * token, and the end is the page that returns the token it was sent. Pages may be empty while more
 * events remain. Holds one page (≤ 1 MB) at a time.
 */
async function* readEvents(
  deps: LogsDeps,
  query: {
    logGroupName: string;
    logStreamName: string;
    startTimeMs: number;
    endTimeMs?: number;
    unmask?: boolean;
    /** Events a page (GetLogEvents' `limit`); the service's maximum when absent. */
    pageSize?: number;
  },
): AsyncGenerator<LogEvent> {
  const input: GetLogEventsCommandInput = {
    logGroupName: query.logGroupName,
    logStreamName: query.logStreamName,
    startFromHead: true,
    startTime: query.startTimeMs,
    ...(query.endTimeMs === undefined ? {} : { endTime: query.endTimeMs }),
    ...(query.unmask ? { unmask: true } : {}),
    ...(query.pageSize === undefined ? {} : { limit: query.pageSize }),
  };
  const pages = paginate(
    deps.call,
    {
      operation: 'GetLogEvents',
      send: (request: GetLogEventsCommandInput) => deps.clients.logs.send(new GetLogEventsCommand(request)),
      inputToken: 'nextToken',
      outputToken: (page) => page.nextForwardToken,
      stopOnSameToken: true,
    },
    input,
  );
  for await (const page of pages) {
    for (const e of page.events ?? []) yield { timestamp: e.timestamp ?? 0, message: e.message ?? '' };
  }
}

/** The indices PutLogEvents dropped: `[0, max(tooOld, expired))` and `[tooNew, n)`. */
function rejectedIndices(info: RejectedLogEventsInfo | undefined, count: number): number[] {
  if (!info) return [];
  const oldEnd = Math.max(info.tooOldLogEventEndIndex ?? 0, info.expiredLogEventEndIndex ?? 0);
  const newStart = info.tooNewLogEventStartIndex ?? count;
  const indices: number[] = [];
  for (let i = 0; i < Math.min(oldEnd, count); i += 1) indices.push(i);
  for (let i = Math.max(newStart, oldEnd); i < count; i += 1) indices.push(i);
  return indices;
}

/**
 * Puts one batch; returns the events it dropped (a 200 answer can still drop events). Never retried
 * blindly: after a lost answer (timeout, network error, 5xx) the error is thrown, and the caller reads
 * what reached the stream before sending again (PutLogEvents has no idempotency token).
 */
async function putEvents(
  deps: LogsDeps,
  logGroupName: string,
  logStreamName: string,
  events: readonly LogEvent[],
): Promise<LogEvent[]> {
  const out = await callAws(
    deps.call,
    'PutLogEvents',
    () =>
      deps.clients.logs.send(
        new PutLogEventsCommand({ logGroupName, logStreamName, logEvents: [...events] }),
        bulkRequest(deps),
      ),
    { retryUncertain: false },
  );
  return rejectedIndices(out.rejectedLogEventsInfo, events.length).map((i) => events[i]!);
}

export {
  createStream,
  deleteStream,
  describeStream,
  listStreams,
  putEvents,
  readEvents,
  rejectedIndices,
  toStreamInfo,
};
export type { LogsDeps };
