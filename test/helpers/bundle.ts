/**
 * The package as npm would ship it, built into a temp folder of its own (never the repository's dist/, which
 * `npm run package` rebuilds while other test files run): package.json, README.md, LICENSE, bin/ and a fresh
 * dist/ from scripts/build.mjs. Built once per test file.
 */
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const PACKAGE_FILES = ['package.json', 'README.md', 'LICENSE', 'bin/cwl-trim.js'] as const;

let staged: string | undefined;

/**
 * The folder of the staged package; its `bin/cwl-trim.js` runs the bundle exactly as an installed copy does.
 *
 * @example const bin = join(stagedPackage(), 'bin', 'cwl-trim.js');
 */
function stagedPackage(): string {
  if (staged !== undefined) return staged;
  const dir = mkdtempSync(join(tmpdir(), 'cwl-trim-package-'));
  mkdirSync(join(dir, 'bin'));
  for (const file of PACKAGE_FILES) copyFileSync(join(ROOT, file), join(dir, file));
  const build = spawnSync(process.execPath, [join(ROOT, 'scripts', 'build.mjs'), '--outdir', join(dir, 'dist')], {
    encoding: 'utf8',
  });
  if (build.status !== 0) throw new Error(`scripts/build.mjs failed:\n${build.stdout}\n${build.stderr}`);
  staged = dir;
  return dir;
}

/** Removes the staged package (6 MB): call it in the test file's afterAll. */
function removeStagedPackage(): void {
  if (staged !== undefined) rmSync(staged, { recursive: true, force: true });
  staged = undefined;
}

interface Ran {
  readonly status: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

interface Running {
  readonly child: ChildProcessWithoutNullStreams;
  /** Resolves once stderr has contained `text` (the child's own progress tells the test when to act). */
  stderrContains(text: string): Promise<void>;
  readonly done: Promise<Ran>;
}

/**
 * Starts a command asynchronously (a sandbox answering it may live in the test's own process) and collects
 * its output. `env` is the child's whole environment, plus PATH and HOME.
 *
 * @example const { done } = startCommand(process.execPath, [bin, '--version'], {}); expect((await done).status).toBe(0);
 */
function startCommand(command: string, args: readonly string[], env: Record<string, string>, cwd?: string): Running {
  const home = mkdtempSync(join(tmpdir(), 'cwl-trim-home-'));
  const child = spawn(command, [...args], {
    ...(cwd !== undefined && { cwd }),
    env: { PATH: `${dirname(process.execPath)}:/usr/bin:/bin`, HOME: home, ...env },
  });
  let stdout = '';
  let stderr = '';
  const waiting: { text: string; resolve: () => void }[] = [];
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
    for (const w of waiting.filter((x) => stderr.includes(x.text))) {
      waiting.splice(waiting.indexOf(w), 1);
      w.resolve();
    }
  });
  const done = new Promise<Ran>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (status, signal) => {
      rmSync(home, { recursive: true, force: true });
      for (const w of waiting.splice(0)) w.resolve();
      resolve({ status, signal, stdout, stderr });
    });
  });
  return {
    child,
    done,
    stderrContains: (text) =>
      stderr.includes(text) ? Promise.resolve() : new Promise((resolve) => waiting.push({ text, resolve })),
  };
}

/** The staged package's bin, run by the Node this test runs on. */
const runStagedBin = (args: readonly string[], env: Record<string, string>): Running =>
  startCommand(process.execPath, [join(stagedPackage(), 'bin', 'cwl-trim.js'), ...args], env);

export { ROOT, removeStagedPackage, runStagedBin, stagedPackage, startCommand };
export type { Ran, Running };
