#!/usr/bin/env node
// Bundles the Lambda handler (src/handler.ts) into dist/handler.js and the command line (src/bin.ts) into
// dist/cli.js: self-contained CommonJS files, so that neither the Lambda nor an installed `cwl-trim` needs
// node_modules or a TypeScript toolchain (package.json has no runtime dependencies; `files` ships bin/ and dist/).
//
// - The CLI loads the demo (and its sandbox) with a dynamic import: esbuild keeps it in the bundle but wraps
//   it in a function that only `cwl-trim demo` calls, so `plan` and `run` never evaluate the emulator.
//
// - CommonJS, not ESM: the AWS SDK and pino are CommonJS inside, and an ESM bundle would need a
//   createRequire banner; `sls invoke local` does not load .mjs handlers either.
// - dist/package.json says {"type":"commonjs"}: the repository's package.json says "module", and Node looks
//   for the nearest package.json when it loads dist/handler.js (locally, and in the unzipped artifact).
// - The AWS SDK v3 is bundled, not left to the nodejs22.x runtime: the runtime's SDK version changes under
//   us, and the code relies on recent client options (requestChecksumCalculation, S3 conditional writes).
//   Bundling pins the version the tests ran against; tree-shaking keeps only the three clients we use.
// - Target node22: the Lambda runs nodejs22.x, `engines` says Node ≥ 22, and the tests run on the node@22
//   devDependency.
// - Not minified and no source map by default: stack traces in CloudWatch Logs then name real functions and
//   lines of readable code, for about 0.45 MB zipped (minified: 0.3 MB; minified with a source map: 0.7 MB).
//   `mainFields: module` lets esbuild tree-shake the SDK's ES modules instead of its CommonJS bundles.
// - Licence comments of the bundled packages are kept, at the end of the file.
//
// Usage: node scripts/build.mjs [--minify] [--metafile] [--outdir DIR]   (tests build into a temp DIR)
import { mkdirSync, rmSync, writeFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const argv = process.argv.slice(2);
const args = new Set(argv);
const outdirAt = argv.indexOf('--outdir');

const outdir = outdirAt >= 0 ? resolve(argv[outdirAt + 1] ?? '') : join(root, 'dist');
const outfiles = { handler: join(outdir, 'handler.js'), cli: join(outdir, 'cli.js') };

rmSync(outdir, { recursive: true, force: true });
mkdirSync(outdir, { recursive: true });

const result = await build({
  entryPoints: { handler: join(root, 'src', 'handler.ts'), cli: join(root, 'src', 'bin.ts') },
  outdir,
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node22',
  minify: args.has('--minify'),
  legalComments: 'eof',
  logLevel: 'warning',
  metafile: args.has('--metafile'),
  mainFields: ['module', 'main'],
});

writeFileSync(join(outdir, 'package.json'), `${JSON.stringify({ type: 'commonjs' })}\n`);
if (result.metafile) {
  mkdirSync(join(root, '.cache'), { recursive: true });
  writeFileSync(join(root, '.cache', 'esbuild-meta.json'), JSON.stringify(result.metafile));
}

const kib = (path) => `${(statSync(path).size / 1024).toFixed(0)} KiB`;
for (const file of Object.values(outfiles)) console.log(`built ${relative(root, file)} (${kib(file)})`);
