import assert from 'node:assert/strict';
import type { CreateCollectionOptions } from '../../types.js';
import { expectError, idsOf } from '../assertions.js';
import type { SuiteBuilder } from '../harness.js';

/** §3 collections: idempotent create, COLLECTION_EXISTS, validation, list, drop, not found. */
export function registerCollectionCases(s: SuiteBuilder): void {
  s.group('collections', () => {
    s.test(
      'createCollection is idempotent for an identical spec (defaults included)',
      async (t) => {
        const spec: CreateCollectionOptions = { dimension: 4, metric: 'cosine' };
        await t.create(spec);
        await t.col().upsert([{ id: 'a', vector: [1, 0, 0, 0] }]);
        await t.reopen();
        const again = await t.create(spec);
        await t.create({ ...spec, index: { type: 'hnsw', m: 16, efConstruction: 64 } });
        await t.create({ ...spec, index: { type: 'hnsw' } });
        assert.equal(await again.count(), 1, 'an idempotent create keeps the records');
        const ivf = t.freshName();
        await t.create({ dimension: 2, metric: 'l2', index: { type: 'ivfflat' } }, ivf);
        await t.create({ dimension: 2, metric: 'l2', index: { type: 'ivfflat', lists: 100 } }, ivf);
      },
    );

    s.test(
      'a different spec is COLLECTION_EXISTS (dimension, metric, index type or parameters)',
      async (t) => {
        await t.create({
          dimension: 4,
          metric: 'cosine',
          index: { type: 'hnsw', m: 8, efConstruction: 32 },
        });
        const different: CreateCollectionOptions[] = [
          { dimension: 5, metric: 'cosine', index: { type: 'hnsw', m: 8, efConstruction: 32 } },
          { dimension: 4, metric: 'l2', index: { type: 'hnsw', m: 8, efConstruction: 32 } },
          { dimension: 4, metric: 'ip', index: { type: 'hnsw', m: 8, efConstruction: 32 } },
          { dimension: 4, metric: 'cosine', index: { type: 'hnsw', m: 12, efConstruction: 32 } },
          { dimension: 4, metric: 'cosine', index: { type: 'hnsw', m: 8, efConstruction: 40 } },
          { dimension: 4, metric: 'cosine' },
          { dimension: 4, metric: 'cosine', index: { type: 'ivfflat', lists: 10 } },
          { dimension: 4, metric: 'cosine', index: { type: 'none' } },
        ];
        await t.reopen();
        for (const spec of different) await expectError(t.create(spec), 'COLLECTION_EXISTS');
        assert.deepEqual(await t.col().describe(), {
          name: t.name,
          dimension: 4,
          metric: 'cosine',
          index: { type: 'hnsw', m: 8, efConstruction: 32 },
          count: 0,
        });
      },
    );

    s.test(
      'invalid collection names are INVALID_ARGUMENT; 48 characters are accepted',
      async (t) => {
        const bad: unknown[] = [
          '',
          'Docs',
          '1docs',
          '_docs',
          '-docs',
          'do cs',
          'docs!',
          'a'.repeat(49),
          'dócs',
          '../x',
          'a.b',
          'a/b',
          null,
          42,
          undefined,
        ];
        for (const name of bad) {
          await expectError(
            t.client.createCollection(name as string, { dimension: 2, metric: 'l2' }),
            'INVALID_ARGUMENT',
          );
          await expectError(() => t.client.collection(name as string), 'INVALID_ARGUMENT');
          await expectError(t.client.dropCollection(name as string), 'INVALID_ARGUMENT');
        }
        const longest = `${t.name}_${'x'.repeat(47 - t.name.length)}`;
        assert.equal(longest.length, 48);
        await t.create({ dimension: 2, metric: 'l2' }, longest);
        await t.client.collection(longest).upsert([{ id: 'a', vector: [1, 2] }]);
        await t.reopen();
        assert.equal(await t.client.collection(longest).count(), 1);
      },
    );

    s.test('invalid dimension, metric or index is INVALID_ARGUMENT', async (t) => {
      const bad: unknown[] = [
        undefined,
        null,
        {},
        { dimension: 0, metric: 'l2' },
        { dimension: -1, metric: 'l2' },
        { dimension: 1.5, metric: 'l2' },
        { dimension: 16_001, metric: 'l2' },
        { dimension: '3', metric: 'l2' },
        { dimension: Number.NaN, metric: 'l2' },
        { dimension: 3 },
        { dimension: 3, metric: 'dot' },
        { dimension: 3, metric: 'COSINE' },
        { dimension: 3, metric: 'l2', index: { type: 'flat' } },
        { dimension: 3, metric: 'l2', index: { type: 'hnsw', m: 1 } },
        { dimension: 3, metric: 'l2', index: { type: 'hnsw', efConstruction: 0 } },
        { dimension: 3, metric: 'l2', index: { type: 'ivfflat', lists: 0 } },
        { dimension: 3, metric: 'l2', index: null },
      ];
      for (const spec of bad)
        await expectError(t.create(spec as CreateCollectionOptions), 'INVALID_ARGUMENT');
      assert.ok(
        !(await t.client.listCollections()).some((c) => c.name === t.name),
        'nothing was created',
      );
    });

    s.test(
      'listCollections includes the collection with its full spec, ordered by name',
      async (t) => {
        const second = t.freshName();
        await t.create({ dimension: 3, metric: 'ip', index: { type: 'none' } });
        await t.create({ dimension: 7, metric: 'l2' }, second);
        await t.reopen();
        const list = await t.client.listCollections();
        const names = list.map((c) => c.name);
        assert.deepEqual(names, [...names].sort(), 'ordered by name');
        assert.deepEqual(
          list.find((c) => c.name === t.name),
          { name: t.name, dimension: 3, metric: 'ip', index: { type: 'none' } },
        );
        assert.deepEqual(
          list.find((c) => c.name === second),
          {
            name: second,
            dimension: 7,
            metric: 'l2',
            index: { type: 'hnsw', m: 16, efConstruction: 64 },
          },
        );
      },
    );

    s.test('dropCollection returns true, then false; the collection leaves the list', async (t) => {
      await t.create({ dimension: 2, metric: 'l2' });
      await t.col().upsert([{ id: 'a', vector: [1, 1] }]);
      assert.equal(await t.client.dropCollection(t.name), true);
      await t.reopen();
      assert.equal(await t.client.dropCollection(t.name), false);
      assert.ok(!(await t.client.listCollections()).some((c) => c.name === t.name));
      assert.equal(
        await t.client.dropCollection(t.freshName()),
        false,
        'dropping a never-created collection is false',
      );
    });

    s.test('every operation on a dropped collection is COLLECTION_NOT_FOUND', async (t) => {
      const c = await t.create({ dimension: 2, metric: 'l2' });
      await c.upsert([{ id: 'a', vector: [1, 1] }]);
      await c.query({ vector: [1, 1], topK: 1 });
      const cached = t.cachedCol();
      await cached.query({ vector: [1, 1], topK: 1 });
      // Dropped through the cached client, so its in-process cache learns of the drop too.
      assert.equal(await t.cachedClient.dropCollection(t.name), true);
      const check = async (handle: typeof c) => {
        await expectError(handle.upsert([{ id: 'a', vector: [1, 1] }]), 'COLLECTION_NOT_FOUND');
        await expectError(handle.query({ vector: [1, 1], topK: 1 }), 'COLLECTION_NOT_FOUND');
        await expectError(handle.get(['a']), 'COLLECTION_NOT_FOUND');
        await expectError(handle.delete({ ids: ['a'] }), 'COLLECTION_NOT_FOUND');
        await expectError(handle.delete({ filter: { x: 1 } }), 'COLLECTION_NOT_FOUND');
        await expectError(handle.count(), 'COLLECTION_NOT_FOUND');
        await expectError(handle.describe(), 'COLLECTION_NOT_FOUND');
      };
      // Handles whose client remembers the spec, then fresh handles after a reopen.
      await check(c);
      await check(cached);
      await t.reopen();
      for (const handle of [t.col(), t.col('tenant-a'), t.cachedCol()]) await check(handle);
    });

    s.test('every operation on a never-created collection is COLLECTION_NOT_FOUND', async (t) => {
      const c = t.col();
      const error = await expectError(c.upsert([{ id: 'a', vector: [1] }]), 'COLLECTION_NOT_FOUND');
      assert.equal(error.details.collection, t.name);
      await expectError(c.upsert([]), 'COLLECTION_NOT_FOUND');
      await expectError(c.query({ vector: [1], topK: 1 }), 'COLLECTION_NOT_FOUND');
      await expectError(c.get(['a']), 'COLLECTION_NOT_FOUND');
      await expectError(c.delete({ ids: ['a'] }), 'COLLECTION_NOT_FOUND');
      await expectError(c.delete({ filter: { a: 1 } }), 'COLLECTION_NOT_FOUND');
      await expectError(c.count({ filter: { a: 1 } }), 'COLLECTION_NOT_FOUND');
      await expectError(c.describe(), 'COLLECTION_NOT_FOUND');
      await expectError(t.cachedCol('x').query({ vector: [1], topK: 1 }), 'COLLECTION_NOT_FOUND');
    });

    s.test(
      'a dropped collection can be recreated with another dimension and metric, empty',
      async (t) => {
        const c = await t.create({ dimension: 2, metric: 'l2' });
        await c.upsert([{ id: 'a', vector: [1, 1], metadata: { old: true } }]);
        await t.col('tenant-a').upsert([{ id: 'b', vector: [2, 2] }]);
        await t.cachedCol().query({ vector: [1, 1], topK: 5 });
        await t.client.dropCollection(t.name);
        await t.reopen();
        await t.create({ dimension: 3, metric: 'cosine' });
        assert.equal(await t.col().count(), 0);
        assert.equal(await t.col('tenant-a').count(), 0, 'every tenant was dropped');
        assert.deepEqual(await t.col().get(['a']), []);
        await t.col().upsert([{ id: 'a', vector: [0, 0, 1] }]);
        await t.reopen();
        const { matches } = await t.col().query({ vector: [0, 0, 1], topK: 5 });
        assert.deepEqual(idsOf({ matches, complete: true }), ['a']);
        assert.deepEqual(matches[0]!.metadata, {});
        assert.deepEqual((await t.col().describe()).dimension, 3);
        await expectError(t.col().upsert([{ id: 'x', vector: [1, 1] }]), 'DIMENSION_MISMATCH');
      },
    );

    s.test('specs, records, tenants and deletes survive a reopen', async (t) => {
      await t.create({
        dimension: 3,
        metric: 'ip',
        index: { type: 'hnsw', m: 8, efConstruction: 20 },
      });
      await t.col().upsert(
        Array.from({ length: 30 }, (_, i) => ({
          id: `r${i}`,
          vector: [i, 1, 0],
          metadata: { i },
        })),
      );
      await t.col('t1').upsert([{ id: 'r0', vector: [0, 0, 1], metadata: { tenant: 't1' } }]);
      await t.col().delete({ ids: ['r3', 'r4'] });
      await t.col().delete({ filter: { i: { $gte: 25 } } });
      await t.col().upsert([{ id: 'r1', vector: [0, 5, 0], metadata: { replaced: true } }]);
      await t.reopen();
      await t.reopen();
      assert.deepEqual(await t.col().describe(), {
        name: t.name,
        dimension: 3,
        metric: 'ip',
        index: { type: 'hnsw', m: 8, efConstruction: 20 },
        count: 23,
      });
      assert.equal(await t.col('t1').count(), 1);
      assert.deepEqual(await t.col('t1').get(['r0']), [{ id: 'r0', metadata: { tenant: 't1' } }]);
      assert.deepEqual(await t.col().get(['r1', 'r3', 'r25', 'r24'], { includeVector: true }), [
        { id: 'r1', metadata: { replaced: true }, vector: [0, 5, 0] },
        { id: 'r24', metadata: { i: 24 }, vector: [24, 1, 0] },
      ]);
      const { matches } = await t.col().query({ vector: [1, 0, 0], topK: 3 });
      assert.deepEqual(idsOf({ matches, complete: true }), ['r24', 'r23', 'r22']);
    });
  });
}
