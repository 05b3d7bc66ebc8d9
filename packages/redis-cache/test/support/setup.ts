import { type Client, type Collection, createClient } from '@aindusdb/core';
import { expect } from 'vitest';
import type { RedisCache } from '../../src/index.js';
import { createCountingEngine, vectorOf } from './engine.js';

/** Dimension of the test collections. */
export const DIM = 8;

/** A client over a counting memory engine, with a collection `name` holding `records` records. */
export interface TestClient {
  client: Client;
  docs: Collection;
  cache: RedisCache;
  /** Engine queries so far. */
  queries(): number;
}

/** Creates a client over `cache` and a collection seeded with deterministic records. */
export async function openClient(
  cache: RedisCache,
  options: {
    name?: string;
    records?: number;
    embedder?: (texts: string[]) => Promise<number[][]>;
    embedderId?: string;
    cacheTimeoutMs?: number;
  } = {},
): Promise<TestClient> {
  expect(await cache.ready(10_000)).toBe(true);
  const counting = createCountingEngine();
  const client = createClient({
    engine: counting.engine,
    cache,
    resilience: { cacheTimeoutMs: options.cacheTimeoutMs ?? 1_000 },
    ...(options.embedder
      ? { embedder: options.embedder, embedderId: options.embedderId ?? 'test-embedder@1' }
      : {}),
  });
  const docs = await client.createCollection(options.name ?? 'docs', {
    dimension: DIM,
    metric: 'l2',
  });
  const records = options.records ?? 30;
  if (records > 0) {
    await docs.upsert(
      Array.from({ length: records }, (_, i) => ({
        id: `r${i}`,
        vector: vectorOf(i, DIM),
        metadata: { i, tag: i % 3 === 0 ? 'a' : 'b' },
      })),
    );
  }
  return { client, docs, cache, queries: counting.queries };
}
