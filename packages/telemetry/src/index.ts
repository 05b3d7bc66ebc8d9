/**
 * OpenTelemetry for the AindusDB SDK: {@link createOtelTracer} maps core's tracer interface to
 * `@opentelemetry/api` (spans and metrics), with no SDK dependency.
 *
 * @packageDocumentation
 */
export { createOtelTracer, type OtelTracer, type OtelTracerOptions } from './create-otel-tracer.js';
export {
  INSTRUMENTATION_NAME,
  INSTRUMENTATION_VERSION,
  METRIC_BREAKER_TRANSITIONS,
  METRIC_CACHE_LOOKUPS,
  METRIC_OPERATION_DURATION,
  METRIC_REPLICA_LAG,
  OPERATION_DURATION_BUCKETS,
} from './semconv.js';
