import { AindusError } from '../errors/aindus-error.js';
import type { CollectionSpec, JsonValue, Metadata } from '../types.js';
import { isStorableText } from '../util/text.js';

/** Largest id, in UTF-8 bytes. */
export const MAX_ID_BYTES = 512;
/** Largest tenant name, in UTF-8 bytes. */
export const MAX_TENANT_BYTES = 256;
/** Largest metadata object, serialized as JSON, in bytes. */
export const MAX_METADATA_BYTES = 64 * 1024;
/** Largest `topK`. */
export const MAX_TOP_K = 10_000;
/** Largest vector dimension. */
export const MAX_DIMENSION = 16_000;
const MAX_METADATA_DEPTH = 32;
const COLLECTION_NAME = /^[a-z][a-z0-9_-]{0,47}$/;

function invalid(message: string, details?: Record<string, unknown>): never {
  throw new AindusError('INVALID_ARGUMENT', message, details ? { details } : {});
}

/** Checks a collection name: lowercase letters, digits, `_`, `-`, starting with a letter, ≤ 48 chars. */
export function validateCollectionName(name: unknown): string {
  if (typeof name !== 'string' || !COLLECTION_NAME.test(name)) {
    invalid(
      `Collection name must match ${COLLECTION_NAME} (lowercase letters, digits, "_" and "-", starting with a letter, at most 48 characters); got ${JSON.stringify(name)}`,
    );
  }
  return name;
}

/** Checks a record id: a non-empty string of at most {@link MAX_ID_BYTES} UTF-8 bytes. */
export function validateId(id: unknown, details?: Record<string, unknown>): string {
  if (typeof id !== 'string' || id.length === 0)
    invalid('Record id must be a non-empty string', details);
  if (Buffer.byteLength(id, 'utf8') > MAX_ID_BYTES) {
    invalid(`Record id is longer than ${MAX_ID_BYTES} UTF-8 bytes`, details);
  }
  if (!isStorableText(id)) invalid('Record id contains NUL or a lone surrogate', details);
  return id;
}

/** Checks a tenant name: a non-empty string of at most {@link MAX_TENANT_BYTES} UTF-8 bytes. */
export function validateTenant(tenant: unknown): string {
  if (typeof tenant !== 'string' || tenant.length === 0)
    invalid('Tenant must be a non-empty string');
  if (Buffer.byteLength(tenant, 'utf8') > MAX_TENANT_BYTES) {
    invalid(`Tenant is longer than ${MAX_TENANT_BYTES} UTF-8 bytes`);
  }
  if (!isStorableText(tenant)) invalid('Tenant contains NUL or a lone surrogate');
  return tenant;
}

// Doubles at or beyond this magnitude round to ±Infinity as float32.
const FLOAT32_LIMIT = 3.4028235677973366e38;

/**
 * Checks a vector against a collection without copying it. Wrong length is
 * `DIMENSION_MISMATCH`; non-numbers, NaN, infinities, values beyond float32 range, and zero
 * vectors under cosine (no direction) are `INVALID_ARGUMENT`. A checked vector converts to
 * float32 without error ({@link toFloat32}).
 */
export function checkVector(
  vector: unknown,
  spec: Pick<CollectionSpec, 'dimension' | 'metric'>,
  details?: Record<string, unknown>,
): asserts vector is readonly number[] | Float32Array {
  const isArrayLike = Array.isArray(vector) || vector instanceof Float32Array;
  if (!isArrayLike) invalid('Vector must be an array of numbers or a Float32Array', details);
  const source = vector as ArrayLike<unknown>;
  if (source.length !== spec.dimension) {
    throw new AindusError(
      'DIMENSION_MISMATCH',
      `Vector has ${source.length} dimensions; the collection has ${spec.dimension}`,
      details ? { details } : {},
    );
  }
  let nonZero = false;
  for (let i = 0; i < source.length; i++) {
    const x = source[i];
    // One comparison pair rejects NaN, ±Infinity and float32 overflow alike.
    if (typeof x !== 'number' || !(x < FLOAT32_LIMIT && x > -FLOAT32_LIMIT)) {
      invalid(`Vector component ${i} is not a finite float32 number`, details);
    }
    if (x !== 0) nonZero = true;
  }
  if (!nonZero && spec.metric === 'cosine') {
    invalid('A zero vector has no direction under the cosine metric', details);
  }
}

