import { defineConfig } from 'vitest/config';

export { config as default };

// The suite Stryker runs against each mutant (`npm run mutate`): the in-process unit and integration
// tests. Tests that run child processes (the CLI, packaging) or need moto would run unmutated code
// or only cost time there.
const config = defineConfig({
  test: {
    include: ['test/unit/**/*.test.ts', 'test/integration/**/*.test.ts'],
    exclude: ['test/integration/cli.test.ts', 'test/integration/demo.test.ts', 'test/integration/crash*.test.ts', 'test/unit/bench/**'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
