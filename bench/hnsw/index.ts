// hnsw-local benchmark: the SDK query path (cache off) side by side with raw hnswlib-node and
// LangChain.js HNSWLib on the same data, plus filtered queries and reopening a large collection.
// Run: pnpm --filter @aindusdb/bench exec tsx hnsw/index.ts [--help]
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient, type Filter } from '@aindusdb/core';
import { createHnswEngine, DEFAULT_EF } from '@aindusdb/hnsw-local';
import { HNSWLib } from '@langchain/community/vectorstores/hnswlib';
import { Document } from '@langchain/core/documents';
import hnswlib from 'hnswlib-node';
import { percentile, printTable, readFvecs, readIvecs } from '../lib/dataset.js';
import { parseArgs } from './args.js';
import { exactTopK } from './exact-truth.js';
import { benchReopen } from './reopen.js';
import { meanRecall, measureQps, type QueryRunner, timeMs } from './timing.js';

const args = parseArgs(process.argv.slice(2));
const base = readFvecs(args.base);
const queries = readFvecs(args.query);
const truth = readIvecs(args.truth);
const dim = base[0]!.length;
const k = args.k;
const bucket = (row: number) => row % 100;
const ratio = (a: number, b: number) => `${(a / b).toFixed(2)}x`;

console.log(`# hnsw-local benchmark`);
console.log(`node ${process.version}, ${cpus().length} cores (${cpus()[0]?.model ?? '?'})`);
console.log(
  `data: ${base.length} x ${dim} (${args.base}), ${queries.length} queries, metric ${args.metric}, k ${k}, M ${args.m}, efConstruction ${args.efConstruction}\n`,
);

// --- build ------------------------------------------------------------------------------------
const records = base.map((vector, row) => ({
  id: String(row),
  vector,
  metadata: { bucket: bucket(row), permille: row % 1000 },
}));
const index = { type: 'hnsw' as const, m: args.m, efConstruction: args.efConstruction };

const sdkEngine = createHnswEngine();
const sdk = createClient({ engine: sdkEngine, cache: false });
const sdkCol = await sdk.createCollection('bench', { dimension: dim, metric: args.metric, index });
const sdkBuild = await timeMs(() => sdkCol.upsert(records));

const diskDir = mkdtempSync(join(tmpdir(), 'aindus-bench-hnsw-'));
const disk = createClient({ engine: createHnswEngine({ dir: diskDir }), cache: false });
const diskCol = await disk.createCollection('bench', {
  dimension: dim,
  metric: args.metric,
  index,
});
const diskBuild = await timeMs(() => diskCol.upsert(records));
await disk.close();
rmSync(diskDir, { recursive: true, force: true });

const raw = new hnswlib.HierarchicalNSW(args.metric, dim);
const rawBuild = await timeMs(() => {
  raw.initIndex(base.length, args.m, args.efConstruction, 100);
  for (let row = 0; row < base.length; row++) raw.addPoint(Array.from(base[row]!), row);
});

// A trivial embeddings object: vectors are given directly.
const embeddings = {
  embedDocuments: async (texts: string[]) => texts.map(() => new Array<number>(dim).fill(0)),
  embedQuery: async () => new Array<number>(dim).fill(0),
};
let langchain: HNSWLib | undefined;
let langchainBuild = Number.NaN;
if (!args.skipLangchain) {
  langchain = new HNSWLib(embeddings, { space: args.metric, numDimensions: dim });
  const docs = base.map(
    (_, row) => new Document({ pageContent: '', metadata: { row, bucket: bucket(row) } }),
  );
  langchainBuild = await timeMs(() =>
    langchain!.addVectors(
      base.map((v) => Array.from(v)),
      docs,
    ),
  );
}

console.log('## Build (upsert every row into an empty index)\n');
printTable([
  {
    system: 'SDK, memory-only (createHnswEngine())',
    'build ms': sdkBuild,
    'vs raw': ratio(sdkBuild, rawBuild),
  },
  {
    system: "SDK, on disk (dir, durability 'fsync')",
    'build ms': diskBuild,
    'vs raw': ratio(diskBuild, rawBuild),
  },
  { system: 'raw hnswlib-node', 'build ms': rawBuild, 'vs raw': '1.00x' },
  ...(langchain
    ? [
        {
          system: 'LangChain HNSWLib (efConstruction 200, fixed)',
          'build ms': langchainBuild,
          'vs raw': ratio(langchainBuild, rawBuild),
        },
      ]
    : []),
]);

