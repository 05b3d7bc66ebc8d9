import {
  compileFilter,
  type EngineRecord,
  type Filter,
  type JsonValue,
  type Metadata,
  parseFilter,
} from '@aindusdb/core';
import { createPgEngine, type PgEngine } from '@aindusdb/pg-adapter';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ctx, dropSchema, primaryUrl, uniqueSchema } from './env.js';

// Property test: random filters select exactly the records core's reference predicate selects
// (the memory engine's semantics), on paths designed to trip a SQL translation — object keys
// that look like array indexes, arrays along the path, numbers vs numeric strings, -0/floats,
// unicode ordering by code point.
const schema = uniqueSchema('flt');
let engine: PgEngine;
const records: EngineRecord[] = [];

const scalar = fc.oneof(
  fc.constantFrom<JsonValue>(
    0,
    1,
    -1,
    2.5,
    1e21,
    -1e-7,
    10,
    9,
    '0',
    '1',
    '10',
    '9',
    '',
    'a',
    'B',
    'é',
    '😀',
    '\uFFFD',
    'ab',
    true,
    false,
    null,
  ),
);
const KEYS = ['n', 's', '0', '1', ' 1', '+1', '-1', 'a', 'é'];
const leafValue: fc.Arbitrary<JsonValue> = fc.oneof(scalar, fc.array(scalar, { maxLength: 3 }));
const nested: fc.Arbitrary<JsonValue> = fc.oneof(
  leafValue,
  fc.dictionary(fc.constantFrom(...KEYS), leafValue, { maxKeys: 4 }),
  fc.array(fc.dictionary(fc.constantFrom(...KEYS), leafValue, { maxKeys: 2 }), { maxLength: 2 }),
);
const metadataArb: fc.Arbitrary<Metadata> = fc.dictionary(
  fc.constantFrom(...KEYS, 'o', 'arr'),
  nested,
  { maxKeys: 5 },
);

const path = fc
  .array(fc.constantFrom(...KEYS, 'o', 'arr'), { minLength: 1, maxLength: 3 })
  .map((segments) => segments.join('.'));
const filterScalar = fc.constantFrom<string | number | boolean | null>(
  0,
  1,
  -1,
  2.5,
  1e21,
  10,
  9,
  '0',
  '1',
  '10',
  '9',
  '',
  'a',
  'B',
  'é',
  '😀',
  '\uFFFD',
  true,
  false,
  null,
);
const ordered = fc.constantFrom<string | number>(
  0,
  1,
  -1,
  2.5,
  10,
  9,
  '0',
  '1',
  '10',
  '9',
  '',
  'a',
  'B',
  'é',
  '😀',
  '\uFFFD',
);
const leaf: fc.Arbitrary<Filter> = fc.oneof(
  fc.tuple(path, filterScalar).map(([p, v]) => ({ [p]: v })),
  fc
    .tuple(path, fc.constantFrom('$ne', '$eq'), filterScalar)
    .map(([p, op, v]) => ({ [p]: { [op]: v } })),
  fc
    .tuple(path, fc.constantFrom('$gt', '$gte', '$lt', '$lte'), ordered)
    .map(([p, op, v]) => ({ [p]: { [op]: v } })),
  fc
    .tuple(path, fc.constantFrom('$in', '$nin'), fc.array(filterScalar, { maxLength: 3 }))
    .map(([p, op, v]) => ({ [p]: { [op]: v } })),
  fc.tuple(path, fc.boolean()).map(([p, v]) => ({ [p]: { $exists: v } })),
);
const filterArb: fc.Arbitrary<Filter> = fc.letrec<{ f: Filter }>((tie) => ({
  f: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    leaf,
    fc.array(tie('f'), { minLength: 1, maxLength: 3 }).map((args) => ({ $and: args })),
    fc.array(tie('f'), { minLength: 1, maxLength: 3 }).map((args) => ({ $or: args })),
    tie('f').map((arg) => ({ $not: arg })),
  ),
})).f;

beforeAll(async () => {
  engine = createPgEngine({ primary: primaryUrl(), schema, max: 2 });
  const ep = engine.endpoints[0]!;
  await ep.createCollection(
    { name: 'f', dimension: 2, metric: 'l2', index: { type: 'none' } },
    ctx(),
  );
  const docs = fc.sample(metadataArb, { numRuns: 300, seed: 42 });
  docs.push(
    { o: { '0': 1, '1': 'a' } },
    { o: [1, 'a'] },
    { arr: [{ n: 1 }] },
    { n: -0 },
    { n: 1.0 },
    { s: '😀' },
    { s: '\uFFFD' },
    {},
  );
  for (const [i, metadata] of docs.entries()) {
    records.push({
      id: `r${i}`,
      vector: new Float32Array([i, 1]),
      metadata: JSON.parse(JSON.stringify(metadata)),
    });
  }
  await ep.upsert({ collection: 'f', tenant: '', records }, ctx());
});

afterAll(async () => {
  await engine?.close();
  await dropSchema(schema);
});

describe('filters on PostgreSQL match the reference semantics', () => {
  it('random filters select the same records (count, delete-free query)', async () => {
    const ep = engine.endpoints[0]!;
    let selective = 0;
    await fc.assert(
      fc.asyncProperty(filterArb, async (filter) => {
        const node = parseFilter(filter);
        const pass = compileFilter(node);
        const expected = records
          .filter((r) => pass(r.metadata))
          .map((r) => r.id)
          .sort();
        if (expected.length > 0 && expected.length < records.length) selective++;
        const result = await ep.query(
          {
            collection: 'f',
            tenant: '',
            vector: new Float32Array([0, 0]),
            topK: 10_000,
            filter: node,
            includeMetadata: false,
            includeVector: false,
            search: { exact: true },
          },
          ctx(),
        );
        expect(result.matches.map((m) => m.id).sort()).toEqual(expected);
        expect(await ep.count({ collection: 'f', tenant: '', filter: node }, ctx())).toBe(
          expected.length,
        );
      }),
      { numRuns: 300, seed: 7, endOnFailure: true },
    );
    expect(selective).toBeGreaterThan(50); // most filters split the records, so the check has teeth
  }, 60_000);

  it('paths through arrays never match, even with index-like segments', async () => {
    const ep = engine.endpoints[0]!;
    for (const [filter, expected] of [
      [{ 'o.0': 1 }, true], // o is an object with key "0" in one record
      [{ 'arr.0.n': 1 }, false], // never through an array
      [{ 'o.1': 'a' }, true],
    ] as [Filter, boolean][]) {
      const node = parseFilter(filter);
      const pass = compileFilter(node);
      const want = records.filter((r) => pass(r.metadata)).map((r) => r.id);
      expect(want.length > 0).toBe(expected);
      expect(await ep.count({ collection: 'f', tenant: '', filter: node }, ctx())).toBe(
        want.length,
      );
    }
  });
});
