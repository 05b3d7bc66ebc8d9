import { AindusError, type Cache, type CacheEpoch } from '@aindusdb/core';
import type { ClusterOptions, RedisOptions } from 'ioredis';
import { LRUCache } from 'lru-cache';
import { bounded } from './bounded.js';
import {
  decodeEmbedding,
  decodeEntry,
  encodeEmbedding,
  encodeEntry,
  readEntryHeader,
} from './codec.js';
import {
  type ClusterNodeAddress,
  createOwnClient,
  isCluster,
  type RedisClient,
} from './connect.js';
import { createGate, type GateOptions, type GateState } from './gate.js';
import { createKeyLayout, parseEpoch, validatePrefix } from './keys.js';
import { ADVANCE_LUA, createScript, INIT_LUA } from './scripts.js';

/** Options of the in-process LRU layer in front of Redis. */
export interface LocalLayerOptions {
  /** Most query entries kept (default 10,000). */
  maxEntries?: number;
  /** Most bytes of encoded entries kept (default 64 MiB). */
  maxBytes?: number;
  /** Most embeddings kept (default 10,000). */
  maxEmbeddings?: number;
}

/**
 * Options of {@link createRedisCache}. Give exactly one of `client`, `url` or `clusterNodes`.
 */
export interface RedisCacheOptions {
  /** Your ioredis client or Cluster; the cache never closes it. */
  client?: RedisClient;
  /** URL of a standalone server, e.g. `redis://127.0.0.1:6379`; the cache creates and closes the client. */
  url?: string;
  /** Seed nodes of a Redis Cluster (`"host:port"`); the cache creates and closes the client. */
  clusterNodes?: readonly ClusterNodeAddress[];
  /** Extra ioredis options for a client the cache creates (for a cluster: each node's connection). */
  redisOptions?: RedisOptions;
  /** Extra ioredis Cluster options for a cluster client the cache creates. */
  clusterOptions?: ClusterOptions;
  /**
   * Key prefix (default `aindus`). Use one prefix per database: epochs are per collection name,
   * so two databases with a collection of the same name must not share a prefix.
   */
  prefix?: string;
  /** Lifetime of a cached query result, ms (default 300,000). */
  ttlMs?: number;
  /** Lifetime of a cached embedding, ms (default 86,400,000). */
  embeddingTtlMs?: number;
  /** Entries (and embeddings) larger than this once encoded are not cached (default 512 KiB). */
  maxEntryBytes?: number;
  /**
   * Time budget of one cache call, ms (default 200). Keep it at or below the client's
   * `resilience.cacheTimeoutMs` (default 250).
   */
  timeoutMs?: number;
  /** The in-process LRU layer; on by default, `false` turns it off. */
  local?: LocalLayerOptions | false;
  /** The fail-fast gate (a consecutive-failure breaker); `false` turns it off. */
  breaker?: GateOptions | false;
}

/** Counters of a {@link RedisCache}, since it was created. */
export interface RedisCacheStats {
  /** Reads served from the in-process layer (the epoch still came from Redis). */
  localHits: number;
  /** Reads served from Redis. */
  redisHits: number;
  /** Reads that found no entry computed under the current epoch. */
  misses: number;
  /** Calls that failed or timed out (each one a miss or a skipped store). */
  errors: number;
  /** Entries not stored because they exceeded `maxEntryBytes`. */
  skippedTooLarge: number;
  /** Epoch advances that failed and are being retried in the background. */
  pendingAdvances: number;
  /** State of the fail-fast gate. */
  breaker: GateState;
  /** ioredis connection status (`ready` when connected). */
  status: string;
  /** Message of the last Redis error seen, if any. */
  lastError?: string;
}

/** A Redis or Redis Cluster `Cache` (the interface of `@aindusdb/core`) created by {@link createRedisCache}. */
export interface RedisCache extends Cache {
  /** The ioredis client in use (yours, or the one the cache created). */
  readonly client: RedisClient;
  /** Resolves `true` once connected, or `false` after `timeoutMs` (default 5,000). */
  ready(timeoutMs?: number): Promise<boolean>;
  /** Counters and state, for tests, benchmarks and diagnostics. */
  stats(): RedisCacheStats;
}

interface LocalEntry {
  epoch: number;
  expiresAt: number;
  bytes: Buffer;
}

/** The outcome of one read, shared by identical reads issued in the same tick. */
interface RawRead {
  epoch: CacheEpoch;
  /** Encoded entry computed under `epoch`, unexpired. */
  bytes?: Buffer;
  source?: 'local' | 'redis';
}

interface PendingAdvance {
  position: string;
}

const MiB = 1024 * 1024;