// --- acknowledged write latency --------------------------------------------------------------------
console.log('\n## Acknowledged write latency (500 single-record upserts, one at a time)\n');
const latencyRows: Record<string, string | number>[] = [];
for (const [label, options] of [
  ['memory-only', undefined],
  ["dir, durability 'fsync' (default)", 'fsync'],
  ["dir, durability 'buffered'", 'buffered'],
] as const) {
  const dir = options ? mkdtempSync(join(tmpdir(), 'aindus-bench-write-')) : undefined;
  const client = createClient({
    engine: createHnswEngine(dir ? { dir, durability: options } : {}),
    cache: false,
  });
  const col = await client.createCollection('w', { dimension: dim, metric: args.metric, index });
  const times: number[] = [];
  for (let i = 0; i < 500; i++) {
    const start = performance.now();
    await col.upsert([{ id: String(i), vector: base[i % base.length]!, metadata: { i } }]);
    times.push(performance.now() - start);
  }
  await client.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
  const total = times.reduce((a, b) => a + b, 0);
  latencyRows.push({
    engine: label,
    'p50 ms': percentile(times, 50),
    'p99 ms': percentile(times, 99),
    'writes/s': Math.round((500 * 1000) / total),
  });
}
printTable(latencyRows);

// --- unfiltered queries per ef ------------------------------------------------------------------
console.log(
  `\n## Queries per second and recall@${k} by ef (sequential, one query at a time; qps per CPU-second)\n`,
);
const sweep: Record<string, string | number>[] = [];
const endpoint = sdkEngine.endpoints[0]!;
const engineCtx = { signal: new AbortController().signal, deadline: Date.now() + 86_400_000 };
for (const ef of args.efs) {
  const runners: QueryRunner[] = [
    {
      name: 'sdk',
      run: async (q) =>
        (
          await sdkCol.query({ vector: q, topK: k, includeMetadata: false, search: { ef } })
        ).matches.map((m) => Number(m.id)),
    },
    {
      // The adapter alone: the engine SPI call core makes, without the client around it.
      name: 'engine',
      run: async (q) =>
        (
          await endpoint.query(
            {
              collection: 'bench',
              tenant: '',
              vector: q,
              topK: k,
              includeMetadata: false,
              includeVector: false,
              search: { ef },
            },
            engineCtx,
          )
        ).matches.map((m) => Number(m.id)),
    },
    {
      name: 'raw',
      run: (q) => {
        raw.setEf(ef);
        return raw.searchKnn(Array.from(q), k).neighbors;
      },
    },
  ];
  if (langchain) {
    const lc = langchain;
    runners.push({
      name: 'langchain',
      run: async (q) => {
        lc.index.setEf(ef);
        return (await lc.similaritySearchVectorWithScore(Array.from(q), k)).map(
          ([doc]) => doc.metadata.row as number,
        );
      },
    });
  }
  const r = await measureQps(runners, queries, args.rounds);
  const sdkR = r.get('sdk')!;
  const rawR = r.get('raw')!;
  const lcR = r.get('langchain');
  sweep.push({
    ef,
    'SDK qps': Math.round(sdkR.qps),
    'SDK recall': meanRecall(sdkR.answers, truth, k),
    'raw qps': Math.round(rawR.qps),
    'raw recall': meanRecall(rawR.answers, truth, k),
    'SDK/raw': ratio(sdkR.qps, rawR.qps),
    'engine-only qps': Math.round(r.get('engine')!.qps),
    'engine/raw': ratio(r.get('engine')!.qps, rawR.qps),
    ...(lcR
      ? {
          'LangChain qps': Math.round(lcR.qps),
          'LangChain recall': meanRecall(lcR.answers, truth, k),
          'SDK/LangChain': ratio(sdkR.qps, lcR.qps),
        }
      : {}),
  });
}
printTable(sweep);
const defaultEf = Math.max(DEFAULT_EF, 2 * k);
{
  const r = await measureQps(
    [
      {
        name: 'sdk',
        run: async (q) =>
          (await sdkCol.query({ vector: q, topK: k, includeMetadata: false })).matches.map((m) =>
            Number(m.id),
          ),
      },
    ],
    queries,
    args.rounds,
  );
  const d = r.get('sdk')!;
  console.log(
    `\nSDK with no search.ef (default rule max(${DEFAULT_EF}, 2 x topK) = ${defaultEf}): ${Math.round(d.qps)} qps, recall@${k} ${meanRecall(d.answers, truth, k).toFixed(3)}`,
  );
}

