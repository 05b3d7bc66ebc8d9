import { setTimeout as sleep } from 'node:timers/promises';
import { type Client, type Collection, createClient } from '@aindusdb/core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createRedisCache, type RedisCache } from '../src/index.js';
import { createCountingEngine, vectorOf } from './support/engine.js';
import { type PrivateRedis, startPrivateRedis } from './support/private-redis.js';

/** The cache's configured time budget; the outage bound is checked against it. */
const TIMEOUT_MS = 100;
/** Scheduling noise allowed on top of the bound (2 shared cores, other test files running). */
const SLACK_MS = 50;
const DIM = 8;
const WORKERS = 4;
const QUERIES = 20;

interface Phase {
  count: number;
  errors: unknown[];
  p50: number;
  p99: number;
  max: number;
}

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? 0;

/**
 * A bounded query load: `WORKERS` loops querying one of `QUERIES` vectors for `durationMs`,
 * at most 20,000 queries each. A query's error is recorded, never thrown.
 */
async function queryLoad(docs: Collection, durationMs: number): Promise<Phase> {
  const end = Date.now() + durationMs;
  const latencies: number[] = [];
  const errors: unknown[] = [];
  await Promise.all(
    Array.from({ length: WORKERS }, async (_, w) => {
      for (let i = 0; i < 20_000 && Date.now() < end; i++) {
        const started = performance.now();
        try {
          await docs.query({
            vector: vectorOf((i * 7 + w) % QUERIES, DIM),
            topK: 5,
            consistency: 'eventual',
          });
        } catch (error) {
          errors.push(error);
        }
        latencies.push(performance.now() - started);
        // Yield to timers now and then, as a real service would between requests.
        if (i % 50 === 49) await sleep(0);
      }
    }),
  );
  const sorted = latencies.sort((a, b) => a - b);
  return {
    count: sorted.length,
    errors,
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    max: sorted.at(-1) ?? 0,
  };
}

/** Upserts one record every 100 ms while `until` is pending; returns the write errors. */
async function writeLoad(
  docs: Collection,
  until: Promise<unknown>,
  ids: string[],
): Promise<unknown[]> {
  const errors: unknown[] = [];
  let done = false;
  void until.finally(() => {
    done = true;
  });
  for (let i = 0; i < 100 && !done; i++) {
    const id = `w${i}`;
    try {
      await docs.upsert([{ id, vector: vectorOf(1_000 + i, DIM) }]);
      ids.push(id);
    } catch (error) {
      errors.push(error);
    }
    await sleep(100);
  }
  return errors;
}

/** Polls until the reader's cache serves hits again; returns the time it took (bounded). */
async function waitForRecovery(
  reader: Collection,
  cache: RedisCache,
  limitMs: number,
): Promise<number> {
  const started = Date.now();
  const q = { vector: vectorOf(0, DIM), topK: 5, consistency: 'eventual' as const };
  while (Date.now() - started < limitMs) {
    const before = cache.stats();
    await reader.query(q);
    await reader.query(q);
    const after = cache.stats();
    if (
      after.localHits + after.redisHits > before.localHits + before.redisHits &&
      after.pendingAdvances === 0
    ) {
      return Date.now() - started;
    }
    await sleep(50);
  }
  throw new Error(
    `the cache did not recover within ${limitMs} ms: ${JSON.stringify(cache.stats())}`,
  );
}

/**
 * Outages of a Redis of this test's own (never the shared servers): stopped, then frozen with
 * SIGSTOP, while a bounded query load and a slow writer run. Two clients share one engine,
 * each with its own cache instance (own ioredis connection and in-process layer), as two
 * processes sharing a database would.
 */
