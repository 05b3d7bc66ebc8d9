import assert from 'node:assert/strict';
import type { Filter } from '../../types.js';
import { exactIds, expectError, idsOf, sameIds } from '../assertions.js';
import type { CaseContext, SuiteBuilder } from '../harness.js';

const TENANTS = ['', 'acme', 'ACME', "o'hara; --"] as const;

/** Writes the same ids with tenant-specific metadata to every tenant of {@link TENANTS}. */
async function sameIdsEverywhere(t: CaseContext): Promise<void> {
  await t.create({ dimension: 2, metric: 'l2' });
  for (const [k, tenant] of TENANTS.entries()) {
    const handle = tenant === '' ? t.col() : t.col(tenant);
    await handle.upsert(
      ['x', 'y', 'z'].map((id, i) => ({
        id,
        vector: [i + k * 10, 0],
        metadata: { owner: tenant, shared: 1, k },
      })),
    );
  }
  await t.reopen();
}

const handleOf = (t: CaseContext, tenant: string) => (tenant === '' ? t.col() : t.col(tenant));

/** §4 tenants: a tenant handle never reads, counts, deletes or overwrites another tenant's rows. */
export function registerTenantCases(s: SuiteBuilder): void {
  s.group('tenants', () => {
    s.test(
      'the same ids in different tenants are different records (get, overwrite)',
      async (t) => {
        await sameIdsEverywhere(t);
        for (const tenant of TENANTS) {
          const got = await handleOf(t, tenant).get(['x', 'y', 'z']);
          assert.deepEqual(
            got.map((r) => r.metadata.owner),
            [tenant, tenant, tenant],
            `tenant ${JSON.stringify(tenant)}`,
          );
        }
        await t
          .col('acme')
          .upsert([{ id: 'x', vector: [9, 9], metadata: { owner: 'acme', overwritten: true } }]);
        await t.reopen();
        assert.deepEqual((await t.col().get(['x']))[0]!.metadata, { owner: '', shared: 1, k: 0 });
        assert.deepEqual((await t.col('ACME').get(['x']))[0]!.metadata, {
          owner: 'ACME',
          shared: 1,
          k: 2,
        });
        assert.deepEqual((await t.col('acme').get(['x']))[0]!.metadata, {
          owner: 'acme',
          overwritten: true,
        });
        assert.equal(t.col('acme').tenantId, 'acme');
        assert.equal(t.col().tenantId, '');
      },
    );

    s.test('queries and counts see only their tenant, whatever the filter says', async (t) => {
      await sameIdsEverywhere(t);
      for (const [k, tenant] of TENANTS.entries()) {
        const handle = handleOf(t, tenant);
        const others = TENANTS.filter((x) => x !== tenant);
        const table: [Filter | undefined, string[]][] = [
          [undefined, ['x', 'y', 'z']],
          [{ shared: 1 }, ['x', 'y', 'z']],
          [{ owner: { $ne: tenant } }, []],
          [{ owner: { $in: others } }, []],
          [{ $or: others.map((owner) => ({ owner })) }, []],
          [{ k: { $ne: k } }, []],
        ];
        for (const [filter, expected] of table) {
          const label = `tenant ${JSON.stringify(tenant)} with ${JSON.stringify(filter)}`;
          sameIds(await exactIds(handle, [k * 10, 0], filter), expected, label);
          assert.equal(await handle.count({ filter }), expected.length, label);
        }
        const ann = await handle.query({ vector: [0, 0], topK: 12 });
        for (const m of ann.matches)
          assert.equal(m.metadata!.owner, tenant, 'an index query stays in its tenant');
        assert.equal((await handle.describe()).count, 3);
      }
    });

    s.test('deletes by ids and by filter stay in their tenant', async (t) => {
      await sameIdsEverywhere(t);
      assert.equal((await t.col('acme').delete({ ids: ['x', 'y'] })).deleted, 2);
      assert.equal((await t.col('ACME').delete({ filter: { shared: 1 } })).deleted, 3);
      assert.equal(
        (await t.col().delete({ filter: { owner: 'acme' } })).deleted,
        0,
        'the default tenant cannot delete acme rows',
      );
      assert.equal((await t.col("o'hara; --").delete({ ids: ['z'] })).deleted, 1);
      await t.reopen();
      assert.equal(await t.col().count(), 3);
      assert.deepEqual(idsOf(await t.col('acme').query({ vector: [0, 0], topK: 5 })), ['z']);
      assert.equal(await t.col('ACME').count(), 0);
      assert.deepEqual(
        (await t.col("o'hara; --").get(['x', 'y', 'z'])).map((r) => r.id),
        ['x', 'y'],
      );
    });

    s.test('the default handle and tenant handles are separate tenants', async (t) => {
      await t.create({ dimension: 2, metric: 'l2' });
      await t.col().upsert([{ id: 'only-default', vector: [1, 0] }]);
      await t.col('t1').upsert([{ id: 'only-t1', vector: [1, 0] }]);
      await t.reopen();
      assert.deepEqual(idsOf(await t.col().query({ vector: [1, 0], topK: 10 })), ['only-default']);
      assert.deepEqual(idsOf(await t.col('t1').query({ vector: [1, 0], topK: 10 })), ['only-t1']);
      assert.deepEqual(await t.col().get(['only-t1']), []);
      assert.deepEqual(await t.col('t1').get(['only-default']), []);
      assert.deepEqual(await t.col('t2').get(['only-default', 'only-t1']), []);
      assert.equal(await t.col('t2').count(), 0);
      assert.equal((await t.col('t2').describe()).count, 0);
    });

    s.test(
      'a small tenant gets complete results beside a large one',
      async (t) => {
        await t.create({ dimension: 4, metric: 'cosine' });
        const big = Array.from({ length: 1500 }, (_, i) => ({
          id: `b${i}`,
          vector: [1, (i % 97) / 97, (i % 13) / 13, 0.5],
          metadata: { g: i % 3 },
        }));
        await t.col('big').upsert(big);
        await t.col('small').upsert(
          Array.from({ length: 5 }, (_, i) => ({
            id: `s${i}`,
            vector: [1, (i % 97) / 97, (i % 13) / 13, 0.5],
            metadata: { g: i % 3 },
          })),
        );
        await t.reopen();
        const all = await t.col('small').query({ vector: [1, 0, 0, 0.5], topK: 10 });
        assert.equal(all.complete, true);
        sameIds(idsOf(all), ['s0', 's1', 's2', 's3', 's4'], 'every row of the small tenant');
        const filtered = await t
          .col('small')
          .query({ vector: [1, 0, 0, 0.5], topK: 10, filter: { g: 1 } });
        assert.equal(filtered.complete, true);
        sameIds(idsOf(filtered), ['s1', 's4'], 'filtered rows of the small tenant');
        const top = await t
          .col('big')
          .query({ vector: [1, 0, 0, 0.5], topK: 10, filter: { g: 2 } });
        assert.equal(top.matches.length, 10, 'the big tenant fills topK');
        for (const m of top.matches) assert.ok(m.id.startsWith('b') && m.metadata!.g === 2);
      },
      { heavy: true },
    );

    s.test(
      'invalid tenant names are INVALID_ARGUMENT; 256 bytes and unicode are accepted',
      async (t) => {
        await t.create({ dimension: 2, metric: 'l2' });
        for (const tenant of [
          '',
          1,
          null,
          undefined,
          {},
          'a\u0000',
          '\uD800',
          'a'.repeat(257),
          'é'.repeat(129),
        ]) {
          await expectError(() => t.col().tenant(tenant as string), 'INVALID_ARGUMENT');
        }
        const long = 'é'.repeat(128);
        assert.equal(Buffer.byteLength(long), 256);
        for (const tenant of [long, 'a'.repeat(256), '租户😀', 'default', '_', ' ']) {
          await t.col(tenant).upsert([{ id: 'a', vector: [1, 1], metadata: { tenant } }]);
        }
        await t.reopen();
        for (const tenant of [long, 'a'.repeat(256), '租户😀', 'default', '_', ' ']) {
          assert.deepEqual(await t.col(tenant).get(['a']), [{ id: 'a', metadata: { tenant } }]);
          assert.equal(await t.col(tenant).count(), 1);
        }
        assert.equal(
          await t.col().count(),
          0,
          'a tenant named "default" is not the default tenant',
        );
      },
    );

    s.test('tenant isolation holds through the query cache', async (t) => {
      await t.create({ dimension: 2, metric: 'l2' });
      const a = t.cachedCol('a');
      const b = t.cachedCol('b');
      await a.upsert([{ id: 'r', vector: [1, 0], metadata: { owner: 'a' } }]);
      await b.upsert([{ id: 'r', vector: [1, 0], metadata: { owner: 'b' } }]);
      for (let round = 0; round < 2; round++) {
        assert.equal((await a.query({ vector: [1, 0], topK: 1 })).matches[0]!.metadata!.owner, 'a');
        assert.equal((await b.query({ vector: [1, 0], topK: 1 })).matches[0]!.metadata!.owner, 'b');
      }
      await b.delete({ ids: ['r'] });
      assert.deepEqual((await b.query({ vector: [1, 0], topK: 1 })).matches, []);
      assert.equal((await a.query({ vector: [1, 0], topK: 1 })).matches[0]!.metadata!.owner, 'a');
      assert.deepEqual((await t.cachedCol().query({ vector: [1, 0], topK: 1 })).matches, []);
    });
  });
}
