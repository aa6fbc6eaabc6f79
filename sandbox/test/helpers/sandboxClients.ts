/**
 * SDK v3 clients pointed at a local endpoint (the sandbox or moto), configured as tests need them:
 * dummy credentials, no retries (a test sees the first answer), path-style S3.
 */
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { S3Client } from '@aws-sdk/client-s3';

/** Credentials local servers accept; nothing checks the signature. */
const TEST_CREDENTIALS = { accessKeyId: 'test', secretAccessKey: 'test' } as const;

interface SandboxClients {
  readonly logs: CloudWatchLogsClient;
  readonly s3: S3Client;
  /** Closes both clients' sockets. */
  destroy(): void;
}

/**
 * Creates a CloudWatch Logs and an S3 client for `endpoint`. S3 checksums are computed and
 * validated only when an operation requires them (`WHEN_REQUIRED`), as on servers that predate
 * flexible checksums.
 *
 * @example
 * const { logs, s3 } = sandboxClients(sandbox.endpoint);
 */
function sandboxClients(endpoint: string, region = 'us-east-1'): SandboxClients {
  const common = { endpoint, region, credentials: TEST_CREDENTIALS, maxAttempts: 1 } as const;
  const logs = new CloudWatchLogsClient(common);
  const s3 = new S3Client({
    ...common,
    forcePathStyle: true,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
  return {
    logs,
    s3,
    destroy: () => {
      logs.destroy();
      s3.destroy();
    },
  };
}

export { sandboxClients, TEST_CREDENTIALS };
export type { SandboxClients };
