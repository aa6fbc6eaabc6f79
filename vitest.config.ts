import { defineConfig } from 'vitest/config';

export { config as default };

// vitest reads its configuration from the default export; this is the one default export we allow.
const config = defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Integration suites start their own sandbox on a random port; two workers suit the 2-core machines.
    pool: 'forks',
    maxWorkers: 2,
  },
});
