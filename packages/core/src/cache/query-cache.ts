import { createHash } from 'node:crypto';
import type { EngineQuery } from '../engine/engine.js';
import { filterKey } from '../filter/compile-filter.js';
import { type Breaker, type BreakerOptions, createBreaker } from '../resilience/breaker.js';
import type { QueryResult } from '../types.js';
import type { Cache, CacheEpoch } from './cache.js';

/** How long a cache call may take before it counts as a miss. */
export interface QueryCacheOptions {
  /** Time budget of each cache call, in ms. */
  timeoutMs: number;
  /** Tuning of the cache's own breaker: while open, cache calls are skipped (misses). */
  breaker: BreakerOptions;
  /** Orders engine positions (the engine's `comparePositions`). */
  comparePositions(a: string, b: string): number;
}

/** The outcome of a lookup: a hit, or what a fill needs to know. */
export type CacheLookup =
  | { hit: true; value: QueryResult }
  | { hit: false; epoch: CacheEpoch | undefined };

/**
 * The cache policy of the query path: keys, epochs, what may be stored. One per client.
 * Every cache call fails open — an error or a timeout is a miss, never a failed query.
 */
export interface QueryCache {
  /** Name of the underlying cache. */
  readonly name: string;
  /** The cache key of a query. */
  keyOf(query: EngineQuery): string;
  /** Looks up a query; a hit only when the entry was computed under the current epoch. */
  lookup(scope: string, key: string, after: string | undefined): Promise<CacheLookup>;
  /**
   * Stores a result computed under `epoch` by an endpoint that had applied `readPosition`
   * (undefined: the primary, always current). Skipped when the endpoint was behind the write
   * that set the epoch.
   */
  store(
    scope: string,
    key: string,
    epoch: CacheEpoch | undefined,
    readPosition: string | undefined,
    value: QueryResult,
  ): Promise<void>;
  /** Advances the scope's epoch after an acknowledged write. */
  advance(scope: string, position: string): Promise<void>;
  /** A cached embedding of `text` by embedder `embedderId`, if the cache keeps embeddings. */
  readEmbedding(embedderId: string, text: string): Promise<number[] | undefined>;
  /** Keeps an embedding of `text` (no-op when the cache keeps no embeddings). */
  writeEmbedding(embedderId: string, text: string, vector: number[]): Promise<void>;
}

const embeddingKey = (embedderId: string, text: string) =>
  createHash('sha256').update(embedderId).update('\u0000').update(text).digest('base64url');

/**
 * Runs a cache call within its time budget behind the cache's breaker; any failure, timeout or
 * open breaker yields `undefined`, so a cache outage costs at most one timeout per call and,
 * once the breaker opens, nothing at all.
 */
async function failOpen<T>(
  breaker: Breaker,
  timeoutMs: number,
  fn: (ctx: { signal: AbortSignal }) => Promise<T>,
  always = false,
): Promise<T | undefined> {
  const passes = breaker.canPass();
  if (!passes && !always) return undefined;
  const permit = passes ? breaker.acquire() : { success() {}, failure() {} };
  const started = performance.now();
  let failed = false;
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => {
      failed = true;
      controller.abort();
      resolve(undefined);
    }, timeoutMs);
    timer.unref?.();
  });
  const call = fn({ signal: controller.signal }).catch(() => {
    failed = true;
    return undefined;
  });
  try {
    return await Promise.race([call, timeout]);
  } finally {
    clearTimeout(timer);
    if (failed) permit.failure();
    else permit.success(performance.now() - started);
  }
}

/** Wraps a {@link Cache} with the query path's policy. */
export function createQueryCache(cache: Cache, options: QueryCacheOptions): QueryCache {
  const { timeoutMs, comparePositions } = options;
  const breaker = createBreaker(`cache:${cache.name}`, options.breaker);
  const guarded = <T>(fn: (ctx: { signal: AbortSignal }) => Promise<T>) =>
    failOpen(breaker, timeoutMs, fn);
  const isBehind = (position: string | undefined, than: string | undefined) => {
    if (position === undefined || than === undefined) return false;
    try {
      return comparePositions(position, than) < 0;
    } catch {
      return true; // a position we cannot compare is treated as stale
    }
  };

  return {
    name: cache.name,
    keyOf(query) {
      const hash = createHash('sha256');
      const { tenant, topK, includeMetadata, includeVector, search } = query;
      hash.update(
        JSON.stringify([
          tenant,
          topK,
          includeMetadata,
          includeVector,
          search.ef ?? null,
          search.probes ?? null,
          search.exact ?? false,
          filterKey(query.filter),
        ]),
      );
      hash.update(
        new Uint8Array(query.vector.buffer, query.vector.byteOffset, query.vector.byteLength),
      );
      return hash.digest('base64url');
    },
    async lookup(scope, key, after) {
      const read = await guarded((ctx) => cache.read(scope, key, ctx));
      if (!read) return { hit: false, epoch: undefined };
      const { epoch, entry } = read;
      // A token newer than the epoch's write means the cache has not seen that write yet.
      const seesToken =
        after === undefined || (epoch.position !== undefined && !isBehind(epoch.position, after));
      const fresh = entry !== undefined && entry.epoch === epoch.epoch && seesToken;
      return fresh ? { hit: true, value: entry.value } : { hit: false, epoch };
    },
    async store(scope, key, epoch, readPosition, value) {
      if (!epoch || isBehind(readPosition, epoch.position)) return;
      await guarded((ctx) => cache.write(scope, key, { epoch: epoch.epoch, value }, ctx));
    },
    async advance(scope, position) {
      // Never skipped by the breaker: a lost advance would let other processes serve results
      // from before this write. It still has its time budget.
      await failOpen(breaker, timeoutMs, (ctx) => cache.advance(scope, position, ctx), true);
    },
    async readEmbedding(embedderId, text) {
      if (!cache.readEmbedding) return undefined;
      return guarded((ctx) => cache.readEmbedding!(embeddingKey(embedderId, text), ctx));
    },
    async writeEmbedding(embedderId, text, vector) {
      if (!cache.writeEmbedding) return;
      await guarded((ctx) => cache.writeEmbedding!(embeddingKey(embedderId, text), vector, ctx));
    },
  };
}
