import {
  type CollectionSpec,
  createClient,
  createMemoryEngine,
  type EngineQuery,
  parseFilter,
} from '@aindusdb/core';
import { describe, expect, it } from 'vitest';
import { createCollectionState } from '../src/collection-state.js';
import { type CollectionStore, openCollectionStore } from '../src/collection-store.js';
import { createHnswEngine } from '../src/index.js';
import { seeded } from './fixtures/crash-model.js';

const spec = (dimension: number, metric: CollectionSpec['metric'] = 'l2'): CollectionSpec => ({
  name: 's',
  dimension,
  metric,
  index: { type: 'hnsw', m: 16, efConstruction: 64 },
});
const randomVectors = (n: number, dim: number, seed: number) => {
  const r = seeded(seed);
  return Array.from({ length: n }, () => Float32Array.from({ length: dim }, () => r() * 2 - 1));
};
const signal = new AbortController().signal;

async function storeWith(
  n: number,
  dim: number,
  tenants: string[] = [''],
): Promise<CollectionStore> {
  let position = 0;
  const store = await openCollectionStore(spec(dim), {
    fsync: false,
    compactLogBytes: 1 << 30,
    snapshotOnClose: false,
    initialCapacity: 16,
    seed: 100,
    tuning: { efFor: (k) => Math.max(40, 2 * k), exactSelectivity: 0.1 },
    nextPosition: () => ++position,
  });
  const vectors = randomVectors(n, dim, 7);
  for (const tenant of tenants) {
    await store.upsert(
      tenant,
      vectors.map((vector, i) => ({
        id: `${tenant}v${i}`,
        vector,
        metadata: { i, pct: i % 100, tenant },
      })),
      signal,
    );
  }
  return store;
}

const query = (vector: Float32Array, extra: Partial<EngineQuery> = {}): EngineQuery => ({
  collection: 's',
  tenant: '',
  vector,
  topK: 10,
  includeMetadata: true,
  includeVector: false,
  search: {},
  ...extra,
});

describe('query planning', () => {
  it('walks the graph for broad queries and scans selective filters exactly', async () => {
    const store = await storeWith(3000, 16);
    const q = randomVectors(1, 16, 99)[0]!;
    store.query(query(q));
    expect(store.lastSearchPath).toBe('hnsw');
    store.query(query(q, { filter: parseFilter({ pct: { $lt: 50 } }) }));
    expect(store.lastSearchPath).toBe('hnsw');
    const selective = store.query(query(q, { filter: parseFilter({ pct: 3 }) }));
    expect(store.lastSearchPath).toBe('exact');
    expect(selective.matches).toHaveLength(10);
    expect(selective.matches.every((m) => m.metadata!.pct === 3)).toBe(true);
    store.query(query(q, { search: { exact: true } }));
    expect(store.lastSearchPath).toBe('exact');
  });

  it('samples the filter on large tenants and still returns topK complete results', async () => {
    const store = await storeWith(5000, 8);
    const q = randomVectors(1, 8, 5)[0]!;
    const few = store.query(query(q, { topK: 20, filter: parseFilter({ i: { $lt: 30 } }) }));
    expect(few.matches).toHaveLength(20);
    expect(few.complete).toBe(true);
    const none = store.query(query(q, { filter: parseFilter({ i: -1 }) }));
    expect(none.matches).toHaveLength(0);
  });

  it('returns topK complete results when most of the graph is deleted', async () => {
    const store = await storeWith(1500, 8);
    const q = randomVectors(1, 8, 6)[0]!;
    // Tombstones stay in the graph; searches step over them, and a walk that still comes back
    // short is redone exactly.
    await store.delete('', { ids: Array.from({ length: 1300 }, (_, i) => `v${i}`) }, signal);
    const result = store.query(query(q, { topK: 150 }));
    expect(result.matches).toHaveLength(150);
    expect(result.complete).toBe(true);
    expect(result.matches.every((m) => Number(m.id.slice(1)) >= 1300)).toBe(true);
  });

  it('confines graph searches to the tenant', async () => {
    const store = await storeWith(1500, 8, ['a', 'b', 'c']);
    const q = randomVectors(1, 8, 8)[0]!;
    for (const tenant of ['a', 'b', 'c']) {
      const result = store.query(query(q, { tenant, topK: 25 }));
      expect(store.lastSearchPath).toBe('hnsw');
      expect(result.matches).toHaveLength(25);
      expect(result.matches.every((m) => m.id.startsWith(`${tenant}v`))).toBe(true);
    }
  });
});

