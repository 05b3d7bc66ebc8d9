import assert from 'node:assert/strict';
import type { Collection } from '../../client/client.js';
import { createClient } from '../../client/create-client.js';
import type { Filter } from '../../types.js';
import { expectError } from '../assertions.js';
import type { CaseContext, SuiteBuilder } from '../harness.js';
import { ALL_FILTER_IDS, allBut, expectFilters, filterRecords } from './filter-fixture.js';

async function withRows(t: CaseContext): Promise<Collection> {
  await t.create({ dimension: 2, metric: 'l2' });
  await t.col().upsert(filterRecords());
  await t.reopen();
  return t.col();
}

/** Filters that are not in the filter language; each must be INVALID_FILTER. */
export function malformedFilters(): unknown[] {
  let deep: Record<string, unknown> = { n: 1 };
  for (let i = 0; i < 40; i++) deep = { $not: deep };
  return [
    { n: { $regex: 'a' } },
    { $foo: 1 },
    { n: { $EQ: 1 } },
    { $and: [{ n: { $bad: 1 } }] },
    { $not: { $xor: [] } },
    { $and: {} },
    { $and: [] },
    { $or: 'x' },
    { $or: [] },
    { $or: [1] },
    { $not: [] },
    { $not: 1 },
    { $not: null },
    { n: { $in: 1 } },
    { n: { $nin: 'a' } },
    { n: { $in: [{}] } },
    { n: { $in: [[1]] } },
    { n: { $exists: 1 } },
    { n: { $exists: 'true' } },
    { n: [1] },
    { n: {} },
    { nested: { k: 1 } },
    { n: Number.NaN },
    { n: Number.POSITIVE_INFINITY },
    { n: () => 1 },
    { n: new Date(0) },
    { n: 10n },
    { n: Symbol('s') },
    { n: { $gt: true } },
    { n: { $gt: null } },
    { n: { $lt: [1] } },
    { n: { $gte: Number.NaN } },
    { '': 1 },
    { 'a..b': 1 },
    { '.a': 1 },
    { 'a.': 1 },
    { 'a.$eq': 1 },
    { s: 'a\u0000' },
    { 'k\uD800': 1 },
    deep,
    null,
    'n = 1',
    42,
    [],
    [{ n: 1 }],
    new Date(0),
    new Map([['n', 1]]),
  ];
}

