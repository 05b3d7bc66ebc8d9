import { LRUCache } from 'lru-cache';
import type { Cache, CacheEntry, CacheEpoch } from './cache.js';

/** Options of {@link createMemoryCache}. */
export interface MemoryCacheOptions {
  /** Most entries kept (default 10,000). */
  maxEntries?: number;
  /** Entry lifetime in ms (default 5 minutes; 0 keeps entries until evicted). */
  ttlMs?: number;
}

/**
 * An in-process LRU query cache (lru-cache). The client's default for in-process engines.
 * It sees only this process's writes, so do not use it alone with a shared engine whose data
 * other processes change; use `@aindusdb/redis-cache` there.
 */
export function createMemoryCache(options: MemoryCacheOptions = {}): Cache {
  const entries = new LRUCache<string, CacheEntry>({
    max: options.maxEntries ?? 10_000,
    ttl: options.ttlMs ?? 5 * 60_000,
  });
  const epochs = new Map<string, CacheEpoch>();
  const embeddings = new LRUCache<string, number[]>({ max: options.maxEntries ?? 10_000 });
  const entryKey = (scope: string, key: string) => `${scope}\u0000${key}`;

  return {
    name: 'memory',
    async read(scope, key) {
      const entry = entries.get(entryKey(scope, key));
      const epoch = epochs.get(scope) ?? { epoch: 0 };
      // Results are cloned so callers mutating a result cannot change what the cache serves.
      return entry ? { epoch, entry: structuredClone(entry) } : { epoch };
    },
    async write(scope, key, entry) {
      entries.set(entryKey(scope, key), structuredClone(entry));
    },
    async advance(scope, position) {
      const next = { epoch: (epochs.get(scope)?.epoch ?? 0) + 1, position };
      epochs.set(scope, next);
      return next;
    },
    async readEmbedding(key) {
      return embeddings.get(key)?.slice();
    },
    async writeEmbedding(key, vector) {
      embeddings.set(key, vector.slice());
    },
    async ping() {
      return true;
    },
    async close() {
      entries.clear();
      epochs.clear();
      embeddings.clear();
    },
  };
}
