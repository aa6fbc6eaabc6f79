/**
 * The bundled `cwl-trim` as a process, the way an AWS engineer runs it: `--profile` and the Region it
 * signs with (seen by a recording proxy in front of the sandbox), a clear exit 2 when the SDK finds no
 * Region or credentials, and Ctrl-C / SIGTERM stopping a real run at a safe point with exit code 130.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '@cwl-trim/sandbox';
import { removeStagedPackage, runStagedBin, stagedPackage } from '../helpers/bundle.js';
import { BUCKET, MS_PER_DAY, history } from '../helpers/runHarness.js';

const HOUR = 3_600_000;
const KEYS = { AWS_ACCESS_KEY_ID: 'AKIDENV', AWS_SECRET_ACCESS_KEY: 'secret' };
/** Nothing of the machine's AWS setup reaches the child: no files, no instance role. */
const NO_AWS = {
  AWS_EC2_METADATA_DISABLED: 'true',
  AWS_CONFIG_FILE: '/nonexistent/config',
  AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/credentials',
};

let sandbox: Sandbox;
let proxy: Server;
let proxyEndpoint: string;
/** `Credential=<key id>/<date>/<region>/<service>/aws4_request` of every request the proxy forwarded. */
const scopes: string[] = [];

beforeAll(async () => {
  stagedPackage();
  sandbox = await startSandbox({ exportTiming: { pendingMs: 200, runningMs: 200 } });
  const target = new URL(sandbox.endpoint);
  proxy = createServer((req, res) => {
    const scope = /Credential=([^,]+)/.exec(req.headers.authorization ?? '')?.[1];
    if (scope) scopes.push(scope);
    const upstream = request(
      { host: target.hostname, port: target.port, path: req.url, method: req.method, headers: req.headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  proxyEndpoint = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
}, 60_000);
afterAll(async () => {
  await new Promise((resolve) => proxy?.close(resolve));
  await sandbox?.stop();
  removeStagedPackage();
});
beforeEach(() => {
  sandbox.reset();
  sandbox.createBucket(BUCKET);
  scopes.length = 0;
});

const planFlags = ['--days', '7', '--bucket', BUCKET, '--log-group-prefix', '/app/'];

describe('AWS conventions', () => {
  it("--profile signs with the profile's keys and Region through AWS_ENDPOINT_URL, over keys in the environment", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cwl-trim-aws-'));
    writeFileSync(join(dir, 'config'), '[profile dev]\nregion = eu-west-2\n');
    writeFileSync(join(dir, 'credentials'), '[dev]\naws_access_key_id = AKIDDEV\naws_secret_access_key = devsecret\n');
    const { done } = runStagedBin(['plan', ...planFlags, '--profile', 'dev'], {
      ...NO_AWS,
      ...KEYS,
      AWS_ENDPOINT_URL: proxyEndpoint,
      AWS_CONFIG_FILE: join(dir, 'config'),
      AWS_SHARED_CREDENTIALS_FILE: join(dir, 'credentials'),
    });
    const ran = await done;
    rmSync(dir, { recursive: true, force: true });
    expect(ran.stderr).not.toContain('cwl-trim:');
    expect(ran.status).toBe(0);
    expect(scopes.length).toBeGreaterThan(0);
    expect(
      new Set(
        scopes.map((s) =>
          s
            .split('/')
            .filter((_, i) => i !== 1)
            .join('/'),
        ),
      ),
    ).toEqual(new Set(['AKIDDEV/eu-west-2/logs/aws4_request', 'AKIDDEV/eu-west-2/s3/aws4_request']));
  });

  it('AWS_REGION is kept with AWS_ENDPOINT_URL (no us-east-1 signing)', async () => {
    const ran = await runStagedBin(['plan', ...planFlags], {
      ...NO_AWS,
      ...KEYS,
      AWS_REGION: 'ap-southeast-2',
      AWS_ENDPOINT_URL: proxyEndpoint,
    }).done;
    expect(ran.status).toBe(0);
    expect(scopes.every((s) => s.includes('/ap-southeast-2/'))).toBe(true);
  });

  it('no Region: exit 2 naming AWS_REGION and --region, and no request sent', async () => {
    const ran = await runStagedBin(['plan', ...planFlags], { ...NO_AWS, ...KEYS }).done;
    expect(ran.status).toBe(2);
    expect(ran.stderr).toContain('cwl-trim: the AWS SDK cannot start; nothing was done.');
    expect(ran.stderr).toMatch(/No AWS Region .*Set AWS_REGION \(or AWS_DEFAULT_REGION\), pass --region/);
    expect(ran.stdout).toBe('');
  });

  it('no credentials: exit 2 naming the credential chain, and no request sent', async () => {
    const ran = await runStagedBin(['plan', ...planFlags], {
      ...NO_AWS,
      AWS_REGION: 'eu-west-1',
      AWS_ENDPOINT_URL: proxyEndpoint,
    }).done;
    expect(ran.status).toBe(2);
    expect(ran.stderr).toMatch(/No AWS credentials .*AWS_ACCESS_KEY_ID.*--profile or AWS_PROFILE.*instance role/);
    expect(scopes).toEqual([]);
    expect(sandbox.calls).toHaveLength(0);
  });
});

describe('Ctrl-C and SIGTERM', () => {
  const NOW = Date.now();
  const seedGroups = (): void => {
    for (const name of ['/app/a', '/app/b', '/app/c']) {
      sandbox.seedGroup(name, { creationTimeMs: NOW - 61 * MS_PER_DAY });
      sandbox.seedStream(name, 'old', history('old', NOW - 30 * MS_PER_DAY, NOW - 20 * MS_PER_DAY, 6 * HOUR));
    }
  };
  const runFlags = ['run', '--days', '7', '--bucket', BUCKET, '--log-group-prefix', '/app/'];
  const env = () => ({ ...NO_AWS, ...KEYS, AWS_REGION: 'eu-west-1', AWS_ENDPOINT_URL: sandbox.endpoint });

  it.each(['SIGINT', 'SIGTERM'] as const)(
    '%s stops at a safe point: lease released, report saved, exit 130',
    async (signal) => {
      seedGroups();
      const running = runStagedBin(runFlags, env());
      await running.stderrContains('group 1: ');
      running.child.kill(signal);
      const ran = await running.done;
      expect(ran.stderr).toContain(`cwl-trim: ${signal}: stopping at the next safe point`);
      expect(ran.stderr).toMatch(/report saved to s3:\/\/archive\/cwl-archive\/reports\//);
      expect(ran.stderr).toContain(`stopped by ${signal} at a safe point; the next run carries on (exit code 130)`);
      expect(ran.stdout).toMatch(/not reached before the deadline|the deadline came first/);
      expect(ran.status).toBe(130);
      expect(
        sandbox
          .objects(BUCKET)
          .map((o) => o.key)
          .filter((k) => k.endsWith('state/lease.json')),
      ).toEqual([]);
      // Not every group was worked on: the stop came before the last ones.
      expect(
        ['/app/a', '/app/b', '/app/c'].filter((g) => sandbox.streamNames(g).includes('old')).length,
      ).toBeGreaterThan(0);
    },
  );

  it('a second Ctrl-C exits at once, before the report', async () => {
    seedGroups();
    // Every S3 write takes 2 s: the run is still stopping when the second Ctrl-C comes.
    sandbox.setLatency('PutObject', 2_000);
    const running = runStagedBin(runFlags, env());
    await running.stderrContains('group 1: ');
    running.child.kill('SIGINT');
    await running.stderrContains('stopping at the next safe point');
    running.child.kill('SIGINT');
    const ran = await running.done;
    expect(ran.stderr).toContain('SIGINT again: exiting now');
    expect(ran.stderr).not.toContain('report saved');
    expect(ran.status).toBe(130);
    sandbox.setLatency('PutObject', 0);
  });
});
