import assert from 'node:assert/strict';
import type { UpsertProgress, VectorRecord } from '../../types.js';
import { exactIds, expectError, near, nearVector, sameIds } from '../assertions.js';
import type { SuiteBuilder } from '../harness.js';
import { createRandom } from '../random.js';

function assertProgress(progress: UpsertProgress[], total: number): void {
  assert.ok(progress.length >= 1, 'onProgress was called');
  for (let i = 1; i < progress.length; i++) {
    assert.ok(progress[i]!.upserted > progress[i - 1]!.upserted, 'progress only grows');
  }
  assert.equal(progress.at(-1)!.upserted, total, 'the last progress reports every record');
}

/** True when some serial order of the writes gives `winners` (id → index of the last write). */
function serializable(writes: string[][], winners: Map<string, number>): boolean {
  // Every other write to an id must come before that id's winner: a precedence graph, acyclic.
  const after = writes.map(() => new Set<number>());
  writes.forEach((ids, w) => {
    for (const id of ids) {
      const winner = winners.get(id)!;
      if (winner !== w) after[w]!.add(winner);
    }
  });
  const state = writes.map(() => 0); // 0 new, 1 visiting, 2 done
  const visit = (w: number): boolean => {
    if (state[w] === 1) return false;
    if (state[w] === 2) return true;
    state[w] = 1;
    for (const next of after[w]!) if (!visit(next)) return false;
    state[w] = 2;
    return true;
  };
  return writes.every((_, w) => visit(w));
}

