/**
 * `npm run package` once per test run, with the deploy tests' settings: the template and the artifact
 * tests read what it writes. Packaging is skipped when `.serverless/` already holds a package of the same
 * settings made after the last change to its inputs; a lock keeps two test files from packaging at once.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SERVERLESS_DIR = join(ROOT, '.serverless');
const TEMPLATE_PATH = join(SERVERLESS_DIR, 'cloudformation-template-update-stack.json');
const ARTIFACT_PATH = join(SERVERLESS_DIR, 'cwl-trim.zip');
const STAMP_PATH = join(SERVERLESS_DIR, 'cwl-trim-test-stamp.json');
const LOCK_DIR = join(ROOT, '.cache', 'package.lock');
/** Generous: the first osls run of a machine takes a few seconds more than later ones. */
const PACKAGE_TIMEOUT_MS = 120_000;

/** The settings the deploy tests package with (every selection kind, the bucket resource, unmask on). */
const TEST_PARAMS = {
  bucket: 'cwl-trim-test-archive',
  logGroupNames: '/ops/audit',
  logGroupPrefixes: '/app/,/aws/lambda/',
  excludeLogGroupPrefixes: '/app/secret-',
  unmask: 'true',
  createBucket: 'true',
  glacierAfterDays: '90',
  alarmEmail: 'ops@example.com',
} as const;

const INPUTS = ['src', 'policies', 'serverless.yml', 'scripts/build.mjs', 'scripts/package.mjs', 'package-lock.json'];

function newestMtimeMs(path: string): number {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(stat.mtimeMs, ...readdirSync(path).map((name) => newestMtimeMs(join(path, name))));
}

function stamp(): string {
  return JSON.stringify({
    params: TEST_PARAMS,
    inputsMtimeMs: Math.max(...INPUTS.map((p) => newestMtimeMs(join(ROOT, p)))),
  });
}

function isFresh(): boolean {
  if (![TEMPLATE_PATH, ARTIFACT_PATH, STAMP_PATH].every(existsSync)) return false;
  const stored = JSON.parse(readFileSync(STAMP_PATH, 'utf8')) as { stamp: string; templateMtimeMs: number };
  return stored.stamp === stamp() && stored.templateMtimeMs === statSync(TEMPLATE_PATH).mtimeMs;
}

function runPackage(): void {
  const params = Object.entries(TEST_PARAMS).map(([k, v]) => `--param=${k}=${v}`);
  const result = spawnSync('npm', ['run', '--silent', 'package', '--', ...params], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: PACKAGE_TIMEOUT_MS,
  });
  if (result.status !== 0) {
    throw new Error(`npm run package failed (${result.status ?? result.signal}):\n${result.stdout}\n${result.stderr}`);
  }
  writeFileSync(STAMP_PATH, JSON.stringify({ stamp: stamp(), templateMtimeMs: statSync(TEMPLATE_PATH).mtimeMs }));
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Packages unless a fresh package is there; waits while another test file packages.
 *
 * @example beforeAll(ensurePackaged, 150_000);
 */
async function ensurePackaged(): Promise<void> {
  mkdirSync(join(ROOT, '.cache'), { recursive: true });
  const deadline = Date.now() + PACKAGE_TIMEOUT_MS;
  for (;;) {
    try {
      mkdirSync(LOCK_DIR);
      break;
    } catch {
      // A lock older than the packaging timeout was left by a crashed run.
      const lock = statSync(LOCK_DIR, { throwIfNoEntry: false });
      if (lock && Date.now() - lock.mtimeMs > PACKAGE_TIMEOUT_MS) rmSync(LOCK_DIR, { recursive: true, force: true });
      if (Date.now() > deadline) throw new Error(`another test run holds ${LOCK_DIR}`);
      await sleep(200);
    }
  }
  try {
    if (!isFresh()) runPackage();
  } finally {
    rmSync(LOCK_DIR, { recursive: true, force: true });
  }
}

/** The packaged CloudFormation template. */
function packagedTemplate(): Template {
  return JSON.parse(readFileSync(TEMPLATE_PATH, 'utf8')) as Template;
}

interface Template {
  readonly Parameters?: Record<string, { Type: string; Default?: string; AllowedValues?: string[] }>;
  readonly Conditions?: Record<string, unknown>;
  readonly Resources: Record<string, { Type: string; Condition?: string; Properties?: Record<string, unknown> }>;
  readonly Outputs?: Record<string, unknown>;
}

export { ARTIFACT_PATH, ROOT, TEMPLATE_PATH, TEST_PARAMS, ensurePackaged, packagedTemplate };
export type { Template };
