import {
  CreateLogGroupCommand,
  CreateLogStreamCommand,
  DeleteLogGroupCommand,
  DeleteLogStreamCommand,
  DescribeLogGroupsCommand,
  DescribeLogStreamsCommand,
  DescribeMetricFiltersCommand,
  DescribeSubscriptionFiltersCommand,
  GetDataProtectionPolicyCommand,
  ListTagsForResourceCommand,
  ListTagsLogGroupCommand,
  PutDataProtectionPolicyCommand,
  PutRetentionPolicyCommand,
  TagResourceCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import type { LogStream } from '@aws-sdk/client-cloudwatch-logs';
import { describe, expect, it } from 'vitest';
const MS_PER_DAY = 86_400_000;
import { createSandboxClock } from '../src/index.js';
import { expectAwsError, useSandbox } from './helpers/sandboxHarness.js';

const T0 = Date.parse('2024-06-01T00:00:00.000Z');
const clock = createSandboxClock(T0, { frozen: true });
const h = useSandbox({ clock, quotasTps: false });
const ARN = 'arn:aws:logs:us-east-1:123456789012:log-group:';

async function allStreams(
  input: { orderBy?: 'LastEventTime'; descending?: boolean; onPage?: (p: LogStream[]) => Promise<void> } = {},
): Promise<string[]> {
  const names: string[] = [];
  let nextToken: string | undefined;
  do {
    const res = await h.logs.send(
      new DescribeLogStreamsCommand({
        logGroupName: 'g',
        orderBy: input.orderBy,
        descending: input.descending,
        nextToken,
      }),
    );
    expect(res.logStreams?.length).toBeLessThanOrEqual(50);
    names.push(...(res.logStreams ?? []).map((s) => s.logStreamName ?? ''));
    await input.onPage?.(res.logStreams ?? []);
    nextToken = res.nextToken;
  } while (nextToken !== undefined);
  return names;
}

describe('log groups', () => {
  it('describes a group with the fields AWS returns', async () => {
    h.sandbox.seedGroup('/app/api', {
      retentionInDays: 30,
      kmsKeyId: 'key-1',
      dataProtection: true,
      creationTimeMs: T0 - MS_PER_DAY,
    });
    h.sandbox.seedStream('/app/api', 's', [{ timestamp: T0, message: 'abc' }]);
    const res = await h.logs.send(new DescribeLogGroupsCommand({}));
    expect(res.logGroups).toEqual([
      {
        logGroupName: '/app/api',
        creationTime: T0 - MS_PER_DAY,
        retentionInDays: 30,
        metricFilterCount: 0,
        arn: `${ARN}/app/api:*`,
        storedBytes: 3 + 26,
        kmsKeyId: 'key-1',
        dataProtectionStatus: 'ACTIVATED',
        logGroupClass: 'STANDARD',
        logGroupArn: `${ARN}/app/api`,
      },
    ]);
  });

  it('pages 50 at a time, filters by prefix and stops without a token', async () => {
    for (let i = 0; i < 120; i++) h.sandbox.seedGroup(`/g/${String(i).padStart(3, '0')}`);
    h.sandbox.seedGroup('/other');
    const names: string[] = [];
    let nextToken: string | undefined;
    let pages = 0;
    do {
      const res = await h.logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: '/g/', nextToken }));
      names.push(...(res.logGroups ?? []).map((g) => g.logGroupName ?? ''));
      nextToken = res.nextToken;
      pages += 1;
    } while (nextToken !== undefined);
    expect(pages).toBe(3);
    expect(names).toEqual([...names].sort());
    expect(new Set(names).size).toBe(120);
    await expectAwsError(h.logs.send(new DescribeLogGroupsCommand({ limit: 51 })), 'InvalidParameterException');
  });

  it('creates, refuses a duplicate, deletes, and answers ResourceNotFoundException after', async () => {
    await h.logs.send(
      new CreateLogGroupCommand({ logGroupName: 'g', logGroupClass: 'INFREQUENT_ACCESS', tags: { team: 'a' } }),
    );
    await expectAwsError(
      h.logs.send(new CreateLogGroupCommand({ logGroupName: 'g' })),
      'ResourceAlreadyExistsException',
    );
    const res = await h.logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: 'g' }));
    expect(res.logGroups?.[0]).toMatchObject({ logGroupClass: 'INFREQUENT_ACCESS', creationTime: T0, storedBytes: 0 });
    await h.logs.send(new DeleteLogGroupCommand({ logGroupName: 'g' }));
    await expectAwsError(h.logs.send(new DeleteLogGroupCommand({ logGroupName: 'g' })), 'ResourceNotFoundException');
  });

  it('tags by the ARN without :* and refuses any other ARN', async () => {
    h.sandbox.seedGroup('g', { tags: { a: '1' } });
    await h.logs.send(new TagResourceCommand({ resourceArn: `${ARN}g`, tags: { b: '2' } }));
    const byArn = await h.logs.send(new ListTagsForResourceCommand({ resourceArn: `${ARN}g` }));
    const byName = await h.logs.send(new ListTagsLogGroupCommand({ logGroupName: 'g' }));
    expect(byArn.tags).toEqual({ a: '1', b: '2' });
    expect(byName.tags).toEqual({ a: '1', b: '2' });
    await expectAwsError(
      h.logs.send(new ListTagsForResourceCommand({ resourceArn: `${ARN}g:*` })),
      'ResourceNotFoundException',
    );
    await expectAwsError(
      h.logs.send(new ListTagsForResourceCommand({ resourceArn: `${ARN}nope` })),
      'ResourceNotFoundException',
    );
  });

  it('accepts only the allowed retention values', async () => {
    h.sandbox.seedGroup('g');
    await h.logs.send(new PutRetentionPolicyCommand({ logGroupName: 'g', retentionInDays: 14 }));
    await expectAwsError(
      h.logs.send(new PutRetentionPolicyCommand({ logGroupName: 'g', retentionInDays: 2 })),
      'InvalidParameterException',
    );
    const res = await h.logs.send(new DescribeLogGroupsCommand({}));
    expect(res.logGroups?.[0]?.retentionInDays).toBe(14);
  });

  it('keeps a data protection policy and reports filters it was seeded with', async () => {
    h.sandbox.seedGroup('g');
    h.sandbox.seedSubscriptionFilter('g');
    h.sandbox.seedMetricFilter('g', 'errors');
    await h.logs.send(new PutDataProtectionPolicyCommand({ logGroupIdentifier: 'g', policyDocument: '{"Name":"p"}' }));
    const policy = await h.logs.send(new GetDataProtectionPolicyCommand({ logGroupIdentifier: `${ARN}g` }));
    const subs = await h.logs.send(new DescribeSubscriptionFiltersCommand({ logGroupName: 'g' }));
    const metrics = await h.logs.send(new DescribeMetricFiltersCommand({ logGroupName: 'g' }));
    expect(policy.policyDocument).toBe('{"Name":"p"}');
    expect(subs.subscriptionFilters).toHaveLength(1);
    expect(metrics.metricFilters?.map((f) => f.filterName)).toEqual(['errors']);
  });
});