/** §4 filters: operators, nesting, dotted paths, missing fields, no coercion, INVALID_FILTER. */
export function registerFilterCases(s: SuiteBuilder): void {
  s.group('filters', () => {
    s.test('implicit equality and $eq on numbers, strings and booleans', async (t) => {
      const c = await withRows(t);
      await expectFilters(c, [
        [{ n: 1 }, ['f01', 'f08']],
        [{ n: { $eq: 1 } }, ['f01', 'f08']],
        [{ n: 1.0 }, ['f01', 'f08']],
        [{ n: 5.5 }, ['f06']],
        [{ n: 0 }, ['f09']],
        [{ zero: -0 }, ['f07', 'f09']],
        [{ s: 'a' }, ['f01', 'f05']],
        [{ s: { $eq: '' } }, ['f07']],
        [{ s: 'B' }, ['f03']],
        [{ b: true }, ['f01', 'f07']],
        [{ b: false }, ['f02', 'f09']],
        [{ n: 1, s: 'a' }, ['f01']],
        [{ n: 2 }, []],
      ]);
    });

    s.test('comparisons never coerce types', async (t) => {
      const c = await withRows(t);
      await expectFilters(c, [
        [{ n: 10 }, ['f02']],
        [{ n: '10' }, ['f03']],
        [{ n: '1' }, []],
        [{ n: true }, ['f11']],
        [{ b: 'true' }, ['f03']],
        [{ b: 1 }, ['f08']],
        [{ n: { $gt: 5 } }, ['f02', 'f06']],
        [{ n: { $gt: '1' } }, ['f03']],
        [{ s: { $gt: 0 } }, []],
        [{ n: { $in: [true] } }, ['f11']],
        [{ 'nested.k': 2 }, ['f02']],
        [{ 'nested.k': '2' }, ['f06']],
      ]);
    });

    s.test('null equality matches null only, not missing fields', async (t) => {
      const c = await withRows(t);
      await expectFilters(c, [
        [{ n: null }, ['f04']],
        [{ n: { $eq: null } }, ['f04']],
        [{ b: null }, ['f04']],
        [{ 'nested.k': null }, ['f08']],
        [{ n: { $in: [null] } }, ['f04']],
        [{ n: { $ne: null } }, allBut('f04')],
        [{ n: { $nin: [null] } }, allBut('f04')],
        [{ n: { $exists: true } }, allBut('f05', 'f10')],
      ]);
    });

    s.test('$ne and $nin match other values, other types and missing fields', async (t) => {
      const c = await withRows(t);
      await expectFilters(c, [
        [{ n: { $ne: 1 } }, allBut('f01', 'f08')],
        [{ b: { $ne: true } }, allBut('f01', 'f07')],
        [{ b: { $ne: false } }, allBut('f02', 'f09')],
        [{ tag: { $ne: 'x' } }, allBut('f01')],
        [{ n: { $nin: [1, 10] } }, allBut('f01', 'f02', 'f08')],
        [{ n: { $nin: [] } }, ALL_FILTER_IDS],
        [{ missing: { $ne: 1 } }, ALL_FILTER_IDS],
        [{ missing: { $nin: [1, null] } }, ALL_FILTER_IDS],
      ]);
    });

    s.test('a missing field matches only $ne, $nin and $exists: false', async (t) => {
      const c = await withRows(t);
      const none: Filter[] = [
        { missing: 1 },
        { missing: null },
        { missing: { $eq: 'x' } },
        { missing: { $gt: 0 } },
        { missing: { $gte: '' } },
        { missing: { $lt: 0 } },
        { missing: { $lte: 'z' } },
        { missing: { $in: [1, null, ''] } },
        { missing: { $exists: true } },
        { 'nested.missing': { $exists: true } },
      ];
      await expectFilters(
        c,
        none.map((f) => [f, []] as const),
      );
      await expectFilters(c, [
        [{ missing: { $exists: false } }, ALL_FILTER_IDS],
        [{ missing: { $ne: null } }, ALL_FILTER_IDS],
        [{ n: { $exists: false } }, ['f05', 'f10']],
        [{ n: { $lt: 1 } }, ['f07', 'f09']],
      ]);
    });

    s.test('$gt $gte $lt $lte on numbers', async (t) => {
      const c = await withRows(t);
      await expectFilters(c, [
        [{ n: { $gte: 1 } }, ['f01', 'f02', 'f06', 'f08']],
        [{ n: { $gt: 0 } }, ['f01', 'f02', 'f06', 'f08']],
        [{ n: { $lt: 1 } }, ['f07', 'f09']],
        [{ n: { $lte: 0 } }, ['f07', 'f09']],
        [{ n: { $gt: 0, $lt: 10 } }, ['f01', 'f06', 'f08']],
        [{ n: { $gte: -3, $lte: -3 } }, ['f07']],
        [{ n: { $gt: 9.999 } }, ['f02']],
        [{ n: { $gt: 100 } }, []],
      ]);
    });

    s.test('strings compare by Unicode code point', async (t) => {
      const c = await withRows(t);
      await expectFilters(c, [
        [{ s: { $gt: 'a' } }, ['f02', 'f04', 'f06', 'f08', 'f09', 'f13']],
        [{ s: { $lt: 'a' } }, ['f03', 'f07', 'f11']],
        [{ s: { $gte: 'a', $lt: 'b' } }, ['f01', 'f05', 'f06', 'f13']],
        [{ s: { $gt: '\uFFFD' } }, ['f08']],
        [{ s: { $lt: '😀' } }, allBut('f08', 'f10', 'f12')],
        [{ s: { $gte: '' } }, allBut('f10', 'f12')],
        [{ s: { $lte: 'B' } }, ['f03', 'f07', 'f11']],
        [{ s: { $gt: 'Z', $lt: 'a' } }, []],
      ]);
    });

    s.test('$in and $nin with mixed types, and empty $in', async (t) => {
      const c = await withRows(t);
      await expectFilters(c, [
        [{ n: { $in: [1, '10', null] } }, ['f01', 'f03', 'f04', 'f08']],
        [{ n: { $in: [] } }, []],
        [{ b: { $in: [1] } }, ['f08']],
        [{ b: { $in: [true, false] } }, ['f01', 'f02', 'f07', 'f09']],
        [{ s: { $in: ['a', 'A'] } }, ['f01', 'f05', 'f11']],
        [{ n: { $in: [5.5, -3, 1, 1] } }, ['f01', 'f06', 'f07', 'f08']],
        [{ tag: { $in: ['x'] } }, ['f01']],
        [{ s: { $nin: ['a', 'b', ''] } }, allBut('f01', 'f02', 'f05', 'f07')],
      ]);
    });

    s.test('$exists true and false', async (t) => {
      const c = await withRows(t);
      await expectFilters(c, [
        [{ b: { $exists: true } }, ['f01', 'f02', 'f03', 'f04', 'f07', 'f08', 'f09']],
        [{ b: { $exists: false } }, ['f05', 'f06', 'f10', 'f11', 'f12', 'f13']],
        [{ 'nested.k': { $exists: true } }, ['f01', 'f02', 'f06', 'f08', 'f12']],
        [
          { 'nested.k': { $exists: false } },
          ['f03', 'f04', 'f05', 'f07', 'f09', 'f10', 'f11', 'f13'],
        ],
        [{ nested: { $exists: true } }, ['f01', 'f02', 'f05', 'f06', 'f08', 'f12']],
        [{ s: { $exists: true, $ne: 'a' } }, allBut('f01', 'f05', 'f10')],
      ]);
    });

    s.test(
      'dotted paths reach nested fields, never array elements or literal dotted keys',
      async (t) => {
        const c = await withRows(t);
        await expectFilters(c, [
          [{ 'nested.k': 1 }, ['f01']],
          [{ 'nested.deep.z': 'q' }, ['f01']],
          [{ 'nested.k': { $gte: 1 } }, ['f01', 'f02']],
          [{ 'nested.k': { $ne: 2 } }, allBut('f02')],
          [{ 'a.b': 1 }, ['f06']],
          [{ 'n.v': 1 }, ['f13']],
          [{ 'arr.0': 1 }, []],
          [{ 'arr.0': { $exists: true } }, []],
          [{ 'nested.deep.z.w': { $exists: false } }, ALL_FILTER_IDS],
          [{ 'nested.k.0': 1 }, []],
        ]);
      },
    );

    s.test('arrays and objects never equal or order against a scalar', async (t) => {
      const c = await withRows(t);
      await expectFilters(c, [
        [{ tag: 'x' }, ['f01']],
        [{ s: { $in: ['a'] } }, ['f01', 'f05']],
        [{ arr: 1 }, []],
        [{ n: { $gte: 1, $lte: 1 } }, ['f01', 'f08']],
        [{ nested: 'scalar' }, ['f05']],
        [{ nested: { $ne: 'scalar' } }, allBut('f05')],
        [{ s: { $exists: true } }, allBut('f10')],
      ]);
    });

    s.test('$and, $or and $not nest', async (t) => {
      const c = await withRows(t);
      await expectFilters(c, [
        [{ $and: [{ n: { $gte: 1 } }, { b: true }] }, ['f01']],
        [{ $or: [{ n: 10 }, { s: 'A' }, { 'nested.k': null }] }, ['f02', 'f08', 'f11']],
        [{ $not: { n: { $gt: 5 } } }, allBut('f02', 'f06')],
        [
          { $not: { $or: [{ b: true }, { b: false }] } },
          ['f03', 'f04', 'f05', 'f06', 'f08', 'f10', 'f11', 'f12', 'f13'],
        ],
        [
          {
            $or: [
              { $and: [{ s: { $gte: 'a' } }, { s: { $lt: 'b' } }] },
              { $not: { n: { $exists: true } } },
            ],
          },
          ['f01', 'f05', 'f06', 'f10', 'f13'],
        ],
        [{ n: 1, $or: [{ s: 'a' }, { s: '😀' }] }, ['f01', 'f08']],
        [{ $and: [{ $not: { $not: { n: 1 } } }] }, ['f01', 'f08']],
        [
          { $and: [{ $or: [{ n: 1 }, { n: 10 }] }, { $or: [{ b: false }, { s: 'a' }] }] },
          ['f01', 'f02'],
        ],
        [
          { $not: { $and: [{ n: { $exists: true } }, { n: { $ne: null } }] } },
          ['f04', 'f05', 'f10'],
        ],
        [{ $or: [{ n: { $in: [] } }] }, []],
      ]);
    });

    s.test('hostile field names are data: quotes, __proto__, constructor, toString', async (t) => {
      const c = await withRows(t);
      await expectFilters(c, [
        [{ "na'me": 'o"k' }, ['f02']],
        [{ "na'me": { $exists: true } }, ['f02']],
        [{ '__proto__.p': 1 }, ['f13']],
        [{ constructor: { $exists: true } }, []],
        [{ 'constructor.name': 'Object' }, []],
        [{ toString: { $exists: false } }, ALL_FILTER_IDS],
        [{ "x'); DROP TABLE t; --": 1 }, []],
        [{ 'a"b': { $ne: 1 } }, ALL_FILTER_IDS],
      ]);
    });

    s.test('an empty filter matches everything; undefined members are ignored', async (t) => {
      const c = await withRows(t);
      await expectFilters(c, [
        [{}, ALL_FILTER_IDS],
        [{ n: undefined }, ALL_FILTER_IDS],
        [{ n: 1, s: undefined }, ['f01', 'f08']],
      ]);
    });

    s.test(
      'unknown operators and malformed filters are INVALID_FILTER for query, count and delete',
      async (t) => {
        const c = await withRows(t);
        for (const filter of malformedFilters()) {
          await expectError(
            c.query({ vector: [0, 0], topK: 5, filter: filter as Filter }),
            'INVALID_FILTER',
          );
          await expectError(c.count({ filter: filter as Filter }), 'INVALID_FILTER');
          await expectError(c.delete({ filter: filter as Filter }), 'INVALID_FILTER');
        }
        assert.equal(await c.count(), ALL_FILTER_IDS.length, 'nothing was deleted');
      },
    );

    s.test(
      'INVALID_FILTER comes before any I/O, even for a collection that does not exist',
      async (t) => {
        const { engine, calls } = countingEngine(t);
        // No close(): it would close the shared engine under test.
        const client = createClient({ engine, cache: false });
        const missing = client.collection(t.freshName());
        for (const filter of [
          { n: { $regex: 'x' } },
          { $and: [] },
          { nested: { k: 1 } },
        ] as unknown as Filter[]) {
          await expectError(missing.query({ vector: [0, 0], topK: 1, filter }), 'INVALID_FILTER');
          await expectError(missing.count({ filter }), 'INVALID_FILTER');
          await expectError(missing.delete({ filter }), 'INVALID_FILTER');
        }
        await expectError(missing.delete({ filter: {} }), 'INVALID_FILTER');
        await expectError(missing.query({ vector: [0, 0], topK: 0 }), 'INVALID_ARGUMENT');
        await expectError(missing.get(['']), 'INVALID_ARGUMENT');
        assert.deepEqual(calls, [], 'no engine call was made');
        await expectError(missing.count({ filter: { n: 1 } }), 'COLLECTION_NOT_FOUND');
        assert.ok(calls.length > 0, 'a valid filter reaches the engine');
      },
    );
  });
}

/** Wraps the engine under test so every endpoint call is recorded. */
function countingEngine(t: CaseContext) {
  const inner = t.engine;
  const calls: string[] = [];
  const endpoints = inner.endpoints.map(
    (endpoint) =>
      new Proxy(endpoint, {
        get(target, key, receiver) {
          const value = Reflect.get(target, key, receiver);
          if (typeof value !== 'function') return value;
          return (...args: unknown[]) => {
            calls.push(String(key));
            return (value as (...a: unknown[]) => unknown).apply(target, args);
          };
        },
      }),
  );
  const engine = {
    name: inner.name,
    namespace: inner.namespace,
    capabilities: inner.capabilities,
    endpoints,
    comparePositions: (a: string, b: string) => inner.comparePositions(a, b),
    close: async () => {},
  };
  return { engine, calls };
}
