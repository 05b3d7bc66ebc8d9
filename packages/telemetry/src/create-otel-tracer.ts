import type { SpanOptions, Tracer, TracerMetrics, TraceSpan } from '@aindusdb/core';
import {
  context,
  type MeterProvider,
  type Tracer as OtelApiTracer,
  ProxyTracerProvider,
  SpanKind,
  type TracerProvider,
  trace,
} from '@opentelemetry/api';
import { toOtelAttributes } from './attributes.js';
import { createOtelMetrics } from './otel-metrics.js';
import { NOOP_SPAN, otelSpanOf, wrapSpan } from './otel-span.js';
import { INSTRUMENTATION_NAME, INSTRUMENTATION_VERSION } from './semconv.js';

/** Options of {@link createOtelTracer}. */
export interface OtelTracerOptions {
  /**
   * Where spans go. Defaults to the global provider (`trace.getTracerProvider()`), looked up
   * on every span, so an SDK registered after the client was created is used.
   */
  tracerProvider?: TracerProvider;
  /**
   * Where measurements go. Defaults to the global provider (`metrics.getMeterProvider()`);
   * instruments are created lazily, so an SDK registered after import is used.
   */
  meterProvider?: MeterProvider;
  /**
   * Whether failed spans carry the error message (status description and the exception
   * event's `exception.message`). Default `true`. Core's own messages name fields and limits,
   * never values, but an `INTERNAL` error wraps a driver's message, which may quote a value;
   * set `false` to record only `error.type`.
   */
  errorMessages?: boolean;
}

/** The {@link Tracer} {@link createOtelTracer} returns: spans plus metric hooks. */
export interface OtelTracer extends Tracer {
  /**
   * Metric hooks over the meter provider. Each is defined while a recording meter provider is
   * in force (the one given, or an SDK registered globally) and `undefined` otherwise, so core
   * skips the work of a measurement nobody keeps. Look them up at each call; do not keep them.
   */
  readonly metrics: TracerMetrics;
}

// The no-op provider the API's global proxy delegates to until an SDK is registered.
const NOOP_TRACER_PROVIDER = new ProxyTracerProvider().getDelegate();

/**
 * Maps core's {@link Tracer} to OpenTelemetry, depending on `@opentelemetry/api` only. Pass the
 * result as `createClient({ tracer })`.
 *
 * Each operation is a span named `{op} {collection}` (CLIENT for shared engines, INTERNAL for
 * in-process ones) with the stable database semantic-convention attributes, a child span for
 * the cache lookup and one per engine attempt; failures set `error.type` and status ERROR.
 * Metrics: `db.client.operation.duration` (seconds, semantic-convention buckets),
 * `aindusdb.cache.lookups`, `aindusdb.breaker.transitions` and `aindusdb.replica.lag`.
 * Vectors, metadata, filter values and ids never reach a span.
 *
 * With no SDK registered a span costs a few property reads (a shared no-op span is returned),
 * and a span an SDK chose not to sample costs no attribute work.
 *
 * @example
 * ```ts
 * import { createClient } from '@aindusdb/core';
 * import { createHnswEngine } from '@aindusdb/hnsw-local';
 * import { createOtelTracer } from '@aindusdb/telemetry';
 *
 * const client = createClient({ engine: createHnswEngine({ dir: './data' }), tracer: createOtelTracer() });
 * ```
 */
export function createOtelTracer(options: OtelTracerOptions = {}): OtelTracer {
  const { tracerProvider, meterProvider } = options;
  const errorMessages = options.errorMessages ?? true;
  let provider: TracerProvider | undefined;
  let otelTracer: OtelApiTracer | undefined;

  return {
    startSpan(name: string, spanOptions: SpanOptions): TraceSpan {
      const now = tracerProvider ?? trace.getTracerProvider();
      // No SDK behind the global proxy: nothing could record, and core never makes its spans
      // active, so a shared no-op span is equivalent to the API's non-recording one, and free.
      if (
        tracerProvider === undefined &&
        (now as Partial<ProxyTracerProvider>).getDelegate?.() === NOOP_TRACER_PROVIDER
      ) {
        return NOOP_SPAN;
      }
      if (now !== provider || otelTracer === undefined) {
        provider = now;
        otelTracer = now.getTracer(INSTRUMENTATION_NAME, INSTRUMENTATION_VERSION);
      }
      const parent = otelSpanOf(spanOptions.parent);
      const active = context.active();
      const ctx = parent === undefined ? active : trace.setSpan(active, parent);
      const kind = spanOptions.kind === 'client' ? SpanKind.CLIENT : SpanKind.INTERNAL;
      // Attributes go in at start, so samplers see them.
      const attributes = spanOptions.attributes;
      const span = otelTracer.startSpan(
        name,
        attributes === undefined ? { kind } : { kind, attributes: toOtelAttributes(attributes) },
        ctx,
      );
      return wrapSpan(span, errorMessages);
    },
    metrics: createOtelMetrics(meterProvider),
  };
}
