import type { CollectionSpec, EngineQuery } from '@aindusdb/core';
import { vectorLayout } from './collection-ddl.js';
import { compileFilterSql } from './filter-sql.js';
import { schemaNames } from './identifiers.js';
import { createParams } from './params.js';
import type { WireValue } from './pipeline.js';
import { vectorParam } from './vector-codec.js';

/** pgvector 0.8 iterative index scans: how filtered ANN queries keep scanning until `topK` rows pass. */
export type IterativeScan = 'relaxed_order' | 'strict_order' | 'off';

/** Inputs of {@link buildQuerySql}. */
export interface QuerySqlOptions {
  /** Schema holding the collection. */
  schema: string;
  /** The collection's spec (from the catalog). */
  spec: CollectionSpec;
  /** The query, as core hands it to the engine. */
  query: EngineQuery;
  /** Force an exact scan (the fallback that makes a filtered query complete). */
  exact?: boolean;
  /** Iterative scan mode (default `relaxed_order`); `off` for pgvector older than 0.8. */
  iterativeScan?: IterativeScan;
  /** `hnsw.max_scan_tuples`, when set. */
  maxScanTuples?: number;
}

/** The SQL the engine runs for a query. */
export interface QuerySql {
  /** Search parameters, applied with `set_config(name, value, true)` (SET LOCAL) in the same transaction. */
  settings: [string, string][];
  /** The `SELECT`: columns `id`, `distance`, then `metadata` and `embedding` when requested. */
  text: string;
  /** Bound values (`$1` is the query vector in pgvector's binary form). */
  values: WireValue[];
  /** True when the statement scans exactly (no ANN index), so its answer is complete. */
  exact: boolean;
  /** Rows the statement asks for. */
  limit: number;
}

const HNSW_MAX_EF = 1000;

/**
 * Builds the statement (and `SET LOCAL` search parameters) the engine runs for a query. ANN
 * queries take the form the index serves — `ORDER BY embedding <op> $1 FETCH FIRST n ROWS WITH
 * TIES`, tenant and filter in the WHERE clause — with the full-precision distance in the
 * projection. Exact queries order by `(distance, id)`, which no ANN index can serve. Exported
 * so tests and tools can `EXPLAIN` exactly what the engine runs.
 */
export function buildQuerySql(options: QuerySqlOptions): QuerySql {
  const { spec, query } = options;
  const names = schemaNames(options.schema);
  const layout = vectorLayout(spec);
  const exact =
    options.exact === true || query.search.exact === true || layout.kind === 'unindexed';
  const params = createParams();
  const vector = params.add(vectorParam(query.vector));
  const tenant = params.add(query.tenant);
  const where = query.filter ? ` AND ${compileFilterSql(query.filter, params)}` : '';
  const columns = [
    'id',
    `${layout.exact(vector)} AS distance`,
    ...(query.includeMetadata ? ['metadata'] : []),
    ...(query.includeVector ? ['embedding'] : []),
  ].join(', ');
  const from = `FROM ${names.table(spec.name)} WHERE tenant = ${tenant}${where}`;
  if (exact) {
    const limit = query.topK;
    const text = `SELECT ${columns} ${from} ORDER BY distance, id LIMIT ${params.add(String(limit))}`;
    return { settings: [], text, values: params.values, exact: true, limit };
  }
  // halfvec ranks in half precision; the projection's full-precision distance re-ranks the rows
  // it returns. (Asking for more rows than topK would make the planner shy of the index.)
  const limit = query.topK;
  const mode = options.iterativeScan ?? 'relaxed_order';
  const settings: [string, string][] = [];
  if (spec.index.type === 'hnsw') {
    const ef = Math.min(HNSW_MAX_EF, Math.max(query.search.ef ?? 40, limit));
    settings.push(['hnsw.ef_search', String(ef)]);
    if (mode !== 'off') settings.push(['hnsw.iterative_scan', mode]);
    if (options.maxScanTuples !== undefined)
      settings.push(['hnsw.max_scan_tuples', String(options.maxScanTuples)]);
  } else if (spec.index.type === 'ivfflat') {
    const lists = spec.index.lists;
    const probes = Math.min(lists, Math.max(1, query.search.probes ?? Math.ceil(Math.sqrt(lists))));
    settings.push(['ivfflat.probes', String(probes)]);
    if (mode !== 'off') settings.push(['ivfflat.iterative_scan', 'relaxed_order']);
  }
  const text = `SELECT ${columns} ${from} ORDER BY ${layout.indexed(vector)} FETCH FIRST ${params.add(String(limit))} ROWS WITH TIES`;
  return { settings, text, values: params.values, exact: false, limit };
}
