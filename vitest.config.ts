import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The engine runs real DuckDB pipelines; CLI tests spawn bin/fleetpulse.
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
  },
});
