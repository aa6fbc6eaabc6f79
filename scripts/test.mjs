#!/usr/bin/env node
// The project's test command: type-check, check the layers (dependency-cruiser) and the lint and
// format rules (Biome), run the whole vitest suite, and end with the plain line `N passed, N failed`
// that CI reads (vitest's own summary is not recognised there). A failed type-check, layer check or
// lint counts as one failure each, a test file that fails to load counts as one failure, and a missing
// report is a failure.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const reportDir = join('.cache');
const reportPath = join(reportDir, 'vitest-report.json');
mkdirSync(reportDir, { recursive: true });
rmSync(reportPath, { force: true });

const extraArgs = process.argv.slice(2);
let passed = 0;
let failed = 0;
let skipped = 0;

const checks = [
  ['type-check', ['tsc', '--noEmit']],
  // Arrows point down (.dependency-cruiser.cjs): an upward import fails here.
  ['layer check', ['depcruise', 'src', 'sandbox', '--config', '.dependency-cruiser.cjs', '--output-type', 'err']],
  [
    'lint and format (biome check; `npx biome check --write` fixes what it can)',
    ['biome', 'check', '--diagnostic-level=error'],
  ],
];
for (const [name, args] of checks) {
  const check = spawnSync(
    'npx',
    args.filter((a) => a !== 'sandbox' || existsSync('sandbox')),
    { stdio: 'inherit' },
  );
  if (check.status !== 0) {
    console.error(`${name} failed (npx ${args.join(' ')}): counted as one failure`);
    failed += 1;
  }
}

// The whole suite runs with v8 coverage and its thresholds (vitest.config.ts); a run narrowed by
// arguments (a file, a -t filter) is not held to the whole suite's figures.
const coverage = extraArgs.length === 0 ? ['--coverage'] : [];
const vitest = spawnSync(
  'npx',
  [
    'vitest',
    'run',
    ...coverage,
    '--reporter=default',
    '--reporter=json',
    `--outputFile.json=${reportPath}`,
    ...extraArgs,
  ],
  { stdio: 'inherit' },
);
const failedBefore = failed;

if (!existsSync(reportPath)) {
  console.error(`no vitest report at ${reportPath}: counted as one failure`);
  failed += 1;
} else {
  const report = JSON.parse(readFileSync(reportPath, 'utf8'));
  passed += report.numPassedTests ?? 0;
  failed += report.numFailedTests ?? 0;
  skipped += (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0);
  // A suite that failed to load has no tests to count: count the file itself.
  for (const file of report.testResults ?? []) {
    if (file.status === 'failed' && (file.assertionResults ?? []).length === 0) failed += 1;
  }
  if ((report.numTotalTests ?? 0) === 0) {
    console.error('vitest ran no test: counted as one failure');
    failed += 1;
  }
  // Every test passed but vitest still failed: coverage fell below a threshold (or an unhandled error).
  if (vitest.status !== 0 && failed === failedBefore) {
    console.error(
      `vitest exited ${vitest.status} with every test passing (coverage below its thresholds?): counted as one failure`,
    );
    failed += 1;
  }
}

// Skipped tests (moto deviations, cfn-lint absent) are said on their own line: CI reads the last one as is.
if (skipped > 0) console.log(`${skipped} skipped (moto deviations, or cfn-lint not on the PATH)`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
