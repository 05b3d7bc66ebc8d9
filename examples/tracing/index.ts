// Tracing: OpenTelemetry spans for every SDK operation. One "request" runs an uncached and then a
// cached query; the output shows it as one trace with the SDK's spans nested under it.
//
//   pnpm --filter @aindusdb/example-tracing start
//   OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:4318 pnpm --filter @aindusdb/example-tracing start
//
// Without an OTLP endpoint the spans are printed as trees; with one they are also sent there
// over OTLP/HTTP (JSON), e.g. to a local OpenTelemetry Collector or Jaeger.
import { createClient, createMemoryEngine } from '@aindusdb/core';
import { createOtelTracer } from '@aindusdb/telemetry';
import { context, SpanKind, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  BasicTracerProvider,
  BatchSpanProcessor,
  SimpleSpanProcessor,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { createTreeExporter } from './tree-exporter.js';

// 1. OpenTelemetry setup, once per process (in a real service: @opentelemetry/sdk-node).
const otlpEndpoint =
  process.env.OTEL_EXPORTER_OTLP_ENDPOINT || process.env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT;
let otlpSpans = 0;
const processors: SpanProcessor[] = [new SimpleSpanProcessor(createTreeExporter())];
if (otlpEndpoint) {
  // The exporter reads OTEL_EXPORTER_OTLP_* itself (endpoint, headers, timeout).
  const otlp = new OTLPTraceExporter();
  processors.push(
    new BatchSpanProcessor({
      export(spans, done) {
        otlp.export(spans, (result) => {
          if (result.code === 0) otlpSpans += spans.length;
          else console.error(`OTLP export failed: ${result.error?.message ?? 'unknown error'}`);
          done(result);
        });
      },
      shutdown: () => otlp.shutdown(),
      forceFlush: () => otlp.forceFlush(),
    }),
  );
}
context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
const provider = new BasicTracerProvider({
  resource: resourceFromAttributes({ 'service.name': 'aindusdb-tracing-example' }),
  spanProcessors: processors,
});
trace.setGlobalTracerProvider(provider);

// 2. The client, with the OpenTelemetry tracer (it uses the global provider registered above).
const client = createClient({ engine: createMemoryEngine(), tracer: createOtelTracer() });
const docs = await client.createCollection('docs', { dimension: 4, metric: 'cosine' });
await docs.upsert([
  { id: 'intro', vector: [0.9, 0.1, 0, 0], metadata: { lang: 'en' } },
  { id: 'setup', vector: [0.7, 0.3, 0.1, 0], metadata: { lang: 'en' } },
  { id: 'api', vector: [0, 0.2, 0.9, 0.1], metadata: { lang: 'en' } },
]);

// 3. One request of your service: the same query twice, first a cache miss, then a hit.
await trace
  .getTracer('tracing-example')
  .startActiveSpan('GET /search', { kind: SpanKind.SERVER }, async (request) => {
    const query = { vector: [1, 0, 0, 0], topK: 2, filter: { lang: 'en' } };
    const miss = await docs.query(query);
    const hit = await docs.query(query);
    console.log(
      `uncached: ${miss.matches.map((m) => m.id).join(', ')}; cached: ${hit.matches.map((m) => m.id).join(', ')}`,
    );
    request.end();
  });

await client.close();
await provider.shutdown(); // flushes the OTLP batch and prints the trees
if (otlpEndpoint) console.log(`sent ${otlpSpans} spans over OTLP/HTTP to ${otlpEndpoint}`);