function integerOption(
  value: unknown,
  name: string,
  fallback: number,
  min: number,
  max: number,
): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new AindusError(
      'INVALID_ARGUMENT',
      `${name} must be a whole number from ${min} to ${max}`,
    );
  }
  return value;
}

// A reply error means Redis answered: the server is up, so it does not count against the gate.
const isReplyError = (error: unknown) => error instanceof Error && error.name === 'ReplyError';

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

/**
 * Creates a query and embedding cache over Redis or Redis Cluster (ioredis).
 *
 * - Per-collection epochs live in Redis, and every read fetches the epoch from Redis in the
 *   same round trip as the entry (MGET on keys sharing the hash tag `{prefix:collection}`), so
 *   once a write is acknowledged no process sharing the Redis serves a result from before it.
 * - An in-process LRU layer keeps encoded entries; a hit there still checks the epoch in Redis
 *   (one small GET), so the layer saves the payload transfer, not the consistency check.
 * - Identical reads issued in the same tick share one Redis round trip.
 * - Fail open: no offline queue, a per-call timeout, a fail-fast gate; errors are rejections
 *   the client turns into misses. A failed epoch advance is retried in the background and,
 *   until it lands, this process serves that collection from the engine.
 *
 * @example
 * ```ts
 * const client = createClient({
 *   engine: createPgEngine({ primary: databaseUrl }),
 *   cache: createRedisCache({ url: 'redis://127.0.0.1:6379', prefix: 'shop' }),
 * });
 * ```
 */
