import { describe, expect, it } from 'vitest';
import {
  createClient,
  createMemoryEngine,
  type Engine,
  type EngineEndpoint,
} from '../src/index.js';
import { createRecordingTracer } from './recording-tracer.js';

/** Counts engine queries by wrapping the real memory engine's endpoint (no behaviour changed). */
function countingEngine(): Engine & { queries: () => number } {
  const engine = createMemoryEngine();
  const inner = engine.endpoints[0]!;
  let queries = 0;
  const endpoint: EngineEndpoint = {
    ...inner,
    query: (req, ctx) => {
      queries++;
      return inner.query(req, ctx);
    },
  };
  return { ...engine, endpoints: [endpoint], queries: () => queries };
}

async function setup() {
  const engine = countingEngine();
  const tracer = createRecordingTracer();
  const client = createClient({ engine, tracer });
  const docs = await client.createCollection('docs', { dimension: 3, metric: 'l2' });
  await docs.upsert([
    { id: 'a', vector: [1, 0, 0], metadata: { n: 1 } },
    { id: 'b', vector: [0, 1, 0], metadata: { n: 2 } },
  ]);
  const querySpans = () => tracer.spans.filter((s) => s.name === 'query docs' && !s.parent);
  const lastHit = () => querySpans().at(-1)?.attributes['aindusdb.cache.hit'];
  return { engine, tracer, client, docs, lastHit };
}

const q = { vector: [1, 0.1, 0], topK: 2 };

describe('query cache through the client (default memory cache)', () => {
  it('serves a repeated identical query from the cache, visible on the span', async () => {
    const { engine, docs, lastHit, tracer } = await setup();
    const first = await docs.query(q);
    expect(lastHit()).toBe(false);
    const second = await docs.query(q);
    expect(lastHit()).toBe(true);
    expect(second).toEqual(first);
    expect(engine.queries()).toBe(1);
    const lookups = tracer.spans.filter((s) => s.name === 'cache.lookup docs');
    expect(lookups).toHaveLength(2);
    expect(lookups.every((s) => s.parent?.name === 'query docs')).toBe(true);
  });

  it('misses after an upsert, then hits again', async () => {
    const { docs, lastHit } = await setup();
    await docs.query(q);
    await docs.query(q);
    expect(lastHit()).toBe(true);
    await docs.upsert([{ id: 'c', vector: [1, 0.1, 0] }]);
    const after = await docs.query(q);
    expect(lastHit()).toBe(false);
    expect(after.matches[0]?.id).toBe('c');
    await docs.query(q);
    expect(lastHit()).toBe(true);
  });

  it('misses after a delete by ids and after a delete by filter', async () => {
    const { docs, lastHit } = await setup();
    await docs.query(q);
    await docs.delete({ ids: ['b'] });
    expect((await docs.query(q)).matches.map((m) => m.id)).toEqual(['a']);
    expect(lastHit()).toBe(false);
    await docs.query(q);
    expect(lastHit()).toBe(true);
    await docs.delete({ filter: { n: 1 } });
    expect((await docs.query(q)).matches).toEqual([]);
    expect(lastHit()).toBe(false);
  });

  it('a write through a tenant handle invalidates the collection', async () => {
    const { docs, lastHit } = await setup();
    await docs.query(q);
    await docs.tenant('t1').upsert([{ id: 'x', vector: [0, 0, 1] }]);
    await docs.query(q);
    expect(lastHit()).toBe(false);
  });

  it('misses after the collection is dropped and recreated', async () => {
    const { client, docs, lastHit } = await setup();
    await docs.query(q);
    await client.dropCollection('docs');
    const again = await client.createCollection('docs', { dimension: 3, metric: 'l2' });
    expect((await again.query(q)).matches).toEqual([]);
    expect(lastHit()).toBe(false);
  });

  it('different filters, topK, tenants and options are different entries', async () => {
    const { docs, lastHit } = await setup();
    await docs.query(q);
    for (const variant of [
      { ...q, topK: 1 },
      { ...q, filter: { n: 1 } },
      { ...q, includeMetadata: false },
      { ...q, includeVector: true },
      { ...q, search: { ef: 50 } },
    ]) {
      await docs.query(variant);
      expect(lastHit()).toBe(false);
    }
    await docs.tenant('t1').query(q);
    expect(lastHit()).toBe(false);
  });

  it('concurrent identical misses share one engine query', async () => {
    const { engine, docs } = await setup();
    const results = await Promise.all(Array.from({ length: 50 }, () => docs.query(q)));
    expect(engine.queries()).toBe(1);
    expect(new Set(results.map((r) => JSON.stringify(r))).size).toBe(1);
  });

  it('a caller mutating a result cannot change what the cache serves', async () => {
    const { docs } = await setup();
    const first = await docs.query(q);
    first.matches.length = 0;
    const second = await docs.query(q);
    expect(second.matches).toHaveLength(2);
  });

  it("'strong' reads bypass the cache", async () => {
    const { engine, docs } = await setup();
    await docs.query(q);
    await docs.query({ ...q, consistency: 'strong' });
    expect(engine.queries()).toBe(2);
  });

  it('cache: false never caches', async () => {
    const engine = countingEngine();
    const client = createClient({ engine, cache: false });
    const docs = await client.createCollection('docs', { dimension: 3, metric: 'l2' });
    await docs.upsert([{ id: 'a', vector: [1, 0, 0] }]);
    await docs.query(q);
    await docs.query(q);
    expect(engine.queries()).toBe(2);
  });

  it('text queries embed once per text through the embedding cache', async () => {
    let embedded = 0;
    const client = createClient({
      engine: createMemoryEngine(),
      embedder: async (texts) => {
        embedded += texts.length;
        return texts.map((t) => [t.length, 1, 0]);
      },
    });
    const docs = await client.createCollection('docs', { dimension: 3, metric: 'cosine' });
    await docs.upsert([{ id: 'a', vector: [3, 1, 0] }]);
    await docs.query({ text: 'abc', topK: 1 });
    await docs.upsert([{ id: 'b', vector: [1, 1, 0] }]);
    const r = await docs.query({ text: 'abc', topK: 1 });
    expect(r.matches[0]?.id).toBe('a');
    expect(embedded).toBe(1);
  });
});

