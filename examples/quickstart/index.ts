// Quickstart: the SDK on its zero-setup default engine, an in-process HNSW index (hnswlib)
// persisted to a directory. No server, no dataset download. Run with `pnpm quickstart`.
// (In this repository tsconfig.json maps the @aindusdb packages to their sources, so nothing
// needs building first; an application imports them from npm the same way.)
import { rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createClient } from '@aindusdb/core';
import { createHnswEngine } from '@aindusdb/hnsw-local';

const dir = join(dirname(fileURLToPath(import.meta.url)), '.data', 'quickstart');
rmSync(dir, { recursive: true, force: true }); // every run starts from an empty directory

// Generated data: 5,000 "documents" of 64 dimensions around 25 topics, with metadata.
const DIM = 64;
const ROWS = 5_000;
let seed = 7;
const random = () => {
  seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
  return seed / 2 ** 31;
};
const topics = Array.from({ length: 25 }, () =>
  Array.from({ length: DIM }, () => random() * 2 - 1),
);
const near = (center: number[], spread: number) =>
  center.map((x) => x + (random() * 2 - 1) * spread);
const langs = ['en', 'de', 'fr', 'ja'];
const records = Array.from({ length: ROWS }, (_, i) => ({
  id: `doc-${i}`,
  vector: near(topics[i % topics.length]!, 0.6),
  metadata: { topic: i % topics.length, lang: langs[i % langs.length]!, year: 2015 + (i % 10) },
}));

// 1. Open the engine on a directory: collections persist there.
let client = createClient({ engine: createHnswEngine({ dir }) });
const docs = await client.createCollection('docs', { dimension: DIM, metric: 'cosine' });

// 2. Upsert (chunked and durable: each acknowledged chunk is in the write log on disk).
const { upserted } = await docs.upsert(records);
console.log(`upserted ${upserted} records into "docs" (${dir})`);

// 3. Query, without and with a metadata filter.
const question = near(topics[3]!, 0.6);
const nearest = await docs.query({ vector: question, topK: 3 });
console.log(
  'nearest:',
  nearest.matches
    .map((m) => `${m.id} (topic ${m.metadata?.topic}, score ${m.score.toFixed(3)})`)
    .join(', '),
);
const filtered = await docs.query({
  vector: question,
  topK: 3,
  filter: { lang: 'de', year: { $gte: 2020 } },
});
console.log(
  'lang=de, year>=2020:',
  filtered.matches.map((m) => `${m.id} (${m.metadata?.lang}, ${m.metadata?.year})`).join(', '),
  `complete=${filtered.complete}`,
);

// 4. Close, reopen from the directory: the snapshot is loaded, nothing is rebuilt.
await client.close();
const reopenStart = performance.now();
client = createClient({ engine: createHnswEngine({ dir }), cache: false });
const reopened = client.collection('docs');
console.log(
  `reopened: ${await reopened.count()} records in ${(performance.now() - reopenStart).toFixed(0)} ms`,
);

// 5. Recall of the HNSW index against exact search, and query latency.
const QUERIES = 200;
let hits = 0;
const latencies: number[] = [];
for (let q = 0; q < QUERIES; q++) {
  const vector = near(topics[q % topics.length]!, 0.8);
  const start = performance.now();
  const approx = await reopened.query({ vector, topK: 10 });
  latencies.push(performance.now() - start);
  const exact = await reopened.query({ vector, topK: 10, search: { exact: true } });
  const truth = new Set(exact.matches.map((m) => m.id));
  hits += approx.matches.filter((m) => truth.has(m.id)).length;
}
latencies.sort((a, b) => a - b);
const pct = (p: number) =>
  latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))]!;
console.log(
  `recall@10 vs exact search: ${(hits / (QUERIES * 10)).toFixed(3)} over ${QUERIES} queries`,
);
console.log(`query latency: p50 ${pct(50).toFixed(2)} ms, p95 ${pct(95).toFixed(2)} ms`);

await client.close();
