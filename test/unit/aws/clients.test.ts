/**
 * createClients as the AWS SDK and CLI users expect: a custom endpoint keeps the configured Region (the
 * flag's, the variable's, the profile's), path-style S3 only where the endpoint cannot take a bucket label,
 * per-service endpoints win over the global one. No request is sent: the resolved client config is read.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { awsSetupProblems } from '../../../src/aws/awsSetup.js';
import {
  createClients,
  isLoopback,
  needsPathStyle,
  type AwsClients,
  type ServiceName,
} from '../../../src/aws/clients.js';
import { awsClientOptions } from '../../../src/cli/awsClientOptions.js';

const KEYS = { credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'secret' } };
const opened: AwsClients[] = [];
const dirs: string[] = [];
const tempDir = (): string => {
  const dir = mkdtempSync(join(tmpdir(), 'cwl-trim-aws-'));
  dirs.push(dir);
  return dir;
};
const clientsFor = (...args: Parameters<typeof createClients>): AwsClients => {
  const clients = createClients(...args);
  opened.push(clients);
  return clients;
};
const endpointOf = async (client: AwsClients[ServiceName]): Promise<string> => {
  const endpoint = await client.config.endpoint?.();
  return `${endpoint?.protocol}//${endpoint?.hostname}${endpoint?.port ? `:${endpoint.port}` : ''}`;
};

/** A home with one profile, `dev`, in eu-west-2 with its own keys; nothing else of the machine's AWS setup. */
function awsHome(): Record<string, string> {
  const dir = tempDir();
  writeFileSync(join(dir, 'config'), '[profile dev]\nregion = eu-west-2\n');
  writeFileSync(join(dir, 'credentials'), '[dev]\naws_access_key_id = AKIDDEV\naws_secret_access_key = devsecret\n');
  return { AWS_CONFIG_FILE: join(dir, 'config'), AWS_SHARED_CREDENTIALS_FILE: join(dir, 'credentials') };
}

