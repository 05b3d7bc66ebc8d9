import assert from 'node:assert/strict';
import { inspect } from 'node:util';
import {
  type Client,
  type Collection,
  createClient,
  createMemoryEngine,
  type Filter,
  type FilterNode,
  isAindusError,
  type JsonValue,
  type Metadata,
  parseFilter,
} from '@aindusdb/core';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, it } from 'vitest';

// ---------------------------------------------------------------------------------------------
// Generators
// ---------------------------------------------------------------------------------------------

/** Scalars chosen to collide often across types: 1 vs '1' vs true, '' vs null, code point traps. */
const scalar = fc.oneof(
  {
    weight: 8,
    arbitrary: fc.constantFrom<JsonValue>(
      0,
      1,
      2,
      2.5,
      '1',
      '',
      'a',
      'B',
      '😀',
      '\uFFFD',
      true,
      false,
      null,
    ),
  },
  { weight: 1, arbitrary: fc.constantFrom<JsonValue>(-1, 'b', 'ab', 'é', 'A', '2') },
  { weight: 1, arbitrary: fc.integer({ min: -12, max: 12 }).map((x) => x / 4) },
);
const ordered = fc.oneof(
  fc.constantFrom<number | string>(
    -1,
    0,
    1,
    2,
    2.5,
    '1',
    '',
    'a',
    'b',
    'B',
    'ab',
    'é',
    '😀',
    '\uFFFD',
  ),
  fc.integer({ min: -12, max: 12 }).map((x) => x / 4),
);
const FIELDS = ['n', 's', 'b', 'o', 'o.k', 'o.m', 'o.k.z', 'tags', 'missing'] as const;
const field = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom('n', 's', 'b', 'o.k', 'o.m', 'tags') },
  { weight: 1, arbitrary: fc.constantFrom(...FIELDS) },
);

/** Metadata over the fixed fields; every field may be missing, nested values mix types. */
const metadataArb: fc.Arbitrary<Metadata> = fc.record(
  {
    n: fc.oneof(
      { weight: 5, arbitrary: scalar },
      { weight: 1, arbitrary: fc.array(scalar, { maxLength: 2 }) },
    ),
    s: scalar,
    b: fc.oneof(fc.boolean(), scalar),
    o: fc.oneof(
      { weight: 4, arbitrary: fc.record({ k: scalar, m: scalar }, { requiredKeys: [] }) },
      { weight: 1, arbitrary: scalar },
      { weight: 1, arbitrary: fc.array(scalar, { maxLength: 2 }) },
    ),
    tags: fc.oneof(fc.array(scalar, { maxLength: 3 }), scalar),
  },
  { requiredKeys: [] },
) as fc.Arbitrary<Metadata>;

const OPERATORS = ['$eq', '$ne', '$gt', '$gte', '$lt', '$lte', '$in', '$nin', '$exists'] as const;
const operandOf = (op: (typeof OPERATORS)[number]): fc.Arbitrary<unknown> => {
  if (op === '$in' || op === '$nin') return fc.array(scalar, { maxLength: 4 });
  if (op === '$exists') return fc.boolean();
  if (op === '$eq' || op === '$ne') return scalar;
  return ordered;
};
/** One or two operators on a field (more would almost always contradict each other). */
const operators = fc
  .subarray([...OPERATORS], { minLength: 1, maxLength: 2 })
  .chain((ops) =>
    fc
      .tuple(...ops.map(operandOf))
      .map((values) => Object.fromEntries(ops.map((op, i) => [op, values[i]]))),
  );

const leaf: fc.Arbitrary<Filter> = fc.oneof(
  fc.tuple(field, scalar).map(([f, v]) => ({ [f]: v }) as Filter),
  fc.tuple(field, operators).map(([f, o]) => ({ [f]: o }) as Filter),
);

/** Valid filters from the §4 grammar: leaves, $and, $or, $not, multi-key objects, and `{}`. */
const { filter: validFilter } = fc.letrec<{ filter: Filter }>((tie) => ({
  filter: fc.oneof(
    { depthSize: 'small', maxDepth: 4 },
    { weight: 6, arbitrary: leaf },
    {
      weight: 1,
      arbitrary: fc
        .array(tie('filter'), { minLength: 1, maxLength: 3 })
        .map((args) => ({ $and: args })),
    },
    {
      weight: 2,
      arbitrary: fc
        .array(tie('filter'), { minLength: 1, maxLength: 3 })
        .map((args) => ({ $or: args })),
    },
    { weight: 2, arbitrary: tie('filter').map((arg) => ({ $not: arg })) },
    {
      weight: 1,
      arbitrary: fc
        .tuple(leaf, leaf, fc.option(tie('filter'), { nil: undefined }))
        .map(([a, b, c]) => ({ ...a, ...b, ...(c ? { $and: [c] } : {}) })),
    },
    { weight: 1, arbitrary: fc.constant({}) },
  ),
}));

