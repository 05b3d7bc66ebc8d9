// Telemetry overhead on query latency, side by side in one run:
//   none        — no tracer (core's no-op default)
//   none (A/A)  — a second untraced client: the spread between it and `none` is this run's noise
//   otel-off    — createOtelTracer() with no OpenTelemetry SDK registered
//   otel-sdk    — createOtelTracer() over an SDK tracer provider with a BatchSpanProcessor
//                 exporting to a no-op exporter (every span recorded, built and batched)
// The clients share one engine and one index; the cache is off so every query reaches the engine.
// Variants run interleaved in rounds (order rotated each round); the table reports medians of the
// per-round figures, and ratios as the median of per-round ratios to `none` (paired, so drift that
// hits every variant of a round alike cancels). CPU time is this process's, all threads.
//
//   cd bench && npx tsx telemetry/index.ts [--engine hnsw|memory] [--rounds 61] [--queries 1000]
//                                          [--top-k 10] [--dataset <dir with base.fvecs, query.fvecs>]
import { availableParallelism, loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import {
  type Client,
  createClient,
  createMemoryEngine,
  type Engine,
  noopTracer,
  type Tracer,
} from '@aindusdb/core';
import { createOtelTracer } from '@aindusdb/telemetry';
import {
  BasicTracerProvider,
  BatchSpanProcessor,
  type ReadableSpan,
  type SpanExporter,
} from '@opentelemetry/sdk-trace-base';
import { DEFAULT_DATASET_DIR, printTable, readFvecs } from '../lib/dataset.js';

const { values: args } = parseArgs({
  options: {
    engine: { type: 'string', default: 'hnsw' },
    rounds: { type: 'string', default: '61' },
    queries: { type: 'string', default: '1000' },
    'top-k': { type: 'string', default: '10' },
    dataset: { type: 'string', default: DEFAULT_DATASET_DIR },
  },
});
const rounds = Number(args.rounds);
const perRound = Number(args.queries);
const topK = Number(args['top-k']);

// 4,500 base rows plus the 500 held-out query rows: 5,000 real 128-dimension vectors indexed.
const base = readFvecs(join(args.dataset, 'base.fvecs'));
const heldOut = readFvecs(join(args.dataset, 'query.fvecs'));
const vectors = [...base, ...heldOut];
// Queries: the held-out rows nudged by a small deterministic offset, so none is an exact hit.
const queries = heldOut.map((q, i) =>
  Array.from(q, (x, j) => x + (((i * 31 + j * 17) % 7) - 3) * 0.25),
);
const dimension = vectors[0]!.length;

/** Counts what the SDK hands it and drops it: measures span work, not export I/O. */
let exportedSpans = 0;
const noopExporter: SpanExporter = {
  export(spans: ReadableSpan[], done) {
    exportedSpans += spans.length;
    done({ code: 0 });
  },
  shutdown: async () => {},
};

async function createEngine(): Promise<Engine> {
  if (args.engine === 'memory') return createMemoryEngine();
  if (args.engine !== 'hnsw')
    throw new Error(`--engine must be hnsw or memory, got ${args.engine}`);
  // Memory-only (no dir): the query path is the same as with persistence, minus the disk.
  const { createHnswEngine } = await import('@aindusdb/hnsw-local');
  return createHnswEngine();
}

const engine = await createEngine();
const sdk = new BasicTracerProvider({ spanProcessors: [new BatchSpanProcessor(noopExporter)] });
const variants: { name: string; tracer: Tracer | undefined }[] = [
  { name: 'none', tracer: undefined },
  // A/A control: a second untraced client shows the noise floor of this run.
  { name: 'none (A/A)', tracer: undefined },
  { name: 'otel-off', tracer: createOtelTracer() },
  { name: 'otel-sdk', tracer: createOtelTracer({ tracerProvider: sdk }) },
];
const clients: Client[] = variants.map((v) =>
  createClient({ engine, cache: false, ...(v.tracer ? { tracer: v.tracer } : {}) }),
);

// A separate client loads the data: a client that wrote routes its reads by its session
// position, which would make it unlike the measured ones.
const loaderClient = createClient({ engine, cache: false });
const loader = await loaderClient.createCollection('sift', { dimension, metric: 'l2' });
const started = performance.now();
await loader.upsert(vectors.map((vector, i) => ({ id: String(i), vector })));
const ingestSeconds = (performance.now() - started) / 1000;

let cursor = 0;
/** One variant's cost in one round, per query. */
interface Sample {
  wallUs: number;
  cpuUs: number;
}

/**
 * Runs `count` sequential queries through `client`. Wall time is what a caller waits; CPU time
 * (this process, all threads) is what the variant costs, and is far less disturbed by other
 * processes competing for the cores.
 */
async function run(client: Client, count: number): Promise<Sample> {
  const sift = client.collection('sift');
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  for (let i = 0; i < count; i++) {
    await sift.query({ vector: queries[cursor++ % queries.length]!, topK });
    // Let timers run now and then, as a server's I/O would, so the batch processor can export.
    if (i % 64 === 63) await new Promise(setImmediate);
  }
  const wallUs = ((performance.now() - t0) * 1000) / count;
  const cpu = process.cpuUsage(cpu0);
  return { wallUs, cpuUs: (cpu.user + cpu.system) / count };
}

// Warm-up: JIT, spec caches, the SDK's first spans.
const warmup = Math.min(perRound, 500);
for (const client of clients) await run(client, warmup);

const samples: Sample[][] = variants.map(() => []);
for (let r = 0; r < rounds; r++) {
  for (let k = 0; k < variants.length; k++) {
    const v = (r + k) % variants.length; // rotate the order each round
    samples[v]!.push(await run(clients[v]!, perRound));
  }
}
await sdk.forceFlush();

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};
// Paired per-round ratios cancel drift that affects every variant of a round alike.
const pairedRatio = (v: number, key: keyof Sample) =>
  median(samples[v]!.map((s, r) => s[key] / samples[0]![r]![key]));
