/**
 * The entry point of the `cwl-trim` command: scripts/build.mjs bundles this file into dist/cli.js, which
 * bin/cwl-trim.js loads. In a clone, `npx tsx src/bin.ts plan …` runs the sources themselves.
 */
import { runAsProgram } from './cli.js';

void runAsProgram();
