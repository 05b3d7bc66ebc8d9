import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import {
  AindusError,
  type CollectionSpec,
  collectionExistsError,
  collectionNotFoundError,
  comparePositionCounters,
  type Engine,
  type EngineContext,
  type EngineEndpoint,
  sameCollectionSpec,
  throwIfAborted,
} from '@aindusdb/core';
import {
  createCollectionDir,
  listCollectionNames,
  prepareCollectionsDir,
  readCollectionSpec,
  removeCollectionDir,
} from './collection-dir.js';
import type { SearchTuning } from './collection-search.js';
import { type CollectionStore, openCollectionStore } from './collection-store.js';
import { acquireDirLock, type DirLock } from './dir-lock.js';
import {
  createMemoryPositionCounter,
  openPositionCounter,
  type PositionCounter,
} from './position-counter.js';
import { createSerialQueue } from './serial-queue.js';

/** Options of {@link createHnswEngine}. */
export interface HnswEngineOptions {
  /**
   * Directory where collections persist (created if missing). Without it the engine is
   * memory-only and forgets everything at `close()`. A directory is used by one engine (one
   * process) at a time; see the package README for the lock rules.
   */
  dir?: string;
  /**
   * `'fsync'` (default): an acknowledged write has been flushed to disk and survives a power
   * loss. `'buffered'`: it has been handed to the operating system only — it survives the
   * process being killed, not an OS crash or power loss — and writes are much faster.
   */
  durability?: 'fsync' | 'buffered';
  /** Compact a collection's write log into a snapshot once it reaches this size (default 4 MiB). */
  compactLogBytes?: number;
  /** Snapshot collections with a non-empty log at `close()`, so reopening replays nothing (default true). */
  snapshotOnClose?: boolean;
  /**
   * `ef` of queries that give no `search.ef`: `max(defaultEf, 2 × topK)` (default `defaultEf` 40,
   * which reaches recall@10 ≥ 0.95 on SIFT with the default graph `m: 16, efConstruction: 64`).
   */
  defaultEf?: number;
  /**
   * A filtered or tenant-confined query whose matching rows are at most this share of the
   * collection scans them exactly instead of walking the graph (default 0.1).
   */
  exactFilterSelectivity?: number;
  /** Slots allocated when a collection is created; capacity then doubles as needed (default 1024). */
  initialCapacity?: number;
  /** Seed of hnswlib's level generator (default 100), for reproducible graphs. */
  seed?: number;
}

/** Default of {@link HnswEngineOptions.defaultEf}. */
export const DEFAULT_EF = 40;
/** Default of {@link HnswEngineOptions.exactFilterSelectivity}. */
export const DEFAULT_EXACT_FILTER_SELECTIVITY = 0.1;
/** Default of {@link HnswEngineOptions.compactLogBytes}. */
export const DEFAULT_COMPACT_LOG_BYTES = 4 * 1024 * 1024;

function positiveNumber(
  value: unknown,
  name: string,
  fallback: number,
  max = Number.MAX_SAFE_INTEGER,
): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0 || value > max) {
    throw new AindusError('INVALID_ARGUMENT', `${name} must be a positive number up to ${max}`);
  }
  return value;
}

/**
 * Creates the in-process HNSW engine (hnswlib-node): the zero-setup default. With `dir`,
 * every acknowledged write is in a checksummed write log before the call returns, snapshots
 * (hnswlib's binary index plus a record store) are written aside and renamed into place, and
 * reopening loads the snapshot and replays the log — so a `kill -9` loses nothing that was
 * acknowledged. Without `dir`, collections live in memory only.
 *
 * Throws `CONFLICT` when another live process (or another open engine of this process) holds
 * the directory.
 *
 * @example
 * ```ts
 * const client = createClient({ engine: createHnswEngine({ dir: './data' }) });
 * ```
 */
