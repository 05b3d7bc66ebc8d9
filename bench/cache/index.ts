// Cache benchmark for @aindusdb/redis-cache, every comparison side by side in one run:
//
// 1. Hit latency (p50 / p99, one caller, variants interleaved op by op so noise hits all alike):
//      raw GET        — ioredis getBuffer of the very bytes the cache stores for the entry
//      raw GET+JSON   — ioredis GET of the same result as JSON text, then JSON.parse
//      redis layer    — cache.read() with the in-process layer off: MGET epoch+entry, decode
//      LRU layer      — cache.read() with the in-process layer on: GET epoch, decode local bytes
//    plus client.query() hits end to end (core's key hashing, validation, spans included) and a
//    query with no cache for scale; on the standalone Redis and on the 3-master cluster.
// 2. 100 concurrent identical misses: engine queries per burst, with the cache and without.
// 3. Hit ratio under a zipfian query mix (500 distinct queries), read-only and with writes.
// 4. Serialization of a cached result: this package's codec vs JSON vs v8.serialize.
//
//   pnpm --filter @aindusdb/redis-cache build   # the bench imports the built package
//   eval "$(bash scripts/services.sh env)"
//   cd bench && npx tsx cache/index.ts [--iterations 5000] [--zipf-queries 20000] [--zipf-s 1.0]
//                                      [--dataset <dir with base.fvecs, query.fvecs>]
import { randomBytes } from 'node:crypto';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { deserialize, serialize } from 'node:v8';
import {
  type Collection,
  createClient,
  createMemoryEngine,
  type Engine,
  type EngineEndpoint,
  type QueryResult,
} from '@aindusdb/core';
import { createRedisCache, type RedisCache, type RedisCacheOptions } from '@aindusdb/redis-cache';
import { Cluster, Redis } from 'ioredis';
// The codec is internal to the package; the serialization table measures it directly.
import { decodeEntry, encodeEntry } from '../../packages/redis-cache/src/codec.js';
import { DEFAULT_DATASET_DIR, percentile, printTable, readFvecs } from '../lib/dataset.js';
import { seededRandom } from '../lib/random.js';

const { values: args } = parseArgs({
  options: {
    iterations: { type: 'string', default: '5000' },
    'zipf-queries': { type: 'string', default: '20000' },
    'zipf-s': { type: 'string', default: '1.0' },
    dataset: { type: 'string', default: DEFAULT_DATASET_DIR },
  },
});
const iterations = Number(args.iterations);
const zipfQueries = Number(args['zipf-queries']);
const zipfS = Number(args['zipf-s']);

const redisUrl = process.env.AINDUS_REDIS_URL;
const clusterNodes = process.env.AINDUS_REDIS_CLUSTER_NODES?.split(',');
if (!redisUrl || !clusterNodes) {
  console.error(
    'AINDUS_REDIS_URL and AINDUS_REDIS_CLUSTER_NODES must be set: eval "$(bash scripts/services.sh env)"',
  );
  process.exit(1);
}
const clusterSeeds = clusterNodes.map((n) => ({
  host: n.split(':')[0]!,
  port: Number(n.split(':')[1]),
}));

const base = readFvecs(join(args.dataset, 'base.fvecs'));
const queryRows = readFvecs(join(args.dataset, 'query.fvecs'));
const dimension = base[0]!.length;
const prefix = `bench-${randomBytes(3).toString('hex')}`;
// One context for direct cache calls: the layer is measured, not AbortController allocation.
const sharedCtx = { signal: new AbortController().signal };
const ctx = () => sharedCtx;
const GROUPS = ['news', 'blog', 'docs', 'forum', 'wiki'];

/** A memory engine holding the dataset, whose query calls are counted. */
function countingEngine(): { engine: Engine; queries: () => number } {
  const inner = createMemoryEngine();
  const endpoint = inner.endpoints[0]!;
  let queries = 0;
  const counted: EngineEndpoint = {
    ...endpoint,
    query(req, c) {
      queries += 1;
      return endpoint.query(req, c);
    },
  };
  return {
    engine: {
      ...inner,
      endpoints: [counted],
      comparePositions: inner.comparePositions,
      close: inner.close,
    },
    queries: () => queries,
  };
}

async function seed(docs: Collection) {
  const records = base.map((v, i) => ({
    id: `doc-${i}`,
    vector: v,
    metadata: { group: GROUPS[i % GROUPS.length]!, rank: i, title: `Document number ${i}` },
  }));
  await docs.upsert(records);
}

const stats = (samples: number[]) => ({
  p50: percentile(samples, 50),
  p99: percentile(samples, 99),
});
const us = (ms: number) => Math.round(ms * 1000);

async function ready(cache: RedisCache) {
  if (!(await cache.ready(10_000)))
    throw new Error(`cache not connected: ${JSON.stringify(cache.stats())}`);
}

