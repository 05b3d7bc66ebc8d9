import type { FilterNode, FilterScalar } from '@aindusdb/core';
import { type Params, textArray } from './params.js';

// jsonb's `#>` reads a path segment as an array index when the value there is an array
// (PostgreSQL parses it with strtol: optional blanks and sign, digits). The reference semantics
// only walk objects, so before such a segment the value must be checked to be an object.
const INDEX_LIKE = /^\s*[+-]?\d/;

/**
 * The jsonb value at `path` in `metadata` — SQL NULL when the path is missing — walking objects
 * only, as `compileFilter` in core's lookup does.
 */
function valueAt(path: readonly string[], params: Params): string {
  const full = `metadata #> ${params.add(textArray(path))}::text[]`;
  const checks: string[] = [];
  for (let i = 1; i < path.length; i++) {
    if (INDEX_LIKE.test(path[i]!)) {
      checks.push(
        `jsonb_typeof(metadata #> ${params.add(textArray(path.slice(0, i)))}::text[]) = 'object'`,
      );
    }
  }
  return checks.length === 0 ? `(${full})` : `(CASE WHEN ${checks.join(' AND ')} THEN ${full} END)`;
}

const jsonParam = (value: FilterScalar, params: Params) =>
  `${params.add(JSON.stringify(value))}::jsonb`;

const RANGE_OPS = { gt: '>', gte: '>=', lt: '<', lte: '<=' } as const;

/**
 * Compiles a canonical filter to a SQL predicate over the `metadata` jsonb column with the exact
 * semantics of core's `compileFilter` in core: equality never coerces (jsonb equality, so types must
 * match), ranges compare numbers with numbers and strings with strings by code point
 * (`COLLATE "C"`), a missing field matches only `ne`, `nin` and `exists: false`. Every leaf is
 * wrapped so it is TRUE or FALSE, never NULL, which keeps `$not` a plain negation. Paths and
 * values are bound parameters; nothing from the filter is pasted into the SQL text.
 */
export function compileFilterSql(node: FilterNode, params: Params): string {
  switch (node.op) {
    case 'and':
      return node.args.length === 0
        ? 'TRUE'
        : `(${node.args.map((a) => compileFilterSql(a, params)).join(' AND ')})`;
    case 'or':
      return node.args.length === 0
        ? 'FALSE'
        : `(${node.args.map((a) => compileFilterSql(a, params)).join(' OR ')})`;
    case 'not':
      return `(NOT ${compileFilterSql(node.arg, params)})`;
    case 'eq':
      return `COALESCE(${valueAt(node.path, params)} = ${jsonParam(node.value, params)}, FALSE)`;
    case 'ne':
      return `(NOT COALESCE(${valueAt(node.path, params)} = ${jsonParam(node.value, params)}, FALSE))`;
    case 'in':
    case 'nin': {
      const list = `${params.add(textArray(node.values.map((v) => JSON.stringify(v))))}::jsonb[]`;
      const test = `COALESCE(${valueAt(node.path, params)} = ANY(${list}), FALSE)`;
      return node.op === 'in' ? test : `(NOT ${test})`;
    }
    case 'exists':
      return `(${valueAt(node.path, params)} IS ${node.value ? 'NOT NULL' : 'NULL'})`;
    case 'gt':
    case 'gte':
    case 'lt':
    case 'lte': {
      const op = RANGE_OPS[node.op];
      const v = valueAt(node.path, params);
      if (typeof node.value === 'number') {
        // jsonb orders numbers numerically and never errors across types; the type test keeps
        // other types out (jsonb would order them by type).
        return `COALESCE(jsonb_typeof(${v}) = 'number' AND ${v} ${op} ${jsonParam(node.value, params)}, FALSE)`;
      }
      if (typeof node.value === 'string') {
        const text = `(${v} #>> '{}') COLLATE "C"`;
        return `COALESCE(jsonb_typeof(${v}) = 'string' AND ${text} ${op} (${params.add(node.value)}::text COLLATE "C"), FALSE)`;
      }
      return 'FALSE';
    }
  }
}
