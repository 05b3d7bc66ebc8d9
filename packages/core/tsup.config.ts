import { defineConfig } from 'tsup';
import { packageBuild } from '../../tsup.shared.js';

const shared = {
  ...packageBuild,
  clean: false, // the build script empties dist once; the two configs run side by side
  entry: { index: 'src/index.ts', 'testing/index': 'src/testing/index.ts' },
};

export default defineConfig([
  { ...shared, format: 'esm' },
  // p-retry is ESM-only: the CommonJS build carries its own copy so require() works everywhere.
  { ...shared, format: 'cjs', noExternal: ['p-retry', 'is-network-error'] },
]);
