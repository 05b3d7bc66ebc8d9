// pg-adapter benchmark: the SDK beside raw `pg` and LangChain.js PGVectorStore, in one run, on
// the same PostgreSQL server: ingest rows/s (dense random float vectors), query latency p50/p99
// (SDK vs raw `pg` running the engine's own SQL), and recall@10 against ef_search on sift-5k.
// Run: eval "$(bash scripts/services.sh env)"; pnpm --filter @aindusdb/pg-adapter build;
//      cd bench && node --expose-gc --import tsx pg/index.ts [--help]
import { cpus } from 'node:os';
import { createClient, type EngineQuery, type Filter, parseFilter } from '@aindusdb/core';
import { createPgEngine } from '@aindusdb/pg-adapter';
import { PGVectorStore } from '@langchain/community/vectorstores/pgvector';
import { Document } from '@langchain/core/documents';
import type { EmbeddingsInterface } from '@langchain/core/embeddings';
import pg from 'pg';
import { percentile, printTable, readFvecs, readIvecs, recallAtK } from '../lib/dataset.js';
import { seededRandom } from '../lib/random.js';
import { parseArgs, siftFiles } from './args.js';
import { type BenchRow, rawCopy } from './raw-copy.js';

const args = parseArgs(process.argv.slice(2));
const url = process.env.AINDUS_PG_URL;
if (!url) throw new Error('AINDUS_PG_URL is not set: eval "$(bash scripts/services.sh env)" first');
const schema = `bench_pg_${Date.now().toString(36)}`;
// The hook notes when the engine sends its first statement of an upsert, which splits the SDK's
// time into core's up-front validation (and copy) of the input and the engine's writing.
let firstStatementAt: number | undefined;
const engine = createPgEngine({
  primary: url,
  schema,
  deferIndexBuild: true,
  max: 4,
  onQuery: () => {
    firstStatementAt ??= performance.now();
  },
});
const client = createClient({ engine, cache: false, resilience: { timeoutMs: 600_000 } });
const pool = new pg.Pool({ connectionString: url, max: 2 });
pool.on('error', () => {});
const K = 10;
const x = (a: number, b: number) => `${(a / b).toFixed(2)}x`;
const round1 = (n: number) => Math.round(n);
const ms = (n: number) => Number(n.toFixed(3));

function denseRows(n: number, dim: number, seed: number): BenchRow[] {
  const next = seededRandom(seed);
  return Array.from({ length: n }, (_, i) => {
    const vector = new Float32Array(dim);
    for (let j = 0; j < dim; j++) vector[j] = next() * 2 - 1;
    return { id: `doc-${i}`, vector, metadata: { i, category: `c${i % 10}` } };
  });
}

/**
 * Starts each timed ingest from the same server state: a CHECKPOINT first, so no run pays for
 * the checkpoint another one triggered. Needs superuser or pg_checkpoint; skipped otherwise.
 */
async function checkpoint(): Promise<void> {
  await pool.query('CHECKPOINT').catch(() => {});
  // With node --expose-gc, no timed run pays for the garbage of the previous one.
  (globalThis as { gc?: () => void }).gc?.();
}

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const t = performance.now();
  await fn();
  return performance.now() - t;
}

/** LangChain's store over its own pool (its `end()` ends the pool). Vectors are given directly. */
async function langchainIngest(
  dim: number,
  rows: readonly BenchRow[],
  table: string,
): Promise<number> {
  const embeddings: EmbeddingsInterface = {
    embedDocuments: async (t) => t.map(() => []),
    embedQuery: async () => [],
  };
  const lcPool = new pg.Pool({ connectionString: url, max: 2 });
  lcPool.on('error', () => {});
  const store = await PGVectorStore.initialize(embeddings, {
    pool: lcPool,
    tableName: table,
    schemaName: schema,
    dimensions: dim,
  });
  const vectors = rows.map((r) => Array.from(r.vector));
  const docs = rows.map((r) => new Document({ pageContent: '', metadata: r.metadata }));
  const elapsed = await timed(() => store.addVectors(vectors, docs));
  await store.end();
  return elapsed;
}

