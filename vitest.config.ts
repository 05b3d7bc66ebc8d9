import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const src = (path: string) => fileURLToPath(new URL(`./packages/${path}`, import.meta.url));

// Tests import packages by name; these aliases point them at the sources, so tests need no build.
export default defineConfig({
  resolve: {
    alias: [
      { find: /^@aindusdb\/core\/testing$/, replacement: src('core/src/testing/index.ts') },
      { find: /^@aindusdb\/core$/, replacement: src('core/src/index.ts') },
      { find: /^@aindusdb\/pg-adapter$/, replacement: src('pg-adapter/src/index.ts') },
      { find: /^@aindusdb\/redis-cache$/, replacement: src('redis-cache/src/index.ts') },
      { find: /^@aindusdb\/hnsw-local$/, replacement: src('hnsw-local/src/index.ts') },
      { find: /^@aindusdb\/telemetry$/, replacement: src('telemetry/src/index.ts') },
    ],
  },
  test: {
    include: ['packages/*/test/**/*.test.ts', 'examples/*/test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 120_000,
    pool: 'forks',
    reporters: process.env.CI ? ['default'] : ['default'],
  },
});
