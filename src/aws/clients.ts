/**
 * The only place SDK clients are created. Every other module receives them (see deps.ts), so tests
 * point the very same clients at the local sandbox.
 */
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import type { CloudWatchLogsClientConfig } from '@aws-sdk/client-cloudwatch-logs';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { S3Client } from '@aws-sdk/client-s3';
import type { Config } from '../types.js';

/**
 * How long one request may take before it is abandoned (a `TimeoutError`: retried, or for a put whose
 * fate is unknown, checked first). Without them one unanswered call hangs the run while its lease
 * keeps being renewed.
 */
interface RequestTimeouts {
  /** Until the TCP (and TLS) connection is up. @default 5000 */
  readonly connectionMs: number;
  /** Until the response headers arrive, for ordinary calls. @default 30000 */
  readonly requestMs: number;
  /** For the calls that carry up to a megabyte (PutLogEvents, journal PutObject / GetObject). @default 60000 */
  readonly bulkRequestMs: number;
  /** A socket idle this long while a body is streamed is closed. @default 60000 */
  readonly idleMs: number;
}

interface AwsClients {
  readonly logs: CloudWatchLogsClient;
  readonly s3: S3Client;
  readonly lambda: LambdaClient;
  /** The timeouts the clients were built with (not enumerable); the bulk one is passed per request. */
  readonly timeouts?: RequestTimeouts;
}

/** The clients by service: the keys of {@link AwsClients} that are clients. */
type ServiceName = 'logs' | 's3' | 'lambda';

interface ClientOptions {
  /** Credentials or a provider of them; by default the SDK's chain (environment, profile, role). */
  readonly credentials?: CloudWatchLogsClientConfig['credentials'];
  /** Overrides of {@link DEFAULT_TIMEOUTS} (tests shrink them). */
  readonly timeouts?: Partial<RequestTimeouts>;
  /** A profile of the shared config files (the AWS CLI's `--profile`): its region and credentials. */
  readonly profile?: string;
  /** Per-service endpoints (AWS_ENDPOINT_URL_CLOUDWATCH_LOGS, _S3, _LAMBDA); each wins over `endpointUrl`. */
  readonly endpoints?: Partial<Record<ServiceName, string>>;
}

const DEFAULT_TIMEOUTS: RequestTimeouts = Object.freeze({
  connectionMs: 5_000,
  requestMs: 30_000,
  bulkRequestMs: 60_000,
  idleMs: 60_000,
});

/**
 * The send options of a call that carries up to a megabyte: its own per-request timeout, when set.
 *
 * @example await logs.send(new PutLogEventsCommand(input), bulkRequest(deps));
 */
const bulkRequest = (deps: { readonly clients: Pick<AwsClients, 'timeouts'> }): { requestTimeout?: number } => {
  const ms = deps.clients.timeouts?.bulkRequestMs;
  return ms === undefined ? {} : { requestTimeout: ms };
};

/**
 * The SDK's logger middleware builds a redacted copy of every request and response for `logger.info`
 * even when its default logger discards it: for a rebuild's 1 MB PutLogEvents batches, a tenth of the
 * CPU. It skips that work when the logger has no `info` (`logger?.info?.(…)`); everything still goes
 * nowhere, as with the default logger (cwl-trim logs its calls itself).
 */
const SDK_LOGGER = { debug: () => undefined, warn: () => undefined, error: () => undefined } as unknown as NonNullable<
  CloudWatchLogsClientConfig['logger']
>;

/** Local emulators ignore the Region but the SDK insists on one: the last resort for a loopback endpoint. */
const LOCAL_DEFAULT_REGION = 'us-east-1';

/** 127.0.0.1, ::1, localhost: a server on this machine (an emulator), which no real Region serves. */
function isLoopback(endpoint: string): boolean {
  const host = new URL(endpoint).hostname.replace(/^\[|\]$/g, '');
  return host === 'localhost' || host.endsWith('.localhost') || host === '::1' || /^127(?:\.\d{1,3}){3}$/.test(host);
}

/**
 * Virtual-hosted S3 requests put the bucket in the host name, which only works when the endpoint is a DNS
 * name that can take a label in front of it: an IP address or a one-label host (localhost, a container
 * name) needs path-style requests; anything else keeps the SDK's virtual-hosted default, as AWS's own.
 */