const HOSTILE_KEYS = [
  '$and',
  '$or',
  '$not',
  '$eq',
  '$ne',
  '$gt',
  '$gte',
  '$lt',
  '$lte',
  '$in',
  '$nin',
  '$exists',
  '$regex',
  '$where',
  '$',
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'valueOf',
  'hasOwnProperty',
  'a',
  'b.c',
  '',
  '.',
  'a..b',
  'x.$eq',
  "'; DROP TABLE t; --",
  'a\u0000',
  '\uD800',
];
const hostileKey = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...HOSTILE_KEYS) },
  { weight: 1, arbitrary: fc.string({ maxLength: 6 }) },
);
const anything = fc.anything({
  maxDepth: 3,
  withBigInt: true,
  withBoxedValues: true,
  withMap: true,
  withSet: true,
  withDate: true,
  withTypedArray: true,
  withSparseArray: true,
  withNullPrototype: true,
  withObjectString: true,
});

/** Arbitrary JS values shaped like filters: random keys (hostile ones often) over random values. */
const { value: hostileFilter } = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', maxDepth: 5 },
    anything,
    scalar,
    validFilter,
    fc.array(tie('value'), { maxLength: 3 }),
    fc.dictionary(hostileKey, tie('value'), { maxKeys: 4 }),
    fc.dictionary(hostileKey, tie('value'), { maxKeys: 3, noNullPrototype: false }),
  ),
}));

/** Exotic inputs no generator makes: throwing getters, proxies, cycles, extreme depth. */
function exoticFilters(): unknown[] {
  const cyclic: Record<string, unknown> = {};
  cyclic.$and = [cyclic];
  const selfNot: Record<string, unknown> = {};
  selfNot.$not = selfNot;
  let deep: Record<string, unknown> = { a: 1 };
  for (let i = 0; i < 10_000; i++) deep = { $not: deep };
  let deepAnd: unknown = { a: 1 };
  for (let i = 0; i < 10_000; i++) deepAnd = { $and: [deepAnd] };
  const getter = Object.defineProperty({}, 'a', {
    enumerable: true,
    get() {
      throw new Error('boom');
    },
  });
  const { proxy: revoked, revoke } = Proxy.revocable({}, {});
  revoke();
  const trap = new Proxy(
    {},
    {
      ownKeys() {
        throw new RangeError('no keys');
      },
    },
  );
  const lying = new Proxy(
    { a: 1 },
    { getPrototypeOf: () => Object.prototype, get: () => Symbol('x') },
  );
  const wide = Object.fromEntries(Array.from({ length: 20_000 }, (_, i) => [`f${i}`, i]));
  const bigIn = { a: { $in: Array.from({ length: 20_000 }, (_, i) => i) } };
  return [
    cyclic,
    selfNot,
    deep,
    deepAnd,
    getter,
    revoked,
    trap,
    lying,
    wide,
    bigIn,
    { a: getter },
    { $or: [getter] },
    Object.create(null),
    Object.create({ a: 1 }),
    { [Symbol('s')]: 1 },
    Object.freeze({ a: Object.freeze({ $gt: 1 }) }),
  ];
}

// ---------------------------------------------------------------------------------------------
// The canonical form, checked structurally
// ---------------------------------------------------------------------------------------------

const COMPARISONS = new Set(['eq', 'ne', 'gt', 'gte', 'lt', 'lte']);

function isFilterScalar(v: unknown): boolean {
  return (
    v === null ||
    typeof v === 'string' ||
    typeof v === 'boolean' ||
    (typeof v === 'number' && Number.isFinite(v) && !Object.is(v, -0))
  );
}

