#!/usr/bin/env node
// Bundles the Lambda handler (src/handler.ts) into one self-contained CommonJS file, dist/handler.js.
//
// - CommonJS, not ESM: the AWS SDK and pino are CommonJS inside, and an ESM bundle would need a
//   createRequire banner; `sls invoke local` does not load .mjs handlers either.
// - dist/package.json says {"type":"commonjs"}: the repository's package.json says "module", and Node looks
//   for the nearest package.json when it loads dist/handler.js (locally, and in the unzipped artifact).
// - The AWS SDK v3 is bundled, not left to the nodejs22.x runtime: the runtime's SDK version changes under
//   us, and the code relies on recent client options (requestChecksumCalculation, S3 conditional writes).
//   Bundling pins the version the tests ran against; tree-shaking keeps only the three clients we use.
// - Target node20, not node22: Lambda runs nodejs22.x, but the deploy tests run this very bundle on the
//   machines' Node 20, and nothing in the code needs syntax newer than Node 20 has.
// - Not minified and no source map by default: stack traces in CloudWatch Logs then name real functions and
//   lines of readable code, for about 0.45 MB zipped (minified: 0.3 MB; minified with a source map: 0.7 MB).
//   `mainFields: module` lets esbuild tree-shake the SDK's ES modules instead of its CommonJS bundles.
// - Licence comments of the bundled packages are kept, at the end of the file.
//
// Usage: node scripts/build.mjs [--minify] [--metafile]
import { mkdirSync, rmSync, writeFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outdir = join(root, 'dist');
const outfile = join(outdir, 'handler.js');
const args = new Set(process.argv.slice(2));

rmSync(outdir, { recursive: true, force: true });
mkdirSync(outdir, { recursive: true });

const result = await build({
  entryPoints: [join(root, 'src', 'handler.ts')],
  outfile,
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
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
console.log(`built ${outfile.slice(root.length + 1)} (${kib(outfile)})`);
