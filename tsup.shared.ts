import type { Options } from 'tsup';

/** Build options every package shares: ESM + CJS with type declarations, for Node 20. */
export const packageBuild = {
  format: ['esm', 'cjs'],
  dts: true,
  clean: true,
  sourcemap: true,
  target: 'node20',
} satisfies Options;