describe('slots', () => {
  it('deletes and updates reuse slots instead of growing', () => {
    const state = createCollectionState(spec(4), {
      initialCapacity: 8,
      hnsw: { m: 8, efConstruction: 32, seed: 1 },
    });
    const vectors = randomVectors(200, 4, 3);
    state.upsert(
      '',
      vectors.map((vector, i) => ({ id: `a${i}`, vector, metadata: {} })),
    );
    expect(state.exportRows().nextSlot).toBe(200);
    expect(state.index!.capacity).toBeGreaterThanOrEqual(200);
    const capacity = state.index!.capacity;
    // Updates rewrite in place.
    state.upsert(
      '',
      vectors.map((vector, i) => ({
        id: `a${i}`,
        vector: vector.map((x) => -x),
        metadata: { u: 1 },
      })),
    );
    expect(state.exportRows().nextSlot).toBe(200);
    // Deleted slots are reused by new ids.
    expect(state.delete('', vectors.map((_, i) => `a${i}`).slice(0, 150))).toBe(150);
    state.upsert(
      '',
      vectors.slice(0, 150).map((vector, i) => ({ id: `b${i}`, vector, metadata: {} })),
    );
    expect(state.exportRows().nextSlot).toBe(200);
    expect(state.index!.capacity).toBe(capacity);
    expect(state.index!.nativeCount).toBe(200);
    expect(state.live).toBe(200);
  });
});

describe('accuracy', () => {
  it('default ef reaches high recall; exact search equals the memory oracle within 1e-4', async () => {
    const dim = 24;
    const base = randomVectors(4000, dim, 11);
    const queries = randomVectors(40, dim, 12);
    for (const metric of ['l2', 'cosine', 'ip'] as const) {
      const hnsw = createClient({ engine: createHnswEngine(), cache: false });
      const oracle = createClient({ engine: createMemoryEngine(), cache: false });
      const rows = base.map((vector, i) => ({ id: `v${i}`, vector, metadata: { g: i % 3 } }));
      const a = await hnsw.createCollection('acc', { dimension: dim, metric });
      const b = await oracle.createCollection('acc', { dimension: dim, metric });
      await a.upsert(rows);
      await b.upsert(rows);
      let hits = 0;
      for (const vector of queries) {
        const truth = await b.query({ vector, topK: 10 });
        const approx = await a.query({ vector, topK: 10, search: { ef: 128 } });
        const want = new Set(truth.matches.map((m) => m.id));
        hits += approx.matches.filter((m) => want.has(m.id)).length;
        // Graph results carry exact distances too.
        for (const m of approx.matches) {
          const same = truth.matches.find((t) => t.id === m.id);
          if (same) expect(Math.abs(same.distance - m.distance)).toBeLessThan(1e-4);
        }
        const exact = await a.query({
          vector,
          topK: 10,
          filter: { g: 1 },
          search: { exact: true },
        });
        const exactTruth = await b.query({ vector, topK: 10, filter: { g: 1 } });
        expect(exact.matches.map((m) => m.id)).toEqual(exactTruth.matches.map((m) => m.id));
        exact.matches.forEach((m, i) => {
          expect(Math.abs(m.distance - exactTruth.matches[i]!.distance)).toBeLessThan(1e-4);
        });
      }
      expect(hits / (queries.length * 10), metric).toBeGreaterThan(0.9);
      await hnsw.close();
      await oracle.close();
    }
  });

  it("index { type: 'none' } always searches exactly", async () => {
    const client = createClient({ engine: createHnswEngine(), cache: false });
    const col = await client.createCollection('flat', {
      dimension: 3,
      metric: 'l2',
      index: { type: 'none' },
    });
    await col.upsert([
      { id: 'a', vector: [0, 0, 0] },
      { id: 'b', vector: [1, 0, 0] },
      { id: 'c', vector: [3, 4, 0] },
    ]);
    const { matches } = await col.query({ vector: [0, 0, 0], topK: 3 });
    expect(matches.map((m) => [m.id, m.distance])).toEqual([
      ['a', 0],
      ['b', 1],
      ['c', 5],
    ]);
    await client.close();
  });
});