describe('fail-open during Redis outages', () => {
  let server: PrivateRedis;
  let reader: { client: Client; docs: Collection; cache: RedisCache };
  let writer: { client: Client; docs: Collection; cache: RedisCache };
  let prefixSeq = 0;

  beforeAll(async () => {
    server = await startPrivateRedis();
  });

  afterAll(async () => {
    await server?.destroy();
  });

  afterEach(async () => {
    await reader?.client.close();
    await writer?.client.close();
  });

  const setUp = async (gate: boolean) => {
    const prefix = `outage${++prefixSeq}`;
    const counting = createCountingEngine();
    const make = async (): Promise<{ client: Client; docs: Collection; cache: RedisCache }> => {
      const cache = createRedisCache({
        url: server.url,
        prefix,
        timeoutMs: TIMEOUT_MS,
        ...(gate ? {} : { breaker: false }),
      });
      expect(await cache.ready(5_000)).toBe(true);
      const client = createClient({
        engine: counting.engine,
        cache,
        resilience: { cacheTimeoutMs: 250 },
      });
      const docs = await client.createCollection('docs', { dimension: DIM, metric: 'l2' });
      return { client, docs, cache };
    };
    reader = await make();
    writer = await make();
    await writer.docs.upsert(
      Array.from({ length: 50 }, (_, i) => ({ id: `r${i}`, vector: vectorOf(i, DIM) })),
    );
    // Warm the cache with every query of the load.
    for (let round = 0; round < 2; round++) {
      for (let i = 0; i < QUERIES; i++)
        await reader.docs.query({ vector: vectorOf(i, DIM), topK: 5, consistency: 'eventual' });
    }
    expect(reader.cache.stats().localHits).toBeGreaterThanOrEqual(QUERIES);
  };

  const check = async (
    label: string,
    gate: boolean,
    outage: { begin(): Promise<void> | void; end(): Promise<void> | void },
  ) => {
    await setUp(gate);
    // The twin of query 3 is written during the outage: afterwards, query 3 must return it.
    const q3 = { vector: vectorOf(3, DIM), topK: 5, consistency: 'eventual' as const };
    expect((await reader.docs.query(q3)).matches.map((m) => m.id)).not.toContain('twin-3');

    const healthy = await queryLoad(reader.docs, 1_000);
    await outage.begin();
    const written: string[] = [];
    const outageLoad = queryLoad(reader.docs, 1_500);
    const writes = writeLoad(writer.docs, outageLoad, written);
    await writer.docs.upsert([{ id: 'twin-3', vector: vectorOf(3, DIM) }]);
    const during = await outageLoad;
    const writeErrors = await writes;
    const statsDuring = { reader: reader.cache.stats(), writer: writer.cache.stats() };
    await outage.end();
    const recoveryMs = await waitForRecovery(reader.docs, reader.cache, 15_000);
    await waitForRecovery(writer.docs, writer.cache, 15_000);
    const after = await reader.docs.query(q3);

    const added = during.p99 - healthy.p99;
    console.log(
      `[outage: ${label}] timeout ${TIMEOUT_MS} ms | healthy: ${healthy.count} queries, p50 ${healthy.p50.toFixed(2)} ms, p99 ${healthy.p99.toFixed(2)} ms` +
        ` | outage: ${during.count} queries, ${during.errors.length} errors, p50 ${during.p50.toFixed(2)} ms, p99 ${during.p99.toFixed(2)} ms, max ${during.max.toFixed(1)} ms` +
        ` | added p99 ${added.toFixed(2)} ms | ${written.length} writes, ${writeErrors.length} write errors | recovered in ${recoveryMs} ms` +
        ` | reader breaker during: ${statsDuring.reader.breaker}, reader errors ${statsDuring.reader.errors}, writer pending advances ${statsDuring.writer.pendingAdvances}`,
    );
    expect(healthy.errors).toEqual([]);
    expect(during.errors).toEqual([]);
    expect(writeErrors).toEqual([]);
    expect(during.count).toBeGreaterThan(WORKERS);
    // Fail-open bound: an outage adds at most the cache's timeout to the p99 (correctness, not speed).
    expect(added).toBeLessThanOrEqual(TIMEOUT_MS + SLACK_MS);
    // No stale result once Redis is back: the write made during the outage is visible.
    expect(after.matches.map((m) => m.id)).toContain('twin-3');
    expect(reader.cache.stats().breaker).toBe('closed');
  };

  it('server stopped: queries and writes keep working, and the cache comes back by itself', async () => {
    await check('stopped', true, { begin: () => server.stop(), end: () => server.start() });
  });

  it('server paused with SIGSTOP: the gate fails calls fast, and the cache comes back by itself', async () => {
    await check('SIGSTOP', true, { begin: () => server.pause(), end: () => server.resume() });
  });

  // Without the gate every query waits for the timeout: this checks the timeout bound itself.
  it('server paused with SIGSTOP and no gate: every query costs at most the timeout', async () => {
    await check('SIGSTOP, gate off', false, {
      begin: () => server.pause(),
      end: () => server.resume(),
    });
  });
});