function assertCanonical(node: FilterNode): void {
  assert.equal(typeof node, 'object');
  switch (node.op) {
    case 'and':
    case 'or':
      assert.ok(Array.isArray(node.args));
      node.args.forEach(assertCanonical);
      return;
    case 'not':
      assertCanonical(node.arg);
      return;
    case 'in':
    case 'nin':
      assertPath(node.path);
      assert.ok(Array.isArray(node.values) && node.values.every(isFilterScalar));
      return;
    case 'exists':
      assertPath(node.path);
      assert.equal(typeof node.value, 'boolean');
      return;
    default:
      assert.ok(COMPARISONS.has(node.op), `unknown op ${String((node as { op: unknown }).op)}`);
      assertPath(node.path);
      assert.ok(isFilterScalar(node.value));
      if (node.op !== 'eq' && node.op !== 'ne')
        assert.ok(typeof node.value === 'number' || typeof node.value === 'string');
  }
}

function assertPath(path: unknown): void {
  assert.ok(Array.isArray(path) && path.length > 0);
  for (const segment of path)
    assert.ok(typeof segment === 'string' && segment.length > 0 && !segment.startsWith('$'));
}

/** Parses and classifies: a canonical node (or undefined), or INVALID_FILTER; anything else fails. */
function parseOrReject(input: unknown): { ok: true; node: FilterNode | undefined } | { ok: false } {
  try {
    const node = parseFilter(input);
    if (node !== undefined) {
      assertCanonical(node);
      // Canonical nodes are plain JSON: they survive a round trip unchanged (cache keys rely on it).
      assert.deepEqual(JSON.parse(JSON.stringify(node)), node);
    }
    return { ok: true, node };
  } catch (error) {
    if (error instanceof assert.AssertionError) throw error;
    assert.ok(
      isAindusError(error, 'INVALID_FILTER'),
      `parseFilter threw something other than INVALID_FILTER: ${inspect(error)}`,
    );
    return { ok: false };
  }
}

// ---------------------------------------------------------------------------------------------
// An independent evaluator of the §4 filter semantics (deliberately not compileFilter)
// ---------------------------------------------------------------------------------------------

const ABSENT = Symbol('absent');

