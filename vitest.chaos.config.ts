import { defineConfig } from 'vitest/config';

// Fault and abuse tests that start child processes, kill them, or send thousands
// of requests: `npm run test:chaos` (also run by .ci/run). Kept under ~5 minutes.
export default defineConfig({
  test: {
    include: ['test/chaos/**/*.test.ts'],
    testTimeout: 240_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // One at a time: the tests measure a service under load on a small machine.
    fileParallelism: false,
    passWithNoTests: true,
  },
});
