import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Two cores: keep suites from starving each other's timers (polling tests are timing-sensitive).
    maxWorkers: 2,
  },
});
