import type { Filter, FilterScalar, JsonValue, Metadata } from '../types.js';
import type { Random } from './random.js';

const SCALARS: FilterScalar[] = [
  -1,
  0,
  1,
  2,
  2.5,
  5,
  '1',
  'a',
  'b',
  'B',
  '',
  'é',
  '😀',
  '\uFFFD',
  true,
  false,
  null,
];
const ORDERED: (number | string)[] = [
  -1,
  0,
  1,
  2,
  2.5,
  5,
  '1',
  'a',
  'ab',
  'b',
  'B',
  '',
  'é',
  '😀',
  '\uFFFD',
];
const FIELDS = ['n', 's', 'b', 'o.k', 'o.m', 'o', 'tags', 'missing', 'o.k.x'];

/**
 * Random metadata over a few fields of mixed types (numbers, numeric strings, booleans, null,
 * missing fields, nested objects, arrays), for differential filter checks.
 */
export function randomMetadata(r: Random): Metadata {
  const out: Metadata = {};
  const maybe = (key: string, values: JsonValue[]) => {
    if (r.chance(0.8)) out[key] = r.pick(values);
  };
  maybe('n', [-1, 0, 1, 1, 2, 2.5, 5, 7, '1', '2', true, false, null]);
  maybe('s', ['', 'a', 'A', 'b', 'ab', 'B', 'é', '😀', '\uFFFD', 1, null]);
  maybe('b', [true, false, true, 'true', 0, 1, null]);
  if (r.chance(0.7)) {
    const o: Metadata = {};
    if (r.chance(0.7)) o.k = r.pick([0, 1, 2, 2, '2', null, [1]]);
    if (r.chance(0.7)) o.m = r.pick(['a', 'b', '', 'é']);
    out.o = r.chance(0.85) ? o : r.pick<JsonValue>(['scalar', [1, 2], 1]);
  }
  maybe('tags', [['a'], ['a', 'b'], 'a', []]);
  return out;
}

function randomLeaf(r: Random): Filter {
  const field = r.pick(FIELDS);
  switch (r.int(10)) {
    case 0:
      return { [field]: r.pick(SCALARS) };
    case 1:
      return { [field]: { $eq: r.pick(SCALARS) } };
    case 2:
      return { [field]: { $ne: r.pick(SCALARS) } };
    case 3:
      return { [field]: { [r.pick(['$gt', '$gte', '$lt', '$lte'])]: r.pick(ORDERED) } };
    case 4: {
      const op1 = r.pick(['$gt', '$gte']);
      const op2 = r.pick(['$lt', '$lte']);
      return { [field]: { [op1]: r.pick(ORDERED), [op2]: r.pick(ORDERED) } };
    }
    case 5:
    case 6:
      return {
        [field]: {
          [r.pick(['$in', '$nin'])]: Array.from({ length: r.int(4) }, () => r.pick(SCALARS)),
        },
      };
    case 7:
      return { [field]: { $exists: r.chance(0.5) } };
    default:
      return { [field]: r.pick(SCALARS.slice(0, 14)) };
  }
}

/** A random valid filter of bounded depth mixing every operator and combinator. */
export function randomFilter(r: Random, depth = 0): Filter {
  if (depth >= 3 || r.chance(0.45)) return randomLeaf(r);
  const children = () => Array.from({ length: 1 + r.int(3) }, () => randomFilter(r, depth + 1));
  switch (r.int(4)) {
    case 0:
      return { $and: children() };
    case 1:
      return { $or: children() };
    case 2:
      return { $not: randomFilter(r, depth + 1) };
    default: {
      // Several keys in one object are an implicit AND.
      const merged: Filter = { ...randomLeaf(r), ...randomLeaf(r) };
      if (r.chance(0.5)) merged.$or = children();
      return merged;
    }
  }
}
