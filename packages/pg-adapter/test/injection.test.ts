import {
  type Client,
  createClient,
  createMemoryEngine,
  type Filter,
  isAindusError,
} from '@aindusdb/core';
import { createPgEngine } from '@aindusdb/pg-adapter';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dropSchema, primaryUrl, uniqueSchema } from './env.js';

// Hostile input in every place a user string reaches the engine: collection names, metadata keys
// and values, filter fields and values, ids and tenants. Each operation runs on PostgreSQL and on
// the in-memory oracle; outcomes must match, the only errors allowed are typed validation errors,
// and at the end every collection and tenant holds exactly what the oracle holds — no row outside
// an operation's target was touched.
const schema = uniqueSchema('inj');
const ALLOWED = new Set([
  'INVALID_ARGUMENT',
  'INVALID_FILTER',
  'COLLECTION_NOT_FOUND',
  'DIMENSION_MISMATCH',
]);

const PAYLOADS = [
  "'; DROP TABLE aindus_collections; --",
  "' OR '1'='1",
  '" OR 1=1 --',
  "x'); DELETE FROM c_victim WHERE ('1'='1",
  '$1',
  '$$ || pg_sleep(5) || $$',
  "$tag$'$tag$",
  "' || (SELECT pg_sleep(5)) || '",
  '\\',
  "\\'",
  '%',
  '_',
  '*',
  '?',
  '::text',
  '/* comment',
  '*/',
  '-- tail',
  '{',
  '}',
  '{"a":1}',
  '[1,2]',
  ',',
  'NULL',
  'null',
  'true',
  '0',
  '-1',
  ' 1',
  '+1',
  'a.b',
  'a..b',
  '.a',
  '__proto__',
  'constructor',
  'toString',
  'line\nbreak',
  'tab\there',
  '\u202eRTL',
  '😀 émoji',
  'a\u0000nul',
  'lone \ud800 surrogate',
  '$where',
  '$gt',
  'x'.repeat(5_000),
];

let pgClient: Client;
let oracle: Client;
const tenants = new Set<string>(['', 'other']);

type Outcome = { ok: unknown } | { error: string };

async function outcome(fn: () => Promise<unknown>): Promise<Outcome> {
  try {
    return { ok: await fn() };
  } catch (error) {
    if (!isAindusError(error)) return { error: `raw: ${String(error)}` };
    return { error: error.code };
  }
}

/** Drops tokens (opaque, engine-specific) and rounds distances so outcomes compare across engines. */
function normalize(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(normalize);
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      if (k === 'token') continue;
      out[k] = k === 'distance' || k === 'score' ? Number((v as number).toFixed(4)) : normalize(v);
    }
    return out;
  }
  return value;
}

/** Runs the same call on PostgreSQL and on the oracle and checks they agree. */
async function both(label: string, fn: (client: Client) => Promise<unknown>): Promise<Outcome> {
  const [pg, mem] = [await outcome(() => fn(pgClient)), await outcome(() => fn(oracle))];
  if ('error' in pg) expect(ALLOWED.has(pg.error), `${label}: ${pg.error}`).toBe(true);
  expect(normalize(pg), label).toEqual(normalize(mem));
  return pg;
}

const vec = (i: number) => [1 + (i % 7), 1 + (i % 3), (i % 5) - 2];

beforeAll(async () => {
  pgClient = createClient({
    engine: createPgEngine({ primary: primaryUrl(), schema, max: 4 }),
    cache: false,
  });
  oracle = createClient({ engine: createMemoryEngine(), cache: false });
  for (const c of [pgClient, oracle]) {
    for (const name of ['victim', 'bystander']) {
      await c.createCollection(name, { dimension: 3, metric: 'l2', index: { type: 'none' } });
      for (const tenant of ['', 'other']) {
        const col = tenant ? c.collection(name).tenant(tenant) : c.collection(name);
        await col.upsert(
          Array.from({ length: 20 }, (_, i) => ({
            id: `seed-${i}`,
            vector: vec(i),
            metadata: { i, tag: `t${i % 4}` },
          })),
        );
      }
    }
  }
});

afterAll(async () => {
  await pgClient?.close();
  await oracle?.close();
  await dropSchema(schema);
});

