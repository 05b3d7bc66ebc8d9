import assert from 'node:assert/strict';
import type { Metadata } from '../../types.js';
import { expectError } from '../assertions.js';
import type { SuiteBuilder } from '../harness.js';

const RICH: Metadata = {
  title: 'Ünïcödé ✓ 漢字 😀',
  empty: '',
  n: 0,
  negative: -1.5,
  small: 1e-7,
  fraction: 123456789.125,
  safe: Number.MAX_SAFE_INTEGER,
  huge: 1e300,
  tiny: -2.5e-10,
  yes: true,
  no: false,
  nothing: null,
  list: [1, 'two', false, null, { three: [3] }, []],
  emptyObject: {},
  emptyList: [],
  nested: { a: { b: { c: { d: { e: { f: { g: { h: 'deep' } } } } } } } },
  matrix: [
    [1, 2],
    [3, 4],
  ],
  multiline: 'line 1\nline 2\ttab "quoted" \\ backslash',
};

/** Keys that are awkward for some stores: dots, dollars, prototype names, quotes, empty. */
const AWKWARD_KEYS: Metadata = JSON.parse(
  '{"":1,"a.b":2,"$eq":3,"__proto__":{"polluted":true},"constructor":4,"with space":5,"键":6,"q\'uote":7,"d\\"quote":8,"toString":9}',
);

class Point {
  constructor(
    readonly x: number,
    readonly y: number,
  ) {}
}