// ---------------------------------------------------------------- 1. hit latency
async function hitLatency(target: 'standalone' | 'cluster') {
  const connection: Pick<RedisCacheOptions, 'url' | 'clusterNodes'> =
    target === 'standalone' ? { url: redisUrl } : { clusterNodes };
  const raw = target === 'standalone' ? new Redis(redisUrl!) : new Cluster(clusterSeeds);
  const withLocal = createRedisCache({ ...connection, prefix, timeoutMs: 1_000 });
  const redisOnly = createRedisCache({ ...connection, prefix, timeoutMs: 1_000, local: false });
  await Promise.all([ready(withLocal), ready(redisOnly)]);
  await new Promise<void>((resolve) =>
    raw.status === 'ready' ? resolve() : raw.once('ready', () => resolve()),
  );

  // A real result: top 10 with metadata, from the engine.
  const counting = countingEngine();
  const noCache = createClient({ engine: counting.engine, cache: false });
  const docs = await noCache.createCollection('hits', {
    dimension,
    metric: 'l2',
    index: { type: 'none' },
  });
  await seed(docs);
  const value: QueryResult = await docs.query({ vector: queryRows[0]!, topK: 10 });

  const scope = 'hits';
  const key = 'bench-key';
  const { epoch } = await redisOnly.read(scope, key, ctx());
  await redisOnly.write(scope, key, { epoch: epoch.epoch, value }, ctx());
  const entryKey = `{${prefix}:${scope}}:q:${key}`;
  const jsonKey = `{${prefix}:${scope}}:json`;
  await raw.set(jsonKey, JSON.stringify(value));
  const storedBytes = (await raw.getBuffer(entryKey))!.length;

  // End-to-end client hits, LRU on and off (each client fills its entry first).
  const lruClient = createClient({ engine: counting.engine, cache: withLocal });
  const redisClient = createClient({ engine: counting.engine, cache: redisOnly });
  const lruDocs = lruClient.collection('hits');
  const redisDocs = redisClient.collection('hits');
  const q = { vector: queryRows[1]!, topK: 10, consistency: 'eventual' as const };
  await lruDocs.query(q);
  await redisDocs.query(q);

  const variants: [string, () => Promise<unknown>][] = [
    ['raw ioredis GET (same bytes)', () => raw.getBuffer(entryKey)],
    ['raw ioredis GET + JSON.parse', async () => JSON.parse((await raw.get(jsonKey))!)],
    ['redis layer: cache.read (LRU off)', () => redisOnly.read(scope, key, ctx())],
    ['LRU layer: cache.read (LRU on)', () => withLocal.read(scope, key, ctx())],
    ['client.query hit, LRU off', () => redisDocs.query(q)],
    ['client.query hit, LRU on', () => lruDocs.query(q)],
  ];
  const samples = variants.map(() => [] as number[]);
  for (let i = 0; i < 500; i++) for (const [, fn] of variants) await fn(); // warm-up
  await withLocal.read(scope, key, ctx());
  for (let i = 0; i < iterations; i++) {
    // Rotate the order each iteration so no variant always runs right after another.
    for (let j = 0; j < variants.length; j++) {
      const v = (i + j) % variants.length;
      const started = performance.now();
      await variants[v]![1]();
      samples[v]!.push(performance.now() - started);
    }
  }
  // Scale: an exact engine query over the dataset, no cache.
  const engineSamples: number[] = [];
  for (let i = 0; i < Math.min(iterations, 300); i++) {
    const started = performance.now();
    await docs.query({ vector: queryRows[2 + (i % 400)]!, topK: 10 });
    engineSamples.push(performance.now() - started);
  }

  const rawP50 = stats(samples[0]!).p50;
  const rows = variants.map(([name], v) => {
    const s = stats(samples[v]!);
    return {
      target,
      variant: name,
      'p50 µs': us(s.p50),
      'p99 µs': us(s.p99),
      'p50 / raw GET': (s.p50 / rawP50).toFixed(2),
    };
  });
  const e = stats(engineSamples);
  rows.push({
    target,
    variant: `client.query, no cache (exact scan of ${base.length})`,
    'p50 µs': us(e.p50),
    'p99 µs': us(e.p99),
    'p50 / raw GET': (e.p50 / rawP50).toFixed(2),
  });
  const split = { local: withLocal.stats().localHits, redis: redisOnly.stats().redisHits };

  await Promise.all([lruClient.close(), redisClient.close(), noCache.close()]);
  await raw.del(jsonKey, entryKey, `{${prefix}:${scope}}:e`);
  raw.disconnect();
  return { rows, storedBytes, jsonBytes: JSON.stringify(value).length, split, value };
}

