/**
 * How the CLI gives the SDK its profile, keys and endpoints, as the AWS CLI does: `--profile` (else
 * AWS_PROFILE) picks a profile of the shared config files and wins over keys in the environment;
 * `--endpoint-url` wins over every endpoint variable; otherwise a service's own variable
 * (AWS_ENDPOINT_URL_CLOUDWATCH_LOGS, AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL_LAMBDA) wins over
 * AWS_ENDPOINT_URL, which the settings read as `endpointUrl`.
 */
import type { ClientOptions, ServiceName } from '../aws/clients.js';
import { ConfigError } from '../errors.js';

type Env = Readonly<Record<string, string | undefined>>;

/** The SDK's names for the per-service endpoint variables (its `serviceId`, upper snake case). */
const SERVICE_ENDPOINT_ENV = {
  logs: 'AWS_ENDPOINT_URL_CLOUDWATCH_LOGS',
  s3: 'AWS_ENDPOINT_URL_S3',
  lambda: 'AWS_ENDPOINT_URL_LAMBDA',
} as const satisfies Record<ServiceName, string>;

/** A profile name as the shared config files allow it (no spaces or brackets). */
const PROFILE_PATTERN = /^[\w.@+=,/-]+$/;

interface AwsFlags {
  readonly profile?: string;
  readonly endpointUrl?: string;
}

function endpointsFrom(flags: AwsFlags, env: Env): NonNullable<ClientOptions['endpoints']> {
  if (flags.endpointUrl !== undefined) return {};
  const endpoints: Partial<Record<ServiceName, string>> = {};
  for (const [service, name] of Object.entries(SERVICE_ENDPOINT_ENV) as [ServiceName, string][]) {
    const value = env[name]?.trim();
    if (!value) continue;
    if (!/^https?:\/\/[^/]/.test(value) || !URL.canParse(value)) {
      throw new ConfigError(
        name,
        `${name} must be an http:// or https:// URL, got ${JSON.stringify(value)}. Unset it to use AWS_ENDPOINT_URL or AWS's own endpoint.`,
      );
    }
    endpoints[service] = value;
  }
  return endpoints;
}

/**
 * The client options of a CLI run: profile, explicit keys (only without --profile) and per-service endpoints.
 * Throws ConfigError on a malformed profile name or endpoint variable.
 *
 * @example createClients(config, awsClientOptions({ profile: 'dev' }, process.env))
 */
function awsClientOptions(flags: AwsFlags, env: Env): ClientOptions {
  const profile = flags.profile ?? (env.AWS_PROFILE?.trim() || undefined);
  if (profile !== undefined && !PROFILE_PATTERN.test(profile)) {
    throw new ConfigError(
      'profile',
      `--profile (AWS_PROFILE) must be a profile name of ~/.aws/config, got ${JSON.stringify(profile)}.`,
    );
  }
  const {
    AWS_ACCESS_KEY_ID: accessKeyId,
    AWS_SECRET_ACCESS_KEY: secretAccessKey,
    AWS_SESSION_TOKEN: sessionToken,
  } = env;
  // As the AWS CLI: an explicit --profile beats keys in the environment; AWS_PROFILE does not.
  const keys =
    flags.profile === undefined && accessKeyId && secretAccessKey
      ? { credentials: { accessKeyId, secretAccessKey, ...(sessionToken ? { sessionToken } : {}) } }
      : {};
  const endpoints = endpointsFrom(flags, env);
  return {
    ...keys,
    ...(profile !== undefined && { profile }),
    ...(Object.keys(endpoints).length > 0 && { endpoints }),
  };
}

export { SERVICE_ENDPOINT_ENV, awsClientOptions };
export type { AwsFlags };