/** §4 metadata: a bounded JSON object that round-trips exactly. */
export function registerMetadataCases(s: SuiteBuilder): void {
  s.group('metadata', () => {
    s.test('nested objects and arrays round-trip exactly through get and query', async (t) => {
      await t.create({ dimension: 2, metric: 'l2' });
      await t.col().upsert([{ id: 'rich', vector: [1, 0], metadata: RICH }]);
      await t.reopen();
      const [got] = await t.col().get(['rich']);
      assert.deepEqual(got!.metadata, RICH);
      const { matches } = await t.col().query({ vector: [1, 0], topK: 1 });
      assert.deepEqual(matches[0]!.metadata, RICH);
    });

    s.test('awkward keys (empty, dotted, $, __proto__, quotes) are plain keys', async (t) => {
      await t.create({ dimension: 2, metric: 'l2' });
      await t.col().upsert([{ id: 'k', vector: [1, 0], metadata: AWKWARD_KEYS }]);
      await t.reopen();
      const [got] = await t.col().get(['k']);
      assert.deepEqual(got!.metadata, AWKWARD_KEYS);
      assert.ok(Object.hasOwn(got!.metadata, '__proto__'), '__proto__ stays an own key');
      assert.equal(
        Object.getPrototypeOf(got!.metadata),
        Object.prototype,
        'the prototype is untouched',
      );
      assert.equal(
        ({} as Record<string, unknown>).polluted,
        undefined,
        'Object.prototype is not polluted',
      );
      const { matches } = await t.col().query({ vector: [1, 0], topK: 1 });
      assert.deepEqual(matches[0]!.metadata, AWKWARD_KEYS);
    });

    s.test('undefined properties are dropped and -0 is stored as 0, as JSON does', async (t) => {
      await t.create({ dimension: 2, metric: 'l2' });
      await t.col().upsert([
        {
          id: 'a',
          vector: [1, 0],
          metadata: { keep: 1, drop: undefined, z: -0 } as unknown as Metadata,
        },
      ]);
      await t.reopen();
      const [a] = await t.col().get(['a']);
      assert.deepEqual(Object.keys(a!.metadata).sort(), ['keep', 'z']);
      assert.ok(Object.is(a!.metadata.z, 0), '-0 reads back as 0');
    });

    s.test(
      'stored metadata is a copy: mutating the input or a result changes nothing',
      async (t) => {
        await t.create({ dimension: 2, metric: 'l2' });
        const metadata = { tags: ['a'], inner: { v: 1 } };
        await t.col().upsert([{ id: 'a', vector: [1, 0], metadata }]);
        metadata.tags.push('mutated');
        metadata.inner.v = 2;
        const [first] = await t.col().get(['a']);
        (first!.metadata.tags as string[]).push('mutated');
        const { matches } = await t.col().query({ vector: [1, 0], topK: 1 });
        (matches[0]!.metadata!.inner as { v: number }).v = 3;
        await t.reopen();
        assert.deepEqual((await t.col().get(['a']))[0]!.metadata, { tags: ['a'], inner: { v: 1 } });
        const again = await t.col().query({ vector: [1, 0], topK: 1 });
        assert.deepEqual(again.matches[0]!.metadata, { tags: ['a'], inner: { v: 1 } });
      },
    );

    s.test(
      'non-JSON values (functions, symbols, bigint, NaN, Infinity, undefined in arrays) are INVALID_ARGUMENT',
      async (t) => {
        await t.create({ dimension: 2, metric: 'l2' });
        const bad: unknown[] = [
          { f: () => 1 },
          { s: Symbol('s') },
          { b: 10n },
          { n: Number.NaN },
          { n: Number.POSITIVE_INFINITY },
          { deep: { n: Number.NEGATIVE_INFINITY } },
          { list: [1, undefined, 3] },
          { list: [() => 1] },
        ];
        for (const metadata of bad) {
          await expectError(
            t
              .col()
              .upsert([
                { id: 'ok', vector: [1, 0] },
                { id: 'bad', vector: [1, 0], metadata } as never,
              ]),
            'INVALID_ARGUMENT',
            { index: 1 },
          );
        }
        assert.equal(await t.col().count(), 0);
      },
    );

    s.test(
      'cycles and class instances (Date, Map, Set, custom classes, typed arrays) are INVALID_ARGUMENT',
      async (t) => {
        await t.create({ dimension: 2, metric: 'l2' });
        const cycle: Record<string, unknown> = { a: 1 };
        cycle.self = cycle;
        const arrayCycle: unknown[] = [];
        arrayCycle.push(arrayCycle);
        const bad: unknown[] = [
          cycle,
          { list: arrayCycle },
          { when: new Date(0) },
          { map: new Map() },
          { set: new Set([1]) },
          { point: new Point(1, 2) },
          { bytes: new Uint8Array(2) },
          { re: /x/ },
          new Point(1, 2),
        ];
        for (const metadata of bad) {
          await expectError(
            t.col().upsert([{ id: 'bad', vector: [1, 0], metadata } as never]),
            'INVALID_ARGUMENT',
            { index: 0 },
          );
        }
        assert.equal(await t.col().count(), 0);
      },
    );

    s.test(
      'metadata that is not an object (array, string, number, null) is INVALID_ARGUMENT',
      async (t) => {
        await t.create({ dimension: 2, metric: 'l2' });
        for (const metadata of [[1, 2], 'text', 42, null, true]) {
          await expectError(
            t.col().upsert([{ id: 'bad', vector: [1, 0], metadata } as never]),
            'INVALID_ARGUMENT',
            { index: 0 },
          );
        }
        assert.equal(await t.col().count(), 0);
      },
    );

    s.test('strings and keys with NUL or a lone surrogate are INVALID_ARGUMENT', async (t) => {
      await t.create({ dimension: 2, metric: 'l2' });
      const bad: Metadata[] = [
        { s: 'a\u0000b' },
        { s: '\uD83D' },
        { 'k\u0000': 1 },
        { '\uDC00': 1 },
        { list: ['ok', 'x\uD800'] },
      ];
      for (const metadata of bad) {
        await expectError(
          t.col().upsert([{ id: 'bad', vector: [1, 0], metadata }]),
          'INVALID_ARGUMENT',
          { index: 0 },
        );
      }
      assert.equal(await t.col().count(), 0);
    });

    s.test(
      'oversized or too deeply nested metadata is INVALID_ARGUMENT; just under the bound is stored',
      async (t) => {
        await t.create({ dimension: 2, metric: 'l2' });
        await expectError(
          t.col().upsert([{ id: 'big', vector: [1, 0], metadata: { text: 'x'.repeat(70_000) } }]),
          'INVALID_ARGUMENT',
          { index: 0 },
        );
        const nest = (depth: number): Metadata => {
          let value: Metadata = { leaf: true };
          for (let i = 0; i < depth; i++) value = { next: value };
          return value;
        };
        await expectError(
          t.col().upsert([{ id: 'deep', vector: [1, 0], metadata: nest(40) }]),
          'INVALID_ARGUMENT',
          { index: 0 },
        );
        const large = { text: 'é'.repeat(30_000) };
        await t.col().upsert([
          { id: 'large', vector: [1, 0], metadata: large },
          { id: 'nested', vector: [0, 1], metadata: nest(30) },
        ]);
        await t.reopen();
        const got = await t.col().get(['large', 'nested']);
        assert.deepEqual(
          got.map((r) => r.metadata),
          [large, nest(30)],
        );
      },
    );
  });
}
