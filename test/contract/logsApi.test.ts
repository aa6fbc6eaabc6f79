/**
 * Contract: pagination ends and error names of the CloudWatch Logs API, on the sandbox and on moto.
 */
import {
  CreateExportTaskCommand,
  CreateLogGroupCommand,
  CreateLogStreamCommand,
  DeleteLogGroupCommand,
  DeleteLogStreamCommand,
  DescribeLogGroupsCommand,
  DescribeLogStreamsCommand,
  ListTagsForResourceCommand,
  PutLogEventsCommand,
  PutRetentionPolicyCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import { expect, it } from 'vitest';
import { expectAwsError } from '@cwl-trim/sandbox/testing';
import { describeContract, motoDeviation } from './targets.js';
import type { ContractTarget } from './targets.js';

async function groupPages(t: ContractTarget, prefix: string): Promise<string[][]> {
  const pages: string[][] = [];
  let nextToken: string | undefined;
  do {
    const res = await t.logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: prefix, nextToken }));
    pages.push((res.logGroups ?? []).map((g) => g.logGroupName ?? ''));
    nextToken = res.nextToken;
    expect(pages.length).toBeLessThan(10);
  } while (nextToken !== undefined);
  return pages;
}

async function streamPages(
  t: ContractTarget,
  group: string,
  onPage?: (names: string[]) => Promise<void>,
): Promise<string[][]> {
  const pages: string[][] = [];
  let nextToken: string | undefined;
  do {
    const res = await t.logs.send(new DescribeLogStreamsCommand({ logGroupName: group, nextToken }));
    const names = (res.logStreams ?? []).map((s) => s.logStreamName ?? '');
    pages.push(names);
    await onPage?.(names);
    nextToken = res.nextToken;
    expect(pages.length).toBeLessThan(10);
  } while (nextToken !== undefined);
  return pages;
}

const padded = (i: number): string => String(i).padStart(3, '0');

describeContract('pagination', (target, name) => {
  it('pages log groups 50 at a time and ends without a token', async () => {
    const t = target();
    await Promise.all(
      Array.from({ length: 120 }, (_, i) =>
        t.logs.send(new CreateLogGroupCommand({ logGroupName: `/contract/g${padded(i)}` })),
      ),
    );
    await t.logs.send(new CreateLogGroupCommand({ logGroupName: '/elsewhere' }));
    const pages = await groupPages(t, '/contract/');
    expect(pages.map((p) => p.length)).toEqual([50, 50, 20]);
    expect(pages.flat()).toEqual(Array.from({ length: 120 }, (_, i) => `/contract/g${padded(i)}`));
  });

  it('pages log streams 50 at a time and ends without a token', async () => {
    const t = target();
    await t.logs.send(new CreateLogGroupCommand({ logGroupName: '/contract/streams' }));
    await Promise.all(
      Array.from({ length: 110 }, (_, i) =>
        t.logs.send(new CreateLogStreamCommand({ logGroupName: '/contract/streams', logStreamName: `s${padded(i)}` })),
      ),
    );
    const pages = await streamPages(t, '/contract/streams');
    expect(pages.map((p) => p.length)).toEqual([50, 50, 10]);
    expect(new Set(pages.flat()).size).toBe(110);
  });

  it.skipIf(motoDeviation(name))(
    'keeps paging streams while the ones already listed are deleted (moto: a token naming a deleted stream ends the listing)',
    async () => {
      const t = target();
      await t.logs.send(new CreateLogGroupCommand({ logGroupName: '/contract/streams' }));
      await Promise.all(
        Array.from({ length: 110 }, (_, i) =>
          t.logs.send(
            new CreateLogStreamCommand({ logGroupName: '/contract/streams', logStreamName: `s${padded(i)}` }),
          ),
        ),
      );
      const pages = await streamPages(t, '/contract/streams', async (names) => {
        for (const logStreamName of names)
          await t.logs.send(new DeleteLogStreamCommand({ logGroupName: '/contract/streams', logStreamName }));
      });
      expect(pages.flat()).toHaveLength(110);
    },
  );

  it('orders streams by LastEventTime, newest first on request', async () => {
    const t = target();
    const now = Date.now();
    await t.logs.send(new CreateLogGroupCommand({ logGroupName: '/contract/order' }));
    for (const [stream, ageMs] of [
      ['b', 3_000],
      ['a', 1_000],
      ['c', 2_000],
    ] as const) {
      await t.logs.send(new CreateLogStreamCommand({ logGroupName: '/contract/order', logStreamName: stream }));
      await t.logs.send(
        new PutLogEventsCommand({
          logGroupName: '/contract/order',
          logStreamName: stream,
          logEvents: [{ timestamp: now - ageMs, message: stream }],
        }),
      );
    }
    const res = await t.logs.send(
      new DescribeLogStreamsCommand({ logGroupName: '/contract/order', orderBy: 'LastEventTime', descending: true }),
    );
    expect(res.logStreams?.map((s) => s.logStreamName)).toEqual(['a', 'c', 'b']);
  });

  it('pages streams by LastEventTime, oldest first and newest first, with tokens', async () => {
    const t = target();
    const now = Date.now();
    await t.logs.send(new CreateLogGroupCommand({ logGroupName: '/contract/order' }));
    const ages = [5, 1, 7, 3, 6, 2, 4];
    for (const [i, age] of ages.entries()) {
      const logStreamName = `s${i}`;
      await t.logs.send(new CreateLogStreamCommand({ logGroupName: '/contract/order', logStreamName }));
      await t.logs.send(
        new PutLogEventsCommand({
          logGroupName: '/contract/order',
          logStreamName,
          logEvents: [{ timestamp: now - age * 1_000, message: logStreamName }],
        }),
      );
    }
    const oldestFirst = [...ages.entries()].sort((a, b) => b[1] - a[1]).map(([i]) => `s${i}`);
    for (const descending of [false, true]) {
      const names: string[] = [];
      let nextToken: string | undefined;
      let pages = 0;
      do {
        const res = await t.logs.send(
          new DescribeLogStreamsCommand({
            logGroupName: '/contract/order',
            orderBy: 'LastEventTime',
            descending,
            limit: 3,
            nextToken,
          }),
        );
        names.push(...(res.logStreams ?? []).map((s) => s.logStreamName ?? ''));
        nextToken = res.nextToken;
        pages += 1;
      } while (nextToken !== undefined && pages < 10);
      expect(names).toEqual(descending ? [...oldestFirst].reverse() : oldestFirst);
    }
  });
});

