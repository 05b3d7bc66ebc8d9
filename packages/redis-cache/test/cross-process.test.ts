import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { createRedisCache, type RedisCacheOptions } from '../src/index.js';
import { vectorOf } from './support/engine.js';
import { clusterNodes, deletePrefix, redisUrl, uniquePrefix } from './support/env.js';
import { DIM, openClient, type TestClient } from './support/setup.js';

const run = promisify(execFile);
const fixture = fileURLToPath(new URL('./fixtures/child-writer.ts', import.meta.url));
const fixtureTsconfig = fileURLToPath(new URL('./fixtures/tsconfig.json', import.meta.url));

/**
 * Cross-process invalidation. A real second Node process, with its own ioredis connection and
 * its own client, writes to a collection of the same name under the same prefix; the parent's
 * next query must miss, even though the parent's in-process layer still holds the entry.
 *
 * The engines are not shared (each process has a memory engine; a shared engine would be
 * Postgres, which is another package's concern), so the test observes the miss by counting the
 * parent's engine queries rather than by seeing the child's record in the result.
 */
async function runChild(
  target: { url: string } | { clusterNodes: string[] },
  prefix: string,
  collection: string,
  vector: number[],
) {
  const args = JSON.stringify({ ...target, prefix, collection, dimension: DIM, vector });
  const { stdout } = await run(process.execPath, ['--import', 'tsx', fixture, args], {
    cwd: fileURLToPath(new URL('..', import.meta.url)),
    env: { ...process.env, TSX_TSCONFIG_PATH: fixtureTsconfig },
    timeout: 30_000,
  });
  return JSON.parse(stdout.trim().split('\n').pop()!) as {
    token: string;
    pendingAdvances: number;
    errors: number;
  };
}

const targets: { name: string; target: () => { url: string } | { clusterNodes: string[] } }[] = [
  { name: 'standalone Redis', target: () => ({ url: redisUrl() }) },
  { name: 'Redis Cluster (3 masters)', target: () => ({ clusterNodes: clusterNodes() }) },
];

describe.each(targets)('cross-process invalidation on the $name', ({ target }) => {
  const opened: TestClient[] = [];
  const prefixes: string[] = [];

  afterAll(async () => {
    await Promise.allSettled(opened.map((tc) => tc.client.close()));
    for (const p of prefixes) await deletePrefix(target(), p);
  });

  for (const local of [true, false]) {
    it(`a write in another process makes this process miss (in-process layer ${local ? 'on' : 'off'})`, async () => {
      const prefix = uniquePrefix('xproc');
      prefixes.push(prefix);
      const options: RedisCacheOptions = {
        ...target(),
        prefix,
        timeoutMs: 1_000,
        ...(local ? {} : { local: false }),
      };
      const parent = await openClient(createRedisCache(options), { name: 'shared' });
      opened.push(parent);
      const q = { vector: vectorOf(12, DIM), topK: 5 };

      await parent.docs.query(q);
      await parent.docs.query(q);
      expect(parent.queries()).toBe(1);
      const before = parent.cache.stats();
      expect(before.localHits + before.redisHits).toBe(1);

      const child = await runChild(target(), prefix, 'shared', q.vector);
      expect(child).toMatchObject({ pendingAdvances: 0, errors: 0 });

      // The child's write was acknowledged before it exited: the parent must not serve the old entry.
      await parent.docs.query(q);
      expect(parent.queries()).toBe(2);
      // And caching resumes under the new epoch.
      await parent.docs.query(q);
      expect(parent.queries()).toBe(2);
    });
  }
});
