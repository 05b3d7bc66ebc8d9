import { defineConfig } from 'tsup';

const shared = {
  entry: { index: 'src/index.ts', 'testing/index': 'src/testing/index.ts' },
  dts: true,
  sourcemap: true,
  target: 'node20',
} as const;

export default defineConfig([
  { ...shared, format: 'esm' },
  // p-retry is ESM-only: the CommonJS build carries its own copy so require() works everywhere.
  { ...shared, format: 'cjs', noExternal: ['p-retry', 'is-network-error'] },
]);
