/**
 * The package as npm would ship it, built into a temp folder of its own (never the repository's dist/, which
 * `npm run package` rebuilds while other test files run): package.json, README.md, LICENSE, bin/ and a fresh
 * dist/ from scripts/build.mjs. Built once per test file.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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
  const build = spawnSync(process.execPath, [join(ROOT, 'scripts', 'build.mjs'), '--outdir', join(dir, 'dist')], { encoding: 'utf8' });
  if (build.status !== 0) throw new Error(`scripts/build.mjs failed:\n${build.stdout}\n${build.stderr}`);
  staged = dir;
  return dir;
}

export { ROOT, stagedPackage };
