import assert from 'node:assert/strict';
import { idsOf } from '../assertions.js';
import type { SuiteBuilder } from '../harness.js';

/** §6 as users see it through the default cache: acknowledged writes are never hidden. */
export function registerCacheCases(s: SuiteBuilder): void {
  s.group('with the default query cache', () => {
    s.test('a repeated query sees upserts and replacements made in between', async (t) => {
      await t.create({ dimension: 2, metric: 'l2' });
      const c = t.cachedCol();
      await c.upsert([{ id: 'far', vector: [5, 5], metadata: { v: 1 } }]);
      const ask = () => c.query({ vector: [0, 0], topK: 2 });
      assert.deepEqual(idsOf(await ask()), ['far']);
      assert.deepEqual(idsOf(await ask()), ['far']);
      await c.upsert([{ id: 'near', vector: [0, 1] }]);
      assert.deepEqual(idsOf(await ask()), ['near', 'far']);
      await c.upsert([{ id: 'far', vector: [5, 5], metadata: { v: 2 } }]);
      assert.equal((await ask()).matches[1]!.metadata!.v, 2);
    });

    s.test('a repeated query sees deletes by ids and by filter', async (t) => {
      await t.create({ dimension: 2, metric: 'l2' });
      const c = t.cachedCol();
      await c.upsert([0, 1, 2, 3].map((i) => ({ id: `r${i}`, vector: [i, 0], metadata: { i } })));
      const ask = () => c.query({ vector: [0, 0], topK: 10, filter: { i: { $gte: 0 } } });
      assert.equal((await ask()).matches.length, 4);
      await c.delete({ ids: ['r0'] });
      assert.deepEqual(idsOf(await ask()), ['r1', 'r2', 'r3']);
      await c.delete({ filter: { i: { $gt: 2 } } });
      assert.deepEqual(idsOf(await ask()), ['r1', 'r2']);
      assert.equal(await c.count(), 2);
    });

    s.test('results are copies: mutating one does not change the next', async (t) => {
      await t.create({ dimension: 2, metric: 'l2' });
      const c = t.cachedCol();
      await c.upsert([{ id: 'a', vector: [1, 0], metadata: { tags: ['x'] } }]);
      const vector = [1, 0];
      const first = await c.query({ vector, topK: 1, includeVector: true });
      first.matches[0]!.id = 'changed';
      (first.matches[0]!.metadata!.tags as string[]).push('y');
      first.matches.push({ id: 'extra', score: 0, distance: 0 });
      vector[0] = 0;
      const second = await c.query({ vector: [1, 0], topK: 1, includeVector: true });
      assert.deepEqual(second.matches, [
        { id: 'a', score: 1, distance: 0, metadata: { tags: ['x'] }, vector: [1, 0] },
      ]);
    });

    s.test('concurrent identical queries agree', async (t) => {
      await t.create({ dimension: 2, metric: 'cosine' });
      const c = t.cachedCol();
      await c.upsert(Array.from({ length: 20 }, (_, i) => ({ id: `r${i}`, vector: [1, i / 10] })));
      const results = await Promise.all(
        Array.from({ length: 20 }, () => c.query({ vector: [1, 0.5], topK: 3 })),
      );
      for (const r of results) assert.deepEqual(idsOf(r), ['r5', 'r6', 'r4']);
    });

    s.test(
      'a dropped and recreated collection never serves results cached before the drop',
      async (t) => {
        await t.create({ dimension: 2, metric: 'l2' });
        const c = t.cachedCol();
        await c.upsert([{ id: 'old', vector: [1, 0] }]);
        assert.deepEqual(idsOf(await c.query({ vector: [1, 0], topK: 1 })), ['old']);
        await t.cachedClient.dropCollection(t.name);
        await t.cachedClient.createCollection(t.name, { dimension: 2, metric: 'l2' });
        assert.deepEqual((await c.query({ vector: [1, 0], topK: 1 })).matches, []);
        await c.upsert([{ id: 'new', vector: [1, 0] }]);
        assert.deepEqual(idsOf(await c.query({ vector: [1, 0], topK: 1 })), ['new']);
      },
    );
  });
}
