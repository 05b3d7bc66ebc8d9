/**
 * AindusDB core: the client, collection handles, the filter language, errors, and the engine,
 * cache and tracer interfaces adapters implement.
 *
 * @packageDocumentation
 */
export { createClient } from './client/create-client.js';
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
export type { ResilienceOptions, RetryOptions } from './resilience/resilience-options.js';
export type { BreakerOptions, BreakerState } from './resilience/breaker.js';
export { AindusError, isAindusError } from './errors/aindus-error.js';
export type { AindusErrorCode, AindusErrorOptions } from './errors/aindus-error.js';
export type * from './types.js';
export type {
  Engine,
  EngineCapabilities,
  EngineContext,
  EngineEndpoint,
  EngineMatch,
  EngineQuery,
  EngineQueryResult,
  EngineRecord,
  EngineWriteResult,
  EndpointProbe,
} from './engine/engine.js';
export { throwIfAborted, toTimeoutError } from './engine/abort.js';
export { compareMatches, distance, scoreFromDistance } from './engine/distance.js';
export {
  DEFAULT_INDEX,
  collectionExistsError,
  collectionNotFoundError,
  resolveCollectionSpec,
  sameCollectionSpec,
} from './engine/collection-spec.js';
export { comparePositionCounters } from './engine/position-counter.js';
export type { ComparisonOp, FilterNode } from './filter/filter-node.js';
export { parseFilter } from './filter/parse-filter.js';
export { compileFilter, type FilterPredicate } from './filter/compile-filter.js';
export type { Cache, CacheContext, CacheEntry, CacheEpoch } from './cache/cache.js';
export { createMemoryCache, type MemoryCacheOptions } from './cache/memory-cache.js';
export { createMemoryEngine, type MemoryEngineOptions } from './memory/memory-engine.js';
export type { AttributeValue, Attributes, SpanOptions, TraceSpan, Tracer, TracerMetrics } from './telemetry/tracer.js';
export { noopTracer } from './telemetry/tracer.js';
export {
  MAX_DIMENSION,
  MAX_ID_BYTES,
  MAX_METADATA_BYTES,
  MAX_TENANT_BYTES,
  MAX_TOP_K,
} from './validation/validate.js';
export { compareCodePoints, isStorableText } from './util/text.js';
