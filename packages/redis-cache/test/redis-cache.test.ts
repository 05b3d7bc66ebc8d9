import { setTimeout as sleep } from 'node:timers/promises';
import { isAindusError } from '@aindusdb/core';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedisCache, type RedisCacheOptions } from '../src/index.js';
import { vectorOf } from './support/engine.js';
import { deletePrefix, redisUrl, uniquePrefix } from './support/env.js';
import { DIM, openClient, type TestClient } from './support/setup.js';

// Every test talks to the shared standalone Redis (AINDUS_REDIS_URL) under a prefix of its own.
describe('createRedisCache on a standalone Redis', () => {
  let url: string;
  let raw: Redis;
  const prefixes: string[] = [];
  const opened: TestClient[] = [];

  const open = async (
    prefix: string,
    options: Partial<RedisCacheOptions> = {},
    client: Parameters<typeof openClient>[1] = {},
  ) => {
    const cache = createRedisCache({ url, prefix, timeoutMs: 500, ...options });
    const tc = await openClient(cache, client);
    opened.push(tc);
    return tc;
  };
  const newPrefix = (label: string) => {
    const p = uniquePrefix(label);
    prefixes.push(p);
    return p;
  };

  beforeAll(async () => {
    url = redisUrl();
    raw = new Redis(url);
  });

  afterAll(async () => {
    await Promise.allSettled(opened.map((tc) => tc.client.close()));
    for (const p of prefixes) await deletePrefix({ url }, p);
    raw?.disconnect();
  });

  it('rejects bad options with INVALID_ARGUMENT', () => {
    const code = (fn: () => unknown) => {
      try {
        fn();
      } catch (error) {
        return isAindusError(error) ? error.code : String(error);
      }
      return 'no error';
    };
    expect(code(() => createRedisCache({ prefix: 'x' }))).toBe('INVALID_ARGUMENT');
    expect(code(() => createRedisCache({ url, clusterNodes: ['127.0.0.1:1'] }))).toBe(
      'INVALID_ARGUMENT',
    );
    expect(code(() => createRedisCache({ url, prefix: 'a{b}' }))).toBe('INVALID_ARGUMENT');
    expect(code(() => createRedisCache({ url: 'http://x' }))).toBe('INVALID_ARGUMENT');
    expect(code(() => createRedisCache({ url, ttlMs: 0 }))).toBe('INVALID_ARGUMENT');
  });

  it('serves repeated queries from the in-process layer, and other processes from Redis', async () => {
    const prefix = newPrefix('hit');
    const a = await open(prefix);
    const q = { vector: vectorOf(3, DIM), topK: 5 };
    const first = await a.docs.query(q);
    expect(a.queries()).toBe(1);
    const second = await a.docs.query(q);
    expect(second).toEqual(first);
    expect(a.queries()).toBe(1);
    expect(a.cache.stats()).toMatchObject({ localHits: 1, misses: 1 });

    // A second client with a fresh in-process layer: the entry comes from Redis.
    const b = await open(prefix, {}, { records: 0 });
    const fromRedis = await b.docs.query({ ...q, consistency: 'eventual' });
    expect(fromRedis).toEqual(first);
    expect(b.queries()).toBe(0);
    expect(b.cache.stats()).toMatchObject({ redisHits: 1 });
  });

  it('serves nothing from before a write once the write has returned', async () => {
    const a = await open(newPrefix('write'));
    const q = { vector: vectorOf(7, DIM), topK: 3 };
    const before = await a.docs.query(q);
    expect(before.matches[0]!.id).toBe('r7');
    await a.docs.upsert([{ id: 'twin', vector: vectorOf(7, DIM), metadata: {} }]);
    const after = await a.docs.query(q);
    expect(a.queries()).toBe(2);
    expect(after.matches.map((m) => m.id)).toContain('twin');
    await a.docs.delete({ ids: ['twin'] });
    expect((await a.docs.query(q)).matches.map((m) => m.id)).not.toContain('twin');
    expect(a.queries()).toBe(3);
  });

  it('keeps a collection under one hash tag and stores compact entries', async () => {
    const prefix = newPrefix('keys');
    const a = await open(prefix, { local: false });
    const result = await a.docs.query({ vector: vectorOf(1, DIM), topK: 10, includeVector: true });
    const keys = await raw.keys(`{${prefix}:docs}:*`);
    expect(keys).toHaveLength(2);
    expect(keys).toContain(`{${prefix}:docs}:e`);
    const epoch = await raw.get(`{${prefix}:docs}:e`);
    expect(epoch).toMatch(/^\d{16,}:1$/); // a fresh epoch from Redis's clock, advanced by the seed upsert (position 1)
    const entry = await raw.getBuffer(keys.find((k) => k.includes(':q:'))!);
    // Vectors are float32 (4 bytes a component); the rest is ids, scores and metadata.
    expect(entry!.length).toBeLessThan(10 * DIM * 4 + 1_200);
    expect(JSON.stringify(result)).not.toBe('');
    const again = await a.docs.query({ vector: vectorOf(1, DIM), topK: 10, includeVector: true });
    expect(again).toEqual(result);
    expect(a.queries()).toBe(1);
  });

  it('does not store entries above maxEntryBytes', async () => {
    const a = await open(newPrefix('big'), { maxEntryBytes: 128 });
    const q = { vector: vectorOf(2, DIM), topK: 10 };
    await a.docs.query(q);
    await a.docs.query(q);
    expect(a.queries()).toBe(2);
    expect(a.cache.stats().skippedTooLarge).toBe(2);
  });

  it('expires entries after ttlMs, in Redis and in the in-process layer', async () => {
    const prefix = newPrefix('ttl');
    const a = await open(prefix, { ttlMs: 400 });
    const q = { vector: vectorOf(4, DIM), topK: 4 };
    await a.docs.query(q);
    await a.docs.query(q);
    expect(a.queries()).toBe(1);
    const [entryKey] = await raw.keys(`{${prefix}:docs}:q:*`);
    const pttl = await raw.pttl(entryKey!);
    expect(pttl).toBeGreaterThan(0);
    expect(pttl).toBeLessThanOrEqual(400);
    await sleep(550);
    expect(await raw.exists(entryKey!)).toBe(0);
    await a.docs.query(q);
    expect(a.queries()).toBe(2);
  });

  it('shares one engine query among 100 concurrent identical misses', async () => {
    const a = await open(newPrefix('flight'));
    const q = { vector: vectorOf(11, DIM), topK: 5 };
    const results = await Promise.all(Array.from({ length: 100 }, () => a.docs.query(q)));
    expect(a.queries()).toBe(1);
    for (const r of results) expect(r).toEqual(results[0]);
  });

  it('hands out fresh objects: mutating a result does not change what is served', async () => {
    const a = await open(newPrefix('clone'));
    const q = { vector: vectorOf(5, DIM), topK: 2 };
    const first = await a.docs.query(q);
    first.matches[0]!.id = 'mutated';
    const second = await a.docs.query(q);
    expect(second.matches[0]!.id).toBe('r5');
  });

  it('caches embeddings of text queries by embedder identity and text', async () => {
    const prefix = newPrefix('emb');
    let calls = 0;
    const embedder = async (texts: string[]) => {
      calls += texts.length;
      return texts.map((t) => vectorOf(t.length, DIM));
    };
    const a = await open(prefix, {}, { embedder });
    await a.docs.query({ text: 'hello', topK: 3 });
    await a.docs.query({ text: 'hello', topK: 5 });
    expect(calls).toBe(1);
    // Another process (fresh in-process layer) finds the embedding in Redis.
    const b = await open(prefix, {}, { embedder, name: 'other' });
    await b.docs.query({ text: 'hello', topK: 3 });
    expect(calls).toBe(1);
    // Another model never gets this model's vectors.
    const c = await open(prefix, {}, { embedder, embedderId: 'another-model@2', name: 'third' });
    await c.docs.query({ text: 'hello', topK: 3 });
    expect(calls).toBe(2);
  });

  it('starts a fresh epoch when Redis loses the epoch key, so no old entry matches again', async () => {
    const prefix = newPrefix('lost');
    const a = await open(prefix);
    // 'eventual': a fresh epoch carries no write position, so this process's session reads
    // (which must reflect its own seed upsert) cannot be proven fresh and always miss.
    const q = { vector: vectorOf(9, DIM), topK: 3, consistency: 'eventual' as const };
    await a.docs.query(q);
    const before = await raw.get(`{${prefix}:docs}:e`);
    await raw.del(`{${prefix}:docs}:e`);
    await a.docs.query(q);
    expect(a.queries()).toBe(2);
    const after = await raw.get(`{${prefix}:docs}:e`);
    expect(after).not.toBe(before);
    await a.docs.query(q);
    expect(a.queries()).toBe(2);
  });

  it('never closes a client it was given, and pings', async () => {
    const mine = new Redis(url, { lazyConnect: true }); // connected by the cache
    try {
      const cache = createRedisCache({ client: mine, prefix: newPrefix('own') });
      expect(await cache.ready()).toBe(true);
      expect(await cache.ping!({ signal: new AbortController().signal })).toBe(true);
      await cache.close();
      await cache.close();
      expect(mine.status).toBe('ready');
      expect(await mine.ping()).toBe('PONG');
      expect(mine.listenerCount('error')).toBe(0);
    } finally {
      mine.disconnect();
    }
  });
});
