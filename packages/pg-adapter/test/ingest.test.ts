import { type EngineRecord, isAindusError } from '@aindusdb/core';
import { createPgEngine, type PgEngine, type QueryEvent } from '@aindusdb/pg-adapter';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ctx, dropSchema, primaryUrl, randomVector, rng, uniqueSchema } from './env.js';

// Write paths (unnest INSERT, binary COPY straight into the table, COPY into staging + merge),
// their atomicity, index building, layouts by dimension, DDL races and stale specs.
const schema = uniqueSchema('ing');
const seen: QueryEvent[] = [];
let engine: PgEngine;
let raw: pg.Client;

const spec = (
  name: string,
  dimension: number,
  index: Parameters<PgEngine['endpoints'][0]['createCollection']>[0]['index'] = {
    type: 'hnsw',
    m: 16,
    efConstruction: 64,
  },
) => ({
  name,
  dimension,
  metric: 'l2' as const,
  index,
});
const records = (from: number, to: number, dimension = 8, tag = 'v1'): EngineRecord[] => {
  const next = rng(from + to);
  return Array.from({ length: to - from }, (_, k) => ({
    id: `id-${String(from + k).padStart(6, '0')}`,
    vector: randomVector(next, dimension),
    metadata: { tag, i: from + k },
  }));
};
const sent = (pattern: RegExp) => seen.filter((e) => pattern.test(e.text));
const count = (collection: string, tenant = '') =>
  engine.endpoints[0]!.count({ collection, tenant }, ctx());

beforeAll(async () => {
  engine = createPgEngine({ primary: primaryUrl(), schema, max: 4, onQuery: (e) => seen.push(e) });
  raw = new pg.Client({ connectionString: primaryUrl() });
  await raw.connect();
});

afterAll(async () => {
  await engine?.close();
  await raw?.end();
  await dropSchema(schema);
});

