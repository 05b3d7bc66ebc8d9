import assert from 'node:assert/strict';
import { exactIds, expectError, near, nearVector, referenceDistance } from '../assertions.js';
import type { SuiteBuilder } from '../harness.js';
import { createRandom } from '../random.js';

/** §4 vectors: exactly `dimension` finite numbers, or nothing of the call is written. */
export function registerVectorCases(s: SuiteBuilder): void {
  s.group('vectors', () => {
    s.test(
      'a wrong length is DIMENSION_MISMATCH (shorter, longer, empty) and nothing is written',
      async (t) => {
        await t.create({ dimension: 3, metric: 'l2' });
        for (const vector of [[1, 2], [1, 2, 3, 4], [], new Float32Array(2)]) {
          await expectError(
            t.col().upsert([
              { id: 'ok', vector: [1, 2, 3] },
              { id: 'bad', vector },
            ]),
            'DIMENSION_MISMATCH',
            { index: 1 },
          );
        }
        await t.reopen();
        assert.equal(await t.col().count(), 0);
      },
    );

    s.test('NaN, ±Infinity and values beyond float32 are INVALID_ARGUMENT', async (t) => {
      await t.create({ dimension: 3, metric: 'l2' });
      for (const bad of [
        Number.NaN,
        Number.POSITIVE_INFINITY,
        Number.NEGATIVE_INFINITY,
        1e39,
        -1e39,
      ]) {
        await expectError(t.col().upsert([{ id: 'a', vector: [1, bad, 3] }]), 'INVALID_ARGUMENT', {
          index: 0,
        });
        await expectError(
          t.col().upsert([{ id: 'a', vector: new Float32Array([1, bad, 3]) }]),
          'INVALID_ARGUMENT',
        );
      }
      assert.equal(await t.col().count(), 0);
    });

    s.test('non-numeric components and non-array vectors are INVALID_ARGUMENT', async (t) => {
      await t.create({ dimension: 3, metric: 'l2' });
      const holey = [1, 2, 3];
      delete holey[1];
      const bad: unknown[] = [
        ['1', 2, 3],
        [1, null, 3],
        [1, undefined, 3],
        holey,
        [true, 2, 3],
        [1, 2, 3n],
        [1, [2], 3],
      ];
      bad.push('1,2,3', { 0: 1, 1: 2, 2: 3, length: 3 }, null, undefined, 123);
      for (const vector of bad) {
        const error = await expectError(
          t.col().upsert([{ id: 'a', vector } as never]),
          'INVALID_ARGUMENT',
        );
        assert.equal(error.details.index, 0);
      }
      assert.equal(await t.col().count(), 0);
    });

    s.test(
      'a bad record in the middle of a batch writes nothing and names its index',
      async (t) => {
        await t.create({ dimension: 2, metric: 'l2' });
        await t.col().upsert([{ id: 'a', vector: [1, 0], metadata: { v: 1 } }]);
        await t.reopen();
        await expectError(
          t.col().upsert([
            { id: 'a', vector: [5, 5], metadata: { v: 2 } },
            { id: 'b', vector: [0, 1] },
            { id: 'c', vector: [Number.NaN, 1] },
            { id: 'd', vector: [1, 1] },
          ]),
          'INVALID_ARGUMENT',
          { index: 2 },
        );
        await expectError(
          t.col().upsert([
            { id: 'a', vector: [5, 5], metadata: { v: 3 } },
            { id: 'b', vector: [0, 1] },
            { id: 'c', vector: [0, 1] },
            { id: 'd', vector: [1, 1, 1] },
            { id: 'e', vector: [1, 1] },
          ]),
          'DIMENSION_MISMATCH',
          { index: 3 },
        );
        await t.reopen();
        assert.equal(await t.col().count(), 1);
        assert.deepEqual(await t.col().get(['a', 'b', 'c', 'd', 'e'], { includeVector: true }), [
          { id: 'a', metadata: { v: 1 }, vector: [1, 0] },
        ]);
      },
    );

    s.test('a bad record within the first chunk of an iterable writes nothing', async (t) => {
      await t.create({ dimension: 2, metric: 'l2' });
      // Iterables are all-or-nothing per chunk; three records fit any engine's first chunk.
      assert.ok(t.engine.capabilities.upsertChunkSize >= 3, 'upsertChunkSize is at least 3');
      function* source() {
        yield { id: 'a', vector: [1, 0] };
        yield { id: 'b', vector: [1, Number.POSITIVE_INFINITY] };
        yield { id: 'c', vector: [0, 1] };
      }
      await expectError(t.col().upsert(source()), 'INVALID_ARGUMENT', { index: 1 });
      assert.equal(await t.col().count(), 0);
    });

    s.test(
      'a zero vector is INVALID_ARGUMENT under cosine, accepted under l2 and ip',
      async (t) => {
        await t.create({ dimension: 3, metric: 'cosine' });
        await expectError(t.col().upsert([{ id: 'z', vector: [0, 0, 0] }]), 'INVALID_ARGUMENT', {
          index: 0,
        });
        await t.col().upsert([{ id: 'a', vector: [1, 0, 0] }]);
        await expectError(t.col().query({ vector: [0, 0, 0], topK: 1 }), 'INVALID_ARGUMENT');
        assert.equal(await t.col().count(), 1);
        for (const metric of ['l2', 'ip'] as const) {
          const name = t.freshName();
          const c = await t.create({ dimension: 3, metric }, name);
          await c.upsert([
            { id: 'z', vector: [0, 0, 0] },
            { id: 'a', vector: [1, 2, 2] },
          ]);
          await t.reopen();
          const { matches } = await t.client
            .collection(name)
            .query({ vector: [0, 0, 0], topK: 2, search: { exact: true } });
          assert.equal(matches.length, 2);
          for (const m of matches) {
            near(
              m.distance,
              metric === 'l2' ? (m.id === 'z' ? 0 : 3) : 0,
              `${metric} distance of ${m.id}`,
            );
          }
        }
      },
    );

    s.test('Float32Array vectors are accepted for records and queries', async (t) => {
      await t.create({ dimension: 3, metric: 'cosine' });
      await t.col().upsert([
        { id: 'a', vector: new Float32Array([1, 0, 0]) },
        { id: 'b', vector: new Float32Array([0, 1, 0]) },
      ]);
      await t.reopen();
      const { matches } = await t.col().query({ vector: new Float32Array([0, 1, 0]), topK: 2 });
      assert.deepEqual(
        matches.map((m) => m.id),
        ['b', 'a'],
      );
      near(matches[0]!.distance, 0, 'distance to itself');
      const [a] = await t.col().get(['a'], { includeVector: true });
      assert.ok(Array.isArray(a!.vector), 'get returns a plain array');
      assert.deepEqual(a!.vector, [1, 0, 0]);
    });

    s.test('query vectors are validated like records (length, finiteness)', async (t) => {
      await t.create({ dimension: 3, metric: 'l2' });
      await t.col().upsert([{ id: 'a', vector: [1, 2, 3] }]);
      await expectError(t.col().query({ vector: [1, 2], topK: 1 }), 'DIMENSION_MISMATCH');
      await expectError(t.col().query({ vector: [], topK: 1 }), 'DIMENSION_MISMATCH');
      await expectError(t.col().query({ vector: [1, 2, Number.NaN], topK: 1 }), 'INVALID_ARGUMENT');
      await expectError(
        t.col().query({ vector: [1, '2', 3] as never, topK: 1 }),
        'INVALID_ARGUMENT',
      );
      await expectError(t.col().query({ topK: 1 }), 'INVALID_ARGUMENT');
      await expectError(
        t.col().query({ vector: [1, 2, 3], text: 'x', topK: 1 }),
        'INVALID_ARGUMENT',
      );
      await expectError(t.col().query({ text: 'needs an embedder', topK: 1 }), 'INVALID_ARGUMENT');
    });

    s.test(
      'stored vectors are float32 of the input (within 1e-6), tiny and large values included',
      async (t) => {
        await t.create({ dimension: 6, metric: 'l2' });
        const vectors = [
          [0.1, 1 / 3, -2 / 3, 1e-7, 123456.789, -0.5],
          [1e18, -1e18, 1e-18, -1e-18, 3.3e10, 7],
        ];
        await t.col().upsert(vectors.map((vector, i) => ({ id: `v${i}`, vector })));
        await t.reopen();
        const got = await t.col().get(['v0', 'v1'], { includeVector: true });
        assert.deepEqual(
          got.map((r) => r.id),
          ['v0', 'v1'],
        );
        for (const [i, r] of got.entries()) nearVector(r.vector, vectors[i]!, r.id);
        const { matches } = await t
          .col()
          .query({ vector: vectors[0]!, topK: 1, includeVector: true });
        assert.equal(matches[0]!.id, 'v0');
        nearVector(matches[0]!.vector, vectors[0]!, 'query match v0');
      },
    );

    s.test('dimension 1 works', async (t) => {
      await t.create({ dimension: 1, metric: 'l2' });
      await t.col().upsert([-3, -1, 0, 2, 5].map((x) => ({ id: `x${x}`, vector: [x] })));
      await t.reopen();
      const { matches } = await t.col().query({ vector: [1], topK: 5 });
      assert.deepEqual(
        matches.map((m) => m.id),
        ['x0', 'x2', 'x-1', 'x-3', 'x5'],
      );
      for (const [i, d] of [1, 1, 2, 4, 4].entries())
        near(matches[i]!.distance, d, `distance of ${matches[i]!.id}`);
    });

    s.test(
      'high dimension (3,072, default index) stores and searches exactly',
      async (t) => {
        const dimension = 3072;
        await t.create({ dimension, metric: 'cosine' });
        const random = createRandom(3072);
        const records = Array.from({ length: 40 }, (_, i) => ({
          id: `h${i}`,
          vector: random.vector(dimension),
        }));
        await t.col().upsert(records);
        await t.reopen();
        const query = random.vector(dimension);
        const result = await t.col().query({ vector: query, topK: 40, search: { exact: true } });
        assert.equal(result.matches.length, 40);
        const byId = new Map(records.map((r) => [r.id, r.vector]));
        for (const m of result.matches)
          near(
            m.distance,
            referenceDistance('cosine', query, byId.get(m.id)!),
            `distance of ${m.id}`,
          );
        const ann = await t.col().query({ vector: records[7]!.vector, topK: 1 });
        assert.equal(ann.matches[0]!.id, 'h7', 'a stored vector finds itself through the index');
        const [h3] = await t.col().get(['h3'], { includeVector: true });
        nearVector(h3!.vector, records[3]!.vector, 'h3');
      },
      { heavy: true },
    );

    s.test(
      'the largest dimension (16,000) works without an index',
      async (t) => {
        const dimension = 16_000;
        await t.create({ dimension, metric: 'l2', index: { type: 'none' } });
        const random = createRandom(16_000);
        const records = Array.from({ length: 5 }, (_, i) => ({
          id: `m${i}`,
          vector: random.vector(dimension),
        }));
        await t.col().upsert(records);
        await t.reopen();
        assert.deepEqual(await exactIds(t.col(), records[2]!.vector, undefined, 1), ['m2']);
        const [m4] = await t.col().get(['m4'], { includeVector: true });
        assert.equal(m4!.vector!.length, dimension);
        near(
          m4!.vector![15_999]!,
          Math.fround(records[4]!.vector[15_999]!),
          'last component',
          1e-6,
        );
      },
      { heavy: true },
    );
  });
}