// ---------------------------------------------------------------- 2. concurrent misses
async function concurrentMisses() {
  const bursts = 20;
  const rows: Record<string, string | number>[] = [];
  for (const withCache of [true, false]) {
    const counting = countingEngine();
    const cache = withCache ? createRedisCache({ url: redisUrl, prefix, timeoutMs: 1_000 }) : false;
    if (cache) await ready(cache);
    const client = createClient({ engine: counting.engine, cache });
    const docs = await client.createCollection('burst', {
      dimension,
      metric: 'l2',
      index: { type: 'none' },
    });
    await seed(docs);
    const perBurst: number[] = [];
    const wall: number[] = [];
    for (let b = 0; b < bursts; b++) {
      const before = counting.queries();
      const q = { vector: queryRows[100 + b]!, topK: 10 };
      const started = performance.now();
      const results = await Promise.all(Array.from({ length: 100 }, () => docs.query(q)));
      wall.push(performance.now() - started);
      perBurst.push(counting.queries() - before);
      if (results.some((r) => r.matches[0]?.id !== results[0]!.matches[0]?.id))
        throw new Error('burst results differ');
    }
    rows.push({
      cache: withCache ? 'redis (LRU on)' : 'none',
      bursts,
      'engine queries per burst (min)': Math.min(...perBurst),
      'engine queries per burst (max)': Math.max(...perBurst),
      'burst wall p50 ms': percentile(wall, 50).toFixed(2),
    });
    await client.close();
  }
  return rows;
}

// ---------------------------------------------------------------- 3. zipfian hit ratio
function zipfSampler(n: number, s: number, seed: number) {
  const cdf: number[] = [];
  let sum = 0;
  for (let k = 1; k <= n; k++) {
    sum += 1 / k ** s;
    cdf.push(sum);
  }
  const random = seededRandom(seed);
  return () => {
    const u = random() * sum;
    let lo = 0;
    let hi = n - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cdf[mid]! < u) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
}

async function zipfHitRatio() {
  const distinct = queryRows.length;
  const rows: Record<string, string | number>[] = [];
  const scenarios: {
    name: string;
    local: RedisCacheOptions['local'] | 'none';
    writeEvery: number;
  }[] = [
    { name: 'no cache', local: 'none', writeEvery: 0 },
    { name: 'redis + LRU (10,000 entries)', local: {}, writeEvery: 0 },
    { name: 'redis + small LRU (50 entries)', local: { maxEntries: 50 }, writeEvery: 0 },
    { name: 'redis only (LRU off)', local: false, writeEvery: 0 },
    { name: 'redis + LRU, 1 write per 1,000 queries', local: {}, writeEvery: 1_000 },
  ];
  for (const scenario of scenarios) {
    const counting = countingEngine();
    const cache: RedisCache | undefined =
      scenario.local === 'none'
        ? undefined
        : createRedisCache({
            url: redisUrl,
            prefix: `${prefix}-z${rows.length}`,
            timeoutMs: 1_000,
            local: scenario.local,
          });
    if (cache) await ready(cache);
    const client = createClient({ engine: counting.engine, cache: cache ?? false });
    const docs = await client.createCollection('zipf', {
      dimension,
      metric: 'l2',
      index: { type: 'none' },
    });
    await seed(docs);
    const next = zipfSampler(distinct, zipfS, 42);
    const latencies: number[] = [];
    const before = counting.queries();
    const started = performance.now();
    // Without a cache every query is an exact scan: a short run gives its latency and rate.
    const total = cache ? zipfQueries : Math.min(zipfQueries, 2_000);
    for (let i = 0; i < total; i++) {
      if (scenario.writeEvery > 0 && i > 0 && i % scenario.writeEvery === 0) {
        await docs.upsert([
          {
            id: `doc-${i % base.length}`,
            vector: base[i % base.length]!,
            metadata: { group: 'updated' },
          },
        ]);
      }
      const t = performance.now();
      await docs.query({ vector: queryRows[next()]!, topK: 10 });
      latencies.push(performance.now() - t);
    }
    const seconds = (performance.now() - started) / 1000;
    const engineQueries = counting.queries() - before;
    const s = cache?.stats();
    rows.push({
      scenario: scenario.name,
      queries: total,
      'hit ratio': (1 - engineQueries / total).toFixed(3),
      'LRU hits': s?.localHits ?? 0,
      'redis hits': s?.redisHits ?? 0,
      'engine queries': engineQueries,
      'p50 ms': percentile(latencies, 50).toFixed(3),
      'p99 ms': percentile(latencies, 99).toFixed(3),
      'queries/s': Math.round(total / seconds),
    });
    await client.close();
  }
  // The best any cache can do on this mix: every distinct query misses once.
  const next = zipfSampler(distinct, zipfS, 42);
  const seen = new Set<number>();
  for (let i = 0; i < zipfQueries; i++) seen.add(next());
  return { rows, ceiling: 1 - seen.size / zipfQueries };
}

