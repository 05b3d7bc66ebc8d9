import assert from 'node:assert/strict';
import {
  assertOrdered,
  exactIds,
  expectError,
  idsOf,
  near,
  nearVector,
  sameIds,
} from '../assertions.js';
import type { CaseContext, SuiteBuilder } from '../harness.js';

/** Ten ids in code point order; UTF-16 order and most locales order them differently. */
const TIED_IDS = ['10', '9', 'A', 'B', 'a', 'a0', 'b', 'é', '\uFFFD', '😀'];

async function line(t: CaseContext, n: number): Promise<void> {
  await t.create({ dimension: 2, metric: 'l2' });
  await t
    .col()
    .upsert(
      Array.from({ length: n }, (_, i) => ({ id: `p${i}`, vector: [i, 0], metadata: { i } })),
    );
  await t.reopen();
}

/** §4 query: at most topK, ordered by distance then id, with the documented options. */
export function registerQueryCases(s: SuiteBuilder): void {
  s.group('query', () => {
    s.test('topK 1 returns the nearest record', async (t) => {
      await line(t, 20);
      for (const exact of [false, true]) {
        const result = await t.col().query({ vector: [7.2, 0], topK: 1, search: { exact } });
        assert.deepEqual(idsOf(result), ['p7']);
        near(result.matches[0]!.distance, 0.2, 'distance');
        assert.equal(result.complete, true);
      }
    });

    s.test('topK above the record count returns every record, complete', async (t) => {
      await line(t, 7);
      for (const exact of [false, true]) {
        const result = await t.col().query({ vector: [0, 0], topK: 50, search: { exact } });
        assert.deepEqual(idsOf(result), ['p0', 'p1', 'p2', 'p3', 'p4', 'p5', 'p6']);
        assert.equal(result.complete, true);
      }
      const max = await t.col().query({ vector: [0, 0], topK: 10_000 });
      assert.equal(max.matches.length, 7);
    });

    s.test('topK must be a whole number from 1 to 10,000 (INVALID_ARGUMENT)', async (t) => {
      await line(t, 3);
      for (const topK of [
        0,
        -1,
        1.5,
        10_001,
        Number.NaN,
        Number.POSITIVE_INFINITY,
        '5',
        undefined,
        null,
      ]) {
        await expectError(
          t.col().query({ vector: [0, 0], topK: topK as number }),
          'INVALID_ARGUMENT',
        );
      }
    });

    s.test('an empty collection returns no matches, complete', async (t) => {
      await t.create({ dimension: 2, metric: 'cosine' });
      for (const filter of [undefined, { a: 1 }]) {
        const result = await t.col().query({ vector: [1, 0], topK: 10, filter });
        assert.deepEqual(result, { matches: [], complete: true });
      }
    });

    s.test('matches are ordered by distance, ties broken by id in code point order', async (t) => {
      await t.create({ dimension: 2, metric: 'l2' });
      const shuffled = [...TIED_IDS].reverse();
      shuffled.splice(3, 0, ...shuffled.splice(7, 2));
      await t.col().upsert(shuffled.map((id) => ({ id, vector: [1, 1] })));
      await t.col().upsert([
        { id: 'near', vector: [0, 0.5] },
        { id: 'far', vector: [5, 5] },
      ]);
      await t.reopen();
      for (const exact of [false, true]) {
        const result = await t.col().query({ vector: [0, 0], topK: 12, search: { exact } });
        assert.deepEqual(idsOf(result), ['near', ...TIED_IDS, 'far'], `order (exact: ${exact})`);
        assertOrdered(result);
      }
      const cut = await t.col().query({ vector: [1, 1], topK: 3, search: { exact: true } });
      assert.deepEqual(
        idsOf(cut),
        TIED_IDS.slice(0, 3),
        'topK within a tie keeps the smallest ids',
      );
    });

    s.test('ties are broken by id under every metric', async (t) => {
      const names = new Map<string, string>();
      for (const metric of ['cosine', 'l2', 'ip'] as const) {
        const name = t.freshName();
        names.set(metric, name);
        const c = await t.create({ dimension: 3, metric }, name);
        await c.upsert(['z', 'm', 'a', 'M'].map((id) => ({ id, vector: [1, 2, 3] })));
      }
      await t.reopen();
      for (const [metric, name] of names) {
        for (const exact of [false, true]) {
          const result = await t.client
            .collection(name)
            .query({ vector: [1, 2, 3], topK: 4, search: { exact } });
          assert.deepEqual(idsOf(result), ['M', 'a', 'm', 'z'], `${metric} (exact: ${exact})`);
          const [first] = result.matches;
          for (const m of result.matches)
            assert.equal(m.distance, first!.distance, `${metric}: equal vectors, equal distances`);
        }
      }
    });

    s.test(
      'includeMetadata false omits metadata; the default includes it ({} when none)',
      async (t) => {
        await t.create({ dimension: 2, metric: 'l2' });
        await t.col().upsert([
          { id: 'a', vector: [0, 0], metadata: { k: 'v' } },
          { id: 'b', vector: [1, 0] },
        ]);
        await t.reopen();
        const plain = await t.col().query({ vector: [0, 0], topK: 2, includeMetadata: false });
        for (const m of plain.matches) assert.ok(!('metadata' in m), `no metadata on ${m.id}`);
        for (const m of plain.matches)
          assert.ok(!('vector' in m), `no vector on ${m.id} by default`);
        const rich = await t.col().query({ vector: [0, 0], topK: 2 });
        assert.deepEqual(
          rich.matches.map((m) => m.metadata),
          [{ k: 'v' }, {}],
        );
        assert.deepEqual(Object.keys(rich.matches[0]!).sort(), [
          'distance',
          'id',
          'metadata',
          'score',
        ]);
      },
    );

    s.test('includeVector true returns the stored float32 values (within 1e-6)', async (t) => {
      await t.create({ dimension: 4, metric: 'cosine' });
      const vectors = { a: [0.1, 0.2, 1 / 3, -0.7], b: [1e-3, -2.5, 7, 0.123456789] };
      await t.col().upsert(Object.entries(vectors).map(([id, vector]) => ({ id, vector })));
      await t.reopen();
      for (const exact of [false, true]) {
        const { matches } = await t
          .col()
          .query({ vector: vectors.a, topK: 2, includeVector: true, search: { exact } });
        assert.equal(matches.length, 2);
        for (const m of matches) {
          const source = vectors[m.id as 'a' | 'b'];
          nearVector(m.vector, source, m.id);
        }
      }
    });

    s.test('invalid query options are INVALID_ARGUMENT', async (t) => {
      await line(t, 3);
      const base = { vector: [0, 0], topK: 1 };
      const bad: Record<string, unknown>[] = [
        { includeMetadata: 'yes' },
        { includeVector: 1 },
        { search: 'fast' },
        { search: { ef: 0 } },
        { search: { ef: 1.5 } },
        { search: { probes: -1 } },
        { search: { exact: 'yes' } },
        { consistency: 'strongest' },
        { after: '' },
        { after: 42 },
      ];
      for (const extra of bad)
        await expectError(t.col().query({ ...base, ...extra } as never), 'INVALID_ARGUMENT');
      await expectError(t.col().query(null as never), 'INVALID_ARGUMENT');
    });

    s.test('search parameters are accepted and never change exact results', async (t) => {
      await line(t, 30);
      const expected = await exactIds(t.col(), [3.3, 0], undefined, 5);
      for (const search of [
        { ef: 1 },
        { ef: 10_000 },
        { probes: 1 },
        { probes: 32_768 },
        { ef: 64, probes: 4, exact: true },
      ]) {
        const result = await t
          .col()
          .query({ vector: [3.3, 0], topK: 5, search: { ...search, exact: true } });
        assert.deepEqual(idsOf(result), expected, JSON.stringify(search));
        const ann = await t
          .col()
          .query({ vector: [3.3, 0], topK: 5, search: { ...search, exact: false } });
        assert.ok(ann.matches.length <= 5);
        assertOrdered(ann);
      }
    });

    s.test('every consistency level and an after token read the acknowledged writes', async (t) => {
      await t.create({ dimension: 2, metric: 'l2' });
      const { token } = await t.col().upsert([{ id: 'a', vector: [1, 0], metadata: { v: 1 } }]);
      await t.reopen();
      // 'eventual' may be served by a lagging replica, so only its acceptance is checked.
      assert.equal(typeof (await t.col().count({ consistency: 'eventual' })), 'number');
      await t.col().query({ vector: [1, 0], topK: 1, consistency: 'eventual' });
      for (const consistency of ['session', 'strong'] as const) {
        const { matches } = await t.col().query({ vector: [1, 0], topK: 1, consistency });
        assert.deepEqual(idsOf({ matches, complete: true }), ['a'], consistency);
        assert.equal(await t.col().count({ consistency }), 1);
        assert.equal((await t.col().get(['a'], { consistency })).length, 1);
      }
      // A second client stands in for another process holding the token.
      const second = t.cachedClient.collection(t.name);
      const { token: deleteToken } = await t.col().delete({ ids: ['a'] });
      assert.equal(typeof deleteToken, 'string');
      assert.equal(await second.count({ after: deleteToken }), 0);
      assert.deepEqual(
        (await second.query({ vector: [1, 0], topK: 1, after: deleteToken })).matches,
        [],
      );
      assert.deepEqual(await second.get(['a'], { after: deleteToken }), []);
      assert.equal(typeof token, 'string');
    });
  });

  s.group('get', () => {
    s.test(
      'returns records in the order of ids, missing ids omitted, duplicates repeated',
      async (t) => {
        await line(t, 5);
        const got = await t.col().get(['p3', 'nope', 'p0', 'p3', 'p4', 'missing']);
        assert.deepEqual(
          got.map((r) => r.id),
          ['p3', 'p0', 'p3', 'p4'],
        );
        assert.deepEqual(
          got.map((r) => r.metadata.i),
          [3, 0, 3, 4],
        );
        assert.deepEqual(await t.col().get([]), []);
        assert.deepEqual(await t.col().get(['nope']), []);
      },
    );

    s.test('includeVector adds vectors; without it there is no vector property', async (t) => {
      await line(t, 3);
      const plain = await t.col().get(['p2']);
      assert.deepEqual(plain, [{ id: 'p2', metadata: { i: 2 } }]);
      assert.ok(!('vector' in plain[0]!));
      assert.deepEqual(await t.col().get(['p2', 'p1'], { includeVector: true }), [
        { id: 'p2', metadata: { i: 2 }, vector: [2, 0] },
        { id: 'p1', metadata: { i: 1 }, vector: [1, 0] },
      ]);
    });

    s.test('invalid arguments to get are INVALID_ARGUMENT', async (t) => {
      await line(t, 1);
      for (const ids of ['p0', null, undefined, [1], [''], { 0: 'p0', length: 1 }]) {
        await expectError(t.col().get(ids as never), 'INVALID_ARGUMENT');
      }
      await expectError(t.col().get(['p0'], { includeVector: 'yes' as never }), 'INVALID_ARGUMENT');
    });
  });

  s.group('delete and count', () => {
    s.test(
      'delete by ids returns the count and a token; the records are gone everywhere',
      async (t) => {
        await line(t, 6);
        const result = await t.col().delete({ ids: ['p1', 'p4'] });
        assert.equal(result.deleted, 2);
        assert.equal(typeof result.token, 'string');
        assert.ok(result.token.length > 0);
        await t.reopen();
        assert.equal(await t.col().count(), 4);
        assert.deepEqual(
          await t
            .col()
            .get(['p1', 'p4', 'p0'])
            .then((r) => r.map((x) => x.id)),
          ['p0'],
        );
        sameIds(
          await exactIds(t.col(), [0, 0], undefined),
          ['p0', 'p2', 'p3', 'p5'],
          'query after delete',
        );
        const ann = await t.col().query({ vector: [1, 0], topK: 2 });
        assert.ok(!idsOf(ann).includes('p1'), 'a deleted record is not returned by the index');
      },
    );

    s.test('deleting missing ids counts 0; duplicates count once', async (t) => {
      await line(t, 3);
      assert.equal((await t.col().delete({ ids: ['nope', 'never'] })).deleted, 0);
      assert.equal((await t.col().delete({ ids: [] })).deleted, 0);
      assert.equal((await t.col().delete({ ids: ['p0', 'p0', 'nope'] })).deleted, 1);
      assert.equal((await t.col().delete({ ids: ['p0'] })).deleted, 0, 'deleting twice counts 0');
      await t.reopen();
      assert.equal(await t.col().count(), 2);
    });

    s.test(
      'delete by filter removes exactly the matching records and returns their count',
      async (t) => {
        await line(t, 10);
        const result = await t.col().delete({ filter: { i: { $gte: 7 } } });
        assert.equal(result.deleted, 3);
        assert.equal(typeof result.token, 'string');
        assert.equal((await t.col().delete({ filter: { i: { $gt: 100 } } })).deleted, 0);
        assert.equal((await t.col().delete({ filter: { $or: [{ i: 0 }, { i: 2 }] } })).deleted, 2);
        await t.reopen();
        sameIds(
          await exactIds(t.col(), [0, 0], undefined),
          ['p1', 'p3', 'p4', 'p5', 'p6'],
          'survivors',
        );
      },
    );

    s.test(
      'delete with an empty filter is INVALID_FILTER; a bad selector is INVALID_ARGUMENT',
      async (t) => {
        await line(t, 3);
        await expectError(t.col().delete({ filter: {} }), 'INVALID_FILTER');
        await expectError(t.col().delete({ filter: { i: undefined } }), 'INVALID_FILTER');
        for (const selector of [
          {},
          { ids: ['p0'], filter: { i: 0 } },
          null,
          'p0',
          { ids: 'p0' },
          { ids: [5] },
        ]) {
          await expectError(t.col().delete(selector as never), 'INVALID_ARGUMENT');
        }
        assert.equal(await t.col().count(), 3);
      },
    );

    s.test('a deleted id can be written again, with no trace of the old record', async (t) => {
      await t.create({ dimension: 2, metric: 'l2' });
      await t.col().upsert([{ id: 'a', vector: [1, 0], metadata: { old: true } }]);
      await t.col().delete({ ids: ['a'] });
      await t.reopen();
      await t.col().upsert([{ id: 'a', vector: [0, 1], metadata: { fresh: true } }]);
      await t.reopen();
      assert.deepEqual(await t.col().get(['a'], { includeVector: true }), [
        { id: 'a', metadata: { fresh: true }, vector: [0, 1] },
      ]);
      assert.equal(await t.col().count({ filter: { old: true } }), 0);
      const { matches } = await t.col().query({ vector: [0, 1], topK: 5 });
      assert.deepEqual(idsOf({ matches, complete: true }), ['a']);
      near(matches[0]!.distance, 0, 'the new vector is indexed');
    });

    s.test('count with and without a filter', async (t) => {
      await t.create({ dimension: 2, metric: 'l2' });
      assert.equal(await t.col().count(), 0);
      assert.equal(await t.col().count({ filter: { i: 1 } }), 0);
      await t.col().upsert(
        Array.from({ length: 25 }, (_, i) => ({
          id: `c${i}`,
          vector: [i, 1],
          metadata: { i, odd: i % 2 === 1 },
        })),
      );
      await t.reopen();
      assert.equal(await t.col().count(), 25);
      assert.equal(await t.col().count({ filter: { odd: true } }), 12);
      assert.equal(await t.col().count({ filter: { i: { $lt: 10 }, odd: false } }), 5);
      assert.equal(await t.col().count({}), 25);
      assert.equal(await t.col().count({ filter: {} }), 25);
    });

    s.test(
      'describe returns name, dimension, metric, the resolved index and the count',
      async (t) => {
        await t.create({ dimension: 5, metric: 'ip' });
        assert.deepEqual(await t.col().describe(), {
          name: t.name,
          dimension: 5,
          metric: 'ip',
          index: { type: 'hnsw', m: 16, efConstruction: 64 },
          count: 0,
        });
        await t.col().upsert([1, 2, 3].map((i) => ({ id: `d${i}`, vector: [i, 0, 0, 0, 1] })));
        await t.reopen();
        assert.equal((await t.col().describe()).count, 3);
        const other = t.freshName();
        await t.create(
          { dimension: 3, metric: 'cosine', index: { type: 'ivfflat', lists: 8 } },
          other,
        );
        const none = t.freshName();
        await t.create({ dimension: 2, metric: 'l2', index: { type: 'none' } }, none);
        await t.reopen();
        const ivf = await t.client.collection(other).describe();
        assert.deepEqual(ivf, {
          name: other,
          dimension: 3,
          metric: 'cosine',
          index: { type: 'ivfflat', lists: 8 },
          count: 0,
        });
        assert.deepEqual((await t.client.collection(none).describe()).index, { type: 'none' });
      },
    );
  });
}
