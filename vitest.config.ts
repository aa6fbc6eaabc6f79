import { defineConfig } from 'vitest/config';

export { config as default };

// vitest reads its configuration from the default export; this is the one default export we allow.
const config = defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'sandbox/test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Integration suites start their own sandbox on a random port; two workers suit the 2-core machines.
    pool: 'forks',
    maxWorkers: 2,
    // On with `--coverage` (npm test passes it); a run of one file is not held to the whole suite's figures.
    coverage: {
      provider: 'v8',
      include: ['src/**/*.ts'],
      reporter: ['text-summary', 'json-summary', 'html'],
      reportsDirectory: 'reports/coverage',
      // What the suite meets, less ~3 points of headroom for this session's merges:
      // raise them as the figures grow, never lower them to make a change pass.
      thresholds: {
        // Met on 2026-12-01 (fifth session, every file mutation-tested): lines 96.3, statements 94.8,
        // functions 95.3, branches 86.9.
        lines: 95,
        statements: 93.5,
        functions: 94.5,
        branches: 85.5,
        // The code that decides and guards what leaves CloudWatch (met: plan 98.3/93.0, archive
        // 96.9/74.3, trim 96.2/84.4, execute 98.4/86.9 lines/branches).
        'src/plan/**': { lines: 95, branches: 90 },
        'src/archive/**': { lines: 93, branches: 71 },
        'src/trim/**': { lines: 93, branches: 81 },
        'src/execute/**': { lines: 94, branches: 82 },
      },
    },
  },
});
