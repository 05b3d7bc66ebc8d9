import type { Attributes, TraceSpan } from '@aindusdb/core';
import { isSpanContextValid, type Span } from '@opentelemetry/api';
import { toOtelAttributes } from './attributes.js';
import { recordError } from './record-error.js';

// Symbol.for, so a span made by another copy of this package still parents its children.
const OTEL_SPAN = Symbol.for('aindusdb.telemetry.span');

/** A {@link TraceSpan} that carries the OpenTelemetry span behind it. */
interface CarrierSpan extends TraceSpan {
  readonly [OTEL_SPAN]: Span;
}

const noop = (): void => {};

/** Stands for a span with no valid context (no SDK, tracing suppressed): there is nothing to parent. */
export const NOOP_SPAN: TraceSpan = { setAttributes: noop, recordError: noop, end: noop };

/** The OpenTelemetry span behind a span this package made, or `undefined` for any other span. */
export function otelSpanOf(span: TraceSpan | undefined): Span | undefined {
  return (span as Partial<CarrierSpan> | undefined)?.[OTEL_SPAN];
}

/**
 * Wraps an OpenTelemetry span for core. A non-recording span (no SDK, or sampled out) costs no
 * attribute work; it is kept only when its context is valid, so children stay in its trace.
 */
export function wrapSpan(span: Span, errorMessages: boolean): TraceSpan {
  if (!span.isRecording()) {
    if (!isSpanContextValid(span.spanContext())) return NOOP_SPAN;
    const carrier: CarrierSpan = {
      [OTEL_SPAN]: span,
      setAttributes: noop,
      recordError: noop,
      end: noop,
    };
    return carrier;
  }
  const carrier: CarrierSpan = {
    [OTEL_SPAN]: span,
    setAttributes(attributes: Attributes) {
      span.setAttributes(toOtelAttributes(attributes));
    },
    recordError(error: unknown) {
      recordError(span, error, errorMessages);
    },
    end() {
      span.end();
    },
  };
  return carrier;
}