describe('injection corpus', () => {
  it('collection names: every operation is a typed error, nothing else is touched', async () => {
    for (const p of PAYLOADS) {
      const names = [p, `c${p}`, p.toLowerCase()];
      for (const name of names) {
        await both(`create ${JSON.stringify(name)}`, (c) =>
          c.createCollection(name, { dimension: 3, metric: 'l2' }).then((h) => h.name),
        );
        await both(`upsert ${JSON.stringify(name)}`, (c) =>
          c.collection(name).upsert([{ id: 'x', vector: [1, 2, 3] }]),
        );
        await both(`query ${JSON.stringify(name)}`, (c) =>
          c.collection(name).query({ vector: [1, 2, 3], topK: 3 }),
        );
        await both(`count ${JSON.stringify(name)}`, (c) => c.collection(name).count());
        await both(`get ${JSON.stringify(name)}`, (c) => c.collection(name).get(['seed-1']));
        await both(`delete ${JSON.stringify(name)}`, (c) =>
          c.collection(name).delete({ ids: ['seed-1'] }),
        );
        await both(`describe ${JSON.stringify(name)}`, (c) => c.collection(name).describe());
        await both(`drop ${JSON.stringify(name)}`, (c) => c.dropCollection(name));
      }
    }
    await both('list', (c) => c.listCollections());
  });

  it('ids and metadata keys/values are data: written, read, matched and deleted exactly', async () => {
    for (const [i, p] of PAYLOADS.entries()) {
      const col = (c: Client) => c.collection('victim');
      const metadata = { [p]: p, nested: { [p]: i }, list: [p], plain: p };
      await both(`upsert id ${i}`, (c) => col(c).upsert([{ id: p, vector: vec(i), metadata }]));
      await both(`get id ${i}`, (c) => col(c).get([p, 'seed-1'], { includeVector: true }));
    }
    for (const [i, p] of PAYLOADS.entries()) {
      const col = (c: Client) => c.collection('victim');
      const filters: Filter[] = [
        { plain: p },
        { [p]: p },
        { [p]: { $exists: true } },
        { [`nested.${p}`]: i },
        { plain: { $in: [p, 'nope', 1, null] } },
        { plain: { $nin: [p] } },
        { plain: { $gt: p } },
        { plain: { $lte: p } },
        { $not: { plain: p } },
        { $or: [{ tag: p }, { [p]: { $ne: p } }] },
      ];
      for (const [f, filter] of filters.entries()) {
        await both(`query id ${i} filter ${f}`, (c) =>
          col(c).query({ vector: vec(i), topK: 100, filter, search: { exact: true } }),
        );
        await both(`count id ${i} filter ${f}`, (c) => col(c).count({ filter }));
      }
    }
    for (const [i, p] of PAYLOADS.entries()) {
      if (i % 2 === 0)
        await both(`delete id ${i}`, (c) => c.collection('victim').delete({ ids: [p] }));
      else
        await both(`delete filter ${i}`, (c) =>
          c.collection('victim').delete({ filter: { plain: p } }),
        );
    }
  });

  it('tenants: hostile tenant names are isolated tenants or typed errors', async () => {
    for (const [i, p] of PAYLOADS.entries()) {
      const col = (c: Client) => c.collection('victim').tenant(p);
      const r = await both(`tenant upsert ${i}`, (c) =>
        col(c).upsert([
          { id: `t-${i}`, vector: vec(i), metadata: { p } },
          { id: 'seed-1', vector: vec(1), metadata: { p } },
        ]),
      );
      if ('ok' in r) tenants.add(p);
      await both(`tenant query ${i}`, (c) =>
        col(c).query({ vector: vec(i), topK: 50, search: { exact: true } }),
      );
      await both(`tenant count ${i}`, (c) => col(c).count());
      await both(`tenant delete ${i}`, (c) => col(c).delete({ filter: { p: { $ne: 'x' } } }));
      await both(`tenant count after ${i}`, (c) => col(c).count());
      await both(`tenant re-upsert ${i}`, (c) =>
        col(c).upsert([{ id: `t-${i}`, vector: vec(i), metadata: { p } }]),
      );
    }
  });

  it('afterwards every collection and tenant holds exactly what the oracle holds', async () => {
    await both('list after', (c) => c.listCollections());
    for (const name of ['victim', 'bystander']) {
      for (const tenant of tenants) {
        const dump = (c: Client) => {
          const col = tenant ? c.collection(name).tenant(tenant) : c.collection(name);
          return col.query({
            vector: [0, 0, 0],
            topK: 10_000,
            includeVector: true,
            search: { exact: true },
          });
        };
        const r = await both(`dump ${name} ${JSON.stringify(tenant).slice(0, 40)}`, dump);
        expect('ok' in r).toBe(true);
      }
    }
    // The bystander collection was never a target: still exactly its 20 seed rows per tenant.
    expect(await pgClient.collection('bystander').count()).toBe(20);
    expect(await pgClient.collection('bystander').tenant('other').count()).toBe(20);
  });
});
