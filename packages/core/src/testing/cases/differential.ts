import assert from 'node:assert/strict';
import type { Collection } from '../../client/client.js';
import type { Metric, QueryResult, VectorRecord } from '../../types.js';
import {
  assertOrdered,
  exactIds,
  idsOf,
  near,
  referenceDistance,
  sameIds,
  TOLERANCE,
} from '../assertions.js';
import type { CaseContext, SuiteBuilder } from '../harness.js';
import { createRandom, normalize, type Random } from '../random.js';
import { randomFilter, randomMetadata } from '../random-filter.js';

/** Random records, a tenth of them sharing vectors (so exact ties occur), with random metadata. */
function randomRecords(r: Random, n: number, dimension: number, unit = false): VectorRecord[] {
  const records: VectorRecord[] = [];
  for (let i = 0; i < n; i++) {
    const vector = i > 0 && r.chance(0.1) ? [...records[r.int(i)]!.vector] : r.vector(dimension);
    records.push({
      id: `d${(i * 7919) % n}-${i}`,
      vector: unit ? normalize(vector) : vector,
      metadata: randomMetadata(r),
    });
  }
  return records;
}

/** Creates the same collection in the engine under test and in the oracle. */
async function twin(
  t: CaseContext,
  metric: Metric,
  dimension: number,
  records: VectorRecord[],
): Promise<Collection> {
  const oracle = await t.oracle();
  await Promise.all([
    t.create({ dimension, metric }),
    oracle.createCollection(t.name, { dimension, metric }),
  ]);
  await Promise.all([t.col().upsert(records), oracle.collection(t.name).upsert(records)]);
  await t.reopen();
  return oracle.collection(t.name);
}

/**
 * Asserts an exact result agrees with the oracle's full ranking: same length, the same ids
 * except among near-ties (distances within 1e-4), and each distance within 1e-4.
 */
function assertMatchesOracle(
  got: QueryResult,
  full: QueryResult,
  topK: number,
  label: string,
): void {
  const ranking = full.matches;
  const truth = new Map(ranking.map((m) => [m.id, m.distance]));
  assert.equal(got.matches.length, Math.min(topK, ranking.length), `${label}: number of matches`);
  assertOrdered(got);
  got.matches.forEach((m, i) => {
    const expected = ranking[i]!;
    assert.ok(truth.has(m.id), `${label}: ${m.id} does not pass the filter or does not exist`);
    near(m.distance, truth.get(m.id)!, `${label}: distance of ${m.id}`);
    near(
      truth.get(m.id)!,
      expected.distance,
      `${label}: rank ${i} holds ${m.id}, oracle has ${expected.id}`,
    );
    const before = ranking[i - 1]?.distance ?? Number.NEGATIVE_INFINITY;
    const after = ranking[i + 1]?.distance ?? Number.POSITIVE_INFINITY;
    const isolated =
      expected.distance - before > TOLERANCE && after - expected.distance > TOLERANCE;
    if (isolated) assert.equal(m.id, expected.id, `${label}: rank ${i}`);
  });
}

function recallAt(k: number, got: string[], truth: string[]): number {
  const want = new Set(truth.slice(0, k));
  return got.slice(0, k).filter((id) => want.has(id)).length / want.size;
}

