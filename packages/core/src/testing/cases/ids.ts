import assert from 'node:assert/strict';
import { exactIds, expectError, sameIds } from '../assertions.js';
import type { SuiteBuilder } from '../harness.js';

const at = (i: number) => [i + 1, 0];

/** §4 ids: non-empty strings of at most 512 UTF-8 bytes, stored and compared exactly. */
export function registerIdCases(s: SuiteBuilder): void {
  s.group('ids', () => {
    s.test('unicode ids (emoji, CJK, combining marks, RTL) round-trip exactly', async (t) => {
      // 'e\u0301' and '\u00e9' look alike but are different ids: nothing is normalized.
      const ids = ['😀', '你好世界', 'e\u0301', '\u00e9', 'שלום', '👩‍👩‍👧', 'Ω≈ç√', '\uFFFD'];
      await t.create({ dimension: 2, metric: 'l2' });
      await t.col().upsert(ids.map((id, i) => ({ id, vector: at(i), metadata: { i } })));
      await t.reopen();
      const got = await t.col().get(ids);
      assert.deepEqual(
        got.map((r) => r.id),
        ids,
      );
      assert.deepEqual(
        got.map((r) => r.metadata.i),
        ids.map((_, i) => i),
      );
      sameIds(await exactIds(t.col(), [0, 0], undefined), ids, 'query returns every unicode id');
      assert.equal(await t.col().count(), ids.length);
    });

    s.test('an id of exactly 512 UTF-8 bytes is accepted (ASCII and multi-byte)', async (t) => {
      const ids = ['a'.repeat(512), '€'.repeat(170) + 'ab', '😀'.repeat(128), 'é'.repeat(256)];
      for (const id of ids) assert.equal(Buffer.byteLength(id), 512);
      await t.create({ dimension: 2, metric: 'l2' });
      await t.col().upsert(ids.map((id, i) => ({ id, vector: at(i) })));
      await t.reopen();
      assert.deepEqual(
        (await t.col().get(ids)).map((r) => r.id),
        ids,
      );
      sameIds(await exactIds(t.col(), [0, 0], undefined), ids, 'query returns the long ids');
      const { deleted } = await t.col().delete({ ids: [ids[1]!] });
      assert.equal(deleted, 1);
    });

    s.test('an id of 513 UTF-8 bytes is INVALID_ARGUMENT and nothing is written', async (t) => {
      await t.create({ dimension: 2, metric: 'l2' });
      for (const id of [
        'a'.repeat(513),
        '€'.repeat(171),
        '😀'.repeat(128) + 'a',
        'a'.repeat(511) + 'é',
      ]) {
        assert.equal(Buffer.byteLength(id), 513);
        await expectError(
          t.col().upsert([
            { id: 'ok', vector: [1, 0] },
            { id, vector: [1, 1] },
          ]),
          'INVALID_ARGUMENT',
          { index: 1 },
        );
        await expectError(t.col().get([id]), 'INVALID_ARGUMENT');
      }
      await t.reopen();
      assert.equal(await t.col().count(), 0);
    });

    s.test('empty and non-string ids are INVALID_ARGUMENT', async (t) => {
      await t.create({ dimension: 2, metric: 'l2' });
      const bad: unknown[] = ['', 1, 0, null, undefined, {}, ['a'], true, Symbol('x'), 10n];
      for (const id of bad) {
        const records = [
          { id: 'ok', vector: [1, 0] },
          { id, vector: [1, 0] },
        ] as never;
        await expectError(t.col().upsert(records), 'INVALID_ARGUMENT', { index: 1 });
      }
      await expectError(t.col().upsert([{ vector: [1, 0] }] as never), 'INVALID_ARGUMENT', {
        index: 0,
      });
      assert.equal(await t.col().count(), 0);
    });

    s.test('ids with NUL or a lone surrogate are INVALID_ARGUMENT', async (t) => {
      await t.create({ dimension: 2, metric: 'l2' });
      for (const id of ['a\u0000b', '\u0000', '\uD800', 'x\uDC00', 'a\uDBFFb']) {
        await expectError(t.col().upsert([{ id, vector: [1, 0] }]), 'INVALID_ARGUMENT', {
          index: 0,
        });
        await expectError(t.col().get([id]), 'INVALID_ARGUMENT');
        await expectError(t.col().delete({ ids: [id] }), 'INVALID_ARGUMENT');
      }
      assert.equal(await t.col().count(), 0);
    });

    s.test('ids are case- and whitespace-sensitive', async (t) => {
      const ids = ['a', 'A', ' a', 'a ', 'a\t', 'a\n'];
      await t.create({ dimension: 2, metric: 'l2' });
      await t.col().upsert(ids.map((id, i) => ({ id, vector: at(i), metadata: { i } })));
      await t.reopen();
      assert.equal(await t.col().count(), ids.length);
      const got = await t.col().get([...ids].reverse());
      assert.deepEqual(
        got.map((r) => [r.id, r.metadata.i]),
        ids.map((id, i) => [id, i]).reverse(),
      );
    });

    s.test(
      'ids with quotes, backslashes, wildcards and path characters are plain data',
      async (t) => {
        const ids = [
          "'; DROP TABLE x; --",
          '"',
          '\\',
          '%',
          '_',
          '../../etc/passwd',
          'a.b',
          '$eq',
          '{}',
          '*',
          '?',
          '\u001b[0m',
        ];
        await t.create({ dimension: 2, metric: 'l2' });
        await t.col().upsert(ids.map((id, i) => ({ id, vector: at(i) })));
        await t.reopen();
        assert.deepEqual(
          (await t.col().get(ids)).map((r) => r.id),
          ids,
        );
        sameIds(await exactIds(t.col(), [0, 0], undefined), ids, 'query returns the ids');
        // A '%' or '_' id must not act as a pattern when deleting.
        assert.equal((await t.col().delete({ ids: ['%', '_'] })).deleted, 2);
        await t.reopen();
        assert.equal(await t.col().count(), ids.length - 2);
        assert.deepEqual(
          (await t.col().get(['a.b', '%'])).map((r) => r.id),
          ['a.b'],
        );
      },
    );
  });
}
