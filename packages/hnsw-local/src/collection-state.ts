import type { CollectionSpec, EngineRecord, Metadata } from '@aindusdb/core';
import { createHnswIndex, type HnswIndex, type HnswParams } from './hnsw-index.js';
import { sumOfSquares } from './slab-distance.js';

/** One tenant's rows: ids to slots, and the slots as a dense list for scans and sampling. */
export interface TenantRows {
  /** Position in the state's tenant table (what `tenantOf` holds). */
  readonly index: number;
  /** Tenant name (`''` is the default tenant). */
  readonly name: string;
  /** Record id to slot. */
  readonly ids: Map<string, number>;
  /** The tenant's slots, unordered. */
  readonly slots: number[];
}

/** The rows of a snapshot, as {@link CollectionState.exportRows} returns and loading takes. */
export interface StateRows {
  /** Slots in use or free below this bound; slots at or above it were never used. */
  nextSlot: number;
  /** Tenant names; rows refer to them by index. */
  tenants: string[];
  /** Live records: `[slot, tenant index, id, metadata]`. */
  rows: [number, number, string, Metadata][];
  /** `nextSlot × dimension` components, slot-major (free slots hold stale values). */
  vectors: Float32Array;
}

/**
 * A collection in memory: records in slots (vectors in one float32 slab, ids, metadata,
 * tenant), free slots left by deletes, and the HNSW index whose labels are the slots.
 * Mutations are synchronous, so a reader never sees half a write.
 */
export interface CollectionState {
  /** The collection's spec. */
  readonly spec: CollectionSpec;
  /** The HNSW index, or `undefined` for `index: { type: 'none' }` (exact search only). */
  readonly index: HnswIndex | undefined;
  /** Live records, all tenants. */
  readonly live: number;
  /** Vector components, `dimension` per slot. Replaced when capacity grows. */
  readonly vectors: Float32Array;
  /** Sum of squares per slot (cosine only; empty otherwise). */
  readonly norms: Float64Array;
  /** Tenant index per slot, −1 for a free slot. */
  readonly tenantOf: Int32Array;
  /** Record id per slot. */
  readonly ids: readonly (string | undefined)[];
  /** Metadata per slot. */
  readonly metadata: readonly (Metadata | undefined)[];
  /** A tenant's rows, if it ever had any. */
  tenant(name: string): TenantRows | undefined;
  /** Inserts or replaces records whole; reuses free slots before growing. */
  upsert(tenant: string, records: readonly EngineRecord[]): void;
  /** Removes records by id; returns how many existed. */
  delete(tenant: string, ids: readonly string[]): number;
  /** The rows to snapshot (the slab is shared, not copied: do not mutate while writing it). */
  exportRows(): StateRows;
}

/** How to build a state. */
export interface StateOptions {
  /** Initial slot capacity. */
  initialCapacity: number;
  /** Graph parameters, or `undefined` for no index. */
  hnsw: HnswParams | undefined;
  /** Rows and index to start from (a loaded snapshot); without `index`, one is rebuilt. */
  from?: { rows: StateRows; index: HnswIndex | undefined };
}