function needsPathStyle(endpoint: string): boolean {
  const host = new URL(endpoint).hostname;
  return host.startsWith('[') || /^\d{1,3}(?:\.\d{1,3}){3}$/.test(host) || !host.includes('.');
}

/**
 * The Region: the configured one (flag, AWS_REGION, AWS_DEFAULT_REGION), else the SDK's chain (the
 * profile's `region`); only a loopback endpoint with no Region anywhere falls back to us-east-1.
 */
function regionOf(
  region: string | undefined,
  endpoint: string | undefined,
  profile: string | undefined,
): CloudWatchLogsClientConfig['region'] {
  if (region !== undefined) return region;
  if (endpoint === undefined || !isLoopback(endpoint)) return undefined;
  // A client is the only public handle on the SDK's own region chain; it is never sent a request.
  const chain = new CloudWatchLogsClient(profile === undefined ? {} : { profile }).config.region;
  return async () => chain().catch(() => LOCAL_DEFAULT_REGION);
}

/**
 * Creates the CloudWatch Logs, S3 and Lambda clients of a run.
 *
 * Every client has `maxAttempts: 1`: `callAws` retries, under the operation's limiter; an SDK retry
 * would go around the limiter and spend quota the account's producers need. With `endpointUrl` (or a
 * per-service endpoint) the client uses it and keeps the configured Region; S3 uses path-style requests
 * only where the endpoint cannot take a bucket label (an IP address, localhost), and S3 checksums are
 * computed and checked only when an operation requires them (local S3 servers otherwise store streamed
 * bodies with their chunk framing). Every request has a
 * connection and a response timeout ({@link RequestTimeouts}).
 *
 * @param config - `region` (else the SDK's default chain) and `endpointUrl`.
 * @example
 * const clients = createClients({ region: 'eu-west-1' });
 * await callAws(ctx, 'DescribeLogGroups', () => clients.logs.send(new DescribeLogGroupsCommand({})));
 */
function createClients(config: Pick<Config, 'region' | 'endpointUrl'>, options: ClientOptions = {}): AwsClients {
  const { region, endpointUrl } = config;
  const timeouts: RequestTimeouts = { ...DEFAULT_TIMEOUTS, ...options.timeouts };
  const endpointOf = (service: ServiceName): string | undefined => options.endpoints?.[service] ?? endpointUrl;
  const common = (service: ServiceName) => {
    const endpoint = endpointOf(service);
    const resolvedRegion = regionOf(region, endpoint, options.profile);
    return {
      maxAttempts: 1,
      requestHandler: {
        connectionTimeout: timeouts.connectionMs,
        requestTimeout: timeouts.requestMs,
        socketTimeout: timeouts.idleMs,
        // Without it the SDK only logs a warning when requestTimeout passes, and the call hangs on.
        throwOnRequestTimeout: true,
      },
      logger: SDK_LOGGER,
      ...(resolvedRegion !== undefined && { region: resolvedRegion }),
      ...(endpoint !== undefined && { endpoint }),
      ...(options.profile !== undefined && { profile: options.profile }),
      ...(options.credentials !== undefined && { credentials: options.credentials }),
    };
  };
  const s3Endpoint = endpointOf('s3');
  const s3Local =
    s3Endpoint === undefined
      ? {}
      : ({
          ...(needsPathStyle(s3Endpoint) && { forcePathStyle: true }),
          requestChecksumCalculation: 'WHEN_REQUIRED',
          responseChecksumValidation: 'WHEN_REQUIRED',
        } as const);
  const clients = {
    logs: new CloudWatchLogsClient(common('logs')),
    s3: new S3Client({ ...common('s3'), ...s3Local }),
    lambda: new LambdaClient(common('lambda')),
  };
  // Not enumerable: callers iterate the clients (`Object.values(clients).forEach((c) => c.destroy())`).
  Object.defineProperty(clients, 'timeouts', { value: Object.freeze(timeouts), enumerable: false });
  return Object.freeze(clients as AwsClients);
}

export { DEFAULT_TIMEOUTS, bulkRequest, createClients, isLoopback, needsPathStyle };
export type { AwsClients, ClientOptions, RequestTimeouts, ServiceName };
