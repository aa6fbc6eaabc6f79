#!/usr/bin/env node
// The `cwl-trim` command: plain JavaScript, no TypeScript toolchain at run time. It loads dist/cli.js, the
// esbuild bundle of src/bin.ts (`npm run build`; `npm pack` and `npm run demo` build it first), which
// carries every library it uses: an installed cwl-trim has no dependencies.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const bundle = new URL('../dist/cli.js', import.meta.url);
if (!existsSync(bundle)) {
  process.stderr.write('cwl-trim: dist/cli.js is missing; in a clone of the repository, run `npm run build` first.\n');
  process.exit(1);
}
require(fileURLToPath(bundle));
