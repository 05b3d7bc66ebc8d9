import assert from 'node:assert/strict';
import type { Collection } from '../../client/client.js';
import type { Filter, Metadata, VectorRecord } from '../../types.js';
import { exactIds, idsOf, sameIds } from '../assertions.js';

/**
 * Records with mixed-type metadata for the filter cases: numbers, numeric strings, booleans,
 * `"true"`, null, missing fields, nested objects, arrays, a literal dotted key, code-point
 * ordering traps ('B' < 'a', '\uFFFD' < '😀') and an own `__proto__` key.
 */
export const FILTER_ROWS: Record<string, Metadata> = {
  f01: { n: 1, s: 'a', b: true, tag: 'x', nested: { k: 1, deep: { z: 'q' } }, arr: [1, 2] },
  f02: { n: 10, s: 'b', b: false, tag: 'y', nested: { k: 2 }, "na'me": 'o"k' },
  f03: { n: '10', s: 'B', b: 'true', tag: ['x'] },
  f04: { n: null, s: 'é', b: null },
  f05: { s: 'a', nested: 'scalar', 'a.b': 1 },
  f06: { n: 5.5, s: 'ab', nested: { k: '2' }, a: { b: 1 } },
  f07: { n: -3, s: '', b: true, zero: 0 },
  f08: { n: 1, s: '😀', b: 1, nested: { k: null } },
  f09: { n: 0, s: '\uFFFD', b: false, zero: -0 },
  f10: {},
  f11: { n: true, s: 'A' },
  f12: { n: [1], s: ['a'], nested: { k: [1] } },
  f13: JSON.parse('{"n":{"v":1},"s":"aa","__proto__":{"p":1}}'),
};

/** Every id of {@link FILTER_ROWS}. */
export const ALL_FILTER_IDS = Object.keys(FILTER_ROWS);

/** All ids except the given ones. */
export const allBut = (...ids: string[]): string[] =>
  ALL_FILTER_IDS.filter((id) => !ids.includes(id));

/** The rows as records: vector `[i + 1, 0]` in a 2-dimensional l2 collection. */
export function filterRecords(): VectorRecord[] {
  return ALL_FILTER_IDS.map((id, i) => ({ id, vector: [i + 1, 0], metadata: FILTER_ROWS[id] }));
}

/**
 * Asserts `filter` selects exactly `expected`: through `count`, an exact query, and an
 * index query (which may return fewer only when it says it is not complete).
 */
export async function expectFilter(
  collection: Collection,
  filter: Filter,
  expected: readonly string[],
): Promise<void> {
  const label = JSON.stringify(filter);
  assert.equal(await collection.count({ filter }), expected.length, `count of ${label}`);
  sameIds(await exactIds(collection, [0, 0], filter, 100), expected, `exact query with ${label}`);
  const ann = await collection.query({ vector: [0, 0], topK: 100, filter, includeMetadata: false });
  const got = idsOf(ann);
  if (ann.complete) sameIds(got, expected, `query with ${label}`);
  else
    for (const id of got)
      assert.ok(expected.includes(id), `query with ${label} returned ${id}, which does not match`);
}

/** Runs {@link expectFilter} over a table of `[filter, expected ids]`. */
export async function expectFilters(
  collection: Collection,
  table: readonly (readonly [Filter, readonly string[]])[],
): Promise<void> {
  for (const [filter, expected] of table) await expectFilter(collection, filter, expected);
}
