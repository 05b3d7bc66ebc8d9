import assert from 'node:assert/strict';
import type { Collection } from '../client/client.js';
import { type AindusError, type AindusErrorCode, isAindusError } from '../errors/aindus-error.js';
import type { Filter, Metric, QueryResult } from '../types.js';

/** Distances and scores are compared within this tolerance: engines store float32. */
export const TOLERANCE = 1e-4;

function describeError(error: unknown): string {
  if (isAindusError(error)) return `AindusError ${error.code}: ${error.message}`;
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return `non-error value ${String(error)}`;
}

/**
 * Asserts that `action` rejects (or throws) an {@link AindusError} with `code`, and returns it.
 * `details`, when given, must be a subset of the error's details.
 */
export async function expectError(
  action: Promise<unknown> | (() => unknown),
  code: AindusErrorCode,
  details?: Record<string, unknown>,
): Promise<AindusError> {
  let outcome: { ok: true; value: unknown } | { ok: false; error: unknown };
  try {
    const value = typeof action === 'function' ? await action() : await action;
    outcome = { ok: true, value };
  } catch (error) {
    outcome = { ok: false, error };
  }
  if (outcome.ok) assert.fail(`expected ${code}, but the call succeeded`);
  const { error } = outcome;
  if (!isAindusError(error, code)) assert.fail(`expected ${code}, got ${describeError(error)}`);
  for (const [key, value] of Object.entries(details ?? {})) {
    assert.deepEqual(error.details[key], value, `details.${key} of ${error.message}`);
  }
  return error;
}

/** Asserts `|actual − expected| ≤ tolerance`. */
export function near(
  actual: number,
  expected: number,
  message: string,
  tolerance = TOLERANCE,
): void {
  assert.ok(
    typeof actual === 'number' && Math.abs(actual - expected) <= tolerance,
    `${message}: expected ${expected} ± ${tolerance}, got ${actual}`,
  );
}

/** The ids of a query result, in order. */
export function idsOf(result: QueryResult): string[] {
  return result.matches.map((m) => m.id);
}

/** Sorts a copy of `ids` by code point, for set comparisons. */
export function sorted(ids: readonly string[]): string[] {
  return [...ids].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/** Asserts two id lists hold the same ids, ignoring order. */
export function sameIds(
  actual: readonly string[],
  expected: readonly string[],
  message: string,
): void {
  assert.equal(
    new Set(actual).size,
    actual.length,
    `${message}: duplicate ids in ${JSON.stringify(actual)}`,
  );
  assert.deepEqual(sorted(actual), sorted(expected), message);
}

/** Metric-native distance, computed here from float32-rounded inputs in float64 (independent of core). */
export function referenceDistance(
  metric: Metric,
  a: ArrayLike<number>,
  b: ArrayLike<number>,
): number {
  let dot = 0;
  let aa = 0;
  let bb = 0;
  let sq = 0;
  for (let i = 0; i < a.length; i++) {
    const x = Math.fround(a[i]!);
    const y = Math.fround(b[i]!);
    dot += x * y;
    aa += x * x;
    bb += y * y;
    sq += (x - y) ** 2;
  }
  if (metric === 'cosine') return 1 - dot / Math.sqrt(aa * bb);
  if (metric === 'l2') return Math.sqrt(sq);
  return -dot;
}

/** The §4 score of a distance. */
export function referenceScore(metric: Metric, distance: number): number {
  if (metric === 'cosine') return 1 - distance;
  if (metric === 'l2') return 1 / (1 + distance);
  return -distance;
}

/**
 * Ids of every record passing `filter`, through an exact query with a `topK` above the
 * collection's size; also checks the result is ordered, complete, and agrees with `count`.
 */
export async function exactIds(
  collection: Collection,
  vector: readonly number[],
  filter: Filter | undefined,
  topK = 10_000,
): Promise<string[]> {
  const result = await collection.query({ vector, topK, filter, search: { exact: true } });
  assert.equal(result.complete, true, 'an exact query is complete');
  assertOrdered(result);
  return idsOf(result);
}

/** Asserts matches are ordered by distance, ties by id (code point order). */
export function assertOrdered(result: QueryResult): void {
  for (let i = 1; i < result.matches.length; i++) {
    const a = result.matches[i - 1]!;
    const b = result.matches[i]!;
    const ok = a.distance < b.distance || (a.distance === b.distance && codePointLess(a.id, b.id));
    assert.ok(ok, `matches out of order at ${i}: ${a.id}@${a.distance} then ${b.id}@${b.distance}`);
  }
}

/** Code point order of strings (UTF-16 `<` differs for astral characters). */
export function codePointLess(a: string, b: string): boolean {
  const x = [...a].map((c) => c.codePointAt(0)!);
  const y = [...b].map((c) => c.codePointAt(0)!);
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    if (x[i] !== y[i]) return x[i]! < y[i]!;
  }
  return x.length < y.length;
}

/** Asserts `actual` holds the float32 values of `expected`, each within 1e-6 (relative for large values). */
export function nearVector(
  actual: readonly number[] | undefined,
  expected: ArrayLike<number>,
  label: string,
): void {
  assert.ok(Array.isArray(actual), `${label}: a vector was returned`);
  assert.equal(actual.length, expected.length, `${label}: vector length`);
  for (let j = 0; j < expected.length; j++) {
    const want = Math.fround(expected[j]!);
    near(actual[j]!, want, `${label}: component ${j}`, Math.max(1e-6, Math.abs(want) * 1e-6));
  }
}