describe('upsert paths', () => {
  it('small batches take one unnest INSERT; large ones binary COPY, straight in when no id exists', async () => {
    const ep = engine.endpoints[0]!;
    await ep.createCollection(spec('paths', 8), ctx());
    seen.length = 0;
    await ep.upsert({ collection: 'paths', tenant: '', records: records(0, 10) }, ctx());
    expect(sent(/unnest\(/)).toHaveLength(1);
    expect(sent(/^COPY/)).toHaveLength(0);

    seen.length = 0;
    await ep.upsert({ collection: 'paths', tenant: '', records: records(1000, 2000) }, ctx());
    expect(sent(/^COPY "/).map((e) => e.text)).toEqual([
      `COPY "${schema}"."c_paths" (tenant, id, embedding, metadata) FROM STDIN (FORMAT binary)`,
    ]);
    expect(sent(/aindus_stage/)).toHaveLength(0);
    expect(sent(/= ANY\(\$2::text\[\]\)/)).toHaveLength(0); // the range probe sufficed

    // New ids interleaved with existing ones: the id lookup decides, still a straight COPY.
    seen.length = 0;
    const interleaved = records(1000, 2000).map((r) => ({ ...r, id: `${r.id}-b` }));
    await ep.upsert({ collection: 'paths', tenant: '', records: interleaved }, ctx());
    expect(sent(/= ANY\(\$2::text\[\]\)/)).toHaveLength(1);
    expect(sent(/^COPY "/)).toHaveLength(1);
    expect(await count('paths')).toBe(2010);
  });

  it('existing ids go through staging and INSERT … ON CONFLICT, replacing vector and metadata whole', async () => {
    const ep = engine.endpoints[0]!;
    seen.length = 0;
    const update = records(1500, 2500, 8, 'v2').map((r) => ({ ...r, metadata: { tag: 'v2' } }));
    await ep.upsert({ collection: 'paths', tenant: '', records: update }, ctx());
    expect(sent(/^COPY aindus_stage/)).toHaveLength(1);
    expect(sent(/ON CONFLICT \(tenant, id\) DO UPDATE/)).toHaveLength(1);
    expect(await count('paths')).toBe(2510);
    const got = await ep.get(
      {
        collection: 'paths',
        tenant: '',
        ids: ['id-001499', 'id-001500', 'id-002499'],
        includeVector: true,
      },
      ctx(),
    );
    expect(got.map((r) => r.metadata)).toEqual([
      { tag: 'v1', i: 1499 },
      { tag: 'v2' },
      { tag: 'v2' },
    ]);
    expect(got[1]!.vector).toEqual(Array.from(update[0]!.vector));
  });

  it('concurrent COPYs of the same new ids both succeed: the loser falls back to the merge', async () => {
    const ep = engine.endpoints[0]!;
    const other = createPgEngine({ primary: primaryUrl(), schema, max: 2 });
    try {
      seen.length = 0;
      const batch = records(5000, 6500);
      const results = await Promise.allSettled([
        ep.upsert({ collection: 'paths', tenant: 'race', records: batch }, ctx()),
        other.endpoints[0]!.upsert({ collection: 'paths', tenant: 'race', records: batch }, ctx()),
        ep.upsert(
          {
            collection: 'paths',
            tenant: 'race',
            records: batch.map((r) => ({ ...r, metadata: { tag: 'third' } })),
          },
          ctx(),
        ),
      ]);
      expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'fulfilled']);
      expect(await count('paths', 'race')).toBe(1500);
    } finally {
      await other.close();
    }
  });

  it('a chunk is all or nothing: a row the server rejects writes none of the chunk', async () => {
    const ep = engine.endpoints[0]!;
    await ep.createCollection(spec('wide', 2100), ctx()); // halfvec index: components beyond ±65504 cannot be indexed
    for (const size of [10, 700]) {
      const batch = records(0, size, 2100);
      batch[size - 3]!.vector[5] = 1e6;
      const error = await ep
        .upsert({ collection: 'wide', tenant: '', records: batch }, ctx())
        .catch((e: unknown) => e);
      expect(isAindusError(error)).toBe(true);
      expect((error as { code: string }).code).toBe('INVALID_ARGUMENT');
      expect(await count('wide')).toBe(0);
    }
    // The session was rolled back cleanly: the next write on the pool works.
    await ep.upsert({ collection: 'wide', tenant: '', records: records(0, 5, 2100) }, ctx());
    expect(await count('wide')).toBe(5);
  });

  it('overlapping large upserts in parallel never deadlock', async () => {
    const ep = engine.endpoints[0]!;
    await ep.createCollection(spec('overlap', 4, { type: 'none' }), ctx());
    const all = records(0, 3000, 4);
    const shuffled = (seed: number) => {
      const next = rng(seed);
      return [...all].sort(() => next() - 0.5).slice(0, 1500);
    };
    const results = await Promise.allSettled(
      [1, 2, 3, 4].map((s) =>
        ep.upsert({ collection: 'overlap', tenant: '', records: shuffled(s) }, ctx()),
      ),
    );
    expect(results.filter((r) => r.status === 'rejected')).toEqual([]);
  });
});

describe('indexes and layouts', () => {
  it('deferred index build: none at create time, buildIndex builds it once and ANALYZEs', async () => {
    const deferred = createPgEngine({ primary: primaryUrl(), schema, deferIndexBuild: true });
    try {
      const ep = deferred.endpoints[0]!;
      await ep.createCollection(
        { name: 'later', dimension: 8, metric: 'cosine', index: { type: 'ivfflat', lists: 10 } },
        ctx(),
      );
      const indexes = async () =>
        (
          await raw.query(
            'SELECT indexdef FROM pg_indexes WHERE schemaname = $1 AND tablename = $2',
            [schema, 'c_later'],
          )
        ).rows.map((r) => r.indexdef as string);
      expect((await indexes()).filter((d) => d.includes('ivfflat'))).toEqual([]);
      await ep.upsert({ collection: 'later', tenant: '', records: records(0, 2000) }, ctx());
      expect(await deferred.buildIndex('later')).toEqual({ built: true });
      expect(await deferred.buildIndex('later')).toEqual({ built: false });
      expect(
        (await indexes()).filter((d) =>
          d.includes("USING ivfflat (embedding vector_cosine_ops) WITH (lists='10')"),
        ),
      ).toHaveLength(1);
      const sql = await deferred.querySql({
        collection: 'later',
        tenant: '',
        vector: new Float32Array(8).fill(0.5),
        topK: 5,
        includeMetadata: false,
        includeVector: false,
        search: {},
      });
      expect(sql.settings).toContainEqual(['ivfflat.probes', '4']);
      const result = await ep.query(
        {
          collection: 'later',
          tenant: '',
          vector: new Float32Array(8).fill(0.5),
          topK: 5,
          includeMetadata: false,
          includeVector: false,
          search: { probes: 10 },
        },
        ctx(),
      );
      expect(result.matches).toHaveLength(5);
      expect(result.complete).toBe(true);
    } finally {
      await deferred.close();
    }
  });

  it('dimensions choose the layout: vector index ≤ 2,000, halfvec expression index ≤ 4,000, none above', async () => {
    const ep = engine.endpoints[0]!;
    await ep.createCollection(spec('d2000', 2000), ctx());
    await ep.createCollection(spec('d4000', 4000), ctx());
    await ep.createCollection(spec('d4001', 4001), ctx());
    const defs = async (table: string) =>
      (
        await raw.query(
          'SELECT indexdef FROM pg_indexes WHERE schemaname = $1 AND tablename = $2 AND indexname LIKE $3',
          [schema, table, '%_ann'],
        )
      ).rows.map((r) => r.indexdef as string);
    expect(await defs('c_d2000')).toEqual([
      expect.stringContaining('USING hnsw (embedding vector_l2_ops)'),
    ]);
    expect(await defs('c_d4000')).toEqual([
      expect.stringContaining('USING hnsw (((embedding)::halfvec(4000)) halfvec_l2_ops)'),
    ]);
    expect(await defs('c_d4001')).toEqual([]);
    const storage = await raw.query(
      "SELECT c.relname, a.attstorage FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND a.attname = 'embedding' AND c.relname IN ('c_paths', 'c_d2000') ORDER BY 1",
      [schema],
    );
    expect(storage.rows).toEqual([
      { relname: 'c_d2000', attstorage: 'e' },
      { relname: 'c_paths', attstorage: 'p' },
    ]);
    const stored = records(0, 30, 4001);
    await ep.upsert({ collection: 'd4001', tenant: '', records: stored }, ctx());
    const q = {
      collection: 'd4001',
      tenant: '',
      vector: stored[0]!.vector,
      topK: 3,
      includeMetadata: false,
      includeVector: false,
      search: {},
    };
    expect((await engine.querySql(q)).exact).toBe(true);
    const result = await ep.query(q, ctx());
    expect(result.matches[0]).toMatchObject({ id: 'id-000000', distance: 0 });
    expect(await ep.describeCollection('d4001', ctx())).toEqual(spec('d4001', 4001));
  });
});

describe('DDL under advisory locks', () => {
  it('engines racing on a fresh schema migrate once and agree on one collection', async () => {
    const fresh = uniqueSchema('race');
    const engines = Array.from({ length: 4 }, () =>
      createPgEngine({ primary: primaryUrl(), schema: fresh, max: 1 }),
    );
    try {
      const created = await Promise.all(
        engines.map((e) => e.endpoints[0]!.createCollection(spec('same', 4), ctx())),
      );
      expect(created.filter((c) => c.created)).toHaveLength(1);
      const migrations = await raw.query(`SELECT version FROM "${fresh}".aindus_migrations`);
      expect(migrations.rows).toEqual([{ version: 1 }]);
      const conflict = await engines[1]!.endpoints[0]!.createCollection(
        spec('same', 5),
        ctx(),
      ).catch((e: unknown) => e);
      expect(conflict).toMatchObject({ code: 'COLLECTION_EXISTS' });
    } finally {
      await Promise.all(engines.map((e) => e.close()));
      await dropSchema(fresh);
    }
  });

  it('a collection re-created with another spec by another process is noticed by the next query', async () => {
    const ep = engine.endpoints[0]!;
    const other = createPgEngine({ primary: primaryUrl(), schema });
    try {
      await ep.createCollection(
        { name: 'morph', dimension: 2, metric: 'l2', index: { type: 'none' } },
        ctx(),
      );
      const rows = [
        { id: 'near-l2', vector: new Float32Array([1, 0.1]), metadata: {} },
        { id: 'near-ip', vector: new Float32Array([10, 10]), metadata: {} },
      ];
      await ep.upsert({ collection: 'morph', tenant: '', records: rows }, ctx());
      const q = {
        collection: 'morph',
        tenant: '',
        vector: new Float32Array([1, 0]),
        topK: 1,
        includeMetadata: false,
        includeVector: false,
        search: {},
      };
      expect((await ep.query(q, ctx())).matches[0]!.id).toBe('near-l2');
      const oep = other.endpoints[0]!;
      await oep.dropCollection('morph', ctx());
      await oep.createCollection(
        { name: 'morph', dimension: 2, metric: 'ip', index: { type: 'none' } },
        ctx(),
      );
      await oep.upsert({ collection: 'morph', tenant: '', records: rows }, ctx());
      const after = await ep.query(q, ctx());
      expect(after.matches[0]).toMatchObject({ id: 'near-ip', distance: -10 });
    } finally {
      await other.close();
    }
  });
});