// --- filtered queries -----------------------------------------------------------------------------
console.log(
  `\n## Filtered queries (SDK default planning vs raw hnswlib-node filter callback, ef ${defaultEf})\n`,
);
const filtered: Record<string, string | number>[] = [];
const cases: { label: string; filter: Filter; keep: (row: number) => boolean }[] = [
  { label: '1% (bucket = 7)', filter: { bucket: 7 }, keep: (row) => bucket(row) === 7 },
  { label: '10% (bucket < 10)', filter: { bucket: { $lt: 10 } }, keep: (row) => bucket(row) < 10 },
];
for (const c of cases) {
  const want = queries.map((q) => exactTopK(base, q, k, args.metric, c.keep));
  let complete = true;
  const r = await measureQps(
    [
      {
        name: 'sdk',
        run: async (q) => {
          const res = await sdkCol.query({
            vector: q,
            topK: k,
            filter: c.filter,
            includeMetadata: false,
          });
          complete &&= res.complete && res.matches.length === k;
          return res.matches.map((m) => Number(m.id));
        },
      },
      {
        name: 'raw',
        run: (q) => {
          raw.setEf(defaultEf);
          return raw.searchKnn(Array.from(q), k, c.keep).neighbors;
        },
      },
    ],
    queries,
    args.rounds,
  );
  const s = r.get('sdk')!;
  const w = r.get('raw')!;
  filtered.push({
    filter: c.label,
    'SDK qps': Math.round(s.qps),
    'SDK recall': meanRecall(s.answers, want, k),
    'SDK complete': String(complete),
    'raw qps': Math.round(w.qps),
    'raw recall': meanRecall(w.answers, want, k),
    'SDK/raw': ratio(s.qps, w.qps),
  });
}
printTable(filtered);

// --- exact-vs-graph threshold sweep ---------------------------------------------------------------
console.log(
  `\n## Filter plan sweep: graph walk vs exact scan of the matching rows, by selectivity (ef ${defaultEf})\n`,
);
const graphOnly = createClient({
  engine: createHnswEngine({ exactFilterSelectivity: 1e-9 }),
  cache: false,
});
const graphCol = await graphOnly.createCollection('bench', {
  dimension: dim,
  metric: args.metric,
  index,
});
await graphCol.upsert(records);
const planRows: Record<string, string | number>[] = [];
for (const permille of [5, 10, 20, 50, 100, 200, 500]) {
  const filter: Filter = { permille: { $lt: permille } };
  const keep = (row: number) => row % 1000 < permille;
  const want = queries.map((q) => exactTopK(base, q, k, args.metric, keep));
  const ids = (res: { matches: { id: string }[] }) => res.matches.map((m) => Number(m.id));
  const r = await measureQps(
    [
      {
        name: 'graph',
        run: async (q) =>
          ids(await graphCol.query({ vector: q, topK: k, filter, includeMetadata: false })),
      },
      {
        name: 'exact',
        run: async (q) =>
          ids(
            await sdkCol.query({
              vector: q,
              topK: k,
              filter,
              includeMetadata: false,
              search: { exact: true },
            }),
          ),
      },
      {
        name: 'auto',
        run: async (q) =>
          ids(await sdkCol.query({ vector: q, topK: k, filter, includeMetadata: false })),
      },
    ],
    queries,
    args.rounds,
  );
  planRows.push({
    selectivity: `${permille / 10}%`,
    'graph qps': Math.round(r.get('graph')!.qps),
    'graph recall': meanRecall(r.get('graph')!.answers, want, k),
    'exact qps': Math.round(r.get('exact')!.qps),
    'exact recall': meanRecall(r.get('exact')!.answers, want, k),
    'default plan qps': Math.round(r.get('auto')!.qps),
    'default plan recall': meanRecall(r.get('auto')!.answers, want, k),
  });
}
printTable(planRows);
await graphOnly.close();
await sdk.close();

// --- reopen ----------------------------------------------------------------------------------------
if (!args.skipReopen) await benchReopen(args);
