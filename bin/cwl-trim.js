#!/usr/bin/env node
// The `cwl-trim` command. The project ships TypeScript without a build step, so this launcher loads
// src/cli.ts through tsx's loader (scoped to that import: nothing else in the process is affected).
import { tsImport } from 'tsx/esm/api';

const { runAsProgram } = await tsImport('../src/cli.ts', import.meta.url);
await runAsProgram();