/** §3/§4 upsert: whole-record replacement, iterables with progress, large and concurrent batches. */
export function registerUpsertCases(s: SuiteBuilder): void {
  s.group('upsert', () => {
    s.test('returns the number of records and a string token', async (t) => {
      await t.create({ dimension: 2, metric: 'l2' });
      const first = await t.col().upsert([
        { id: 'a', vector: [1, 0] },
        { id: 'b', vector: [0, 1] },
      ]);
      assert.equal(first.upserted, 2);
      assert.equal(typeof first.token, 'string');
      assert.ok(first.token.length > 0, 'token is not empty');
      const second = await t.col().upsert([{ id: 'c', vector: [1, 1] }]);
      assert.equal(second.upserted, 1);
      assert.ok(t.engine.comparePositions(second.token, first.token) >= 0, 'tokens do not go back');
      await t.reopen();
      assert.equal(await t.col().count(), 3);
    });

    s.test('upsert replaces metadata and vector whole', async (t) => {
      await t.create({ dimension: 2, metric: 'l2' });
      await t
        .col()
        .upsert([{ id: 'a', vector: [1, 0], metadata: { x: 1, y: 2, nested: { k: 1, j: 2 } } }]);
      await t.reopen();
      await t.col().upsert([{ id: 'a', vector: [0, 1], metadata: { y: 3, nested: { k: 5 } } }]);
      await t.reopen();
      const [a] = await t.col().get(['a'], { includeVector: true });
      assert.deepEqual(a, { id: 'a', metadata: { y: 3, nested: { k: 5 } }, vector: [0, 1] });
      assert.equal(
        await t.col().count({ filter: { x: { $exists: true } } }),
        0,
        'removed key is gone',
      );
      assert.equal(
        await t.col().count({ filter: { 'nested.j': { $exists: true } } }),
        0,
        'removed nested key is gone',
      );
      assert.equal(await t.col().count({ filter: { y: 3 } }), 1);
      const result = await t.col().query({ vector: [0, 1], topK: 1 });
      near(result.matches[0]!.distance, 0, 'the new vector is searched');
      const old = await t.col().query({ vector: [1, 0], topK: 1, search: { exact: true } });
      near(old.matches[0]!.distance, Math.SQRT2, 'the old vector is gone');
    });

    s.test('upserting without metadata clears the stored metadata to {}', async (t) => {
      await t.create({ dimension: 2, metric: 'l2' });
      await t.col().upsert([{ id: 'a', vector: [1, 0], metadata: { x: 1 } }]);
      await t.col().upsert([{ id: 'a', vector: [1, 0] }]);
      await t.reopen();
      assert.deepEqual(await t.col().get(['a']), [{ id: 'a', metadata: {} }]);
      const { matches } = await t.col().query({ vector: [1, 0], topK: 1 });
      assert.deepEqual(matches[0]!.metadata, {});
    });

    s.test('a batch with the same id twice keeps the last record', async (t) => {
      await t.create({ dimension: 2, metric: 'l2' });
      const result = await t.col().upsert([
        { id: 'a', vector: [1, 0], metadata: { v: 1 } },
        { id: 'b', vector: [0, 1], metadata: { v: 1 } },
        { id: 'a', vector: [3, 0], metadata: { v: 2 } },
      ]);
      assert.equal(result.upserted, 3, 'upserted counts the records given');
      await t.reopen();
      assert.equal(await t.col().count(), 2);
      assert.deepEqual(await t.col().get(['a'], { includeVector: true }), [
        { id: 'a', metadata: { v: 2 }, vector: [3, 0] },
      ]);
    });

    s.test('an empty batch writes nothing and still returns a token', async (t) => {
      await t.create({ dimension: 2, metric: 'l2' });
      const result = await t.col().upsert([]);
      assert.equal(result.upserted, 0);
      assert.equal(typeof result.token, 'string');
      const fromGenerator = await t.col().upsert((function* () {})());
      assert.equal(fromGenerator.upserted, 0);
      assert.equal(await t.col().count(), 0);
    });

    s.test(
      'input that is not an array or iterable of record objects is INVALID_ARGUMENT',
      async (t) => {
        await t.create({ dimension: 2, metric: 'l2' });
        for (const input of [null, undefined, 42, 'ab', { id: 'a', vector: [1, 0] }]) {
          await expectError(t.col().upsert(input as never), 'INVALID_ARGUMENT');
        }
        for (const record of [null, 'a', 5, [1, 0]]) {
          await expectError(
            t.col().upsert([{ id: 'a', vector: [1, 0] }, record] as never),
            'INVALID_ARGUMENT',
            { index: 1 },
          );
        }
        assert.equal(await t.col().count(), 0);
      },
    );

    s.test('records from a generator are written, with onProgress', async (t) => {
      await t.create({ dimension: 4, metric: 'cosine' });
      const random = createRandom(11);
      const records = Array.from({ length: 777 }, (_, i) => ({
        id: `g${i}`,
        vector: random.vector(4),
        metadata: { i },
      }));
      const progress: UpsertProgress[] = [];
      const result = await t.col().upsert(
        (function* () {
          yield* records;
        })(),
        { onProgress: (p) => progress.push({ ...p }) },
      );
      assert.equal(result.upserted, records.length);
      assertProgress(progress, records.length);
      await t.reopen();
      assert.equal(await t.col().count(), records.length);
      const got = await t.col().get(['g0', 'g776', 'g400']);
      assert.deepEqual(
        got.map((r) => r.metadata.i),
        [0, 776, 400],
      );
    });

    s.test('records from an async iterable are written, with onProgress', async (t) => {
      await t.create({ dimension: 4, metric: 'l2' });
      const random = createRandom(12);
      const total = 600;
      const progress: UpsertProgress[] = [];
      async function* source(): AsyncGenerator<VectorRecord> {
        for (let i = 0; i < total; i++) {
          if (i % 100 === 0) await new Promise((resolve) => setImmediate(resolve));
          yield { id: `a${i}`, vector: new Float32Array(random.vector(4)), metadata: { i } };
        }
      }
      const result = await t.col().upsert(source(), { onProgress: (p) => progress.push({ ...p }) });
      assert.equal(result.upserted, total);
      assertProgress(progress, total);
      await t.reopen();
      assert.equal(await t.col().count(), total);
      assert.equal(await t.col().count({ filter: { i: { $gte: 300 } } }), 300);
    });

    s.test(
      'a batch of 5,000 records round-trips',
      async (t) => {
        const dimension = 16;
        await t.create({ dimension, metric: 'l2' });
        const random = createRandom(5000);
        const records = Array.from({ length: 5000 }, (_, i) => ({
          id: `big-${i}`,
          vector: random.vector(dimension),
          metadata: { i, even: i % 2 === 0, bucket: `b${i % 7}` },
        }));
        const progress: UpsertProgress[] = [];
        const result = await t
          .col()
          .upsert(records, { onProgress: (p) => progress.push({ ...p }) });
        assert.equal(result.upserted, 5000);
        assertProgress(progress, 5000);
        await t.reopen();
        assert.equal(await t.col().count(), 5000);
        assert.equal(await t.col().count({ filter: { even: true } }), 2500);
        assert.equal(await t.col().count({ filter: { bucket: 'b3' } }), 714);
        const sample = Array.from({ length: 50 }, () => random.int(5000));
        const got = await t.col().get(
          sample.map((i) => `big-${i}`),
          { includeVector: true },
        );
        assert.equal(got.length, sample.length);
        got.forEach((r, k) => {
          const source = records[sample[k]!]!;
          assert.equal(r.id, source.id);
          assert.deepEqual(r.metadata, source.metadata);
          nearVector(r.vector, source.vector, r.id);
        });
        for (const i of sample.slice(0, 5)) {
          const { matches } = await t
            .col()
            .query({ vector: records[i]!.vector, topK: 1, search: { exact: true } });
          assert.equal(matches[0]!.id, `big-${i}`);
          near(matches[0]!.distance, 0, 'a stored vector is its own nearest neighbour');
        }
      },
      { heavy: true },
    );

    s.test(
      '100 concurrent upserts on overlapping ids end in a serializable state',
      async (t) => {
        await t.create({ dimension: 3, metric: 'l2' });
        const random = createRandom(100);
        const pool = Array.from({ length: 12 }, (_, i) => `k${i}`);
        const writes = Array.from({ length: 100 }, () => {
          const ids = new Set<string>();
          const n = 1 + random.int(5);
          while (ids.size < n) ids.add(random.pick(pool));
          return [...ids];
        });
        const results = await Promise.all(
          writes.map((ids, w) =>
            t
              .col()
              .upsert(
                ids.map((id) => ({ id, vector: [w, Number(id.slice(1)), 1], metadata: { w, id } })),
              ),
          ),
        );
        for (const [w, r] of results.entries()) assert.equal(r.upserted, writes[w]!.length);
        await t.reopen();
        const written = [...new Set(writes.flat())];
        assert.equal(await t.col().count(), written.length);
        const stored = await t.col().get(written, { includeVector: true });
        assert.equal(stored.length, written.length);
        const winners = new Map<string, number>();
        for (const r of stored) {
          const w = r.metadata.w as number;
          assert.equal(r.metadata.id, r.id);
          assert.ok(writes[w]?.includes(r.id), `${r.id} holds write ${w}, which wrote it`);
          assert.deepEqual(
            r.vector,
            [w, Number(r.id.slice(1)), 1],
            `vector and metadata of ${r.id} come from one write`,
          );
          winners.set(r.id, w);
        }
        assert.ok(
          serializable(writes, winners),
          'the final state is that of some serial order of the upserts',
        );
        sameIds(
          await exactIds(t.col(), [0, 0, 0], undefined),
          written,
          'every written id is searchable once',
        );
      },
      { heavy: true },
    );
  });
}
