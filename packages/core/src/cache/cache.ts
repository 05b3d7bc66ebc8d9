import type { QueryResult } from '../types.js';

/**
 * A collection's cache epoch. Every acknowledged write advances `epoch`; entries stored under
 * an older epoch are never served. `position` is the engine position of the latest write, so
 * a result read from a replica that has not applied it is not stored.
 */
export interface CacheEpoch {
  /** Monotonic counter, `0` before the first write seen by the cache. */
  epoch: number;
  /** Engine position of the write that set this epoch. */
  position?: string;
}

/** A cached query result with the epoch it was computed under. */
export interface CacheEntry {
  /** Epoch the result was computed under. */
  epoch: number;
  /** The result. */
  value: QueryResult;
}

/** Context of a cache call: a short deadline of its own, since the cache is never critical. */
export interface CacheContext {
  /** Aborts when the cache's time budget for this call is spent. */
  signal: AbortSignal;
}

/**
 * A query-result cache shared by one or more clients. Core owns the policy (keys, epochs,
 * what may be stored); an implementation only stores entries and epochs. `scope` is the
 * collection name, `key` a hash of everything else that shapes a result.
 *
 * Implementations should fail open: a cache outage must cost at most a short timeout. Core
 * treats any rejection as a miss (reads) or ignores it (stores), but an epoch advance that
 * fails is retried by the next write and, until then, the entries it should hide can be served
 * by other processes — so shared caches must make `advance` reliable or short-lived (TTL).
 */
export interface Cache {
  /** Name used in telemetry and health, e.g. `memory` or `redis`. */
  readonly name: string;
  /** Reads the scope's epoch and the entry for `key`, in one round trip where possible. */
  read(
    scope: string,
    key: string,
    ctx: CacheContext,
  ): Promise<{ epoch: CacheEpoch; entry?: CacheEntry }>;
  /** Stores an entry (computed under `entry.epoch`). */
  write(scope: string, key: string, entry: CacheEntry, ctx: CacheContext): Promise<void>;
  /** Advances the scope's epoch after a write at `position`; returns the new epoch. */
  advance(scope: string, position: string, ctx: CacheContext): Promise<CacheEpoch>;
  /** Reads a cached embedding of a text query (optional; `key` hashes embedder id and text). */
  readEmbedding?(key: string, ctx: CacheContext): Promise<number[] | undefined>;
  /** Stores an embedding of a text query (optional). */
  writeEmbedding?(key: string, vector: number[], ctx: CacheContext): Promise<void>;
  /** Checks the cache can be reached; never throws. */
  ping?(ctx: CacheContext): Promise<boolean>;
  /** Releases what the cache created (never a client the user passed in). Idempotent. */
  close(): Promise<void>;
}