describeContract('error names', (target, name) => {
  it('answers ResourceAlreadyExistsException for a group or stream that exists', async () => {
    const t = target();
    await t.logs.send(new CreateLogGroupCommand({ logGroupName: '/contract/dup' }));
    await t.logs.send(new CreateLogStreamCommand({ logGroupName: '/contract/dup', logStreamName: 's' }));
    await expectAwsError(
      t.logs.send(new CreateLogGroupCommand({ logGroupName: '/contract/dup' })),
      'ResourceAlreadyExistsException',
    );
    await expectAwsError(
      t.logs.send(new CreateLogStreamCommand({ logGroupName: '/contract/dup', logStreamName: 's' })),
      'ResourceAlreadyExistsException',
    );
  });

  it('answers ResourceNotFoundException for a missing group or stream', async () => {
    const t = target();
    await t.logs.send(new CreateLogGroupCommand({ logGroupName: '/contract/present' }));
    await expectAwsError(
      t.logs.send(new DescribeLogStreamsCommand({ logGroupName: '/contract/absent' })),
      'ResourceNotFoundException',
    );
    await expectAwsError(
      t.logs.send(new CreateLogStreamCommand({ logGroupName: '/contract/absent', logStreamName: 's' })),
      'ResourceNotFoundException',
    );
    await expectAwsError(
      t.logs.send(new DeleteLogGroupCommand({ logGroupName: '/contract/absent' })),
      'ResourceNotFoundException',
    );
    await expectAwsError(
      t.logs.send(new DeleteLogStreamCommand({ logGroupName: '/contract/present', logStreamName: 'absent' })),
      'ResourceNotFoundException',
    );
    await expectAwsError(
      t.logs.send(
        new PutLogEventsCommand({
          logGroupName: '/contract/present',
          logStreamName: 'absent',
          logEvents: [{ timestamp: Date.now(), message: 'x' }],
        }),
      ),
      'ResourceNotFoundException',
    );
  });

  it('answers InvalidParameterException for a limit above 50 and for LastEventTime order with a prefix', async () => {
    const t = target();
    await t.logs.send(new CreateLogGroupCommand({ logGroupName: '/contract/p' }));
    await expectAwsError(t.logs.send(new DescribeLogGroupsCommand({ limit: 51 })), 'InvalidParameterException');
    await expectAwsError(
      t.logs.send(
        new DescribeLogStreamsCommand({
          logGroupName: '/contract/p',
          orderBy: 'LastEventTime',
          logStreamNamePrefix: 'x',
        }),
      ),
      'InvalidParameterException',
    );
  });

  it('answers InvalidParameterException to an export into a missing bucket', async () => {
    const t = target();
    await t.logs.send(new CreateLogGroupCommand({ logGroupName: '/contract/p' }));
    await expectAwsError(
      t.logs.send(
        new CreateExportTaskCommand({
          logGroupName: '/contract/p',
          from: 0,
          to: Date.now(),
          destination: 'contract-no-such-bucket',
        }),
      ),
      'InvalidParameterException',
    );
  });

  it.skipIf(motoDeviation(name))(
    'refuses a retention outside the allowed values (moto: accepts any value)',
    async () => {
      const t = target();
      await t.logs.send(new CreateLogGroupCommand({ logGroupName: '/contract/p' }));
      await expectAwsError(
        t.logs.send(new PutRetentionPolicyCommand({ logGroupName: '/contract/p', retentionInDays: 2 })),
        'InvalidParameterException',
      );
    },
  );

  it.skipIf(motoDeviation(name))(
    'answers ResourceNotFoundException to tags of an unknown ARN (moto: answers empty tags)',
    async () => {
      const t = target();
      await expectAwsError(
        t.logs.send(
          new ListTagsForResourceCommand({
            resourceArn: 'arn:aws:logs:us-east-1:123456789012:log-group:/contract/absent',
          }),
        ),
        'ResourceNotFoundException',
      );
    },
  );
});
