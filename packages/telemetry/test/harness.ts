// Shared test plumbing: a real OpenTelemetry SDK with in-memory exporters, and a fault-injecting
// wrapper around core's real memory engine (faults cannot be made real in an in-process engine).
import {
  AindusError,
  createClient,
  createMemoryEngine,
  type Engine,
  type EngineEndpoint,
} from '@aindusdb/core';
import {
  AggregationTemporality,
  InMemoryMetricExporter,
  MeterProvider,
  type MetricData,
  PeriodicExportingMetricReader,
} from '@opentelemetry/sdk-metrics';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  type ReadableSpan,
  type Sampler,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';

/** An SDK tracer provider whose finished spans are kept in memory. */
export function createSpanHarness(sampler?: Sampler) {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({
    spanProcessors: [new SimpleSpanProcessor(exporter)],
    ...(sampler ? { sampler } : {}),
  });
  return {
    provider,
    exporter,
    spans: (): ReadableSpan[] => exporter.getFinishedSpans(),
    shutdown: () => provider.shutdown(),
  };
}

/** An SDK meter provider read on demand. */
export function createMetricHarness() {
  const exporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
  // A long interval: the test collects explicitly, the timer never fires.
  const reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 3_600_000 });
  const provider = new MeterProvider({ readers: [reader] });
  return {
    provider,
    /** Every metric collected now, across instrumentation scopes. */
    async collect(): Promise<MetricData[]> {
      const { resourceMetrics } = await reader.collect();
      return resourceMetrics.scopeMetrics.flatMap((s) => s.metrics);
    },
    shutdown: () => provider.shutdown(),
  };
}

/** The children of `parent` among `spans`, in start order. */
export function childrenOf(spans: readonly ReadableSpan[], parent: ReadableSpan): ReadableSpan[] {
  const id = parent.spanContext().spanId;
  return spans
    .filter((s) => s.parentSpanContext?.spanId === id)
    .sort((a, b) => a.startTime[0] - b.startTime[0] || a.startTime[1] - b.startTime[1]);
}

/** Spans of `spans` with no parent among them, in start order. */
export function rootsOf(spans: readonly ReadableSpan[]): ReadableSpan[] {
  const ids = new Set(spans.map((s) => s.spanContext().spanId));
  return spans
    .filter((s) => !s.parentSpanContext || !ids.has(s.parentSpanContext.spanId))
    .sort((a, b) => a.startTime[0] - b.startTime[0] || a.startTime[1] - b.startTime[1]);
}

/** Fault plan of {@link withQueryFaults}. */
export interface QueryFaults {
  /** How many queries fail before they start succeeding (`Infinity`: all). */
  failures: number;
  /** Whether the injected error is retryable. */
  retryable: boolean;
}

/**
 * Wraps a real engine so its first `failures` queries throw `UNAVAILABLE`, as a dropped
 * connection would. Everything else goes to the real engine.
 */
export function withQueryFaults(engine: Engine, faults: QueryFaults): Engine {
  let remaining = faults.failures;
  const endpoints = engine.endpoints.map(
    (endpoint): EngineEndpoint => ({
      ...endpoint,
      probe: (ctx) => endpoint.probe(ctx),
      createCollection: (spec, ctx) => endpoint.createCollection(spec, ctx),
      dropCollection: (name, ctx) => endpoint.dropCollection(name, ctx),
      listCollections: (ctx) => endpoint.listCollections(ctx),
      describeCollection: (name, ctx) => endpoint.describeCollection(name, ctx),
      upsert: (req, ctx) => endpoint.upsert(req, ctx),
      get: (req, ctx) => endpoint.get(req, ctx),
      delete: (req, ctx) => endpoint.delete(req, ctx),
      count: (req, ctx) => endpoint.count(req, ctx),
      async query(req, ctx) {
        if (remaining > 0) {
          remaining--;
          throw new AindusError('UNAVAILABLE', 'injected fault: connection reset by peer', {
            retryable: faults.retryable,
          });
        }
        return endpoint.query(req, ctx);
      },
    }),
  );
  return {
    name: engine.name,
    namespace: engine.namespace,
    capabilities: engine.capabilities,
    endpoints,
    comparePositions: (a, b) => engine.comparePositions(a, b),
    close: () => engine.close(),
  };
}

/** Four documents in a 4-dimension cosine collection. */
export const DOCS = [
  { id: 'intro', vector: [0.9, 0.1, 0, 0], metadata: { lang: 'en' } },
  { id: 'setup', vector: [0.7, 0.3, 0.1, 0], metadata: { lang: 'en' } },
  { id: 'einfuehrung', vector: [0.85, 0.15, 0, 0.05], metadata: { lang: 'de' } },
  { id: 'api', vector: [0, 0.2, 0.9, 0.1], metadata: { lang: 'en' } },
];

/** A client over the (optionally faulty) memory engine with collection `docs` filled. */
export async function createDocsClient(options: Parameters<typeof createClient>[0]) {
  const client = createClient(options);
  const docs = await client.createCollection('docs', { dimension: 4, metric: 'cosine' });
  await docs.upsert(DOCS);
  return { client, docs };
}

export { createMemoryEngine };
