import type { Attributes } from '@aindusdb/core';
import type { Attributes as OtelAttributes } from '@opentelemetry/api';

/**
 * Copies the attributes OpenTelemetry accepts: strings, finite-or-not numbers and booleans.
 * `undefined` (core's "not known") is dropped, and so is anything else (arrays, objects), so a
 * vector or a metadata object can never reach a span even if a caller passes one by mistake.
 */
export function toOtelAttributes(attributes: Attributes): OtelAttributes {
  const out: OtelAttributes = {};
  for (const key in attributes) {
    const value = attributes[key];
    const type = typeof value;
    if (type === 'string' || type === 'number' || type === 'boolean') out[key] = value;
  }
  return out;
}
