/**
 * AindusDB core: the client, collection handles, the filter language, errors, and the engine,
 * cache and tracer interfaces adapters implement.
 *
 * @packageDocumentation
 */

export type { Cache, CacheContext, CacheEntry, CacheEpoch } from './cache/cache.js';
export { createMemoryCache, type MemoryCacheOptions } from './cache/memory-cache.js';
export type {
  Client,
  ClientOptions,
  Collection,
  ComponentHealth,
  DiagnosticFinding,
  Embedder,
  HealthReport,
  RouteExplanation,
  RouteRequest,
} from './client/client.js';
export { createClient } from './client/create-client.js';
export { throwIfAborted, toTimeoutError } from './engine/abort.js';
export {
  collectionExistsError,
  collectionNotFoundError,
  DEFAULT_INDEX,
  resolveCollectionSpec,
  sameCollectionSpec,
} from './engine/collection-spec.js';
export { compareMatches, distance, scoreFromDistance } from './engine/distance.js';
export type {
  EndpointProbe,
  Engine,
  EngineCapabilities,
  EngineContext,
  EngineEndpoint,
  EngineMatch,
  EngineQuery,
  EngineQueryResult,
  EngineRecord,
  EngineWriteResult,
} from './engine/engine.js';
export { comparePositionCounters } from './engine/position-counter.js';
export type { AindusErrorCode, AindusErrorOptions } from './errors/aindus-error.js';
export { AindusError, isAindusError } from './errors/aindus-error.js';
export { compileFilter, type FilterPredicate } from './filter/compile-filter.js';
export type { ComparisonOp, FilterNode } from './filter/filter-node.js';
export { parseFilter } from './filter/parse-filter.js';
export { createMemoryEngine, type MemoryEngineOptions } from './memory/memory-engine.js';
export type { BreakerOptions, BreakerState } from './resilience/breaker.js';
export type { ResilienceOptions, RetryOptions } from './resilience/resilience-options.js';
export type {
  Attributes,
  AttributeValue,
  SpanOptions,
  Tracer,
  TracerMetrics,
  TraceSpan,
} from './telemetry/tracer.js';
export { noopTracer } from './telemetry/tracer.js';
export type * from './types.js';
export { compareCodePoints, isStorableText } from './util/text.js';
export {
  MAX_DIMENSION,
  MAX_ID_BYTES,
  MAX_METADATA_BYTES,
  MAX_TENANT_BYTES,
  MAX_TOP_K,
} from './validation/validate.js';