export function createHnswEngine(options: HnswEngineOptions = {}): Engine {
  const durability = options.durability ?? 'fsync';
  if (durability !== 'fsync' && durability !== 'buffered') {
    throw new AindusError('INVALID_ARGUMENT', "durability must be 'fsync' or 'buffered'");
  }
  const defaultEf = Math.floor(positiveNumber(options.defaultEf, 'defaultEf', DEFAULT_EF, 10_000));
  const tuning: SearchTuning = {
    efFor: (topK) => Math.max(defaultEf, 2 * topK),
    exactSelectivity: positiveNumber(
      options.exactFilterSelectivity,
      'exactFilterSelectivity',
      DEFAULT_EXACT_FILTER_SELECTIVITY,
      1,
    ),
  };
  const compactLogBytes = positiveNumber(
    options.compactLogBytes,
    'compactLogBytes',
    DEFAULT_COMPACT_LOG_BYTES,
  );
  const initialCapacity = Math.floor(
    positiveNumber(options.initialCapacity, 'initialCapacity', 1024, 1 << 30),
  );
  const seed = Math.floor(options.seed ?? 100);
  const root = options.dir === undefined ? undefined : resolve(options.dir);

  let lock: DirLock | undefined;
  let collectionsDir: string | undefined;
  let positions: PositionCounter;
  if (root) {
    mkdirSync(root, { recursive: true });
    lock = acquireDirLock(root);
    try {
      collectionsDir = prepareCollectionsDir(root);
      positions = openPositionCounter(root);
    } catch (error) {
      lock.release();
      throw error;
    }
  } else {
    positions = createMemoryPositionCounter();
  }

  const stores = new Map<string, Promise<CollectionStore>>();
  // Memory-only engines keep specs here; directory engines read spec.json.
  const memorySpecs = new Map<string, CollectionSpec>();
  const catalog = createSerialQueue();
  let closed = false;

  const storeOptions = (dir: string | undefined) => ({
    ...(dir ? { dir } : {}),
    fsync: durability === 'fsync',
    compactLogBytes,
    snapshotOnClose: options.snapshotOnClose ?? true,
    initialCapacity,
    seed,
    tuning,
    nextPosition: () => positions.next(),
  });

  const assertOpen = (ctx: EngineContext) => {
    if (closed)
      throw new AindusError('UNAVAILABLE', 'The hnsw-local engine is closed', { retryable: false });
    throwIfAborted(ctx.signal);
  };

  const describe = async (name: string): Promise<CollectionSpec | undefined> => {
    if (!collectionsDir) return memorySpecs.get(name);
    const loaded = stores.get(name);
    if (loaded) return (await loaded).spec;
    return readCollectionSpec(collectionsDir, name);
  };

  /** The open store of a collection, loading it from disk on first use. */
  const use = async (name: string, ctx: EngineContext): Promise<CollectionStore> => {
    assertOpen(ctx);
    let store = stores.get(name);
    if (!store) {
      if (!collectionsDir) throw collectionNotFoundError(name);
      const spec = await readCollectionSpec(collectionsDir, name);
      if (!spec) throw collectionNotFoundError(name);
      store = stores.get(name);
      if (!store) {
        const dir = `${collectionsDir}/${name}`;
        store = openCollectionStore(spec, storeOptions(dir)).catch((error) => {
          stores.delete(name);
          // Dropped while loading.
          if ((error as NodeJS.ErrnoException).code === 'ENOENT')
            throw collectionNotFoundError(name);
          throw error;
        });
        stores.set(name, store);
      }
    }
    const opened = await store;
    assertOpen(ctx);
    return opened;
  };

  const endpoint: EngineEndpoint = {
    id: 'local',
    role: 'primary',
    async probe() {
      return {
        alive: !closed,
        writable: !closed,
        position: String(positions.current()),
        latencyMs: 0,
      };
    },
    createCollection(spec, ctx) {
      assertOpen(ctx);
      return catalog.run(async () => {
        assertOpen(ctx);
        const existing = await describe(spec.name);
        if (existing) {
          if (sameCollectionSpec(existing, spec)) return { created: false };
          throw collectionExistsError(existing);
        }
        const copy = structuredClone(spec);
        if (collectionsDir) {
          const dir = await createCollectionDir(collectionsDir, copy);
          const store = openCollectionStore(copy, storeOptions(dir));
          stores.set(spec.name, store);
          await store;
        } else {
          memorySpecs.set(spec.name, copy);
          stores.set(spec.name, openCollectionStore(copy, storeOptions(undefined)));
        }
        return { created: true };
      });
    },
    dropCollection(name, ctx) {
      assertOpen(ctx);
      return catalog.run(async () => {
        assertOpen(ctx);
        const store = stores.get(name);
        stores.delete(name);
        if (store) await (await store.catch(() => undefined))?.drop();
        if (!collectionsDir) return { dropped: memorySpecs.delete(name) };
        return { dropped: await removeCollectionDir(collectionsDir, name) };
      });
    },
    async listCollections(ctx) {
      assertOpen(ctx);
      const names = collectionsDir
        ? await listCollectionNames(collectionsDir)
        : [...memorySpecs.keys()];
      const specs = await Promise.all(names.map(describe));
      return specs
        .filter((s): s is CollectionSpec => s !== undefined)
        .map((s) => structuredClone(s))
        .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    },
    async describeCollection(name, ctx) {
      assertOpen(ctx);
      const spec = await describe(name);
      return spec ? structuredClone(spec) : undefined;
    },
    async upsert({ collection, tenant, records }, ctx) {
      const store = await use(collection, ctx);
      const position = await store.upsert(tenant, records, ctx.signal);
      return { count: records.length, position: String(position ?? positions.current()) };
    },
    async query(req, ctx) {
      const store = await use(req.collection, ctx);
      return store.query(req);
    },
    async get({ collection, tenant, ids, includeVector }, ctx) {
      const store = await use(collection, ctx);
      return store.get(tenant, ids, includeVector);
    },
    async delete({ collection, tenant, ids, filter }, ctx) {
      const store = await use(collection, ctx);
      const { count, position } = await store.delete(
        tenant,
        { ...(ids ? { ids } : {}), ...(filter ? { filter } : {}) },
        ctx.signal,
      );
      return { count, position: String(position ?? positions.current()) };
    },
    async count({ collection, tenant, filter }, ctx) {
      const store = await use(collection, ctx);
      return store.count(tenant, filter);
    },
  };

  return {
    name: 'hnswlib',
    ...(root ? { namespace: root } : {}),
    capabilities: { shared: false, persistent: root !== undefined, upsertChunkSize: 2048 },
    endpoints: [endpoint],
    comparePositions: comparePositionCounters,
    async close() {
      if (closed) return;
      closed = true;
      await catalog.idle();
      const open = [...stores.values()];
      stores.clear();
      const results = await Promise.allSettled(open.map(async (s) => (await s).close()));
      try {
        if (root) positions.persist();
      } finally {
        lock?.release();
      }
      const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
      if (failed)
        throw new AindusError('INTERNAL', 'Closing a collection failed', { cause: failed.reason });
    },
  };
}
