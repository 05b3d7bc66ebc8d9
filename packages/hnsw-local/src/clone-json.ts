import type { JsonValue, Metadata } from '@aindusdb/core';

function cloneValue(value: JsonValue): JsonValue {
  if (typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) return value.map(cloneValue);
  const out: { [key: string]: JsonValue } = {};
  for (const key of Object.keys(value)) {
    const copy = cloneValue(value[key]!);
    // Assigning `__proto__` would set the prototype instead of an own key, as JSON.parse makes.
    if (key === '__proto__')
      Object.defineProperty(out, key, {
        value: copy,
        enumerable: true,
        writable: true,
        configurable: true,
      });
    else out[key] = copy;
  }
  return out;
}

/**
 * Deep copy of JSON metadata, so callers can never mutate what the engine stores. Much
 * cheaper than `structuredClone` for the small objects metadata usually is.
 */
export function cloneMetadata(metadata: Metadata): Metadata {
  return cloneValue(metadata) as Metadata;
}
