import { AindusError, type CollectionSpec, type Metric } from '@aindusdb/core';
import type { SchemaNames } from './identifiers.js';

/** Largest dimension pgvector indexes as `vector` (hnsw and ivfflat). */
export const MAX_VECTOR_INDEX_DIMENSION = 2000;
/** Largest dimension pgvector indexes as `halfvec`, through an expression index. */
export const MAX_HALFVEC_INDEX_DIMENSION = 4000;

/** How a collection's vectors are indexed and compared. */
export interface VectorLayout {
  /** `vector` (≤ 2,000 dimensions), `halfvec` expression index (≤ 4,000), or none (exact scans). */
  kind: 'vector' | 'halfvec' | 'unindexed';
  /** pgvector's distance operator for the metric. */
  operator: '<=>' | '<->' | '<#>';
  /** Expression the ANN index is built on and queries order by (`$q` stands for the query). */
  indexed(query: string): string;
  /** Full-precision distance, as queries return it. */
  exact(query: string): string;
}

const OPERATORS: Record<Metric, VectorLayout['operator']> = { cosine: '<=>', l2: '<->', ip: '<#>' };
const OPCLASS: Record<Metric, string> = { cosine: 'cosine_ops', l2: 'l2_ops', ip: 'ip_ops' };

/** A whole number checked again right before it becomes part of DDL (type modifiers and WITH options cannot be bound). */
function literalInt(value: number, name: string, min: number, max: number): string {
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new AindusError(
      'INVALID_ARGUMENT',
      `${name} must be a whole number from ${min} to ${max}; got ${String(value)}`,
    );
  }
  return String(value);
}

/** The layout a spec gets: `vector`, a `halfvec` expression index above 2,000 dimensions, or none. */
export function vectorLayout(spec: CollectionSpec): VectorLayout {
  const operator = OPERATORS[spec.metric];
  const d = literalInt(spec.dimension, 'dimension', 1, 16_000);
  const exact = (q: string) => `(embedding ${operator} ${q}::vector)`;
  if (spec.index.type === 'none' || spec.dimension > MAX_HALFVEC_INDEX_DIMENSION) {
    return { kind: 'unindexed', operator, indexed: exact, exact };
  }
  if (spec.dimension > MAX_VECTOR_INDEX_DIMENSION) {
    return {
      kind: 'halfvec',
      operator,
      indexed: (q) => `((embedding::halfvec(${d})) ${operator} (${q}::vector::halfvec(${d})))`,
      exact,
    };
  }
  return { kind: 'vector', operator, indexed: exact, exact };
}

/** Largest dimension whose vectors stay in the table row (`STORAGE PLAIN`, at most ~6 KB). */
export const MAX_INLINE_DIMENSION = 1500;

/**
 * `CREATE TABLE` for a collection — PK (tenant, id) with "C" collation so id ties sort by code
 * point — and the vector column's storage: vectors of random-looking floats never compress, so
 * they stay in the row up to {@link MAX_INLINE_DIMENSION} dimensions (no TOAST on writes, index
 * builds or reads) and go out of line uncompressed above.
 */
export function createTableSql(names: SchemaNames, spec: CollectionSpec): string[] {
  const d = literalInt(spec.dimension, 'dimension', 1, 16_000);
  const table = names.table(spec.name);
  const storage = spec.dimension <= MAX_INLINE_DIMENSION ? 'PLAIN' : 'EXTERNAL';
  return [
    `CREATE TABLE ${table} (
  tenant text COLLATE "C" NOT NULL,
  id text COLLATE "C" NOT NULL,
  embedding vector(${d}) NOT NULL,
  metadata jsonb NOT NULL DEFAULT '{}'::jsonb,
  PRIMARY KEY (tenant, id)
)`,
    `ALTER TABLE ${table} ALTER COLUMN embedding SET STORAGE ${storage}`,
  ];
}

/** `CREATE INDEX IF NOT EXISTS` for the collection's ANN index, or undefined when it has none. */
export function createIndexSql(names: SchemaNames, spec: CollectionSpec): string | undefined {
  const layout = vectorLayout(spec);
  if (layout.kind === 'unindexed' || spec.index.type === 'none') return undefined;
  const d = literalInt(spec.dimension, 'dimension', 1, 16_000);
  const column =
    layout.kind === 'halfvec'
      ? `(embedding::halfvec(${d})) halfvec_${OPCLASS[spec.metric]}`
      : `embedding vector_${OPCLASS[spec.metric]}`;
  const index = spec.index;
  const method = index.type;
  const options =
    index.type === 'hnsw'
      ? `m = ${literalInt(index.m, 'index.m', 2, 100)}, ef_construction = ${literalInt(index.efConstruction, 'index.efConstruction', 4, 1000)}`
      : `lists = ${literalInt(index.lists, 'index.lists', 1, 32_768)}`;
  return `CREATE INDEX IF NOT EXISTS ${names.indexName(spec.name)} ON ${names.table(spec.name)} USING ${method} (${column}) WITH (${options})`;
}
