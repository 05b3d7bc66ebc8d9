/** A span or metric attribute value. Core never puts vectors, metadata or filter values here. */
export type AttributeValue = string | number | boolean;

/** A set of attributes. */
export type Attributes = Record<string, AttributeValue | undefined>;

/** A span started through a {@link Tracer}. */
export interface TraceSpan {
  /** Adds or replaces attributes. */
  setAttributes(attributes: Attributes): void;
  /** Marks the span failed with this error (`error.type` and error status). */
  recordError(error: unknown): void;
  /** Ends the span. */
  end(): void;
}

/** Options of {@link Tracer.startSpan}. */
export interface SpanOptions {
  /** `client` for calls that leave the process, `internal` for in-process work. */
  kind: 'client' | 'internal';
  /** Parent span; without it the span joins the caller's active context, if any. */
  parent?: TraceSpan;
  /** Initial attributes. */
  attributes?: Attributes;
}

/**
 * Measurements core reports, for tracers that also keep metrics. Core reads each hook at every
 * call, so a tracer may leave one undefined (e.g. until a meter provider exists) to skip its cost.
 */
export interface TracerMetrics {
  /** A logical operation ended (`db.client.operation.duration`). */
  operationDuration?(seconds: number, attributes: Attributes): void;
  /** A cache lookup ended. */
  cacheLookup?(hit: boolean, attributes: Attributes): void;
  /** A breaker changed state. */
  breakerTransition?(state: 'closed' | 'open' | 'half-open', attributes: Attributes): void;
  /** A replica's lag was probed. */
  replicaLag?(seconds: number, attributes: Attributes): void;
}

/**
 * What core needs from a tracing system. The default does nothing; `@aindusdb/telemetry`
 * maps it to OpenTelemetry. Core starts one span per logical operation named
 * `{op} {collection}` and child spans for the cache lookup and each engine attempt.
 */
export interface Tracer {
  /** Starts a span. */
  startSpan(name: string, options: SpanOptions): TraceSpan;
  /** Optional metric hooks. */
  readonly metrics?: TracerMetrics;
}

/** A span that records nothing. */
export const noopSpan: TraceSpan = {
  setAttributes() {},
  recordError() {},
  end() {},
};

/** A {@link Tracer} that records nothing; the client's default. */
export const noopTracer: Tracer = {
  startSpan: () => noopSpan,
};
