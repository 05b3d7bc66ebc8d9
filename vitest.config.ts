import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const src = (path: string) => fileURLToPath(new URL(`./packages/${path}`, import.meta.url));

// Tests import packages by name; these aliases point them at the sources, so tests need no build.
const alias = [
  { find: /^@aindusdb\/core\/testing$/, replacement: src('core/src/testing/index.ts') },
  { find: /^@aindusdb\/core$/, replacement: src('core/src/index.ts') },
  { find: /^@aindusdb\/pg-adapter$/, replacement: src('pg-adapter/src/index.ts') },
  { find: /^@aindusdb\/redis-cache$/, replacement: src('redis-cache/src/index.ts') },
  { find: /^@aindusdb\/hnsw-local$/, replacement: src('hnsw-local/src/index.ts') },
  { find: /^@aindusdb\/telemetry$/, replacement: src('telemetry/src/index.ts') },
];

export default defineConfig({
  resolve: { alias },
  test: {
    testTimeout: 30_000,
    hookTimeout: 120_000,
    pool: 'forks',
    projects: [
      {
        resolve: { alias },
        test: {
          name: 'unit',
          include: ['packages/*/test/**/*.test.ts', 'examples/*/test/**/*.test.ts'],
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
      {
        // Chaos tests stop and start the shared test servers, so they run alone, one file at a time.
        resolve: { alias },
        test: {
          name: 'chaos',
          include: ['tests/chaos/**/*.test.ts'],
          fileParallelism: false,
          testTimeout: 300_000,
          hookTimeout: 300_000,
        },
      },
    ],
  },
});