/** A float32 copy of a vector that passed {@link checkVector}. */
export function toFloat32(vector: readonly number[] | Float32Array): Float32Array {
  return vector instanceof Float32Array ? vector.slice() : Float32Array.from(vector);
}

/** {@link checkVector}, then a float32 copy. */
export function validateVector(
  vector: unknown,
  spec: Pick<CollectionSpec, 'dimension' | 'metric'>,
  details?: Record<string, unknown>,
): Float32Array {
  checkVector(vector, spec, details);
  return toFloat32(vector);
}

/**
 * Checks metadata is a JSON object of at most {@link MAX_METADATA_BYTES} and returns a normalized
 * copy: properties whose value is `undefined` are dropped (as JSON does), `-0` becomes `0`.
 */
export function normalizeMetadata(metadata: unknown, details?: Record<string, unknown>): Metadata {
  if (metadata === undefined) return {};
  const seen = new Set<object>();
  const copy = (value: unknown, depth: number, at: string): JsonValue => {
    if (typeof value === 'string') {
      if (!isStorableText(value))
        invalid(`Metadata ${at} contains NUL or a lone surrogate`, details);
      return value;
    }
    if (value === null || typeof value === 'boolean') return value;
    if (typeof value === 'number') {
      if (!Number.isFinite(value)) invalid(`Metadata ${at} is not a finite number`, details);
      return Object.is(value, -0) ? 0 : value;
    }
    if (typeof value !== 'object')
      invalid(`Metadata ${at} is a ${typeof value}, not JSON`, details);
    if (depth > MAX_METADATA_DEPTH)
      invalid(`Metadata nests deeper than ${MAX_METADATA_DEPTH}`, details);
    if (seen.has(value)) invalid(`Metadata ${at} is circular`, details);
    seen.add(value);
    let result: JsonValue;
    if (Array.isArray(value)) {
      result = value.map((v, i) => {
        if (v === undefined) invalid(`Metadata ${at}[${i}] is undefined`, details);
        return copy(v, depth + 1, `${at}[${i}]`);
      });
    } else {
      const proto = Object.getPrototypeOf(value);
      if (proto !== Object.prototype && proto !== null) {
        invalid(`Metadata ${at} is not a plain object`, details);
      }
      const obj: { [key: string]: JsonValue } = {};
      for (const key of Object.keys(value)) {
        const v = (value as Record<string, unknown>)[key];
        if (v === undefined) continue;
        if (!isStorableText(key))
          invalid(`Metadata key at ${at} contains NUL or a lone surrogate`, details);
        // defineProperty keeps "__proto__" an ordinary key instead of changing the prototype.
        Object.defineProperty(obj, key, {
          value: copy(v, depth + 1, `${at}.${key}`),
          enumerable: true,
          writable: true,
          configurable: true,
        });
      }
      result = obj;
    }
    seen.delete(value);
    return result;
  };
  if (typeof metadata !== 'object' || metadata === null || Array.isArray(metadata)) {
    invalid('Metadata must be a JSON object', details);
  }
  const normalized = copy(metadata, 0, 'metadata') as Metadata;
  if (Buffer.byteLength(JSON.stringify(normalized)) > MAX_METADATA_BYTES) {
    invalid(`Metadata is larger than ${MAX_METADATA_BYTES} bytes as JSON`, details);
  }
  return normalized;
}

/** Checks a whole number within bounds. */
export function validateInteger(value: unknown, name: string, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    invalid(`${name} must be a whole number from ${min} to ${max}; got ${String(value)}`);
  }
  return value;
}
