/**
 * cwl-trim's loops page as the SDK's own paginators do: each page request is the whole input plus
 * the token. Checked by running the SDK's paginator and ours against the same scripted client and
 * comparing the requests they send, and by a throttled page going through the retry gate.
 */
import {
  CloudWatchLogsClient,
  paginateGetLogEvents,
  ThrottlingException,
  type GetLogEventsCommandInput,
  type GetLogEventsCommandOutput,
} from '@aws-sdk/client-cloudwatch-logs';
import {
  type ListObjectsV2Command,
  paginateListObjectsV2,
  S3Client,
  type ListObjectsV2CommandOutput,
} from '@aws-sdk/client-s3';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { listObjects } from '../../../src/archive/s3Objects.js';
import { createCallStats, type AwsCallContext } from '../../../src/aws/callAws.js';
import { listExportTasks } from '../../../src/aws/exportTasks.js';
import { createLimiters, type Limiters } from '../../../src/aws/limiters.js';
import { readEvents } from '../../../src/aws/logStreams.js';
import type { AwsClients } from '../../../src/aws/clients.js';

const CREDENTIALS = { accessKeyId: 'test', secretAccessKey: 'test' };
let limiters: Limiters | undefined;
afterEach(async () => {
  await limiters?.stop();
  limiters = undefined;
});

function context(): AwsCallContext {
  limiters = createLimiters({ quotaShare: 1, quotasTps: { GetLogEvents: 1_000, DescribeExportTasks: 1_000 } });
  return { limiters, stats: createCallStats(), retry: { retries: 3, minTimeoutMs: 1, maxTimeoutMs: 2 } };
}

/** GetLogEvents pages: tokens t1, t2, then t2 again (the end). */
const LOG_PAGES: Partial<GetLogEventsCommandOutput>[] = [
  { events: [{ timestamp: 1, message: 'a' }], nextForwardToken: 't1' },
  { events: [{ timestamp: 2, message: 'b' }], nextForwardToken: 't2' },
  { events: [], nextForwardToken: 't2' },
];

/** A real client whose `send` answers from a script and records each request's input. */
function scriptedLogs(pages: readonly unknown[], failFirst?: unknown) {
  const client = new CloudWatchLogsClient({ region: 'us-east-1', credentials: CREDENTIALS });
  const inputs: unknown[] = [];
  let i = 0;
  let failed = failFirst === undefined;
  vi.spyOn(client, 'send').mockImplementation((async (command: { input: unknown }) => {
    if (!failed) {
      failed = true;
      throw failFirst;
    }
    inputs.push(structuredClone(command.input));
    return pages[Math.min(i++, pages.length - 1)];
  }) as never);
  return { client, inputs };
}

describe('paging as the SDK paginators do', () => {
  it('readEvents sends, page after page, exactly the requests paginateGetLogEvents sends: the times on every page', async () => {
    const input: GetLogEventsCommandInput = {
      logGroupName: 'g',
      logStreamName: 's',
      startFromHead: true,
      startTime: 100,
      endTime: 200,
      limit: 10,
    };
    const sdk = scriptedLogs(LOG_PAGES);
    for await (const _page of paginateGetLogEvents({ client: sdk.client, stopOnSameToken: true }, { ...input })) {
      // read every page
    }
    const ours = scriptedLogs(LOG_PAGES);
    const clients = { logs: ours.client } as unknown as AwsClients;
    const events = [];
    for await (const e of readEvents(
      { clients, call: context() },
      {
        logGroupName: 'g',
        logStreamName: 's',
        startTimeMs: 100,
        endTimeMs: 200,
        pageSize: 10,
      },
    ))
      events.push(e.message);

    expect(events).toEqual(['a', 'b']);
    const strip = (list: unknown[]) => list.map((x) => JSON.parse(JSON.stringify(x)) as unknown);
    expect(strip(ours.inputs)).toEqual(strip(sdk.inputs));
    expect(ours.inputs).toHaveLength(3);
    for (const sent of ours.inputs)
      expect(sent).toMatchObject({ startTime: 100, endTime: 200, startFromHead: true, limit: 10 });
  });

  it('a throttled page is retried through the gate, with the same input and token', async () => {
    const { client, inputs } = scriptedLogs(
      LOG_PAGES,
      new ThrottlingException({ message: 'Rate exceeded', $metadata: { httpStatusCode: 400 } }),
    );
    const call = context();
    const events = [];
    for await (const e of readEvents(
      { clients: { logs: client } as unknown as AwsClients, call },
      {
        logGroupName: 'g',
        logStreamName: 's',
        startTimeMs: 100,
      },
    ))
      events.push(e.message);
    expect(events).toEqual(['a', 'b']);
    expect(call.stats.snapshot()['GetLogEvents']).toMatchObject({ calls: 4, retries: 1, throttles: 1, successes: 3 });
    expect(inputs[0]).toEqual({ logGroupName: 'g', logStreamName: 's', startFromHead: true, startTime: 100 });
  });

  it('listExportTasks reads every page, resending the status filter with each token', async () => {
    const { client, inputs } = scriptedLogs([
      { exportTasks: [{ taskId: '1' }], nextToken: 'n1' },
      { exportTasks: [{ taskId: '2' }] },
    ]);
    const ids = [];
    for await (const t of listExportTasks(
      { clients: { logs: client } as unknown as AwsClients, call: context() },
      { statusCode: 'RUNNING' },
    )) {
      ids.push(t.taskId);
    }
    expect(ids).toEqual(['1', '2']);
    expect(inputs).toEqual([
      { limit: 50, statusCode: 'RUNNING' },
      { limit: 50, statusCode: 'RUNNING', nextToken: 'n1' },
    ]);
  });

  it('listObjects sends exactly the requests paginateListObjectsV2 sends: the prefix on every page', async () => {
    const pages: Partial<ListObjectsV2CommandOutput>[] = [
      { Contents: [{ Key: 'p/a' }], IsTruncated: true, NextContinuationToken: 'c1' },
      { Contents: [{ Key: 'p/b' }], IsTruncated: false },
    ];
    const scripted = () => {
      const client = new S3Client({ region: 'us-east-1', credentials: CREDENTIALS });
      const inputs: unknown[] = [];
      let i = 0;
      vi.spyOn(client, 'send').mockImplementation((async (command: ListObjectsV2Command) => {
        inputs.push(JSON.parse(JSON.stringify(command.input)));
        return pages[i++];
      }) as never);
      return { client, inputs };
    };
    const sdk = scripted();
    for await (const _page of paginateListObjectsV2({ client: sdk.client }, { Bucket: 'b', Prefix: 'p/' })) {
      // read every page
    }
    const ours = scripted();
    limiters = createLimiters({ quotaShare: 1 });
    const objects = await listObjects(
      { clients: { s3: ours.client } as unknown as AwsClients, call: { limiters, stats: createCallStats() } },
      'b',
      'p/',
    );
    expect(objects.map((o) => o.Key)).toEqual(['p/a', 'p/b']);
    expect(ours.inputs).toEqual(sdk.inputs);
  });
});
