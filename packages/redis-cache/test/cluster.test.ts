import { setTimeout as sleep } from 'node:timers/promises';
import { isAindusError } from '@aindusdb/core';
import { Cluster } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedisCache, type RedisCacheOptions } from '../src/index.js';
import { vectorOf } from './support/engine.js';
import { clusterNodes, deletePrefix, uniquePrefix } from './support/env.js';
import { DIM, openClient, type TestClient } from './support/setup.js';

const seeds = () =>
  clusterNodes().map((n) => ({ host: n.split(':')[0]!, port: Number(n.split(':')[1]) }));

async function readyCluster(cluster: Cluster): Promise<Cluster> {
  if (cluster.status === 'ready') return cluster;
  await new Promise<void>((resolve, reject) => {
    cluster.once('ready', () => resolve());
    cluster.once('error', reject);
  });
  return cluster;
}

// Against the shared three-master Redis Cluster (AINDUS_REDIS_CLUSTER_NODES).
describe('createRedisCache on a Redis Cluster', () => {
  let raw: Cluster;
  const prefixes: string[] = [];
  const opened: TestClient[] = [];
  const newPrefix = (label: string) => {
    const p = uniquePrefix(label);
    prefixes.push(p);
    return p;
  };
  const open = async (
    prefix: string,
    options: Partial<RedisCacheOptions> = {},
    client: Parameters<typeof openClient>[1] = {},
  ) => {
    const tc = await openClient(
      createRedisCache({ clusterNodes: clusterNodes(), prefix, timeoutMs: 1_000, ...options }),
      client,
    );
    opened.push(tc);
    return tc;
  };

  beforeAll(async () => {
    raw = await readyCluster(new Cluster(seeds()));
    expect(await raw.cluster('INFO')).toContain('cluster_state:ok');
    expect(raw.nodes('master')).toHaveLength(3);
  });

  afterAll(async () => {
    await Promise.allSettled(opened.map((tc) => tc.client.close()));
    for (const p of prefixes) await deletePrefix({ clusterNodes: clusterNodes() }, p);
    raw?.disconnect();
  });

  it('caches, shares entries between processes and invalidates on writes', async () => {
    const prefix = newPrefix('cl');
    const a = await open(prefix);
    const q = { vector: vectorOf(21, DIM), topK: 5 };
    const first = await a.docs.query(q);
    expect(await a.docs.query(q)).toEqual(first);
    expect(a.queries()).toBe(1);

    const b = await open(prefix, {}, { records: 0 });
    expect(await b.docs.query({ ...q, consistency: 'eventual' })).toEqual(first);
    expect(b.queries()).toBe(0);

    await a.docs.upsert([{ id: 'twin', vector: q.vector }]);
    expect((await a.docs.query(q)).matches.map((m) => m.id)).toContain('twin');
    expect(a.queries()).toBe(2);
    // b drops its in-process copy (old epoch) and takes the entry a refilled after its write.
    expect(
      (await b.docs.query({ ...q, consistency: 'eventual' })).matches.map((m) => m.id),
    ).toContain('twin');
    expect(b.queries()).toBe(0);
  });

  it("routes a collection's epoch and entries to one slot, and spreads collections and embeddings", async () => {
    const prefix = newPrefix('slots');
    let calls = 0;
    const embedder = async (texts: string[]) => {
      calls += texts.length;
      return texts.map((t) => vectorOf(t.length + 100, DIM));
    };
    // Twelve collections: the chance that all land on one of three masters is 3 / 3^12 (~6e-6).
    const names = [
      'alpha',
      'beta',
      'gamma',
      'delta',
      'epsilon',
      'zeta',
      'eta',
      'theta',
      'iota',
      'kappa',
      'lambda',
      'mu',
    ];
    const clients = await Promise.all(
      names.map((name) => open(prefix, { local: false }, { name, embedder })),
    );
    for (const [i, tc] of clients.entries()) {
      await tc.docs.query({ vector: vectorOf(i, DIM), topK: 3 });
      await tc.docs.query({ text: `text number ${i}`, topK: 3 });
    }
    expect(calls).toBe(names.length);
    const nodesUsed = new Set<string>();
    for (const name of names) {
      const epochKey = `{${prefix}:${name}}:e`;
      const slot = await raw.cluster('KEYSLOT', epochKey);
      const entries: string[] = [];
      for (const node of raw.nodes('master')) {
        entries.push(...(await node.keys(`{${prefix}:${name}}:q:*`)));
        if ((await node.keys(epochKey)).length === 1) nodesUsed.add(`${node.options.port}`);
      }
      expect(entries.length).toBeGreaterThanOrEqual(2);
      for (const key of entries) expect(await raw.cluster('KEYSLOT', key)).toBe(slot);
    }
    expect(nodesUsed.size).toBeGreaterThan(1);
    // Embeddings carry no hash tag: they spread over the masters too.
    const embeddingNodes = new Set<number>();
    let embeddings = 0;
    for (const node of raw.nodes('master')) {
      const found = await node.keys(`${prefix}:emb:*`);
      embeddings += found.length;
      if (found.length > 0) embeddingNodes.add(node.options.port!);
    }
    expect(embeddings).toBe(names.length);
    expect(embeddingNodes.size).toBeGreaterThan(1);
  });

  it('shares one engine query among 100 concurrent identical misses', async () => {
    const a = await open(newPrefix('flight'));
    const q = { vector: vectorOf(33, DIM), topK: 5 };
    await Promise.all(Array.from({ length: 100 }, () => a.docs.query(q)));
    expect(a.queries()).toBe(1);
  });

  it('expires entries after ttlMs', async () => {
    const a = await open(newPrefix('ttl'), { ttlMs: 300 });
    const q = { vector: vectorOf(34, DIM), topK: 2 };
    await a.docs.query(q);
    await a.docs.query(q);
    expect(a.queries()).toBe(1);
    await sleep(450);
    await a.docs.query(q);
    expect(a.queries()).toBe(2);
  });

  it('accepts a user Cluster without closing it, and refuses one that reads from replicas', async () => {
    const mine = await readyCluster(new Cluster(seeds()));
    const replicaReader = new Cluster(seeds(), { scaleReads: 'slave', lazyConnect: true });
    try {
      const cache = createRedisCache({ client: mine, prefix: newPrefix('user') });
      expect(await cache.ready()).toBe(true);
      expect(await cache.ping!({ signal: new AbortController().signal })).toBe(true);
      await cache.close();
      expect(mine.status).toBe('ready');
      expect(await mine.ping()).toBe('PONG');
      let code = 'no error';
      try {
        createRedisCache({ client: replicaReader });
      } catch (error) {
        code = isAindusError(error) ? error.code : String(error);
      }
      expect(code).toBe('INVALID_ARGUMENT');
    } finally {
      mine.disconnect();
      replicaReader.disconnect();
    }
  });
});
