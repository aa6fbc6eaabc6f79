/**
 * The only place SDK clients are created. Every other module receives them (see deps.ts), so tests
 * point the very same clients at the local sandbox.
 */
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import type { CloudWatchLogsClientConfig } from '@aws-sdk/client-cloudwatch-logs';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { S3Client } from '@aws-sdk/client-s3';
import type { Config } from '../types.js';

interface AwsClients {
  readonly logs: CloudWatchLogsClient;
  readonly s3: S3Client;
  readonly lambda: LambdaClient;
}

interface ClientOptions {
  /** Credentials or a provider of them; by default the SDK's chain (environment, profile, role). */
  readonly credentials?: CloudWatchLogsClientConfig['credentials'];
}

/**
 * The SDK's logger middleware builds a redacted copy of every request and response for `logger.info`
 * even when its default logger discards it: for a rebuild's 1 MB PutLogEvents batches, a tenth of the
 * CPU. It skips that work when the logger has no `info` (`logger?.info?.(…)`); everything still goes
 * nowhere, as with the default logger (cwl-trim logs its calls itself).
 */
const SDK_LOGGER = { debug: () => undefined, warn: () => undefined, error: () => undefined } as unknown as NonNullable<CloudWatchLogsClientConfig['logger']>;

/** Local emulators ignore the Region but the SDK insists on one. */
const LOCAL_DEFAULT_REGION = 'us-east-1';

/**
 * Creates the CloudWatch Logs, S3 and Lambda clients of a run.
 *
 * Every client has `maxAttempts: 1`: `callAws` retries, under the operation's limiter; an SDK retry
 * would go around the limiter and spend quota the account's producers need. With `endpointUrl` (a local
 * sandbox) all clients use it, S3 uses path-style requests, and S3 checksums are computed and checked
 * only when an operation requires them (local S3 servers otherwise store streamed bodies with their
 * chunk framing).
 *
 * @param config - `region` (else the SDK's default chain) and `endpointUrl`.
 * @example
 * const clients = createClients({ region: 'eu-west-1' });
 * await callAws(ctx, 'DescribeLogGroups', () => clients.logs.send(new DescribeLogGroupsCommand({})));
 */
function createClients(config: Pick<Config, 'region' | 'endpointUrl'>, options: ClientOptions = {}): AwsClients {
  const { region, endpointUrl } = config;
  const common = {
    maxAttempts: 1,
    logger: SDK_LOGGER,
    ...(region !== undefined && { region }),
    ...(region === undefined && endpointUrl !== undefined && { region: LOCAL_DEFAULT_REGION }),
    ...(endpointUrl !== undefined && { endpoint: endpointUrl }),
    ...(options.credentials !== undefined && { credentials: options.credentials }),
  };
  const local = endpointUrl === undefined ? {} : {
    forcePathStyle: true,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  } as const;
  return Object.freeze({
    logs: new CloudWatchLogsClient(common),
    s3: new S3Client({ ...common, ...local }),
    lambda: new LambdaClient(common),
  });
}

export { createClients };
export type { AwsClients, ClientOptions };
