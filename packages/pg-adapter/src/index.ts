/**
 * PostgreSQL + pgvector engine for the AindusDB SDK: a primary and streaming replicas, HNSW /
 * IVFFlat / halfvec indexes, filtered queries with iterative scans, binary COPY ingest.
 *
 * @packageDocumentation
 */

export { compareLsn, parseLsn } from './lsn.js';
export type { BuildIndexOptions, PgEngine, PgEngineOptions } from './pg-engine.js';
export { createPgEngine } from './pg-engine.js';
export type { WireValue } from './pipeline.js';
export type { IterativeScan, QuerySql, QuerySqlOptions } from './query-sql.js';
export { buildQuerySql } from './query-sql.js';
export type { QueryEvent } from './session.js';
