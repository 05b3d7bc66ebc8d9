import { isAindusError } from '@aindusdb/core';
import { type Exception, type Span, SpanStatusCode } from '@opentelemetry/api';

/**
 * The low-cardinality `error.type` of a failure: an `AindusError`'s code, else the error's
 * class name, else `_OTHER` (the semantic conventions' fallback).
 */
export function errorTypeOf(error: unknown): string {
  if (isAindusError(error)) return error.code;
  if (error instanceof Error && error.name) return error.name;
  return '_OTHER';
}

/**
 * Marks `span` failed: `error.type`, status ERROR and an exception event. Only the error's name
 * and message are recorded (no stack, no `cause`, no `details`), because a cause or details may
 * hold a driver's view of the rows; with `messages` off, not even the message.
 */
export function recordError(span: Span, error: unknown, messages: boolean): void {
  const type = errorTypeOf(error);
  span.setAttribute('error.type', type);
  const message = messages && error instanceof Error ? error.message : undefined;
  const name = error instanceof Error ? error.name : type;
  const exception: Exception = message === undefined ? { name } : { name, message };
  span.recordException(exception);
  span.setStatus(
    message === undefined
      ? { code: SpanStatusCode.ERROR }
      : { code: SpanStatusCode.ERROR, message },
  );
}
