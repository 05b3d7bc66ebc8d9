/**
 * Redis and Redis Cluster cache for the AindusDB SDK: per-collection epochs kept in Redis so no
 * process serves a result from before an acknowledged write, an in-process LRU layer in front,
 * an embedding cache, and fail-open behaviour (a Redis outage costs at most the timeout).
 *
 * @packageDocumentation
 */

export type { ClusterNodeAddress, RedisClient } from './connect.js';
export type { GateOptions, GateState } from './gate.js';
export {
  createRedisCache,
  type LocalLayerOptions,
  type RedisCache,
  type RedisCacheOptions,
  type RedisCacheStats,
} from './redis-cache.js';
