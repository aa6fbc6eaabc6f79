/**
 * cwl-trim as a new user gets it: `npm pack`, the tarball installed globally into an empty prefix, and the
 * installed command run with nothing else around it (no node_modules, no TypeScript, no dev dependency):
 * `--version`, `--help`, `plan` against the sandbox, and `demo`.
 */
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '@cwl-trim/sandbox';
import { ROOT, removeStagedPackage, stagedPackage, startCommand, type Ran } from '../helpers/bundle.js';

const VERSION = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
const GROUP = '/app/orders';
const DAY = 86_400_000;

interface PackedFile {
  readonly path: string;
}

function npm(args: readonly string[], cwd: string): SpawnSyncReturns<string> {
  const child = spawnSync('npm', [...args], { cwd, encoding: 'utf8', timeout: 120_000 });
  if (child.status !== 0) throw new Error(`npm ${args.join(' ')} failed:\n${child.stdout}\n${child.stderr}`);
  return child;
}

let dir: string;
let prefix: string;
let sandbox: Sandbox;

/** Runs the installed command with an environment that holds only what a user's would: no project, no dev tools. */
const installed = (args: readonly string[], env: Record<string, string> = {}): Promise<Ran> =>
  startCommand(join(prefix, 'bin', 'cwl-trim'), args, env, mkdtempSync(join(dir, 'cwd-'))).done;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'cwl-trim-npm-'));
  const packed = JSON.parse(
    npm(['pack', '--ignore-scripts', '--json', '--pack-destination', dir], stagedPackage()).stdout,
  ) as { filename: string }[];
  prefix = join(dir, 'prefix');
  npm(
    ['install', '--global', '--prefix', prefix, '--offline', '--no-audit', '--no-fund', join(dir, packed[0]!.filename)],
    dir,
  );
  sandbox = await startSandbox();
  sandbox.createBucket('archive');
  sandbox.seedGroup(GROUP, { creationTimeMs: Date.now() - 60 * DAY });
  sandbox.seedStream(GROUP, 'old', [{ timestamp: Date.now() - 20 * DAY, message: 'old event' }]);
}, 180_000);
afterAll(async () => {
  await sandbox?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
  removeStagedPackage();
});

describe('npm pack', () => {
  it('ships the product only: bin, the bundles, package.json, README and LICENSE', () => {
    // In the repository itself, as `npm publish` would pack it (dist/ may or may not be built at this moment).
    const [report] = JSON.parse(npm(['pack', '--dry-run', '--ignore-scripts', '--json'], ROOT).stdout) as {
      files: PackedFile[];
    }[];
    const paths = report!.files.map((f) => f.path);
    expect(paths).toEqual(expect.arrayContaining(['LICENSE', 'README.md', 'bin/cwl-trim.js', 'package.json']));
    expect(
      paths.filter((p) => !/^(bin|dist)\//.test(p) && !['LICENSE', 'README.md', 'package.json'].includes(p)),
    ).toEqual([]);
  });

  it('keeps the demo and its sandbox behind a lazy import: plan and run never evaluate them', () => {
    const bundle = readFileSync(join(stagedPackage(), 'dist', 'cli.js'), 'utf8');
    // esbuild wraps a dynamically imported module in an init function that only the import calls.
    expect(bundle).toMatch(/Promise\.resolve\(\)\.then\(\(\) => \(init_runDemo\(\), runDemo_exports\)\)/);
    expect(bundle.match(/init_runDemo\(\)/g)).toHaveLength(1);
  });

  it('installs with no dependencies at all', () => {
    const pkg = join(prefix, 'lib', 'node_modules', 'cwl-trim');
    expect(existsSync(join(pkg, 'node_modules'))).toBe(false);
    expect(readdirSync(join(pkg, 'dist')).sort()).toEqual(['cli.js', 'handler.js', 'package.json']);
    expect(readFileSync(join(pkg, 'LICENSE'), 'utf8')).toContain('MIT License');
  });
});

describe('the installed cwl-trim', () => {
  it('--version prints the package version', async () => {
    const child = await installed(['--version']);
    expect(child.stderr).toBe('');
    expect(child.stdout.trim()).toBe(VERSION);
    expect(child.status).toBe(0);
  });

  it('--help lists the commands', async () => {
    const child = await installed(['--help']);
    expect(child.status).toBe(0);
    expect(child.stdout).toMatch(/plan \[options\]\s+Dry run/);
    expect(child.stdout).toMatch(/demo\s+Start a local sandbox/);
  });

  it('plan reads the account through AWS_ENDPOINT_URL and prints the plan', async () => {
    const child = await installed(['plan', '--days', '7', '--bucket', 'archive', '--log-group-prefix', '/app/'], {
      AWS_ENDPOINT_URL: sandbox.endpoint,
      AWS_ACCESS_KEY_ID: 'test',
      AWS_SECRET_ACCESS_KEY: 'test',
      AWS_REGION: 'eu-west-1',
    });
    expect(child.stderr).toContain('group 1: ');
    expect(child.stdout).toContain('cwl-trim plan · dry run');
    expect(child.status).toBe(0);
  });

  it('demo runs the whole story on its embedded sandbox', async () => {
    const child = await installed(['demo']);
    expect(child.stdout).toContain('Nothing lost');
    expect(child.status).toBe(0);
  }, 60_000);
});
