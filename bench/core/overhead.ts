// Per-call overhead of the client over an engine that does no work: the cost core adds to
// every query (validation, deadline, routing, breaker, span bookkeeping, result mapping).
// Usage: pnpm --filter @aindusdb/bench exec tsx core/overhead.ts [--calls N]
import { createClient, createMemoryEngine, type Engine, type EngineEndpoint } from '@aindusdb/core';
import { printTable } from '../lib/dataset.js';

const calls = Number(process.argv[process.argv.indexOf('--calls') + 1]) || 200_000;
const dim = 128;
const topK = 10;
const matches = Array.from({ length: topK }, (_, i) => ({ id: `id${i}`, distance: i / 10 }));

/** The memory engine's catalog with a query that returns a fixed answer at once. */
function instantEngine(): Engine {
  const base = createMemoryEngine();
  const inner = base.endpoints[0]!;
  const endpoint: EngineEndpoint = { ...inner, query: async () => ({ matches, complete: true }) };
  return { ...base, endpoints: [endpoint] };
}

const engine = instantEngine();
const client = createClient({ engine, cache: false });
const docs = await client.createCollection('docs', { dimension: dim, metric: 'l2' });
const vector = Array.from({ length: dim }, (_, i) => i);
const endpoint = engine.endpoints[0]!;
const ctx = { signal: new AbortController().signal, deadline: Date.now() + 1e9 };
const request = {
  collection: 'docs',
  tenant: '',
  vector: new Float32Array(vector),
  topK,
  includeMetadata: false,
  includeVector: false,
  search: {},
};

async function timeIt(fn: () => Promise<unknown>): Promise<number> {
  for (let i = 0; i < 10_000; i++) await fn();
  const start = process.cpuUsage();
  for (let i = 0; i < calls; i++) await fn();
  const used = process.cpuUsage(start);
  return ((used.user + used.system) / calls) * 1000; // ns per call
}

const rows: Record<string, string | number>[] = [];
for (let round = 0; round < 3; round++) {
  const direct = await timeIt(() => endpoint.query(request, ctx));
  const sdk = await timeIt(() => docs.query({ vector, topK, includeMetadata: false }));
  rows.push({
    round: round + 1,
    'engine call ns': Math.round(direct),
    'client.query ns': Math.round(sdk),
    'overhead µs': (sdk - direct) / 1000,
  });
}
printTable(rows);
await client.close();
