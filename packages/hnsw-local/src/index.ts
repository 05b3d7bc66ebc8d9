/**
 * AindusDB in-process HNSW engine over hnswlib-node, with crash-safe persistence: the
 * zero-setup default engine.
 *
 * @packageDocumentation
 */
export {
  createHnswEngine,
  DEFAULT_COMPACT_LOG_BYTES,
  DEFAULT_EF,
  DEFAULT_EXACT_FILTER_SELECTIVITY,
  type HnswEngineOptions,
} from './create-hnsw-engine.js';