export function createRedisCache(options: RedisCacheOptions): RedisCache {
  if (typeof options !== 'object' || options === null) {
    throw new AindusError(
      'INVALID_ARGUMENT',
      'createRedisCache needs { client } or { url } or { clusterNodes }',
    );
  }
  const sources = [options.client, options.url, options.clusterNodes].filter(
    (s) => s !== undefined,
  );
  if (sources.length !== 1) {
    throw new AindusError(
      'INVALID_ARGUMENT',
      'createRedisCache needs exactly one of client, url or clusterNodes',
    );
  }
  const prefix = validatePrefix(options.prefix ?? 'aindus');
  const ttlMs = integerOption(options.ttlMs, 'ttlMs', 300_000, 1, 365 * 86_400_000);
  const embeddingTtlMs = integerOption(
    options.embeddingTtlMs,
    'embeddingTtlMs',
    86_400_000,
    1,
    365 * 86_400_000,
  );
  const maxEntryBytes = integerOption(
    options.maxEntryBytes,
    'maxEntryBytes',
    512 * 1024,
    64,
    512 * MiB,
  );
  const timeoutMs = integerOption(options.timeoutMs, 'timeoutMs', 200, 1, 60_000);
  const localOptions = options.local === false ? undefined : (options.local ?? {});
  const gate = createGate(options.breaker ?? {});

  const keys = createKeyLayout(prefix);
  const advanceScript = createScript(ADVANCE_LUA);
  const initScript = createScript(INIT_LUA);
  const local = localOptions
    ? new LRUCache<string, LocalEntry>({
        max: integerOption(localOptions.maxEntries, 'local.maxEntries', 10_000, 1, 10_000_000),
        maxSize: integerOption(
          localOptions.maxBytes,
          'local.maxBytes',
          64 * MiB,
          1024,
          64 * 1024 * MiB,
        ),
        sizeCalculation: (entry, key) => entry.bytes.length + key.length + 64,
      })
    : undefined;
  const localEmbeddings = localOptions
    ? new LRUCache<string, { vector: number[]; expiresAt: number }>({
        max: integerOption(
          localOptions.maxEmbeddings,
          'local.maxEmbeddings',
          10_000,
          1,
          10_000_000,
        ),
      })
    : undefined;

  const own = options.client === undefined;
  const client: RedisClient = options.client ?? createOwnClient({ ...options, timeoutMs });
  if (isCluster(client) && client.options.scaleReads !== 'master') {
    if (own) client.disconnect();
    throw new AindusError(
      'INVALID_ARGUMENT',
      "A Redis Cluster client must read from masters (scaleReads: 'master'): a replica may not have applied the latest epoch",
    );
  }

  const counters = { localHits: 0, redisHits: 0, misses: 0, errors: 0, skippedTooLarge: 0 };
  let lastError: string | undefined;
  let closed = false;
  const onError = (error: unknown) => {
    lastError = messageOf(error);
  };
  // ioredis emits 'error' on every failed reconnect; with a listener attached it never crashes the process.
  client.on('error', onError);
  if (isCluster(client)) client.on('node error', onError);
  // A lazyConnect client would wait for a first command, which the fail-fast path never sends.
  if (client.status === 'wait') client.connect().catch(onError);

  /**
   * Runs one cache operation (one command, rarely two) through the gate, bounded as a whole by
   * `timeoutMs` and `signal`: one timer per operation. `op` is called synchronously, so its
   * first command is on the wire when this returns.
   */
  async function run<T>(op: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    if (closed) {
      throw new AindusError('UNAVAILABLE', 'The Redis cache is closed', { retryable: false });
    }
    if (client.status !== 'ready') {
      throw new AindusError('UNAVAILABLE', `Redis is not connected (${client.status})`);
    }
    if (!gate.tryAcquire()) {
      throw new AindusError('CIRCUIT_OPEN', 'Redis recently failed; the cache is bypassed for now');
    }
    try {
      const value = await bounded(op(), timeoutMs, signal);
      gate.release(true);
      return value;
    } catch (error) {
      gate.release(isReplyError(error));
      lastError = messageOf(error);
      throw error;
    }
  }

  /** Runs `op` and counts a failure as an error before rethrowing it. */
  async function counted<T>(op: () => Promise<T>): Promise<T> {
    try {
      return await op();
    } catch (error) {
      counters.errors += 1;
      throw error;
    }
  }

  const localKey = (scope: string, key: string) => `${scope}\u0000${key}`;
  const advanceCommand = (scope: string, position: string) =>
    advanceScript.run(client, keys.epoch(scope), [position]);

  // --- epoch advances that failed, retried in the background ---
  const pending = new Map<string, PendingAdvance>();
  let retryTimer: NodeJS.Timeout | undefined;
  let retryAttempt = 0;
  const scheduleRetry = () => {
    if (retryTimer || closed || pending.size === 0) return;
    const delay =
      Math.min(2_000, 100 * 2 ** Math.min(retryAttempt, 5)) + Math.floor(Math.random() * 50);
    retryAttempt += 1;
    retryTimer = setTimeout(retryPending, delay);
    retryTimer.unref?.();
  };
  async function retryPending() {
    retryTimer = undefined;
    for (const [scope, item] of [...pending]) {
      try {
        await run(() => advanceCommand(scope, item.position));
        // A newer failure for the scope replaced the item: that write still needs its own advance.
        if (pending.get(scope) === item) pending.delete(scope);
      } catch {
        // Still failing; try again later.
      }
    }
    if (pending.size === 0) retryAttempt = 0;
    scheduleRetry();
  }

  /** Returns the scope's epoch, creating a fresh one when Redis has none. */
  async function initEpoch(scope: string): Promise<CacheEpoch> {
    return parseEpoch(await initScript.run(client, keys.epoch(scope), []));
  }

  /** Accepts an entry read from Redis when it was computed under `epoch` and has not expired. */
  function accept(k: string, epoch: CacheEpoch, bytes: Buffer | null | undefined): RawRead {
    const header = bytes ? readEntryHeader(bytes) : undefined;
    if (!bytes || !header || header.epoch !== epoch.epoch || header.expiresAt <= Date.now()) {
      return { epoch };
    }
    // Copied: a reply buffer may be a slice of a larger socket chunk the layer should not pin.
    local?.set(k, { epoch: header.epoch, expiresAt: header.expiresAt, bytes: Buffer.from(bytes) });
    return { epoch, bytes, source: 'redis' };
  }

  /** One read: the epoch always from Redis, the entry from the in-process layer or Redis. */
  async function readRaw(scope: string, key: string): Promise<RawRead> {
    const k = localKey(scope, key);
    const near = local?.get(k);
    if (near && near.expiresAt > Date.now()) {
      const value = await client.getBuffer(keys.epoch(scope));
      if (value === null) return { epoch: await initEpoch(scope) };
      const epoch = parseEpoch(value.toString('latin1'));
      if (epoch.epoch === near.epoch) return { epoch, bytes: near.bytes, source: 'local' };
      local!.delete(k);
      // Another process may already have filled the entry under the new epoch.
      return accept(k, epoch, await client.getBuffer(keys.entry(scope, key)));
    }
    const [epochValue, bytes] = await client.mgetBuffer(keys.epoch(scope), keys.entry(scope, key));
    // No epoch: a new collection, or Redis lost it; any entry left predates a fresh epoch.
    if (!epochValue) return { epoch: await initEpoch(scope) };
    return accept(k, parseEpoch(epochValue.toString('latin1')), bytes);
  }

  // Identical reads issued in one tick share one round trip. The command is sent on the next
  // tick, after every sharer started, so it still runs after any write they could have seen.
  const batch = new Map<string, Promise<RawRead>>();
  function sharedRead(scope: string, key: string): Promise<RawRead> {
    const k = localKey(scope, key);
    let shared = batch.get(k);
    if (!shared) {
      shared = new Promise<void>((resolve) => process.nextTick(resolve)).then(() => {
        batch.delete(k);
        if (pending.has(scope)) {
          throw new AindusError(
            'UNAVAILABLE',
            `An epoch advance of "${scope}" is pending; the cache is bypassed for it`,
          );
        }
        return run(() => readRaw(scope, key));
      });
      shared.catch(() => {});
      batch.set(k, shared);
    }
    return shared;
  }

  const cache: RedisCache = {
    name: 'redis',
    client,

    async read(scope, key, ctx) {
      // The shared read has its own timer (timeoutMs); the signal is only checked up front, as
      // a listener per read would cost more than it saves (callers race their own deadline).
      if (ctx.signal.aborted) {
        counters.errors += 1;
        throw new AindusError('TIMEOUT', 'The cache call was aborted', {
          cause: ctx.signal.reason,
        });
      }
      let raw: RawRead;
      try {
        raw = await sharedRead(scope, key);
      } catch (error) {
        counters.errors += 1;
        throw error;
      }
      if (!raw.bytes) {
        counters.misses += 1;
        return { epoch: raw.epoch };
      }
      // Decoded per caller, so callers sharing a read never share (and mutate) one object.
      const value = decodeEntry(raw.bytes);
      counters[raw.source === 'local' ? 'localHits' : 'redisHits'] += 1;
      return { epoch: raw.epoch, entry: { epoch: raw.epoch.epoch, value } };
    },

    async write(scope, key, entry, ctx) {
      if (pending.has(scope)) return;
      const expiresAt = Date.now() + ttlMs;
      const bytes = encodeEntry(entry.value, entry.epoch, expiresAt);
      if (bytes.length > maxEntryBytes) {
        counters.skippedTooLarge += 1;
        return;
      }
      local?.set(localKey(scope, key), { epoch: entry.epoch, expiresAt, bytes });
      await counted(() =>
        run(() => client.set(keys.entry(scope, key), bytes, 'PX', ttlMs), ctx.signal),
      );
    },

    async advance(scope, position, ctx) {
      try {
        return parseEpoch(await run(() => advanceCommand(scope, position), ctx.signal));
      } catch (error) {
        // The write is acknowledged whatever happens here, so the advance must land eventually.
        counters.errors += 1;
        pending.set(scope, { position });
        scheduleRetry();
        throw error;
      }
    },

    async readEmbedding(key, ctx) {
      const near = localEmbeddings?.get(key);
      if (near && near.expiresAt > Date.now()) return near.vector.slice();
      const bytes = await counted(() =>
        run(() => client.getBuffer(keys.embedding(key)), ctx.signal),
      );
      const vector = bytes ? decodeEmbedding(bytes) : undefined;
      if (vector) localEmbeddings?.set(key, { vector, expiresAt: Date.now() + embeddingTtlMs });
      return vector?.slice();
    },

    async writeEmbedding(key, vector, ctx) {
      const bytes = encodeEmbedding(vector);
      if (bytes.length > maxEntryBytes) {
        counters.skippedTooLarge += 1;
        return;
      }
      localEmbeddings?.set(key, { vector: vector.slice(), expiresAt: Date.now() + embeddingTtlMs });
      await counted(() =>
        run(() => client.set(keys.embedding(key), bytes, 'PX', embeddingTtlMs), ctx.signal),
      );
    },

    async ping(ctx) {
      try {
        await run(() => client.ping(), ctx.signal);
        return true;
      } catch {
        return false;
      }
    },

    ready(waitMs = 5_000) {
      if (client.status === 'ready') return Promise.resolve(true);
      return new Promise<boolean>((resolve) => {
        const done = (ok: boolean) => {
          clearTimeout(timer);
          client.off('ready', onReady);
          resolve(ok);
        };
        const onReady = () => done(true);
        const timer = setTimeout(() => done(false), waitMs);
        timer.unref?.();
        client.on('ready', onReady);
      });
    },

    stats() {
      return {
        ...counters,
        pendingAdvances: pending.size,
        breaker: gate.state,
        status: client.status,
        ...(lastError !== undefined ? { lastError } : {}),
      };
    },

    async close() {
      if (closed) return;
      closed = true;
      clearTimeout(retryTimer);
      local?.clear();
      localEmbeddings?.clear();
      if (!own) {
        client.off('error', onError);
        if (isCluster(client)) client.off('node error', onError);
        return;
      }
      try {
        await bounded(client.quit(), Math.max(1_000, timeoutMs));
      } catch {
        client.disconnect();
      }
    },
  };
  return cache;
}
