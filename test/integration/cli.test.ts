/**
 * The CLI in-process (`main(argv, env, io)`) against the sandbox: exit codes, flags over the
 * environment, and invalid flags that are refused before any AWS call. One spawned run proves the
 * bin works as installed.
 */
import { spawnSync } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { PassThrough } from 'node:stream';
import { join } from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { main, type CliIo } from '../../src/cli.js';
import { JsonReportSchema, type JsonReport } from '../../src/report/jsonReport.js';
import { createSandboxClock, startSandbox, type Sandbox } from '@cwl-trim/sandbox';
import { BUCKET, MS_PER_DAY, history, scaledQuotas } from '../helpers/runHarness.js';
import { removeStagedPackage, stagedPackage } from '../helpers/bundle.js';
import { sandboxClients, type SandboxClients } from '@cwl-trim/sandbox/testing';

const NOW = Date.UTC(2026, 10, 21, 12);
const HOUR = 3_600_000;
const GROUP = '/app/orders';
const ENV = { AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test', AWS_REGION: 'us-east-1' };

let sandbox: Sandbox;
let clients: SandboxClients;
beforeAll(async () => {
  sandbox = await startSandbox({ quotasTps: scaledQuotas(20), clock: createSandboxClock(NOW, { frozen: true }) });
  clients = sandboxClients(sandbox.endpoint, sandbox.region);
});
afterAll(async () => {
  clients.destroy();
  await sandbox.stop();
  removeStagedPackage();
});
beforeEach(() => {
  sandbox.reset();
  sandbox.createBucket(BUCKET);
  sandbox.seedGroup(GROUP, { creationTimeMs: NOW - 61 * MS_PER_DAY });
  sandbox.seedStream(GROUP, 'old', history('old', NOW - 30 * MS_PER_DAY, NOW - 20 * MS_PER_DAY, 6 * HOUR));
  sandbox.seedStream(GROUP, 'current', history('current', NOW - 3 * MS_PER_DAY, NOW - 20 * HOUR, 6 * HOUR));
  sandbox.clearCalls();
});

interface Outcome {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the CLI in-process with the sandbox's clock and fast waits; `deps` overrides them. */
async function cli(
  argv: readonly string[],
  env: Record<string, string> = ENV,
  deps: CliIo['deps'] = {},
): Promise<Outcome> {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, env, {
    stdout: (t) => {
      stdout += t;
    },
    stderr: (t) => {
      stderr += t;
    },
    deps: {
      clock: sandbox.clock,
      exportPoll: { initialMs: 5, maxMs: 40, factor: 1.5 },
      exportSlot: { initialMs: 5, maxMs: 40, factor: 1.5 },
      retry: { retries: 10, minTimeoutMs: 5, maxTimeoutMs: 50 },
      quotasTps: scaledQuotas(20),
      ...deps,
    },
  });
  return { code, stdout, stderr };
}

const flags = (): string[] => [
  '--days',
  '7',
  '--bucket',
  BUCKET,
  '--log-group-prefix',
  '/app/',
  '--endpoint-url',
  sandbox.endpoint,
];

describe('cwl-trim plan and run', () => {
  it('prints the plan table, exits 0 and changes nothing', async () => {
    const { code, stdout, stderr } = await cli(['plan', ...flags()]);
    expect(code).toBe(0);
    expect(stdout).toContain('cwl-trim plan · dry run');
    expect(stdout).toMatch(/Delete\s+│ 1 stream — 1 expired/);
    expect(stderr).toContain('group 1: /app/orders');
    expect(sandbox.mutatingCalls()).toEqual([]);
  });

  it('runs for real with --json: stdout is one JSON report, progress goes to stderr, exit 0', async () => {
    const { code, stdout, stderr } = await cli(['run', '--json', ...flags()]);
    const report = JsonReportSchema.parse(JSON.parse(stdout)) as JsonReport;
    expect(code).toBe(0);
    expect(report).toMatchObject({ mode: 'run', outcome: 'done', totals: { measured: { deleted: 1 } } });
    expect(stderr).toContain('group 1: /app/orders');
    expect(stderr).toMatch(/report saved to s3:\/\/archive\/cwl-archive\/reports\//);
    expect(sandbox.streamNames(GROUP)).toEqual(['current']);
  });

  it('exits 1 when an export fails, and says why', async () => {
    sandbox.failNextExport('access denied on the bucket');
    const { code, stdout } = await cli(['run', ...flags()]);
    expect(code).toBe(1);
    expect(stdout).toContain('access denied on the bucket');
    expect(sandbox.streamNames(GROUP)).toEqual(['current', 'old']);
  });

  it('exits 3 when the deadline leaves work for the next run', async () => {
    const { code, stdout } = await cli(['run', ...flags()], ENV, { deadline: { remainingMs: () => 0 } });
    expect(code).toBe(3);
    expect(stdout).toContain('No log group was reached before the deadline.');
    expect(stdout).toContain(
      '- group (every group after the last one reached): the deadline came first; the next run goes on',
    );
  });

  it('exits 4 when another run holds the lease', async () => {
    const lease = { runId: 'other', holder: 'elsewhere:1', acquiredAtMs: NOW, expiresAtMs: NOW + 600_000 };
    await clients.s3.send(
      new PutObjectCommand({ Bucket: BUCKET, Key: 'cwl-archive/state/lease.json', Body: JSON.stringify(lease) }),
    );
    const { code, stdout, stderr } = await cli(['run', ...flags()]);
    expect(code).toBe(4);
    expect(stdout).toBe('');
    expect(stderr).toContain('LEASE_HELD: another cwl-trim run (other on elsewhere:1) holds');
  });

  it('lets flags win over the environment, booleans included', async () => {
    const env = { ...ENV, DAYS: 'not a number', BUCKET: 'S3://nope', FORCE_REBUILD: 'maybe' };
    expect((await cli(['plan', ...flags()], env)).code).toBe(2);
    expect((await cli(['plan', ...flags(), '--no-force-rebuild'], env)).code).toBe(0);
  });

  it('--help explains every flag with its variable and default, and exits 0', async () => {
    const { code, stdout } = await cli(['run', '--help']);
    expect(code).toBe(0);
    expect(stdout).toMatch(/--log-group-prefix <value>\s+Log groups to manage, by name prefix/);
    expect(stdout).toMatch(/\[QUIET_MINUTES; default 180\]/);
    expect(stdout).toContain('Exit codes: 0 done');
    expect(sandbox.calls).toHaveLength(0);
  });
});

describe('invalid settings', () => {
  const cases: readonly [string, readonly string[], string][] = [
    ['days', ['--days', 'abc'], '--days (DAYS) must be a whole number of days ≥ 1, got "abc"'],
    ['days 0', ['--days', '0'], 'must be a whole number of days ≥ 1, got "0"'],
    ['bucket path', ['--bucket', 's3://my-archive/logs'], 'Give the bucket name only'],
    ['bucket prefix', ['--bucket-prefix', 'a//b'], 'must not contain empty path segments'],
    ['group name', ['--log-group-name', 'bad name!'], '--log-group-name (LOG_GROUP_NAMES) must list log group names'],
    ['group prefix', ['--log-group-prefix', 'a b'], 'must list log group name prefixes'],
    ['tag', ['--tag', 'team'], 'must be one tag as Key=Value'],
    ['exclude', ['--exclude-prefix', 'x y'], '--exclude-prefix (EXCLUDE_LOG_GROUP_PREFIXES) must list'],
    ['log level', ['--log-level', 'loud'], 'must be one of fatal, error, warn'],
    ['region', ['--region', 'moon'], 'must be a Region code like us-east-1'],
    ['endpoint', ['--endpoint-url', 'ftp://x'], 'must be an http:// or https:// URL'],
    ['strategy', ['--strategy', 'fast'], 'must be one of rebuild, retention'],
    ['quiet minutes', ['--quiet-minutes', '10'], 'must be a whole number of minutes ≥ 60'],
    ['quota share', ['--quota-share', '2'], 'must be a share greater than 0 and at most 1'],
    ['ingestion price', ['--price-ingestion-per-gb', '-1'], 'must be a price in USD ≥ 0'],
    ['storage price', ['--price-storage-per-gb-month', 'free'], 'must be a price in USD ≥ 0'],
    ['archive price', ['--price-archive-per-gb-month', '$1'], 'must be a price in USD ≥ 0'],
    ['compression', ['--compression-ratio', '0'], 'must be a ratio greater than 0'],
    ['payback', ['--payback-months', 'never'], 'must be a number of months greater than 0'],
    ['max minutes', ['--max-minutes', '0'], '--max-minutes must be a number of minutes greater than 0'],
    ['unknown flag', ['--bukket', 'x'], "unknown option '--bukket'"],
    ['missing value', ['--days'], "option '--days <n>' argument missing"],
  ];
  it.each(cases)('%s: prints its message, exits 2, and makes no AWS call', async (_name, bad, message) => {
    const { code, stdout, stderr } = await cli(['plan', ...flags(), ...bad]);
    expect(code).toBe(2);
    expect(stderr).toContain(message);
    expect(stdout).toBe('');
    expect(sandbox.calls).toHaveLength(0);
  });

  it('reports every missing setting at once, naming the variables, for run as for plan', async () => {
    const { code, stderr } = await cli(['run', '--endpoint-url', sandbox.endpoint, '--max-minutes', 'soon']);
    expect(code).toBe(2);
    expect(stderr).toContain('cwl-trim: invalid settings; nothing was done.');
    expect(stderr).toContain('DAYS is required');
    expect(stderr).toContain('BUCKET is required');
    expect(stderr).toContain('No log groups selected');
    expect(stderr).toContain('--max-minutes must be a number of minutes greater than 0, got "soon"');
    expect(sandbox.calls).toHaveLength(0);
  });

  it('exits 2 on an unknown command', async () => {
    const { code, stderr } = await cli(['trim']);
    expect(code).toBe(2);
    expect(stderr).toContain("unknown command 'trim'");
  });
});

describe('bin/cwl-trim.js', () => {
  it('runs as installed: node bin/cwl-trim.js plan --help', () => {
    const bin = join(stagedPackage(), 'bin', 'cwl-trim.js');
    const child = spawnSync(process.execPath, [bin, 'plan', '--help'], { encoding: 'utf8', timeout: 20_000 });
    expect(child.stderr).toBe('');
    expect(child.status).toBe(0);
    expect(child.stdout).toContain('Usage: cwl-trim plan [options]');
    expect(child.stdout).toMatch(/--days <n>\s+Archive, then trim, the events older than this many days/);
  });
});

describe('terminal conventions', () => {
  const widest = (text: string): number => Math.max(...text.split('\n').map((line) => [...line].length));

  it('takes --profile and --region before the command too, as aws does', async () => {
    const region = await cli(['--region', 'moon', 'plan', ...flags()]);
    expect(region.code).toBe(2);
    expect(region.stderr).toContain('must be a Region code like us-east-1');
    const profile = await cli(['--profile', 'not a name', 'plan', ...flags()]);
    expect(profile.code).toBe(2);
    expect(profile.stderr).toContain('--profile (AWS_PROFILE) must be a profile name');
    const local = await cli(['--region', 'moon', 'plan', ...flags(), '--region', 'eu-west-1']);
    expect(local.code).toBe(0);
  });

  it('--version prints the version from package.json', async () => {
    const { code, stdout } = await cli(['--version']);
    expect(code).toBe(0);
    expect(stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('the report and the help follow COLUMNS', async () => {
    const wide = await cli(['plan', ...flags()], { ...ENV, COLUMNS: '140' });
    expect(widest(wide.stdout)).toBe(140);
    const narrow = await cli(['plan', ...flags()], { ...ENV, COLUMNS: '80' });
    expect(widest(narrow.stdout)).toBe(80);
    const help = await cli(['run', '--help'], { ...ENV, COLUMNS: '80' });
    expect(widest(help.stdout)).toBeLessThanOrEqual(80);
  });

  it('progress names each phase with done/total: listing, exporting, deleting', async () => {
    const { code, stderr } = await cli(['run', ...flags()]);
    expect(code).toBe(0);
    expect(stderr.split('\n')).toEqual(expect.arrayContaining(['group 1: /app/orders', '/app/orders: 1/1 deletes']));
    expect(stderr).toMatch(/\/app\/orders: \d+ streams listed \(1 pages, /);
  });

  it('draws live bars on a terminal instead of the step lines', async () => {
    const tty = Object.assign(new PassThrough(), { isTTY: true, columns: 120 });
    let drawn = '';
    tty.on('data', (chunk: Buffer) => {
      drawn += chunk.toString();
    });
    let stderr = '';
    const code = await main(['run', ...flags()], ENV, {
      stdout: () => {},
      stderr: (t) => {
        stderr += t;
      },
      stderrTty: tty,
      deps: { clock: sandbox.clock, exportPoll: { initialMs: 5, maxMs: 40, factor: 1.5 }, quotasTps: scaledQuotas(20) },
    });
    expect(code).toBe(0);
    expect(drawn).toMatch(/deleting streams\s+\[=+\] 1\/1/);
    expect(drawn).toMatch(/exporting\s+\[=+\] 1\/1/);
    expect(drawn).toMatch(/exporting .*\/app\/orders/);
    // Nothing of the run went around the bars; the report's location is printed after them.
    expect(stderr).not.toContain('streams listed');
    expect(stderr).toContain('report saved to');
  });

  it('a stop signal during a run stops it at a safe point: lease released, report saved, exit 130', async () => {
    const signals = new EventEmitter();
    let stderr = '';
    const code = await main(['run', ...flags()], ENV, {
      stdout: () => {},
      // The signal comes as the group's export starts: nothing is deleted after it.
      stderr: (t) => {
        stderr += t;
        if (t.startsWith('group 1:')) signals.emit('SIGINT');
      },
      signals,
      exit: () => {
        throw new Error('must not exit at the first signal');
      },
      deps: { clock: sandbox.clock, exportPoll: { initialMs: 5, maxMs: 40, factor: 1.5 }, quotasTps: scaledQuotas(20) },
    });
    expect(code).toBe(130);
    expect(stderr).toContain('SIGINT: stopping at the next safe point');
    expect(stderr).toMatch(/report saved to s3:\/\/archive\//);
    expect(sandbox.streamNames(GROUP)).toEqual(['current', 'old']);
    expect(sandbox.objects(BUCKET, 'cwl-archive/state/lease.json')).toEqual([]);
    expect(signals.listenerCount('SIGINT')).toBe(0);
  });

  it('a stop signal during a plan exits at once: there is nothing to finish', async () => {
    const signals = new EventEmitter();
    const exits: number[] = [];
    await main(['plan', ...flags()], ENV, {
      stdout: () => {},
      stderr: (t) => {
        if (t.startsWith('group 1:')) signals.emit('SIGTERM');
      },
      signals,
      exit: (c) => exits.push(c),
      deps: { clock: sandbox.clock },
    });
    expect(exits).toEqual([130]);
  });
});
