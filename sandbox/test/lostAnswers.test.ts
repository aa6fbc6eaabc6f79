import { CreateLogGroupCommand, DescribeLogGroupsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { TEST_CREDENTIALS } from './helpers/sandboxClients.js';
import { useSandbox } from './helpers/sandboxHarness.js';

const h = useSandbox();
const groupNames = async () =>
  ((await h.logs.send(new DescribeLogGroupsCommand({}))).logGroups ?? []).map((g) => g.logGroupName);
/** A client that gives up after 200 ms, for the answers that never come. */
const impatient = () =>
  new CloudWatchLogsClient({
    endpoint: h.sandbox.endpoint,
    region: h.sandbox.region,
    credentials: TEST_CREDENTIALS,
    maxAttempts: 1,
    requestHandler: { requestTimeout: 200, throwOnRequestTimeout: true },
  });

describe('faults that lose the answer', () => {
  it('dropResponse carries the call out, then closes the connection unanswered', async () => {
    h.sandbox.injectFault({ operation: 'CreateLogGroup', dropResponse: true });
    await expect(h.logs.send(new CreateLogGroupCommand({ logGroupName: 'g' }))).rejects.toThrow();
    expect(await groupNames()).toEqual(['g']);
    expect(h.sandbox.calls.find((c) => c.operation === 'CreateLogGroup')?.error).toBe('ResponseDropped');
  });

  it.each([
    ['before-applying', []],
    ['after-applying', ['g']],
  ] as const)(
    'hang %s never answers (the client times out); the call is carried out only after applying',
    async (hang, groups) => {
      h.sandbox.injectFault({ operation: 'CreateLogGroup', hang });
      const client = impatient();
      await expect(client.send(new CreateLogGroupCommand({ logGroupName: 'g' }))).rejects.toMatchObject({
        name: 'TimeoutError',
      });
      client.destroy();
      expect(await groupNames()).toEqual(groups);
    },
  );

  it('pathContains aims an S3 fault at some keys only, and counts only those', async () => {
    h.sandbox.createBucket('bkt');
    await h.s3.send(new PutObjectCommand({ Bucket: 'bkt', Key: 'state/x.json', Body: '{}' }));
    await h.s3.send(new PutObjectCommand({ Bucket: 'bkt', Key: 'journal/y.json', Body: '{}' }));
    h.sandbox.injectFault({
      operation: 'GetObject',
      pathContains: '/journal/',
      error: { name: 'AccessDenied', status: 403 },
    });
    await expect(h.s3.send(new GetObjectCommand({ Bucket: 'bkt', Key: 'state/x.json' }))).resolves.toBeDefined();
    await expect(h.s3.send(new GetObjectCommand({ Bucket: 'bkt', Key: 'journal/y.json' }))).rejects.toMatchObject({
      name: 'AccessDenied',
    });
    await expect(h.s3.send(new GetObjectCommand({ Bucket: 'bkt', Key: 'journal/y.json' }))).resolves.toBeDefined();
  });
});
