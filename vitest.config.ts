import { defineConfig } from 'vitest/config';

export default defineConfig({
  // One graphql instance: Vite would load graphql's ESM build (index.mjs) for our files while
  // externalised deps (Pothos, yoga) load its CJS build through Node, and graphql's instanceof
  // checks fail across the two ("Cannot use GraphQLObjectType from another module or realm").
  resolve: { alias: [{ find: /^graphql$/, replacement: 'graphql/index.js' }] },
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Two cores: keep suites from starving each other's timers (polling tests are timing-sensitive).
    maxWorkers: 2,
  },
});
