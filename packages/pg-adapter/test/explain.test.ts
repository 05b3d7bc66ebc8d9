import {
  type Client,
  createClient,
  type EngineQuery,
  type Filter,
  parseFilter,
} from '@aindusdb/core';
import {
  createPgEngine,
  type PgEngine,
  type QueryEvent,
  type QuerySql,
} from '@aindusdb/pg-adapter';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dropSchema, primaryUrl, randomVector, rng, uniqueSchema } from './env.js';

// Proves with EXPLAIN that the SQL the engine itself builds — taken from `engine.querySql`, and
// checked against what the engine actually sent (`onQuery`) — is served by the ANN index, without
// touching planner switches: enough rows, ANALYZE, and the planner's own choice.
const schema = uniqueSchema('explain');
const seen: QueryEvent[] = [];
let engine: PgEngine;
let client: Client;
let raw: pg.Client;

interface PlanNode {
  'Node Type': string;
  'Index Name'?: string;
  Plans?: PlanNode[];
}

const indexesUsed = (node: PlanNode): string[] => [
  ...(node['Index Name'] ? [node['Index Name']] : []),
  ...(node.Plans ?? []).flatMap(indexesUsed),
];

async function explain(sql: QuerySql): Promise<PlanNode> {
  await raw.query('BEGIN');
  try {
    for (const [name, value] of sql.settings)
      await raw.query('SELECT set_config($1, $2, true)', [name, value]);
    const result = await raw.query(`EXPLAIN (FORMAT JSON) ${sql.text}`, sql.values);
    const plan = (result.rows[0]['QUERY PLAN'] as { Plan: PlanNode }[])[0]!.Plan;
    return plan;
  } finally {
    await raw.query('ROLLBACK');
  }
}

async function load(name: string, dimension: number, rows: number): Promise<void> {
  await client.createCollection(name, { dimension, metric: 'cosine' });
  const next = rng(dimension);
  const records = Array.from({ length: rows }, (_, i) => ({
    id: `r${i}`,
    vector: randomVector(next, dimension),
    metadata: { category: `c${i % 10}`, n: i },
  }));
  await client.collection(name).upsert(records);
  expect((await engine.buildIndex(name, { maintenanceWorkMem: '256MB' })).built).toBe(true);
}

function engineQuery(collection: string, dimension: number, filter?: Filter): EngineQuery {
  const parsed = parseFilter(filter);
  return {
    collection,
    tenant: '',
    vector: randomVector(rng(7), dimension),
    topK: 10,
    includeMetadata: true,
    includeVector: false,
    search: {},
    ...(parsed ? { filter: parsed } : {}),
  };
}

/** Runs the query through the client and returns the SELECT the engine sent for it. */
async function sentSql(q: EngineQuery, filter?: Filter): Promise<QueryEvent> {
  seen.length = 0;
  const result = await client
    .collection(q.collection)
    .query({ vector: q.vector, topK: q.topK, ...(filter ? { filter } : {}) });
  expect(result.matches).toHaveLength(q.topK);
  expect(result.complete).toBe(true);
  const select = seen.filter((e) => e.text.startsWith('SELECT id,'));
  expect(select).toHaveLength(1); // served by the index: no exact fallback was needed
  return select[0]!;
}

beforeAll(async () => {
  engine = createPgEngine({
    primary: primaryUrl(),
    schema,
    deferIndexBuild: true,
    onQuery: (e) => seen.push(e),
  });
  client = createClient({ engine, cache: false });
  raw = new pg.Client({ connectionString: primaryUrl() });
  await raw.connect();
  await load('small', 32, 5_000);
  await load('wide', 3_072, 4_000);
}, 240_000);

afterAll(async () => {
  await client?.close();
  await raw?.end();
  await dropSchema(schema);
}, 60_000);

describe('EXPLAIN of the engine’s own SQL', () => {
  const cases: [string, number, Filter][] = [
    ['small', 32, { category: { $in: ['c1', 'c2'] }, n: { $gte: 100 } }],
    ['wide', 3_072, { category: { $in: ['c1', 'c2', 'c3'] } }],
  ];
  for (const [collection, dimension, filter] of cases) {
    it(`${collection} (${dimension} dims): an unfiltered query uses the HNSW index`, async () => {
      const q = engineQuery(collection, dimension);
      const sql = await engine.querySql(q);
      expect(sql.exact).toBe(false);
      if (dimension > 2000) expect(sql.text).toContain(`::halfvec(${dimension})`);
      const sent = await sentSql(q);
      expect(sent.text).toBe(sql.text);
      expect(sent.values).toEqual(sql.values);
      expect(indexesUsed(await explain(sql))).toContain(`c_${collection}_ann`);
    });

    it(`${collection} (${dimension} dims): a filtered query uses the HNSW index with an iterative scan`, async () => {
      const q = engineQuery(collection, dimension, filter);
      const sql = await engine.querySql(q);
      expect(sql.settings).toContainEqual(['hnsw.iterative_scan', 'relaxed_order']);
      const sent = await sentSql(q, filter);
      expect(sent.text).toBe(sql.text);
      expect(indexesUsed(await explain(sql))).toContain(`c_${collection}_ann`);
    });
  }

  it('an exact query never uses the ANN index', async () => {
    const sql = await engine.querySql({ ...engineQuery('small', 32), search: { exact: true } });
    expect(sql.exact).toBe(true);
    expect(indexesUsed(await explain(sql))).not.toContain('c_small_ann');
  });
});