describe('collection specs cached by a client', () => {
  it('notices another client recreated the collection with another dimension', async () => {
    const engine = createMemoryEngine();
    const a = createClient({ engine, cache: false });
    const b = createClient({ engine, cache: false });
    await (await a.createCollection('docs', { dimension: 2, metric: 'l2' })).upsert([
      { id: 'x', vector: [1, 2] },
    ]);
    await b.dropCollection('docs');
    await b.createCollection('docs', { dimension: 3, metric: 'l2' });
    const docs = a.collection('docs');
    await expect(docs.upsert([{ id: 'y', vector: [1, 2, 3] }])).resolves.toMatchObject({
      upserted: 1,
    });
    await expect(docs.upsert([{ id: 'z', vector: [1, 2] }])).rejects.toMatchObject({
      code: 'DIMENSION_MISMATCH',
    });
    await expect(docs.query({ vector: [1, 2, 3], topK: 1 })).resolves.toMatchObject({
      complete: true,
    });
    expect(await docs.count()).toBe(1);
  });

  it('an engine rejects a vector of the wrong length even when a stale spec let it through', async () => {
    const engine = createMemoryEngine();
    const a = createClient({ engine, cache: false });
    const b = createClient({ engine, cache: false });
    const docs = await a.createCollection('docs', { dimension: 2, metric: 'l2' });
    await b.dropCollection('docs');
    await b.createCollection('docs', { dimension: 3, metric: 'l2' });
    // a's cached spec still says 2: the engine itself refuses, and a forgets the stale spec.
    await expect(docs.upsert([{ id: 'z', vector: [1, 2] }])).rejects.toMatchObject({
      code: 'DIMENSION_MISMATCH',
    });
    await expect(docs.upsert([{ id: 'y', vector: [1, 2, 3] }])).resolves.toMatchObject({
      upserted: 1,
    });
  });
});
