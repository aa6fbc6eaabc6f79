/**
 * Test only: moto writes an export's objects as `<prefix>/<random id>/<stream with "/" turned into
 * "-">/000000.gz`, where AWS writes `<prefix>/<taskId>/<stream>/000000.gz`. This wraps a logs client
 * so that, right after moto has run a CreateExportTask (moto's tasks complete inside the call), the
 * objects it wrote are copied into AWS's layout. The product keeps checking AWS's layout only.
 *
 * moto also answers DescribeAccountPolicies, GetTransformer and GetStorageTierPolicy with a 500 (not
 * implemented): the wrapper answers them as AWS does for an account with no account policies, no
 * transformer and the STANDARD tier.
 */
import {
  CreateExportTaskCommand,
  DescribeAccountPoliciesCommand,
  DescribeLogStreamsCommand,
  GetStorageTierPolicyCommand,
  GetTransformerCommand,
  ResourceNotFoundException,
  type CloudWatchLogsClient,
  type DescribeLogStreamsCommandOutput,
} from '@aws-sdk/client-cloudwatch-logs';
import { CopyObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';

async function keysUnder(s3: S3Client, bucket: string, prefix: string): Promise<Set<string>> {
  const out = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix }));
  return new Set((out.Contents ?? []).map((o) => o.Key ?? ''));
}

type Send = (command: unknown, ...rest: unknown[]) => Promise<unknown>;

async function streamNames(send: Send, logGroupName: string): Promise<string[]> {
  const out = (await send(new DescribeLogStreamsCommand({ logGroupName }))) as DescribeLogStreamsCommandOutput;
  return (out.logStreams ?? []).map((s) => s.logStreamName ?? '');
}

/**
 * Makes `logs` copy each moto export into AWS's layout; returns a counter of the objects copied.
 *
 * @example const copied = withAwsExportLayout(deps.clients.logs, deps.clients.s3);
 */
function withAwsExportLayout(logs: CloudWatchLogsClient, s3: S3Client): { copied: number } {
  const counter = { copied: 0 };
  const send = logs.send.bind(logs) as unknown as Send;
  const wrapped: Send = async (command, ...rest) => {
    if (command instanceof DescribeAccountPoliciesCommand) return { accountPolicies: [] };
    if (command instanceof GetStorageTierPolicyCommand) return { storageTier: 'STANDARD' };
    if (command instanceof GetTransformerCommand) {
      throw new ResourceNotFoundException({
        message: 'The specified transformer does not exist.',
        $metadata: { httpStatusCode: 400 },
      });
    }
    if (!(command instanceof CreateExportTaskCommand)) return send(command, ...rest);
    const { destination: bucket = '', destinationPrefix = '', logGroupName = '' } = command.input;
    const before = await keysUnder(s3, bucket, `${destinationPrefix}/`);
    const out = (await send(command)) as { taskId?: string };
    const names = await streamNames(send, logGroupName);
    for (const key of await keysUnder(s3, bucket, `${destinationPrefix}/`)) {
      if (before.has(key) || !key.endsWith('/000000.gz')) continue;
      const dashed = key.slice(destinationPrefix.length + 1).split('/')[1];
      const stream = names.find((n) => n.replace(/\//g, '-') === dashed);
      if (stream === undefined) throw new Error(`moto export object ${key} names no stream of ${logGroupName}`);
      await s3.send(
        new CopyObjectCommand({
          Bucket: bucket,
          CopySource: `${bucket}/${encodeURIComponent(key).replace(/%2F/g, '/')}`,
          Key: `${destinationPrefix}/${out.taskId}/${stream}/000000.gz`,
        }),
      );
      counter.copied += 1;
    }
    return out;
  };
  (logs as unknown as { send: typeof wrapped }).send = wrapped;
  return counter;
}

export { withAwsExportLayout };