// ---------------------------------------------------------------- 4. serialization
function serialization(value: QueryResult) {
  const withVectors: QueryResult = {
    ...value,
    matches: value.matches.map((m, i) => ({ ...m, vector: Array.from(base[i]!) })),
  };
  // Typical model output: unit-length float32 embeddings (SIFT's small integers flatter JSON).
  const embedding = (seed: number) => {
    const v = Array.from({ length: 768 }, (_, j) => Math.sin(seed * 7.31 + j * 0.37));
    const norm = Math.hypot(...v);
    return v.map((x) => Math.fround(x / norm));
  };
  const withEmbeddings: QueryResult = {
    ...value,
    matches: value.matches.map((m, i) => ({ ...m, vector: embedding(i) })),
  };
  const rows: Record<string, string | number>[] = [];
  const rounds = 21;
  const perRound = 300;
  for (const [label, result] of [
    ['top 10 + metadata', value],
    ['top 10 + metadata + SIFT 128-d vectors', withVectors],
    ['top 10 + metadata + 768-d float embeddings', withEmbeddings],
  ] as const) {
    const codecs: [string, () => Buffer | string, (b: Buffer | string) => unknown][] = [
      [
        'aindus codec (JSON + float32)',
        () => encodeEntry(result, 1, Date.now() + 1e6),
        (b) => decodeEntry(b as Buffer),
      ],
      ['JSON', () => JSON.stringify(result), (b) => JSON.parse(b as string)],
      ['v8.serialize', () => serialize(result), (b) => deserialize(b as Buffer)],
    ];
    // Codecs take turns in rounds; the table reports the median of the per-round means.
    const encodeRounds = codecs.map(() => [] as number[]);
    const decodeRounds = codecs.map(() => [] as number[]);
    const encoded = codecs.map(([, encode]) => encode());
    for (let round = 0; round < rounds; round++) {
      codecs.forEach(([, encode, decode], c) => {
        let t = performance.now();
        for (let i = 0; i < perRound; i++) encode();
        encodeRounds[c]!.push(((performance.now() - t) / perRound) * 1000);
        t = performance.now();
        for (let i = 0; i < perRound; i++) decode(encoded[c]!);
        decodeRounds[c]!.push(((performance.now() - t) / perRound) * 1000);
      });
    }
    codecs.forEach(([name], c) => {
      const bytes = encoded[c]!;
      rows.push({
        payload: label,
        codec: name,
        bytes: typeof bytes === 'string' ? Buffer.byteLength(bytes) : bytes.length,
        'encode µs': percentile(encodeRounds[c]!, 50).toFixed(1),
        'decode µs': percentile(decodeRounds[c]!, 50).toFixed(1),
      });
    });
  }
  return rows;
}

// ---------------------------------------------------------------- run
console.log(`# @aindusdb/redis-cache benchmark — ${new Date().toISOString()}`);
console.log(
  `node ${process.version}, ${cpus().length} cores (${cpus()[0]?.model ?? 'unknown'}), dataset ${args.dataset} (${base.length} × ${dimension})`,
);
console.log(
  `redis ${redisUrl}, cluster ${clusterNodes.join(',')}, iterations ${iterations}, zipf s=${zipfS} over ${queryRows.length} distinct queries\n`,
);

const standalone = await hitLatency('standalone');
const cluster = await hitLatency('cluster');
console.log(
  `## 1. Hit latency (top 10 with metadata; stored entry ${standalone.storedBytes} B, JSON ${standalone.jsonBytes} B)\n`,
);
printTable([...standalone.rows, ...cluster.rows]);
const redisLayer = standalone.rows.find((r) => String(r.variant).startsWith('redis layer'))!;
console.log(
  `\nacceptance: standalone redis-layer hit p50 / raw GET p50 = ${redisLayer['p50 / raw GET']} (must be ≤ 1.50)\n`,
);

console.log('## 2. 100 concurrent identical misses (20 bursts, each a new query)\n');
const misses = await concurrentMisses();
printTable(misses);
console.log(
  `\nacceptance: engine queries per burst with the cache = ${misses[0]!['engine queries per burst (max)']} (must be exactly 1)\n`,
);

console.log(
  `## 3. Hit ratio, zipfian mix (s=${zipfS}, ${zipfQueries} queries over ${queryRows.length} distinct)\n`,
);
const zipf = await zipfHitRatio();
printTable(zipf.rows);
console.log(`\nceiling (every distinct query misses once): ${zipf.ceiling.toFixed(3)}\n`);

console.log('## 4. Serialization of one cached result\n');
printTable(serialization(standalone.value));