/** §4 "two engines return the same ids and distances within 1e-4", against the memory oracle. */
export function registerDifferentialCases(s: SuiteBuilder): void {
  s.group('differential against the memory oracle', () => {
    for (const [seed, metric] of [
      [101, 'cosine'],
      [202, 'l2'],
      [303, 'ip'],
    ] as const) {
      s.test(
        `${metric}: exact queries (random data, topK and filters) equal the oracle`,
        async (t) => {
          const r = createRandom(seed);
          const dimension = 16;
          const records = randomRecords(r, 400, dimension);
          const oracle = await twin(t, metric, dimension, records);
          for (let q = 0; q < 30; q++) {
            const vector =
              q % 5 === 4 ? [...records[r.int(records.length)]!.vector] : r.vector(dimension);
            const topK = r.pick([1, 3, 10, 37, 100, 400, 500]);
            const filter = q % 2 === 0 ? undefined : randomFilter(r);
            const label = `query ${q} (topK ${topK}, filter ${JSON.stringify(filter)})`;
            const got = await t.col().query({
              vector,
              topK,
              filter,
              search: { exact: true },
              includeMetadata: q % 3 === 0,
            });
            assert.equal(got.complete, true, `${label}: complete`);
            const full = await oracle.query({
              vector,
              topK: 10_000,
              filter,
              search: { exact: true },
            });
            assertMatchesOracle(got, full, topK, label);
            if (q % 3 === 0) {
              const metadata = new Map(full.matches.map((m) => [m.id, m.metadata]));
              for (const m of got.matches)
                assert.deepEqual(m.metadata, metadata.get(m.id), `${label}: metadata of ${m.id}`);
            }
          }
        },
        { heavy: true },
      );
    }

    s.test(
      'random filters select the same records as the oracle (count and exact query)',
      async (t) => {
        const r = createRandom(404);
        const records = randomRecords(r, 300, 4);
        const oracle = await twin(t, 'l2', 4, records);
        for (let q = 0; q < 80; q++) {
          const filter = randomFilter(r);
          const label = JSON.stringify(filter);
          const expected = await exactIds(oracle, [0, 0, 0, 0], filter);
          assert.equal(await t.col().count({ filter }), expected.length, `count of ${label}`);
          sameIds(
            await exactIds(t.col(), [0, 0, 0, 0], filter),
            expected,
            `exact query with ${label}`,
          );
        }
      },
      { heavy: true },
    );

    s.test(
      'delete by random filters removes the same records as the oracle',
      async (t) => {
        const r = createRandom(505);
        const records = randomRecords(r, 150, 3);
        const oracle = await t.oracle();
        await t.create({ dimension: 3, metric: 'l2' });
        await oracle.createCollection(t.name, { dimension: 3, metric: 'l2' });
        const filters = Array.from({ length: 8 }, () => randomFilter(r));
        // One tenant per filter, so each delete starts from the full data set.
        for (const i of filters.keys()) {
          await t.col(`t${i}`).upsert(records);
          await oracle.collection(t.name).tenant(`t${i}`).upsert(records);
        }
        await t.reopen();
        for (const [i, filter] of filters.entries()) {
          const want = await oracle.collection(t.name).tenant(`t${i}`).delete({ filter });
          const got = await t.col(`t${i}`).delete({ filter });
          assert.equal(got.deleted, want.deleted, `deleted by ${JSON.stringify(filter)}`);
        }
        await t.reopen();
        for (const i of filters.keys()) {
          const expected = await exactIds(
            oracle.collection(t.name).tenant(`t${i}`),
            [0, 0, 0],
            undefined,
          );
          sameIds(
            await exactIds(t.col(`t${i}`), [0, 0, 0], undefined),
            expected,
            `survivors of ${JSON.stringify(filters[i])}`,
          );
        }
      },
      { heavy: true },
    );

    for (const [seed, metric] of [
      [606, 'cosine'],
      [707, 'l2'],
      [808, 'ip'],
    ] as const) {
      s.test(
        `${metric}: index (non-exact) queries reach recall@10 ≥ 0.9 against the oracle`,
        async (t) => {
          const r = createRandom(seed);
          const dimension = 8;
          // ip is searched over unit vectors, as it is used in practice.
          const records = randomRecords(r, 1000, dimension, metric === 'ip').map((x) => ({
            id: x.id,
            vector: x.vector,
          }));
          const oracle = await twin(t, metric, dimension, records);
          const byId = new Map(records.map((x) => [x.id, x.vector]));
          let total = 0;
          const queries = 25;
          for (let q = 0; q < queries; q++) {
            const vector = r.vector(dimension);
            const got = await t.col().query({ vector, topK: 10, includeMetadata: false });
            assert.equal(got.matches.length, 10, 'an unfiltered index query fills topK');
            assert.equal(got.complete, true, 'an unfiltered query with topK rows is complete');
            assertOrdered(got);
            const truth = await oracle.query({ vector, topK: 10, search: { exact: true } });
            for (const m of got.matches) {
              near(
                m.distance,
                referenceDistance(metric, vector, byId.get(m.id)!),
                `distance of ${m.id}`,
              );
            }
            total += recallAt(10, idsOf(got), idsOf(truth));
          }
          const recall = total / queries;
          assert.ok(recall >= 0.9, `recall@10 is ${recall.toFixed(3)}, below 0.9`);
        },
        { heavy: true },
      );
    }
  });
}