const pct = (ratio: number) => `${((ratio - 1) * 100).toFixed(2)}%`;
const rows = variants.map((variant, v) => {
  const wall = samples[v]!.map((s) => s.wallUs);
  const cpu = samples[v]!.map((s) => s.cpuUs);
  return {
    variant: variant.name,
    'wall µs/query': median(wall),
    'cpu µs/query': median(cpu),
    'wall ratio': pairedRatio(v, 'wallUs'),
    'cpu ratio': pairedRatio(v, 'cpuUs'),
    'wall overhead': pct(pairedRatio(v, 'wallUs')),
    'cpu overhead': pct(pairedRatio(v, 'cpuUs')),
  };
});

console.log(
  `engine ${engine.name}, ${vectors.length} vectors x ${dimension} dims (ingest ${ingestSeconds.toFixed(1)} s), ` +
    `cache off, topK ${topK}, ${rounds} rounds x ${perRound} queries per variant, node ${process.version}, ` +
    `${availableParallelism()} cores, load average ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}`,
);
printTable(rows);
const expectedSpans = (warmup + rounds * perRound) * 2; // operation + engine attempt
console.log(
  `otel-sdk spans exported to the no-op exporter: ${exportedSpans} of ${expectedSpans} started`,
);

// Part 2: the tracer calls alone. The end-to-end table cannot resolve differences smaller than
// its A/A spread, so this times exactly what core asks of the tracer for one uncached query —
// two spans, six attribute updates, one duration measurement — in a loop, interleaved the same
// way, and expresses the difference as a share of the median query time measured above.
const tracers: Tracer[] = variants.map((v) => v.tracer ?? noopTracer);
// Core builds these objects whatever the tracer, so they are built once here: only the tracer's
// own work differs between variants. The duration hook's argument is built inline, as core does,
// because core builds it only when the hook exists.
const opBase = {
  'db.system.name': engine.name,
  'db.operation.name': 'query',
  'db.collection.name': 'sift',
  'db.namespace': engine.namespace,
};
const spanOptions = { kind: 'internal' as const, attributes: opBase };
const topKAttributes = { 'db.vector.query.top_k': topK };
const breakerAttributes = { 'aindusdb.breaker.state': 'closed' };
const attemptAttributes = { ...opBase, 'aindusdb.endpoint': 'local', 'aindusdb.attempt': 1 };
const routeAttributes = {
  'aindusdb.endpoint': 'local',
  'aindusdb.route.reason': 'single endpoint',
};
const rowsAttributes = { 'db.response.returned_rows': topK };
const retryAttributes = { 'aindusdb.retry.count': 0 };
function tracerCallsOfOneQuery(tracer: Tracer): void {
  const span = tracer.startSpan('query sift', spanOptions);
  span.setAttributes(topKAttributes);
  span.setAttributes(breakerAttributes);
  const attempt = tracer.startSpan('query sift', {
    kind: 'internal',
    parent: span,
    attributes: attemptAttributes,
  });
  span.setAttributes(routeAttributes);
  attempt.end();
  span.setAttributes(rowsAttributes);
  span.setAttributes(retryAttributes);
  span.end();
  tracer.metrics?.operationDuration?.(0.00005, { ...opBase, 'error.type': undefined });
}
const callsPerRound = 50_000;
const callNs: number[][] = variants.map(() => []);
for (let r = -3; r < 31; r++) {
  for (let k = 0; k < variants.length; k++) {
    const v = (r + 3 + k) % variants.length;
    const t0 = performance.now();
    for (let i = 0; i < callsPerRound; i++) {
      tracerCallsOfOneQuery(tracers[v]!);
      // Under the batch processor's 2,048-span queue: its timer must get to run.
      if (i % 512 === 511) await new Promise(setImmediate);
    }
    if (r >= 0) callNs[v]!.push(((performance.now() - t0) * 1e6) / callsPerRound); // r < 0: warm-up
  }
}
const queryUs = median(samples[0]!.map((s) => s.wallUs));
const noneNs = median(callNs[0]!);
console.log(
  `\nTracer calls of one query, isolated (${callNs[0]!.length} rounds x ${callsPerRound}; share of the ${queryUs.toFixed(1)} µs median query):`,
);
printTable(
  variants.map((variant, v) => {
    const added = median(callNs[v]!) - noneNs;
    return {
      variant: variant.name,
      'ns per query': median(callNs[v]!),
      'ns added vs none': Math.round(added),
      'share of query time': `${((added / (queryUs * 1000)) * 100).toFixed(3)}%`,
    };
  }),
);

await Promise.all([...clients, loaderClient].map((c) => c.close()));
await sdk.shutdown();
