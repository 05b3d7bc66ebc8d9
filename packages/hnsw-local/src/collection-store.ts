import { open, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import {
  AindusError,
  type CollectionSpec,
  collectionNotFoundError,
  compileFilter,
  type EngineQuery,
  type EngineQueryResult,
  type EngineRecord,
  type FilterNode,
  type Metadata,
} from '@aindusdb/core';
import { cloneMetadata } from './clone-json.js';
import {
  createCollectionSearcher,
  type SearchPath,
  type SearchTuning,
} from './collection-search.js';
import { type CollectionState, createCollectionState, type StateRows } from './collection-state.js';
import { fsyncDir } from './durable-fs.js';
import { type HnswIndex, type HnswParams, loadHnswIndex } from './hnsw-index.js';
import { decodeLogEntry, encodeLogEntry } from './log-entry.js';
import { createSerialQueue } from './serial-queue.js';
import {
  MANIFEST_FILE,
  type Manifest,
  readManifest,
  readSnapshotRows,
  removeFiles,
  writeManifest,
  writeSnapshot,
} from './snapshot.js';
import { openWriteLog, replayWriteLog, type WriteLog } from './write-log.js';

/** How a collection store persists and searches. */
export interface CollectionStoreOptions {
  /** The collection's directory; without it the store is memory-only. */
  dir?: string;
  /** Flush each log append before acknowledging it. */
  fsync: boolean;
  /** Compact the log into a snapshot once it holds this many bytes. */
  compactLogBytes: number;
  /** Snapshot a non-empty log at close, so the next open needs no replay. */
  snapshotOnClose: boolean;
  /** Initial slot capacity. */
  initialCapacity: number;
  /** Seed of hnswlib's level generator. */
  seed: number;
  /** Query planning. */
  tuning: SearchTuning;
  /** Hands out the engine's next write position. */
  nextPosition(): number;
}

/** One open collection: its records, index and (with a directory) its log and snapshots. */
export interface CollectionStore {
  /** The collection's spec. */
  readonly spec: CollectionSpec;
  /** Path the last query took. */
  readonly lastSearchPath: SearchPath;
  /** Bytes in the write log (0 when memory-only). */
  readonly logBytes: number;
  /** Inserts or replaces records; resolves with the write's position, or `undefined` for none. */
  upsert(tenant: string, records: EngineRecord[], signal: AbortSignal): Promise<number | undefined>;
  /** Deletes by ids or filter; the position is `undefined` when nothing was deleted. */
  delete(
    tenant: string,
    selector: { ids?: readonly string[]; filter?: FilterNode },
    signal: AbortSignal,
  ): Promise<{ count: number; position: number | undefined }>;
  /** Nearest neighbours (always complete). */
  query(req: EngineQuery): EngineQueryResult;
  /** Records by id, in order, missing ones omitted. */
  get(
    tenant: string,
    ids: readonly string[],
    includeVector: boolean,
  ): { id: string; metadata: Metadata; vector?: number[] }[];
  /** Counts a tenant's records, optionally filtered. */
  count(tenant: string, filter: FilterNode | undefined): number;
  /** Writes a snapshot and starts an empty log (no-op when memory-only or nothing changed). */
  compact(): Promise<void>;
  /** Waits for queued writes, snapshots if configured, closes files. Idempotent. */
  close(): Promise<void>;
  /** Like {@link close} without snapshot; later calls fail with `COLLECTION_NOT_FOUND`. */
  drop(): Promise<void>;
}

/** HNSW parameters of a spec, or `undefined` for `index: { type: 'none' }`. */
export function hnswParamsOf(spec: CollectionSpec, seed: number): HnswParams | undefined {
  if (spec.index.type === 'none') return undefined;
  // ivfflat has no meaning here: such collections get the default graph.
  if (spec.index.type === 'hnsw')
    return { m: spec.index.m, efConstruction: spec.index.efConstruction, seed };
  return { m: 16, efConstruction: 64, seed };
}

interface Loaded {
  state: CollectionState;
  manifest: Manifest | undefined;
  log: WriteLog | undefined;
  /** Position of the last write the collection holds. */
  position: number;
}

async function load(spec: CollectionSpec, options: CollectionStoreOptions): Promise<Loaded> {
  const hnsw = hnswParamsOf(spec, options.seed);
  const base = { initialCapacity: options.initialCapacity, hnsw };
  const { dir } = options;
  if (!dir)
    return {
      state: createCollectionState(spec, base),
      manifest: undefined,
      log: undefined,
      position: 0,
    };

  const manifest = await readManifest(dir);
  let from: { rows: StateRows; index: HnswIndex | undefined } | undefined;
  if (manifest.records) {
    const rows = await readSnapshotRows(dir, manifest.records, spec.dimension);
    let index: HnswIndex | undefined;
    if (hnsw && manifest.index) {
      // hnswlib's own binary is loaded as is; an unusable file only costs a rebuild.
      index = await loadHnswIndex(spec.metric, spec.dimension, join(dir, manifest.index)).catch(
        () => undefined,
      );
      if (index && index.nativeCount > rows.nextSlot) index = undefined;
    }
    from = { rows, index };
  }
  const state = createCollectionState(spec, { ...base, ...(from ? { from } : {}) });

  const logPath = join(dir, manifest.log);
  const replay = await replayWriteLog(logPath);
  let position = manifest.position;
  for (const payload of replay.payloads) {
    const entry = decodeLogEntry(payload, spec.dimension);
    position = entry.position;
    if (entry.kind === 'upsert') state.upsert(entry.tenant, entry.records);
    else state.delete(entry.tenant, entry.ids);
  }
  const log = await openWriteLog(logPath, replay.validBytes, { fsync: options.fsync });

  // Files of an interrupted compaction (never named by the manifest) are dropped.
  const keep = new Set([
    'spec.json',
    MANIFEST_FILE,
    manifest.index,
    manifest.records,
    manifest.log,
  ]);
  const stale = (await readdir(dir)).filter((name) => !keep.has(name));
  await removeFiles(dir, stale);
  return { state, manifest, log, position };
}

/** Opens a collection: memory-only, or from its directory (snapshot, then log replay). */
export async function openCollectionStore(
  spec: CollectionSpec,
  options: CollectionStoreOptions,
): Promise<CollectionStore> {
  const loaded = await load(spec, options);
  const { state } = loaded;
  let { manifest, log } = loaded;
  const dir = options.dir;
  const searcher = createCollectionSearcher(state, options.tuning);
  const queue = createSerialQueue();
  const dimension = spec.dimension;
  let dropped = false;
  let closed = false;
  // Set when applying a logged write failed: memory no longer matches the log.
  let corrupt: unknown;
  // Set when the log or manifest may disagree with memory: writes stop until a reopen.
  let writeFailure: unknown;
  let compacting = false;
  let lastPosition = loaded.position;

  const checkReadable = () => {
    if (dropped) throw collectionNotFoundError(spec.name);
    if (closed)
      throw new AindusError('UNAVAILABLE', 'The hnsw-local engine is closed', { retryable: false });
    if (corrupt) {
      throw new AindusError(
        'INTERNAL',
        `Collection "${spec.name}" failed to apply a write; reopen the engine to recover it from its log`,
        { cause: corrupt },
      );
    }
  };
  const checkWritable = (signal: AbortSignal) => {
    checkReadable();
    if (writeFailure) {
      throw new AindusError(
        'UNAVAILABLE',
        `Collection "${spec.name}" cannot write after an I/O failure; reopen the engine`,
        { cause: writeFailure, retryable: false },
      );
    }
    if (signal.aborted) {
      const reason = signal.reason;
      throw reason instanceof AindusError
        ? reason
        : new AindusError('TIMEOUT', 'The call was aborted', { cause: reason });
    }
  };
  const apply = (fn: () => void) => {
    try {
      fn();
    } catch (error) {
      corrupt = error;
      throw new AindusError('INTERNAL', `Collection "${spec.name}" failed to apply a write`, {
        cause: error,
      });
    }
  };
  const append = async (payload: Buffer) => {
    if (!log) return;
    try {
      await log.append(payload);
    } catch (error) {
      throw new AindusError(
        'UNAVAILABLE',
        `Could not write the log of collection "${spec.name}": ${(error as Error).message}`,
        { cause: error, retryable: false },
      );
    }
  };

  const compact = async () => {
    if (!dir || !manifest || !log || corrupt || writeFailure) return;
    if (log.bytes === 0) return;
    const generation = manifest.generation + 1;
    let files: Awaited<ReturnType<typeof writeSnapshot>>;
    const logName = `log-${generation}.wal`;
    try {
      files = await writeSnapshot(dir, generation, state.exportRows(), state.index);
      const handle = await open(join(dir, logName), 'w');
      await handle.sync();
      await handle.close();
      await fsyncDir(dir);
    } catch (error) {
      // The old manifest still rules; what was written is cleaned at the next open.
      throw new AindusError(
        'UNAVAILABLE',
        `Snapshot of collection "${spec.name}" failed: ${(error as Error).message}`,
        { cause: error },
      );
    }
    const next: Manifest = {
      format: 1,
      generation,
      position: lastPosition,
      index: files.index,
      records: files.records,
      log: logName,
    };
    try {
      await writeManifest(dir, next);
      await log.close();
      log = await openWriteLog(join(dir, logName), 0, { fsync: options.fsync });
    } catch (error) {
      // Either manifest may be on disk now; both describe the same records, but appending to
      // the wrong log would lose writes, so writing stops until a reopen sorts it out.
      writeFailure = error;
      throw new AindusError(
        'UNAVAILABLE',
        `Switching collection "${spec.name}" to its new snapshot failed`,
        { cause: error },
      );
    }
    const old = [manifest.index, manifest.records, manifest.log].filter((n): n is string => !!n);
    manifest = next;
    await removeFiles(dir, old).catch(() => undefined);
  };

  // After a failed compaction (e.g. disk full) the next try waits for the log to grow again.
  let compactAt = options.compactLogBytes;
  const afterWrite = (position: number) => {
    lastPosition = position;
    if (!log || compacting || log.bytes < compactAt) return;
    compacting = true;
    // Compaction runs in the write queue after this write is acknowledged; reads go on.
    void queue
      .run(compact)
      .then(
        () => {
          compactAt = options.compactLogBytes;
        },
        () => {
          compactAt = (log?.bytes ?? 0) + options.compactLogBytes;
        },
      )
      .finally(() => {
        compacting = false;
      });
  };

  const shutdown = async (snapshot: boolean) => {
    await queue.run(async () => {
      if (closed || dropped) return;
      try {
        if (snapshot && options.snapshotOnClose) await compact().catch(() => undefined);
      } finally {
        closed = true;
        await log?.close();
      }
    });
  };

  return {
    spec,
    get lastSearchPath() {
      return searcher.lastPath;
    },
    get logBytes() {
      return log?.bytes ?? 0;
    },
    upsert(tenant, records, signal) {
      return queue.run(async () => {
        checkWritable(signal);
        if (records.length === 0) return undefined;
        const position = options.nextPosition();
        if (log)
          await append(encodeLogEntry({ kind: 'upsert', position, tenant, records }, dimension));
        apply(() => state.upsert(tenant, records));
        afterWrite(position);
        return position;
      });
    },
    delete(tenant, selector, signal) {
      return queue.run(async () => {
        checkWritable(signal);
        let ids: readonly string[];
        const t = state.tenant(tenant);
        if (selector.ids) {
          ids = t ? [...new Set(selector.ids)].filter((id) => t.ids.has(id)) : [];
        } else if (selector.filter && t) {
          const pass = compileFilter(selector.filter);
          ids = t.slots
            .filter((slot) => pass(state.metadata[slot]!))
            .map((slot) => state.ids[slot]!);
        } else {
          ids = [];
        }
        if (ids.length === 0) return { count: 0, position: undefined };
        const position = options.nextPosition();
        if (log)
          await append(
            encodeLogEntry({ kind: 'delete', position, tenant, ids: [...ids] }, dimension),
          );
        let count = 0;
        apply(() => {
          count = state.delete(tenant, ids);
        });
        afterWrite(position);
        return { count, position };
      });
    },
    query(req) {
      checkReadable();
      return searcher.query(req);
    },
    get(tenant, ids, includeVector) {
      checkReadable();
      const t = state.tenant(tenant);
      if (!t) return [];
      const { vectors, metadata } = state;
      const out: { id: string; metadata: Metadata; vector?: number[] }[] = [];
      for (const id of ids) {
        const slot = t.ids.get(id);
        if (slot === undefined) continue;
        const row: { id: string; metadata: Metadata; vector?: number[] } = {
          id,
          metadata: cloneMetadata(metadata[slot]!),
        };
        if (includeVector)
          row.vector = Array.from(vectors.subarray(slot * dimension, (slot + 1) * dimension));
        out.push(row);
      }
      return out;
    },
    count(tenant, filter) {
      checkReadable();
      const t = state.tenant(tenant);
      if (!t) return 0;
      if (!filter) return t.slots.length;
      const pass = compileFilter(filter);
      const { metadata } = state;
      let n = 0;
      for (const slot of t.slots) if (pass(metadata[slot]!)) n++;
      return n;
    },
    compact() {
      return queue.run(async () => {
        checkReadable();
        await compact();
      });
    },
    close: () => shutdown(true),
    async drop() {
      await queue.run(async () => {
        if (dropped) return;
        dropped = true;
        if (!closed) {
          closed = true;
          await log?.close();
        }
      });
    },
  };
}
