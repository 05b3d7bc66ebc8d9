import assert from 'node:assert/strict';
import type { Metric } from '../../types.js';
import { assertOrdered, idsOf, near, referenceDistance, referenceScore } from '../assertions.js';
import type { CaseContext, SuiteBuilder } from '../harness.js';
import { createRandom } from '../random.js';

interface Expected {
  id: string;
  distance: number;
  score: number;
}

async function checkHandComputed(
  s: CaseContext,
  metric: Metric,
  query: number[],
  records: [string, number[]][],
  expected: Expected[],
): Promise<void> {
  await s.create({ dimension: query.length, metric });
  await s.col().upsert(records.map(([id, vector]) => ({ id, vector })));
  await s.reopen();
  for (const exact of [true, false]) {
    const result = await s.col().query({ vector: query, topK: records.length, search: { exact } });
    assert.deepEqual(
      idsOf(result),
      expected.map((e) => e.id),
      `order (exact: ${exact})`,
    );
    result.matches.forEach((m, i) => {
      near(m.distance, expected[i]!.distance, `${metric} distance of ${m.id}`);
      near(m.score, expected[i]!.score, `${metric} score of ${m.id}`);
    });
  }
}

/** §4 distance and score: metric-native distances, higher-is-better scores. */
export function registerDistanceCases(s: SuiteBuilder): void {
  s.group('distance and score', () => {
    s.test('cosine: distance is 1 − cos, score is 1 − distance (hand-computed)', (t) =>
      checkHandComputed(
        t,
        'cosine',
        [1, 0],
        [
          ['a', [1, 0]],
          ['b', [0, 1]],
          ['c', [-1, 0]],
          ['d', [1, 1]],
          ['e', [3, 4]],
        ],
        [
          { id: 'a', distance: 0, score: 1 },
          { id: 'd', distance: 1 - Math.SQRT1_2, score: Math.SQRT1_2 },
          { id: 'e', distance: 0.4, score: 0.6 },
          { id: 'b', distance: 1, score: 0 },
          { id: 'c', distance: 2, score: -1 },
        ],
      ),
    );

    s.test('l2: distance is Euclidean (not squared), score is 1 / (1 + distance)', (t) =>
      checkHandComputed(
        t,
        'l2',
        [1, 1, 1],
        [
          ['a', [1, 1, 1]],
          ['b', [4, 5, 1]],
          ['c', [2, 3, 3]],
          ['d', [0, 0, 0]],
          ['e', [1, 1, -1]],
        ],
        [
          { id: 'a', distance: 0, score: 1 },
          { id: 'd', distance: Math.sqrt(3), score: 1 / (1 + Math.sqrt(3)) },
          { id: 'e', distance: 2, score: 1 / 3 },
          { id: 'c', distance: 3, score: 0.25 },
          { id: 'b', distance: 5, score: 1 / 6 },
        ],
      ),
    );

    s.test('ip: distance is the negative dot product, score the dot product; ties by id', (t) =>
      checkHandComputed(
        t,
        'ip',
        [1, 2, 3],
        [
          ['b', [-1, 0, 0]],
          ['d', [0.5, 0.5, 0.5]],
          ['a', [4, 5, 6]],
          ['c', [0, 0, 1]],
          ['e', [10, 0, 0]],
        ],
        [
          { id: 'a', distance: -32, score: 32 },
          { id: 'e', distance: -10, score: 10 },
          { id: 'c', distance: -3, score: 3 },
          { id: 'd', distance: -3, score: 3 },
          { id: 'b', distance: 1, score: -1 },
        ],
      ),
    );

    s.test('cosine ignores magnitude; l2 and ip do not', async (t) => {
      const records = [
        { id: 'long', vector: [5, 0] },
        { id: 'unit', vector: [1, 0] },
      ];
      const names: string[] = [];
      for (const metric of ['cosine', 'l2', 'ip'] as const) {
        const name = t.freshName();
        names.push(name);
        await t.create({ dimension: 2, metric }, name);
        await t.client.collection(name).upsert(records);
      }
      await t.reopen();
      const expected = {
        cosine: [
          ['long', 0],
          ['unit', 0],
        ],
        l2: [
          ['unit', 1],
          ['long', 3],
        ],
        ip: [
          ['long', -10],
          ['unit', -2],
        ],
      } as const;
      for (const [index, metric] of (['cosine', 'l2', 'ip'] as const).entries()) {
        const name = (await t.client.listCollections())
          .map((c) => c.name)
          .find((n) => n === names[index]);
        assert.ok(name, `collection for ${metric} is listed`);
        const result = await t.client.collection(name).query({ vector: [2, 0], topK: 2 });
        assert.deepEqual(
          idsOf(result),
          expected[metric].map(([id]) => id),
          `${metric} order`,
        );
        for (const [i, m] of result.matches.entries()) {
          near(m.distance, expected[metric][i]![1], `${metric} distance of ${m.id}`);
        }
      }
    });

    for (const metric of ['cosine', 'l2', 'ip'] as const) {
      s.test(`${metric}: distances and scores of random data match the formula`, async (t) => {
        const random = createRandom(metric.length * 7919);
        const records = Array.from({ length: 60 }, (_, i) => ({
          id: `r${i}`,
          vector: random.vector(24),
        }));
        await t.create({ dimension: 24, metric });
        await t.col().upsert(records);
        await t.reopen();
        const byId = new Map(records.map((r) => [r.id, r.vector]));
        for (let q = 0; q < 5; q++) {
          const vector = random.vector(24);
          const result = await t.col().query({ vector, topK: 60, search: { exact: true } });
          assert.equal(result.matches.length, 60);
          assertOrdered(result);
          for (const m of result.matches) {
            const d = referenceDistance(metric, vector, byId.get(m.id)!);
            near(m.distance, d, `${metric} distance of ${m.id}`);
            near(m.score, referenceScore(metric, m.distance), `${metric} score of ${m.id}`, 1e-9);
          }
        }
      });
    }
  });
}
