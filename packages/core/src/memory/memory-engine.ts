import { throwIfAborted } from '../engine/abort.js';
import {
  collectionExistsError,
  collectionNotFoundError,
  sameCollectionSpec,
} from '../engine/collection-spec.js';
import { compareMatches, distance } from '../engine/distance.js';
import type {
  Engine,
  EngineContext,
  EngineEndpoint,
  EngineMatch,
  EngineRecord,
} from '../engine/engine.js';
import { comparePositionCounters } from '../engine/position-counter.js';
import { AindusError } from '../errors/aindus-error.js';
import { compileFilter } from '../filter/compile-filter.js';
import type { CollectionSpec } from '../types.js';

/** Options of {@link createMemoryEngine}. */
export interface MemoryEngineOptions {
  /** Name reported as the endpoint id (default `memory`). */
  name?: string;
}

interface MemoryCollection {
  spec: CollectionSpec;
  tenants: Map<string, Map<string, EngineRecord>>;
}

const clone = <T>(value: T): T => structuredClone(value);

/** The engine checks dimensions itself too: a client's cached spec may be stale. */
function checkDimension(spec: CollectionSpec, vector: Float32Array, index?: number): void {
  if (vector.length !== spec.dimension) {
    throw new AindusError(
      'DIMENSION_MISMATCH',
      `Vector has ${vector.length} dimensions; the collection has ${spec.dimension}`,
      { details: index === undefined ? {} : { index } },
    );
  }
}

/**
 * An exact, brute-force, in-process engine: every query scans every record. It is the oracle
 * other engines are tested against, and handy for tests and small data. Nothing is persisted.
 */
export function createMemoryEngine(options: MemoryEngineOptions = {}): Engine {
  const collections = new Map<string, MemoryCollection>();
  let position = 0;
  let closed = false;

  const use = (name: string, ctx: EngineContext): MemoryCollection => {
    if (closed)
      throw new AindusError('UNAVAILABLE', 'The memory engine is closed', { retryable: false });
    throwIfAborted(ctx.signal);
    const collection = collections.get(name);
    if (!collection) throw collectionNotFoundError(name);
    return collection;
  };
  const rows = (c: MemoryCollection, tenant: string): Map<string, EngineRecord> => {
    let map = c.tenants.get(tenant);
    if (!map) {
      map = new Map();
      c.tenants.set(tenant, map);
    }
    return map;
  };

  const endpoint: EngineEndpoint = {
    id: options.name ?? 'memory',
    role: 'primary',
    async probe() {
      return { alive: !closed, writable: !closed, position: String(position), latencyMs: 0 };
    },
    async createCollection(spec, ctx) {
      throwIfAborted(ctx.signal);
      const existing = collections.get(spec.name);
      if (existing) {
        if (sameCollectionSpec(existing.spec, spec)) return { created: false };
        throw collectionExistsError(existing.spec);
      }
      collections.set(spec.name, { spec: clone(spec), tenants: new Map() });
      return { created: true };
    },
    async dropCollection(name, ctx) {
      throwIfAborted(ctx.signal);
      return { dropped: collections.delete(name) };
    },
    async listCollections(ctx) {
      throwIfAborted(ctx.signal);
      return [...collections.values()]
        .map((c) => clone(c.spec))
        .sort((a, b) => (a.name < b.name ? -1 : 1));
    },
    async describeCollection(name, ctx) {
      throwIfAborted(ctx.signal);
      const c = collections.get(name);
      return c ? clone(c.spec) : undefined;
    },
    async upsert({ collection, tenant, records }, ctx) {
      const c = use(collection, ctx);
      for (const [index, r] of records.entries()) checkDimension(c.spec, r.vector, index);
      const map = rows(c, tenant);
      for (const r of records) {
        map.set(r.id, { id: r.id, vector: r.vector.slice(), metadata: clone(r.metadata) });
      }
      return { count: records.length, position: String(++position) };
    },
    async query(req, ctx) {
      const c = use(req.collection, ctx);
      checkDimension(c.spec, req.vector);
      const pass = compileFilter(req.filter);
      const scored: (EngineMatch & { record: EngineRecord })[] = [];
      for (const record of rows(c, req.tenant).values()) {
        if (!pass(record.metadata)) continue;
        const d = distance(c.spec.metric, req.vector, record.vector);
        scored.push({ id: record.id, distance: d, record });
      }
      scored.sort(compareMatches);
      const matches = scored.slice(0, req.topK).map(({ id, distance: d, record }) => ({
        id,
        distance: d,
        ...(req.includeMetadata ? { metadata: clone(record.metadata) } : {}),
        ...(req.includeVector ? { vector: Array.from(record.vector) } : {}),
      }));
      return { matches, complete: true };
    },
    async get({ collection, tenant, ids, includeVector }, ctx) {
      const map = rows(use(collection, ctx), tenant);
      return ids.flatMap((id) => {
        const r = map.get(id);
        if (!r) return [];
        return [
          {
            id,
            metadata: clone(r.metadata),
            ...(includeVector ? { vector: Array.from(r.vector) } : {}),
          },
        ];
      });
    },
    async delete({ collection, tenant, ids, filter }, ctx) {
      const map = rows(use(collection, ctx), tenant);
      let count = 0;
      if (ids) {
        for (const id of ids) if (map.delete(id)) count++;
      } else if (filter) {
        const pass = compileFilter(filter);
        for (const [id, r] of map) if (pass(r.metadata) && map.delete(id)) count++;
      }
      return { count, position: String(++position) };
    },
    async count({ collection, tenant, filter }, ctx) {
      const map = rows(use(collection, ctx), tenant);
      if (!filter) return map.size;
      const pass = compileFilter(filter);
      let n = 0;
      for (const r of map.values()) if (pass(r.metadata)) n++;
      return n;
    },
  };

  return {
    name: 'memory',
    capabilities: { shared: false, persistent: false, upsertChunkSize: 10_000 },
    endpoints: [endpoint],
    comparePositions: comparePositionCounters,
    async close() {
      closed = true;
      collections.clear();
    },
  };
}
