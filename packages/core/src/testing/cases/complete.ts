import assert from 'node:assert/strict';
import type { Collection } from '../../client/client.js';
import type { Filter } from '../../types.js';
import { assertOrdered, exactIds, idsOf, sameIds } from '../assertions.js';
import type { CaseContext, SuiteBuilder } from '../harness.js';
import { createRandom } from '../random.js';

const SIZE = 1000;
const DIMENSION = 8;

/** 1,000 random records with `g = i % 50`, `i`, and `half = i % 2`; returns the oracle's handle. */
async function dataset(t: CaseContext): Promise<{ oracle: Collection; query: number[] }> {
  const r = createRandom(9090);
  const records = Array.from({ length: SIZE }, (_, i) => ({
    id: `q${i}`,
    vector: r.vector(DIMENSION),
    metadata: { g: i % 50, i, half: i % 2 },
  }));
  const oracle = await t.oracle();
  await oracle.createCollection(t.name, { dimension: DIMENSION, metric: 'l2' });
  await oracle.collection(t.name).upsert(records);
  await t.create({ dimension: DIMENSION, metric: 'l2' });
  await t.col().upsert(records);
  await t.reopen();
  return { oracle: oracle.collection(t.name), query: r.vector(DIMENSION) };
}

async function expectFull(
  c: Collection,
  vector: number[],
  topK: number,
  filter: Filter | undefined,
  pass: (i: number) => boolean,
): Promise<void> {
  const label = `topK ${topK}, filter ${JSON.stringify(filter)}`;
  const result = await c.query({ vector, topK, filter });
  assert.equal(
    result.matches.length,
    topK,
    `${label}: never fewer than topK when enough rows match`,
  );
  assert.equal(result.complete, true, `${label}: complete`);
  assertOrdered(result);
  for (const m of result.matches)
    assert.ok(pass(m.metadata!.i as number), `${label}: ${m.id} does not match`);
}

/** §4 `complete` and "a filtered query never silently returns fewer than topK". */
export function registerCompleteCases(s: SuiteBuilder): void {
  s.group('complete flag and filtered recall', () => {
    s.test(
      'unfiltered queries with at least topK rows return topK, complete',
      async (t) => {
        const { query } = await dataset(t);
        for (const topK of [1, 10, 100, 1000])
          await expectFull(t.col(), query, topK, undefined, () => true);
      },
      { heavy: true },
    );

    s.test(
      'selective filters with enough matching rows return exactly topK (index search)',
      async (t) => {
        const { query } = await dataset(t);
        await expectFull(t.col(), query, 10, { g: 7 }, (i) => i % 50 === 7);
        await expectFull(t.col(), query, 20, { g: 7 }, (i) => i % 50 === 7);
        await expectFull(
          t.col(),
          query,
          30,
          { g: { $in: [1, 2] } },
          (i) => i % 50 === 1 || i % 50 === 2,
        );
        await expectFull(t.col(), query, 10, { i: { $gte: 990 } }, (i) => i >= 990);
        await expectFull(t.col(), query, 1, { i: 123 }, (i) => i === 123);
        await expectFull(t.col(), query, 100, { half: 1 }, (i) => i % 2 === 1);
        await expectFull(
          t.col(),
          query,
          5,
          { $and: [{ g: { $lt: 3 } }, { half: 0 }] },
          (i) => i % 50 < 3 && i % 2 === 0,
        );
      },
      { heavy: true },
    );

    s.test(
      'filters matching fewer rows than topK: complete results hold every matching row',
      async (t) => {
        const { oracle, query } = await dataset(t);
        for (const filter of [{ g: 7 }, { i: { $lt: 3 } }, { g: 999 }] as Filter[]) {
          const expected = await exactIds(oracle, query, filter);
          const exact = await t
            .col()
            .query({ vector: query, topK: 50, filter, search: { exact: true } });
          assert.equal(exact.complete, true);
          sameIds(idsOf(exact), expected, `exact ${JSON.stringify(filter)}`);
          const ann = await t.col().query({ vector: query, topK: 50, filter });
          if (ann.complete) sameIds(idsOf(ann), expected, `index ${JSON.stringify(filter)}`);
          for (const id of idsOf(ann))
            assert.ok(expected.includes(id), `${id} passes ${JSON.stringify(filter)}`);
        }
      },
      { heavy: true },
    );

    s.test(
      'filtered exact queries equal the oracle, in order',
      async (t) => {
        const { oracle, query } = await dataset(t);
        for (const filter of [
          { g: 7 },
          { half: 0 },
          { g: { $gte: 45 } },
          { $not: { g: { $lt: 49 } } },
        ] as Filter[]) {
          for (const topK of [1, 10, 25]) {
            const want = await oracle.query({
              vector: query,
              topK,
              filter,
              search: { exact: true },
            });
            const got = await t
              .col()
              .query({ vector: query, topK, filter, search: { exact: true } });
            assert.deepEqual(idsOf(got), idsOf(want), `${JSON.stringify(filter)} topK ${topK}`);
            assert.equal(got.complete, true);
          }
        }
      },
      { heavy: true },
    );
  });
}
