import { registerCacheCases } from './cases/cache.js';
import { registerCollectionCases } from './cases/collections.js';
import { registerCompleteCases } from './cases/complete.js';
import { registerDifferentialCases } from './cases/differential.js';
import { registerDistanceCases } from './cases/distance.js';
import { registerFilterCases } from './cases/filters.js';
import { registerIdCases } from './cases/ids.js';
import { registerMetadataCases } from './cases/metadata.js';
import { registerQueryCases } from './cases/query.js';
import { registerTenantCases } from './cases/tenants.js';
import { registerUpsertCases } from './cases/upsert.js';
import { registerVectorCases } from './cases/vectors.js';
import { createSuiteBuilder } from './harness.js';
import type { ConformanceOptions } from './types.js';

/**
 * Registers the engine conformance suite: every rule of the SDK's semantics (distances and
 * scores, ids, vectors, metadata, filters, query ordering and `complete`, get/delete/count,
 * collections, tenants, concurrency, the query cache) checked through the public client, and
 * differential checks against the exact in-memory engine.
 *
 * The suite creates one engine, runs every case in collections of its own, and closes the
 * engine at the end. Cases run one after another (do not make them concurrent).
 *
 * @example
 * ```ts
 * import { afterAll, beforeAll, describe, it } from 'vitest';
 * import { runConformanceSuite } from '@aindusdb/core/testing';
 *
 * runConformanceSuite({
 *   name: 'my-engine',
 *   runner: { describe, it, beforeAll, afterAll },
 *   createEngine: async () => createMyEngine({ dir }),
 *   reopen: async (engine) => {
 *     await engine.close();
 *     return createMyEngine({ dir });
 *   },
 * });
 * ```
 */
export function runConformanceSuite(options: ConformanceOptions): void {
  if (typeof options?.createEngine !== 'function' || typeof options.runner?.it !== 'function') {
    throw new TypeError('runConformanceSuite needs { name, runner, createEngine }');
  }
  options.runner.describe(`conformance: ${options.name}`, () => {
    const s = createSuiteBuilder(options);
    registerDistanceCases(s);
    registerIdCases(s);
    registerUpsertCases(s);
    registerVectorCases(s);
    registerMetadataCases(s);
    registerFilterCases(s);
    registerQueryCases(s);
    registerCompleteCases(s);
    registerCollectionCases(s);
    registerTenantCases(s);
    registerCacheCases(s);
    registerDifferentialCases(s);
  });
}