describe('log streams', () => {
  it('describes a stream with event times, ingestion time, ARN and storedBytes 0', async () => {
    h.sandbox.seedStream('g', 's', [
      { timestamp: T0 - 2_000, message: 'a', ingestionTime: T0 - 1_500 },
      { timestamp: T0 - 1_000, message: 'b', ingestionTime: T0 - 500 },
    ]);
    const res = await h.logs.send(new DescribeLogStreamsCommand({ logGroupName: 'g' }));
    expect(res.logStreams?.[0]).toMatchObject({
      logStreamName: 's',
      creationTime: T0 - 2_000,
      firstEventTimestamp: T0 - 2_000,
      lastEventTimestamp: T0 - 1_000,
      lastIngestionTime: T0 - 500,
      arn: `${ARN}g:log-stream:s`,
      storedBytes: 0,
    });
  });

  it('pages 50 at a time and neither skips nor repeats when streams are deleted while paging', async () => {
    for (let i = 0; i < 130; i++) h.sandbox.seedStream('g', `s${String(i).padStart(3, '0')}`, []);
    const seen = await allStreams({
      onPage: async (page) => {
        for (const s of page)
          await h.logs.send(new DeleteLogStreamCommand({ logGroupName: 'g', logStreamName: s.logStreamName }));
      },
    });
    expect(seen).toHaveLength(130);
    expect(new Set(seen).size).toBe(130);
    expect(h.sandbox.streamNames('g')).toEqual([]);
  });

  it('orders by LastEventTime, descending on request', async () => {
    h.sandbox.seedStream('g', 'b', [{ timestamp: T0 - 3_000, message: 'x' }]);
    h.sandbox.seedStream('g', 'a', [{ timestamp: T0 - 1_000, message: 'x' }]);
    h.sandbox.seedStream('g', 'c', [{ timestamp: T0 - 2_000, message: 'x' }]);
    expect(await allStreams({ orderBy: 'LastEventTime' })).toEqual(['b', 'c', 'a']);
    expect(await allStreams({ orderBy: 'LastEventTime', descending: true })).toEqual(['a', 'c', 'b']);
  });

  it('refuses LastEventTime order with a name prefix, and names missing groups and duplicates', async () => {
    h.sandbox.seedStream('g', 's', []);
    await expectAwsError(
      h.logs.send(
        new DescribeLogStreamsCommand({ logGroupName: 'g', orderBy: 'LastEventTime', logStreamNamePrefix: 's' }),
      ),
      'InvalidParameterException',
    );
    await expectAwsError(
      h.logs.send(new DescribeLogStreamsCommand({ logGroupName: 'nope' })),
      'ResourceNotFoundException',
    );
    await expectAwsError(
      h.logs.send(new CreateLogStreamCommand({ logGroupName: 'g', logStreamName: 's' })),
      'ResourceAlreadyExistsException',
    );
    await expectAwsError(
      h.logs.send(new CreateLogStreamCommand({ logGroupName: 'nope', logStreamName: 's' })),
      'ResourceNotFoundException',
    );
    await expectAwsError(
      h.logs.send(new DeleteLogStreamCommand({ logGroupName: 'g', logStreamName: 'nope' })),
      'ResourceNotFoundException',
    );
  });
});