/** Creates the in-memory state of one collection. */
export function createCollectionState(
  spec: CollectionSpec,
  options: StateOptions,
): CollectionState {
  const dim = spec.dimension;
  const cosine = spec.metric === 'cosine';
  const from = options.from;
  let capacity = Math.max(options.initialCapacity, from?.rows.nextSlot ?? 0, 1);
  let vectors = new Float32Array(capacity * dim);
  let norms = new Float64Array(cosine ? capacity : 0);
  let tenantOf = new Int32Array(capacity).fill(-1);
  let position = new Int32Array(capacity);
  const ids: (string | undefined)[] = [];
  const metadata: (Metadata | undefined)[] = [];
  const tenants: TenantRows[] = [];
  const tenantByName = new Map<string, TenantRows>();
  const free: number[] = [];
  let nextSlot = 0;
  let live = 0;
  // A snapshot without a usable index file is re-indexed from its records.
  const rebuild = from !== undefined && from.index === undefined && options.hnsw !== undefined;
  const index =
    from?.index ??
    (options.hnsw ? createHnswIndex(spec.metric, dim, capacity, options.hnsw) : undefined);

  const tenantRows = (name: string): TenantRows => {
    let t = tenantByName.get(name);
    if (!t) {
      t = { index: tenants.length, name, ids: new Map(), slots: [] };
      tenants.push(t);
      tenantByName.set(name, t);
    }
    return t;
  };

  const grow = (needed: number) => {
    if (needed > capacity) {
      const next = Math.max(needed, capacity * 2);
      const v = new Float32Array(next * dim);
      v.set(vectors);
      vectors = v;
      if (cosine) {
        const n = new Float64Array(next);
        n.set(norms);
        norms = n;
      }
      const t = new Int32Array(next).fill(-1);
      t.set(tenantOf);
      tenantOf = t;
      const p = new Int32Array(next);
      p.set(position);
      position = p;
      capacity = next;
    }
    if (index && index.capacity < needed)
      index.resize(Math.max(needed, index.capacity * 2, capacity));
  };

  const place = (slot: number, t: TenantRows, id: string) => {
    tenantOf[slot] = t.index;
    position[slot] = t.slots.length;
    t.slots.push(slot);
    t.ids.set(id, slot);
    ids[slot] = id;
    live++;
  };

  const writeVector = (slot: number, vector: Float32Array) => {
    vectors.set(vector, slot * dim);
    if (cosine) norms[slot] = sumOfSquares(vector);
  };

  const sameVector = (slot: number, vector: Float32Array) => {
    const offset = slot * dim;
    for (let i = 0; i < dim; i++) if (vectors[offset + i] !== vector[i]) return false;
    return true;
  };

  if (from) {
    const { rows } = from;
    vectors.set(rows.vectors.subarray(0, rows.nextSlot * dim));
    nextSlot = rows.nextSlot;
    const names = rows.tenants.map(tenantRows);
    for (const [slot, tenantIndex, id, meta] of rows.rows) {
      place(slot, names[tenantIndex]!, id);
      metadata[slot] = meta;
      if (cosine) norms[slot] = sumOfSquares(vectors, slot * dim, dim);
      if (rebuild) index!.set(vectors.subarray(slot * dim, (slot + 1) * dim), slot);
    }
    // Highest slots last, so the lowest free slot is reused first.
    for (let slot = nextSlot - 1; slot >= 0; slot--) if (tenantOf[slot] === -1) free.push(slot);
    if (index && index.capacity < capacity) index.resize(capacity);
  }

  return {
    spec,
    get index() {
      return index;
    },
    get live() {
      return live;
    },
    get vectors() {
      return vectors;
    },
    get norms() {
      return norms;
    },
    get tenantOf() {
      return tenantOf;
    },
    ids,
    metadata,
    tenant: (name) => tenantByName.get(name),
    upsert(tenant, records) {
      const t = tenantRows(tenant);
      let fresh = 0;
      for (const r of records) if (!t.ids.has(r.id)) fresh++;
      grow(nextSlot + Math.max(0, fresh - free.length));
      for (const r of records) {
        const existing = t.ids.get(r.id);
        if (existing !== undefined) {
          metadata[existing] = r.metadata;
          if (sameVector(existing, r.vector)) continue;
          writeVector(existing, r.vector);
          index?.set(r.vector, existing);
          continue;
        }
        const slot = free.pop() ?? nextSlot++;
        writeVector(slot, r.vector);
        metadata[slot] = r.metadata;
        place(slot, t, r.id);
        index?.set(r.vector, slot);
      }
    },
    delete(tenant, list) {
      const t = tenantByName.get(tenant);
      if (!t) return 0;
      let count = 0;
      for (const id of list) {
        const slot = t.ids.get(id);
        if (slot === undefined) continue;
        t.ids.delete(id);
        // Swap-remove from the dense slot list.
        const at = position[slot]!;
        const last = t.slots.pop()!;
        if (last !== slot) {
          t.slots[at] = last;
          position[last] = at;
        }
        tenantOf[slot] = -1;
        ids[slot] = undefined;
        metadata[slot] = undefined;
        index?.remove(slot);
        free.push(slot);
        live--;
        count++;
      }
      return count;
    },
    exportRows() {
      const names: string[] = [];
      const remap = new Map<number, number>();
      const rows: StateRows['rows'] = [];
      for (const t of tenants) {
        if (t.slots.length === 0) continue;
        remap.set(t.index, names.length);
        names.push(t.name);
      }
      for (let slot = 0; slot < nextSlot; slot++) {
        const ti = tenantOf[slot]!;
        if (ti === -1) continue;
        rows.push([slot, remap.get(ti)!, ids[slot]!, metadata[slot]!]);
      }
      return { nextSlot, tenants: names, rows, vectors: vectors.subarray(0, nextSlot * dim) };
    },
  };
}
