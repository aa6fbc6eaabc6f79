#!/usr/bin/env node
// `npm run package`: builds the bundle, then `osls package` (the Serverless Framework v3 line, offline: no
// credentials, no network). Arguments are passed on, e.g.
//   npm run package -- --param="bucket=my-archive" --param="logGroupPrefixes=/aws/lambda/"
// Writes .serverless/cloudformation-template-update-stack.json and .serverless/cwl-trim.zip.
// Without any --param it packages with placeholder settings (bucket cwl-trim-archive-example, the groups
// under /aws/lambda/) so that the template can be inspected; deploy with your own.
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const EXAMPLE_PARAMS = ['--param=bucket=cwl-trim-archive-example', '--param=logGroupPrefixes=/aws/lambda/'];

function run(command, commandArgs, env = {}) {
  const result = spawnSync(command, commandArgs, { cwd: root, stdio: 'inherit', env: { ...process.env, ...env } });
  if (result.status !== 0) process.exit(result.status ?? 1);
}

run(process.execPath, [join(root, 'scripts', 'build.mjs')]);
const given = args.some((a) => a.startsWith('--param')) ? args : [...EXAMPLE_PARAMS, ...args];
run(process.execPath, [join(root, 'node_modules', 'osls', 'bin', 'serverless.js'), 'package', ...given], {
  // No telemetry, no prompts, no update notices: packaging must work offline and unattended (CI, tests).
  SLS_TELEMETRY_DISABLED: '1',
  SLS_TRACKING_DISABLED: '1',
  SLS_NOTIFICATIONS_MODE: 'off',
  SLS_INTERACTIVE_SETUP_DISABLE: '1',
  CI: process.env.CI ?? '1',
});
