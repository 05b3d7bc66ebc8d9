import { AindusError } from '../errors/aindus-error.js';
import type { FilterScalar } from '../types.js';
import { isStorableText } from '../util/text.js';
import type { ComparisonOp, FilterNode } from './filter-node.js';

/** Nesting and size limits that keep hostile filters cheap to reject. */
const MAX_DEPTH = 32;
const MAX_NODES = 10_000;
const MAX_PATH_SEGMENTS = 16;
const MAX_SEGMENT_BYTES = 256;

const COMPARISONS: Record<string, ComparisonOp> = {
  $eq: 'eq',
  $ne: 'ne',
  $gt: 'gt',
  $gte: 'gte',
  $lt: 'lt',
  $lte: 'lte',
};

function invalid(message: string, path: string): never {
  throw new AindusError('INVALID_FILTER', `Invalid filter at ${path || 'root'}: ${message}`, {
    details: { at: path || 'root' },
  });
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function isScalar(value: unknown): value is FilterScalar {
  return (
    value === null ||
    typeof value === 'string' ||
    typeof value === 'boolean' ||
    (typeof value === 'number' && Number.isFinite(value))
  );
}

/** Normalizes -0 so `{ n: -0 }` and `{ n: 0 }` compile (and cache) alike. */
function scalar(value: unknown, at: string): FilterScalar {
  if (!isScalar(value)) invalid('expected a string, finite number, boolean or null', at);
  if (typeof value === 'string' && !isStorableText(value))
    invalid('string holds NUL or a lone surrogate', at);
  return Object.is(value, -0) ? 0 : value;
}

function parsePath(field: string, at: string): string[] {
  if (field.length === 0) invalid('empty field name', at);
  const path = field.split('.');
  if (path.length > MAX_PATH_SEGMENTS) invalid(`more than ${MAX_PATH_SEGMENTS} path segments`, at);
  for (const segment of path) {
    if (segment.length === 0) invalid(`empty segment in field "${field}"`, at);
    if (segment.startsWith('$')) invalid(`unknown operator "${segment}"`, at);
    if (!isStorableText(segment)) invalid('field name holds NUL or a lone surrogate', at);
    if (Buffer.byteLength(segment) > MAX_SEGMENT_BYTES) invalid('field name too long', at);
  }
  return path;
}

interface Budget {
  nodes: number;
}

function parseNode(input: unknown, at: string, depth: number, budget: Budget): FilterNode {
  if (depth > MAX_DEPTH) invalid(`nested deeper than ${MAX_DEPTH}`, at);
  if (!isPlainObject(input)) invalid('expected an object', at);
  const args: FilterNode[] = [];
  for (const key of Object.keys(input)) {
    const value = input[key];
    if (value === undefined) continue; // as JSON would drop it
    const here = at ? `${at}.${key}` : key;
    if (++budget.nodes > MAX_NODES) invalid(`more than ${MAX_NODES} conditions`, at);
    if (key === '$and' || key === '$or') {
      if (!Array.isArray(value) || value.length === 0)
        invalid(`${key} takes a non-empty array`, here);
      const children = value.map((child, i) =>
        parseNode(child, `${here}[${i}]`, depth + 1, budget),
      );
      args.push({ op: key === '$and' ? 'and' : 'or', args: children });
    } else if (key === '$not') {
      args.push({ op: 'not', arg: parseNode(value, here, depth + 1, budget) });
    } else if (key.startsWith('$')) {
      invalid(`unknown operator "${key}"`, here);
    } else {
      args.push(...parseField(parsePath(key, here), value, here));
    }
  }
  return args.length === 1 ? args[0]! : { op: 'and', args };
}

function parseField(path: string[], value: unknown, at: string): FilterNode[] {
  if (!isPlainObject(value)) return [{ op: 'eq', path, value: scalar(value, at) }];
  const keys = Object.keys(value).filter((k) => value[k] !== undefined);
  if (keys.length === 0) invalid('empty operator object', at);
  return keys.map((op) => parseOperator(path, op, value[op], `${at}.${op}`));
}

function parseOperator(path: string[], op: string, operand: unknown, at: string): FilterNode {
  const comparison = COMPARISONS[op];
  if (comparison === 'eq' || comparison === 'ne')
    return { op: comparison, path, value: scalar(operand, at) };
  if (comparison !== undefined) {
    const isOrdered =
      typeof operand === 'string' || (typeof operand === 'number' && Number.isFinite(operand));
    if (!isOrdered) invalid(`${op} takes a finite number or a string`, at);
    return { op: comparison, path, value: scalar(operand, at) };
  }
  if (op === '$in' || op === '$nin') {
    if (!Array.isArray(operand)) invalid(`${op} takes an array`, at);
    if (operand.length > MAX_NODES) invalid(`${op} takes at most ${MAX_NODES} values`, at);
    const values = operand.map((v, i) => scalar(v, `${at}[${i}]`));
    return { op: op === '$in' ? 'in' : 'nin', path, values };
  }
  if (op === '$exists') {
    if (typeof operand !== 'boolean') invalid('$exists takes true or false', at);
    return { op: 'exists', path, value: operand };
  }
  if (!op.startsWith('$'))
    invalid(`unknown operator "${op}" (match nested fields with dotted names)`, at);
  return invalid(`unknown operator "${op}"`, at);
}

/**
 * Validates a user filter and returns its canonical {@link FilterNode} form, or `undefined`
 * for an empty filter (which matches everything). Throws `INVALID_FILTER` — and nothing else —
 * for any input that is not a valid filter.
 */
export function parseFilter(filter: unknown): FilterNode | undefined {
  if (filter === undefined) return undefined;
  try {
    if (isPlainObject(filter) && Object.keys(filter).every((k) => filter[k] === undefined)) {
      return undefined;
    }
    return parseNode(filter, '', 0, { nodes: 0 });
  } catch (error) {
    if (error instanceof AindusError) throw error;
    // Getters, proxies and other exotic input must still surface as INVALID_FILTER.
    throw new AindusError('INVALID_FILTER', 'Invalid filter: could not be read', { cause: error });
  }
}