function resolve(metadata: Metadata, dotted: string): unknown {
  let current: unknown = metadata;
  for (const key of dotted.split('.')) {
    const isObject = typeof current === 'object' && current !== null && !Array.isArray(current);
    if (!isObject || !Object.hasOwn(current as object, key)) return ABSENT;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

/** Same type and same value; arrays, objects and absent fields equal nothing. */
function same(actual: unknown, operand: unknown): boolean {
  if (actual === ABSENT || (typeof actual === 'object' && actual !== null)) return false;
  return typeof actual === typeof operand && actual === operand;
}

function codePoints(s: string): number[] {
  return Array.from(s, (c) => c.codePointAt(0)!);
}

/** -1/0/1 for two numbers or two strings (by code point); undefined for anything else. */
function compare(actual: unknown, operand: unknown): number | undefined {
  if (typeof actual === 'number' && typeof operand === 'number') return Math.sign(actual - operand);
  if (typeof actual !== 'string' || typeof operand !== 'string') return undefined;
  const a = codePoints(actual);
  const b = codePoints(operand);
  for (let i = 0; i < Math.min(a.length, b.length); i++)
    if (a[i] !== b[i]) return a[i]! < b[i]! ? -1 : 1;
  return Math.sign(a.length - b.length);
}

function holds(op: string, operand: unknown, actual: unknown): boolean {
  switch (op) {
    case '$eq':
      return same(actual, operand);
    case '$ne':
      return !same(actual, operand);
    case '$in':
      return (operand as unknown[]).some((x) => same(actual, x));
    case '$nin':
      return !(operand as unknown[]).some((x) => same(actual, x));
    case '$exists':
      return (actual !== ABSENT) === operand;
    default: {
      const c = compare(actual, operand);
      if (c === undefined) return false;
      return op === '$gt' ? c > 0 : op === '$gte' ? c >= 0 : op === '$lt' ? c < 0 : c <= 0;
    }
  }
}

function matches(filter: Filter, metadata: Metadata): boolean {
  return Object.entries(filter).every(([key, value]) => {
    if (value === undefined) return true;
    if (key === '$and') return (value as Filter[]).every((f) => matches(f, metadata));
    if (key === '$or') return (value as Filter[]).some((f) => matches(f, metadata));
    if (key === '$not') return !matches(value as Filter, metadata);
    const actual = resolve(metadata, key);
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
      return Object.entries(value).every(
        ([op, operand]) => operand === undefined || holds(op, operand, actual),
      );
    }
    return same(actual, value);
  });
}

// ---------------------------------------------------------------------------------------------
// Properties
// ---------------------------------------------------------------------------------------------

let client: Client;
let probe: Collection;
let sequence = 0;

beforeAll(async () => {
  client = createClient({ engine: createMemoryEngine(), cache: false });
  probe = await client.createCollection('probe', { dimension: 2, metric: 'l2' });
  await probe.upsert([
    { id: 'a', vector: [1, 0], metadata: { n: 1, s: 'a', o: { k: 1 } } },
    { id: 'b', vector: [0, 1], metadata: { n: '1', tags: ['a'] } },
  ]);
});

afterAll(async () => {
  await client.close();
});

describe('parseFilter on arbitrary input', () => {
  it('returns a canonical node or throws INVALID_FILTER, never anything else (fc.anything)', () => {
    fc.assert(
      fc.property(anything, (input) => {
        parseOrReject(input);
      }),
      { seed: 1_001, numRuns: 1_000 },
    );
  });

  it('returns a canonical node or throws INVALID_FILTER for filter-shaped hostile objects', () => {
    fc.assert(
      fc.property(hostileFilter, (input) => {
        parseOrReject(input);
      }),
      { seed: 1_002, numRuns: 1_000 },
    );
  });

  it('accepts every filter of the grammar', () => {
    fc.assert(
      fc.property(validFilter, (filter) => {
        assert.ok(parseOrReject(filter).ok, JSON.stringify(filter));
      }),
      { seed: 1_003, numRuns: 500 },
    );
  });

  it('handles exotic input (getters, proxies, cycles, 10,000-deep nesting, huge objects)', () => {
    for (const input of exoticFilters()) parseOrReject(input);
  });

  it('a query with any filter either returns results or rejects with INVALID_FILTER', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(hostileFilter, validFilter), async (filter) => {
        const parsed = parseOrReject(filter);
        try {
          const result = await probe.query({ vector: [1, 1], topK: 2, filter: filter as Filter });
          assert.ok(parsed.ok, 'the client accepted a filter parseFilter rejects');
          assert.ok(Array.isArray(result.matches) && result.matches.length <= 2);
        } catch (error) {
          if (error instanceof assert.AssertionError) throw error;
          assert.ok(isAindusError(error, 'INVALID_FILTER'), `query threw ${inspect(error)}`);
          assert.ok(!parsed.ok, 'the client rejected a filter parseFilter accepts');
        }
      }),
      { seed: 1_004, numRuns: 300 },
    );
    for (const filter of exoticFilters()) {
      await probe.query({ vector: [1, 1], topK: 2, filter: filter as Filter }).catch((error) => {
        assert.ok(isAindusError(error, 'INVALID_FILTER'), `query threw ${inspect(error)}`);
      });
    }
  });
});

describe('valid filters on the memory engine agree with a naive evaluator', () => {
  it('count, exact query and delete select exactly the records the naive evaluator selects', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(metadataArb, { minLength: 10, maxLength: 30 }),
        validFilter,
        async (rows, filter) => {
          const name = `p${++sequence}`;
          const collection = await client.createCollection(name, { dimension: 2, metric: 'l2' });
          try {
            await collection.upsert(
              rows.map((metadata, i) => ({ id: `r${i}`, vector: [i + 1, 0], metadata })),
            );
            const expected = rows.flatMap((m, i) => (matches(filter, m) ? [`r${i}`] : []));
            const label = `${JSON.stringify(filter)} over ${JSON.stringify(rows)}`;
            assert.equal(await collection.count({ filter }), expected.length, `count: ${label}`);
            const result = await collection.query({
              vector: [0, 0],
              topK: 10_000,
              filter,
              search: { exact: true },
            });
            assert.deepEqual(
              result.matches.map((m) => m.id).sort(),
              [...expected].sort(),
              `query: ${label}`,
            );
            // The matches come back nearest first: r0, r1, ... by construction of the vectors.
            assert.deepEqual(
              result.matches.map((m) => m.id),
              expected,
              `order: ${label}`,
            );
            if (parseFilter(filter) !== undefined) {
              const { deleted } = await collection.delete({ filter });
              assert.equal(deleted, expected.length, `delete: ${label}`);
              assert.equal(await collection.count(), rows.length - expected.length);
            }
          } finally {
            await client.dropCollection(name);
          }
        },
      ),
      { seed: 2_001, numRuns: 500 },
    );
  });
});