beforeEach(() => {
  // Nothing of the machine's own AWS setup: no Region, no keys, no profile, no instance role.
  for (const name of [
    'AWS_REGION',
    'AWS_DEFAULT_REGION',
    'AWS_PROFILE',
    'AWS_ACCESS_KEY_ID',
    'AWS_SECRET_ACCESS_KEY',
    'AWS_SESSION_TOKEN',
    'AWS_ENDPOINT_URL',
    'AWS_ENDPOINT_URL_S3',
    'AWS_ENDPOINT_URL_CLOUDWATCH_LOGS',
  ])
    vi.stubEnv(name, undefined);
  vi.stubEnv('AWS_EC2_METADATA_DISABLED', 'true');
  const empty = tempDir();
  vi.stubEnv('AWS_CONFIG_FILE', join(empty, 'config'));
  vi.stubEnv('AWS_SHARED_CREDENTIALS_FILE', join(empty, 'credentials'));
});
afterEach(() => {
  vi.unstubAllEnvs();
  for (const clients of opened.splice(0)) Object.values(clients).forEach((c) => c.destroy());
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('the Region with a custom endpoint', () => {
  it('keeps the configured Region instead of us-east-1', async () => {
    const clients = clientsFor({ region: 'eu-central-1', endpointUrl: 'http://127.0.0.1:4566' }, KEYS);
    expect(await clients.logs.config.region()).toBe('eu-central-1');
    expect(await clients.s3.config.region()).toBe('eu-central-1');
  });

  it("takes the profile's Region when no Region is set, endpoint or not", async () => {
    for (const [name, value] of Object.entries(awsHome())) vi.stubEnv(name, value);
    expect(await clientsFor({ endpointUrl: 'http://127.0.0.1:4566' }, { profile: 'dev' }).logs.config.region()).toBe(
      'eu-west-2',
    );
    expect(await clientsFor({}, { profile: 'dev' }).s3.config.region()).toBe('eu-west-2');
  });

  it('falls back to us-east-1 only for a loopback endpoint with no Region anywhere', async () => {
    expect(await clientsFor({ endpointUrl: 'http://localhost:4566' }, KEYS).logs.config.region()).toBe('us-east-1');
    await expect(
      clientsFor({ endpointUrl: 'https://logs.example.internal' }, KEYS).logs.config.region(),
    ).rejects.toThrow(/Region is missing/);
  });

  it('tells loopback endpoints apart', () => {
    expect(['http://127.0.0.1:1', 'http://localhost', 'http://[::1]:9', 'http://s3.localhost'].map(isLoopback)).toEqual(
      [true, true, true, true],
    );
    expect(['https://logs.eu-west-1.amazonaws.com', 'http://10.0.0.5:9000', 'http://minio'].map(isLoopback)).toEqual([
      false,
      false,
      false,
    ]);
  });
});

describe('S3 path-style requests', () => {
  it('only where the endpoint cannot take a bucket label: an IP address or a one-label host', () => {
    expect(
      clientsFor({ region: 'eu-west-1', endpointUrl: 'http://127.0.0.1:4566' }, KEYS).s3.config.forcePathStyle,
    ).toBe(true);
    expect(clientsFor({ region: 'eu-west-1', endpointUrl: 'http://minio:9000' }, KEYS).s3.config.forcePathStyle).toBe(
      true,
    );
    expect(
      clientsFor({ region: 'eu-west-1', endpointUrl: 'https://s3.eu-west-1.amazonaws.com' }, KEYS).s3.config
        .forcePathStyle,
    ).toBe(false);
    expect(clientsFor({ region: 'eu-west-1' }, KEYS).s3.config.forcePathStyle).toBe(false);
    expect([needsPathStyle('http://[::1]:9000'), needsPathStyle('https://bucket-host.example.com')]).toEqual([
      true,
      false,
    ]);
  });
});

describe('per-service endpoints', () => {
  it('AWS_ENDPOINT_URL_S3 and _CLOUDWATCH_LOGS win over AWS_ENDPOINT_URL; --endpoint-url wins over both', async () => {
    const env = {
      AWS_ENDPOINT_URL_S3: 'http://127.0.0.1:9000',
      AWS_ENDPOINT_URL_CLOUDWATCH_LOGS: 'http://127.0.0.1:4566',
    };
    const viaEnv = clientsFor(
      { region: 'eu-west-1', endpointUrl: 'http://127.0.0.1:1111' },
      { ...KEYS, ...awsClientOptions({}, env) },
    );
    expect(await endpointOf(viaEnv.s3)).toBe('http://127.0.0.1:9000');
    expect(await endpointOf(viaEnv.logs)).toBe('http://127.0.0.1:4566');
    expect(await endpointOf(viaEnv.lambda)).toBe('http://127.0.0.1:1111');
    const viaFlag = clientsFor(
      { region: 'eu-west-1', endpointUrl: 'http://127.0.0.1:2222' },
      { ...KEYS, ...awsClientOptions({ endpointUrl: 'http://127.0.0.1:2222' }, env) },
    );
    expect(await endpointOf(viaFlag.s3)).toBe('http://127.0.0.1:2222');
  });

  it('refuses a malformed per-service endpoint, naming its variable', () => {
    expect(() => awsClientOptions({}, { AWS_ENDPOINT_URL_S3: 'localhost:9000' })).toThrow(
      /AWS_ENDPOINT_URL_S3 must be an http/,
    );
  });
});

describe('profiles and keys, as the AWS CLI has them', () => {
  it('--profile wins over keys in the environment; AWS_PROFILE does not', () => {
    const env = { AWS_ACCESS_KEY_ID: 'AKIDENV', AWS_SECRET_ACCESS_KEY: 's', AWS_PROFILE: 'dev' };
    expect(awsClientOptions({ profile: 'ops' }, env)).toEqual({ profile: 'ops' });
    expect(awsClientOptions({}, env)).toMatchObject({ profile: 'dev', credentials: { accessKeyId: 'AKIDENV' } });
  });

  it("the profile's credentials are the ones used", async () => {
    for (const [name, value] of Object.entries(awsHome())) vi.stubEnv(name, value);
    const credentials = await clientsFor({}, awsClientOptions({ profile: 'dev' }, {})).logs.config.credentials();
    expect(credentials.accessKeyId).toBe('AKIDDEV');
  });
});

describe('awsSetupProblems', () => {
  it('names AWS_REGION/--region and the credential chain when the SDK finds neither', async () => {
    const problems = await awsSetupProblems(clientsFor({}, {}));
    expect(problems).toHaveLength(2);
    expect(problems[0]).toMatch(/^No AWS Region .*Set AWS_REGION \(or AWS_DEFAULT_REGION\), pass --region/);
    expect(problems[1]).toMatch(/^No AWS credentials .*AWS_ACCESS_KEY_ID.*--profile or AWS_PROFILE.*instance role/);
  });

  it('is empty when both resolve', async () => {
    expect(await awsSetupProblems(clientsFor({ region: 'eu-west-1' }, KEYS))).toEqual([]);
  });
});
