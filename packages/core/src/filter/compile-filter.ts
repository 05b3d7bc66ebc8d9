import type { FilterScalar, JsonValue, Metadata } from '../types.js';
import { compareCodePoints } from '../util/text.js';
import type { FilterNode } from './filter-node.js';

/** A compiled filter: true when a record's metadata passes. */
export type FilterPredicate = (metadata: Metadata) => boolean;

const MISSING = Symbol('missing');

function lookup(metadata: Metadata, path: readonly string[]): JsonValue | typeof MISSING {
  let current: JsonValue | undefined = metadata;
  for (const segment of path) {
    if (typeof current !== 'object' || current === null || Array.isArray(current)) return MISSING;
    if (!Object.hasOwn(current, segment)) return MISSING;
    current = current[segment];
  }
  return current === undefined ? MISSING : current;
}

/** Same type and value; no coercion. Arrays and objects never equal a scalar. */
function equals(a: JsonValue | typeof MISSING, b: FilterScalar): boolean {
  return a === b;
}

/** Orders two values of the same primitive type; `undefined` when types differ. */
function order(a: JsonValue | typeof MISSING, b: FilterScalar): number | undefined {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'string' && typeof b === 'string') return compareCodePoints(a, b);
  return undefined;
}

/**
 * Compiles a canonical filter once into a predicate over metadata — the reference semantics
 * every engine must reproduce (the memory engine and hnsw-local use it directly).
 */
export function compileFilter(node: FilterNode | undefined): FilterPredicate {
  if (node === undefined) return () => true;
  switch (node.op) {
    case 'and': {
      const parts = node.args.map(compileFilter);
      return (m) => parts.every((p) => p(m));
    }
    case 'or': {
      const parts = node.args.map(compileFilter);
      return (m) => parts.some((p) => p(m));
    }
    case 'not': {
      const inner = compileFilter(node.arg);
      return (m) => !inner(m);
    }
    case 'eq':
      return (m) => equals(lookup(m, node.path), node.value);
    case 'ne':
      return (m) => !equals(lookup(m, node.path), node.value);
    case 'in': {
      const { path, values } = node;
      return (m) => {
        const v = lookup(m, path);
        return values.some((x) => equals(v, x));
      };
    }
    case 'nin': {
      const { path, values } = node;
      return (m) => {
        const v = lookup(m, path);
        return !values.some((x) => equals(v, x));
      };
    }
    case 'exists':
      return (m) => (lookup(m, node.path) !== MISSING) === node.value;
    case 'gt':
    case 'gte':
    case 'lt':
    case 'lte': {
      const { op, path, value } = node;
      return (m) => {
        const c = order(lookup(m, path), value);
        if (c === undefined) return false;
        if (op === 'gt') return c > 0;
        if (op === 'gte') return c >= 0;
        if (op === 'lt') return c < 0;
        return c <= 0;
      };
    }
  }
}

/** A stable string for a canonical filter, for cache keys. */
export function filterKey(node: FilterNode | undefined): string {
  return node === undefined ? '' : JSON.stringify(node);
}