const { version } = (await pool.query<{ version: string }>('SELECT version()')).rows[0]!;
await client.createCollection('probe', { dimension: 1, metric: 'l2' });
const { extversion } = (
  await pool.query<{ extversion: string }>(
    "SELECT extversion FROM pg_extension WHERE extname = 'vector'",
  )
).rows[0]!;
await client.dropCollection('probe');
console.log('# pg-adapter benchmark');
console.log(`node ${process.version}, ${cpus().length} cores (${cpus()[0]?.model ?? '?'})`);
console.log(
  `${version.split(' on ')[0]}, pgvector ${extversion}, server on 127.0.0.1 (same machine)`,
);
console.log(
  `rows ${args.rows} (LangChain ${args.langchainRows}), dims ${args.dims.join(', ')}, ${args.queries} timed queries, ingest rounds ${args.rounds} (best reported, each after a CHECKPOINT)\n`,
);

interface Summary {
  dim: number;
  sdk: number;
  /** SDK rows/s on the rows LangChain ingested (the same as `sdk` unless LangChain got a subset). */
  sdkVsLangchain: number;
  raw: number;
  langchain: number | undefined;
  p50: number;
  rawP50: number;
}
const summaries: Summary[] = [];

try {
  for (const dim of args.dims) {
    console.log(`## ${dim} dimensions\n`);
    let rows = denseRows(args.rows, dim, dim);
    const sdkRates: number[] = [];
    const rawRates: number[] = [];
    const lcRates: number[] = [];
    const sdkSubsetRates: number[] = [];
    const validationMs: number[] = [];
    const engineRates: number[] = [];
    let keep: string | undefined;
    for (let r = 0; r < args.rounds; r++) {
      const sdkName = `sdk_${dim}_${r}`;
      const rawName = `raw_${dim}_${r}`;
      await client.createCollection(sdkName, { dimension: dim, metric: 'cosine' });
      await client.createCollection(rawName, { dimension: dim, metric: 'cosine' });
      const sdk = async () => {
        await checkpoint();
        firstStatementAt = undefined;
        const started = performance.now();
        const elapsed = await timed(() => client.collection(sdkName).upsert(rows));
        sdkRates.push(args.rows / (elapsed / 1000));
        validationMs.push((firstStatementAt ?? started) - started);
        engineRates.push(args.rows / ((started + elapsed - (firstStatementAt ?? started)) / 1000));
      };
      const raw = async () => {
        await checkpoint();
        const c = await pool.connect();
        try {
          rawRates.push(
            args.rows /
              ((await timed(() => rawCopy(c, `"${schema}"."c_${rawName}"`, rows))) / 1000),
          );
        } finally {
          c.release();
        }
      };
      // Alternate the order so neither side always runs on a warmer (or fuller) server.
      if (r % 2 === 0) {
        await sdk();
        await raw();
      } else {
        await raw();
        await sdk();
      }
      await client.dropCollection(rawName);
      if (keep) await client.dropCollection(keep);
      keep = sdkName;
      if (!args.skipLangchain) {
        const lcRows = rows.slice(0, args.langchainRows);
        await checkpoint();
        lcRates.push(
          lcRows.length / ((await langchainIngest(dim, lcRows, `lc_${dim}_${r}`)) / 1000),
        );
        await pool.query(`DROP TABLE IF EXISTS "${schema}"."lc_${dim}_${r}"`);
        if (lcRows.length < rows.length) {
          // LangChain timed on a subset: time the SDK on the same rows too, for a like-for-like ratio.
          const subset = `sub_${dim}_${r}`;
          await client.createCollection(subset, { dimension: dim, metric: 'cosine' });
          await checkpoint();
          sdkSubsetRates.push(
            lcRows.length / ((await timed(() => client.collection(subset).upsert(lcRows))) / 1000),
          );
          await client.dropCollection(subset);
        }
      }
    }
    const best = (list: number[]) => Math.max(...list);
    const sdkBest = best(sdkRates);
    const rawBest = best(rawRates);
    const lcBest = lcRates.length ? best(lcRates) : undefined;
    const subsetBest = sdkSubsetRates.length ? best(sdkSubsetRates) : undefined;
    console.log(
      `### ingest (rows/s; every round: SDK ${sdkRates.map(round1).join(', ')}; raw ${rawRates.map(round1).join(', ')}${lcRates.length ? `; LangChain ${lcRates.map(round1).join(', ')}` : ''})\n`,
    );
    console.log(
      `core validates and copies the input before the engine's first statement: ${validationMs.map(round1).join(', ')} ms per round\n`,
    );
    printTable([
      {
        path: `SDK upsert (${args.rows} rows, binary COPY + merge)`,
        'rows/s': round1(sdkBest),
        'vs raw COPY': x(sdkBest, rawBest),
        'vs LangChain': lcBest ? x(sdkBest, lcBest) : '-',
      },
      {
        path: `  of which the engine, from its first statement`,
        'rows/s': round1(best(engineRates)),
        'vs raw COPY': x(best(engineRates), rawBest),
        'vs LangChain': '-',
      },
      {
        path: `raw pg-copy-streams binary COPY (${args.rows} rows, one COPY)`,
        'rows/s': round1(rawBest),
        'vs raw COPY': '1.00x',
        'vs LangChain': lcBest ? x(rawBest, lcBest) : '-',
      },
      ...(lcBest
        ? [
            {
              path: `LangChain PGVectorStore.addVectors (${args.langchainRows} rows)`,
              'rows/s': round1(lcBest),
              'vs raw COPY': x(lcBest, rawBest),
              'vs LangChain': '1.00x',
            },
          ]
        : []),
      ...(subsetBest && lcBest
        ? [
            {
              path: `SDK upsert on LangChain's ${args.langchainRows} rows`,
              'rows/s': round1(subsetBest),
              'vs raw COPY': '-',
              'vs LangChain': x(subsetBest, lcBest),
            },
          ]
        : []),
    ]);

    rows = []; // let the ingest data go before timing queries: less GC noise
    // Query latency on the SDK's table once its HNSW index is built.
    const collection = keep!;
    const buildMs = await timed(() =>
      engine.buildIndex(collection, { maintenanceWorkMem: '1GB', parallelWorkers: 2 }),
    );
    console.log(
      `\nHNSW index (m 16, ef_construction 64) built after the load in ${(buildMs / 1000).toFixed(1)} s\n`,
    );
    const handle = client.collection(collection);
    const next = seededRandom(dim + 1);
    const queryVectors = Array.from({ length: args.queries }, () => {
      const v = new Float32Array(dim);
      for (let j = 0; j < dim; j++) v[j] = next() * 2 - 1;
      return v;
    });
    const raw = await pool.connect();
    const latency: Record<string, string | number>[] = [];
    try {
      // Raw `pg` gets the iterative scan as a session setting: the cheapest way to run the same query.
      await raw.query("SET hnsw.iterative_scan = 'relaxed_order'");
      for (const [label, filter] of [
        ['unfiltered', undefined],
        ['filter category in 2 of 10', { category: { $in: ['c1', 'c2'] } }],
      ] as [string, Filter | undefined][]) {
        const parsed = parseFilter(filter);
        const sqls = await Promise.all(
          queryVectors.map((vector) => {
            const q: EngineQuery = {
              collection,
              tenant: '',
              vector,
              topK: K,
              includeMetadata: true,
              includeVector: false,
              search: {},
              ...(parsed ? { filter: parsed } : {}),
            };
            return engine.querySql(q);
          }),
        );
        const sdkTimes: number[] = [];
        const rawTimes: number[] = [];
        const runSdk = (i: number) =>
          timed(() =>
            handle.query({ vector: queryVectors[i]!, topK: K, ...(filter ? { filter } : {}) }),
          );
        const runRaw = (i: number) =>
          timed(() => raw.query({ text: sqls[i]!.text, values: sqls[i]!.values }));
        for (let i = 0; i < Math.min(100, args.queries); i++) {
          await runSdk(i);
          await runRaw(i);
        }
        for (let i = 0; i < args.queries; i++) {
          if (i % 2 === 0) {
            sdkTimes.push(await runSdk(i));
            rawTimes.push(await runRaw(i));
          } else {
            rawTimes.push(await runRaw(i));
            sdkTimes.push(await runSdk(i));
          }
        }
        const [s50, s99, r50, r99] = [
          percentile(sdkTimes, 50),
          percentile(sdkTimes, 99),
          percentile(rawTimes, 50),
          percentile(rawTimes, 99),
        ];
        latency.push({
          query: `${label}: SDK client.query`,
          'p50 ms': ms(s50),
          'p99 ms': ms(s99),
          'p50 vs raw': x(s50, r50),
          'p99 vs raw': x(s99, r99),
        });
        latency.push({
          query: `${label}: raw pg, same SQL`,
          'p50 ms': ms(r50),
          'p99 ms': ms(r99),
          'p50 vs raw': '1.00x',
          'p99 vs raw': '1.00x',
        });
        if (label === 'unfiltered')
          summaries.push({
            dim,
            sdk: sdkBest,
            sdkVsLangchain: subsetBest ?? sdkBest,
            raw: rawBest,
            langchain: lcBest,
            p50: s50,
            rawP50: r50,
          });
      }
    } finally {
      raw.release();
    }
    console.log(
      `### query latency (top ${K}, HNSW ef_search 40, cosine, ${args.rows} rows, cache off, interleaved)\n`,
    );
    printTable(latency);
    console.log('');
    await client.dropCollection(collection);
  }

  if (!args.skipSift) {
    const files = siftFiles(args.sift);
    const base = readFvecs(files.base);
    const queries = readFvecs(files.query);
    const truth = readIvecs(files.truth);
    console.log(
      `## recall@${K} against ef_search: sift-5k (${base.length} x ${base[0]!.length}, ${queries.length} queries, l2, HNSW m 16 ef_construction 64)\n`,
    );
    await client.createCollection('sift', { dimension: base[0]!.length, metric: 'l2' });
    const sift = client.collection('sift');
    await sift.upsert(base.map((vector, i) => ({ id: String(i), vector })));
    await engine.buildIndex('sift');
    const table: Record<string, string | number>[] = [];
    for (const ef of args.efs) {
      let recall = 0;
      const times: number[] = [];
      for (let q = 0; q < queries.length; q++) {
        const t = performance.now();
        const result = await sift.query({
          vector: queries[q]!,
          topK: K,
          search: { ef },
          includeMetadata: false,
        });
        times.push(performance.now() - t);
        recall += recallAtK(
          result.matches.map((m) => Number(m.id)),
          truth[q]!,
          K,
        );
      }
      table.push({
        ef_search: ef,
        [`recall@${K}`]: Number((recall / queries.length).toFixed(4)),
        'p50 ms': ms(percentile(times, 50)),
        'p99 ms': ms(percentile(times, 99)),
      });
    }
    printTable(table);
    console.log('');
  }

  console.log('## acceptance (768 dimensions)\n');
  const s = summaries.find((v) => v.dim === 768);
  if (s) {
    printTable([
      {
        check: 'SDK ingest >= 8x LangChain rows/s (same rows)',
        value: s.langchain ? x(s.sdkVsLangchain, s.langchain) : 'skipped',
        ok: s.langchain ? String(s.sdkVsLangchain >= 8 * s.langchain) : '-',
      },
      {
        check: 'SDK ingest >= 0.8x raw binary COPY',
        value: x(s.sdk, s.raw),
        ok: String(s.sdk >= 0.8 * s.raw),
      },
      {
        check: 'SDK query p50 <= 1.15x raw pg',
        value: x(s.p50, s.rawP50),
        ok: String(s.p50 <= 1.15 * s.rawP50),
      },
    ]);
  }
} finally {
  await client.close();
  await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await pool.end();
}
