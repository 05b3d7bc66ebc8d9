import {
  AindusError,
  type Engine,
  type EngineCapabilities,
  type EngineContext,
  type EngineQuery,
} from '@aindusdb/core';
import type { Pool, PoolConfig } from 'pg';
import { createIndexSql } from './collection-ddl.js';
import { schemaNames } from './identifiers.js';
import { compareLsn } from './lsn.js';
import { createPgEndpoint, type EndpointShared } from './pg-endpoint.js';
import { poolSource } from './pool-source.js';
import { buildQuerySql, type IterativeScan, type QuerySql } from './query-sql.js';
import type { QueryEvent } from './session.js';

/** Options of {@link createPgEngine}; any other `pg.PoolConfig` field configures the pools it creates. */
export interface PgEngineOptions extends Omit<PoolConfig, 'connectionString'> {
  /** The primary: a connection string (the engine creates and ends its pool) or your `pg.Pool` (never ended by the engine). */
  primary: string | Pool;
  /** Streaming read replicas, in the same forms; they become endpoints `replica-1`, `replica-2`, ... */
  replicas?: readonly (string | Pool)[];
  /** Schema holding the catalog and collection tables (default `public`); created when missing. */
  schema?: string;
  /**
   * Create collections without their ANN index; build it with {@link PgEngine.buildIndex} after
   * the bulk load (much faster loads; IVFFlat also needs the data to pick its lists). Default false.
   */
  deferIndexBuild?: boolean;
  /** pgvector 0.8 iterative index scans for queries with a filter or tenant (default `relaxed_order`). */
  iterativeScan?: IterativeScan;
  /** `hnsw.max_scan_tuples` for iterative scans (pgvector's default, 20,000, when unset). */
  maxScanTuples?: number;
  /** Upsert chunks of at least this many records go through binary COPY (default 500). */
  copyThreshold?: number;
  /**
   * Records per engine upsert call, i.e. per transaction (default 10,000). Each transaction ends
   * with a WAL flush, so larger chunks load faster; core buffers one chunk of an iterable input.
   */
  upsertChunkSize?: number;
  /** Debug hook: called with every statement the engine sends (text and bound values). */
  onQuery?: (event: QueryEvent) => void;
}

/** Options of {@link PgEngine.buildIndex}. */
export interface BuildIndexOptions {
  /** Time allowed for the build (default one hour). */
  timeoutMs?: number;
  /** `maintenance_work_mem` for the build, e.g. `'1GB'` (the server's setting when unset). */
  maintenanceWorkMem?: string;
  /** `max_parallel_maintenance_workers` for the build (the server's setting when unset). */
  parallelWorkers?: number;
}

/** The PostgreSQL engine: a core `Engine` plus pgvector-specific tools. */
export interface PgEngine extends Engine {
  /** Schema the engine works in. */
  readonly schema: string;
  /** Shared (other processes write too), persistent, and the records per upsert transaction. */
  readonly capabilities: EngineCapabilities;
  /**
   * Builds a collection's ANN index if it is missing (after a load with `deferIndexBuild`), then
   * `ANALYZE`s the table. `built: false` when the index already existed or the spec has none.
   */
  buildIndex(collection: string, options?: BuildIndexOptions): Promise<{ built: boolean }>;
  /**
   * The exact SQL the engine would run for a query now (spec read from the primary's catalog),
   * for `EXPLAIN` and debugging.
   */
  querySql(query: EngineQuery, options?: { exact?: boolean }): Promise<QuerySql>;
}

function contextFor(timeoutMs: number): EngineContext {
  return { signal: AbortSignal.timeout(timeoutMs), deadline: Date.now() + timeoutMs };
}

/**
 * Creates the PostgreSQL + pgvector engine. Collections are tables in `schema` (a catalog table
 * plus one table per collection); DDL and migrations run under advisory locks. Each endpoint
 * runs operations on its own pool; core decides which endpoint serves a call.
 *
 * @example
 * ```ts
 * const engine = createPgEngine({
 *   primary: process.env.DATABASE_URL!,
 *   replicas: [process.env.REPLICA_URL!],
 *   max: 20,
 * });
 * const client = createClient({ engine });
 * ```
 */
export function createPgEngine(options: PgEngineOptions): PgEngine {
  if (
    typeof options !== 'object' ||
    options === null ||
    (typeof options.primary !== 'string' && typeof options.primary?.connect !== 'function')
  ) {
    throw new AindusError(
      'INVALID_ARGUMENT',
      'createPgEngine needs { primary: connection string or pg.Pool }',
    );
  }
  const {
    primary,
    replicas = [],
    schema = 'public',
    deferIndexBuild = false,
    iterativeScan = 'relaxed_order',
    maxScanTuples,
    copyThreshold = 500,
    upsertChunkSize = 10_000,
    onQuery,
    ...poolOptions
  } = options;
  const names = schemaNames(schema);
  if (!['relaxed_order', 'strict_order', 'off'].includes(iterativeScan)) {
    throw new AindusError(
      'INVALID_ARGUMENT',
      "iterativeScan must be 'relaxed_order', 'strict_order' or 'off'",
    );
  }
  for (const [name, value, min] of [
    ['copyThreshold', copyThreshold, 1],
    ['upsertChunkSize', upsertChunkSize, 1],
    ['maxScanTuples', maxScanTuples ?? 1, 1],
  ] as const) {
    if (!Number.isSafeInteger(value) || value < min)
      throw new AindusError('INVALID_ARGUMENT', `${name} must be a whole number ≥ ${min}`);
  }
  let closed = false;
  let closing: Promise<void> | undefined;
  const shared: EndpointShared = {
    names,
    specs: new Map(),
    deferIndexBuild,
    iterativeScan,
    maxScanTuples,
    copyThreshold,
    assertOpen() {
      if (closed)
        throw new AindusError('UNAVAILABLE', 'The PostgreSQL engine is closed', {
          retryable: false,
        });
    },
  };
  const sources = [primary, ...replicas].map((input) => poolSource(input, poolOptions));
  const endpoints = sources.map((source, i) =>
    createPgEndpoint({
      id: i === 0 ? 'primary' : `replica-${i}`,
      role: i === 0 ? 'primary' : 'replica',
      pool: source.pool,
      address: source.address,
      shared,
      onQuery,
    }),
  );
  const primaryEndpoint = endpoints[0]!;
  const database = sources[0]!.database;

  return {
    name: 'postgresql',
    namespace: database ? `${database}|${schema}` : schema,
    schema,
    capabilities: { shared: true, persistent: true, upsertChunkSize },
    endpoints,
    comparePositions: compareLsn,

    async buildIndex(collection, buildOptions = {}) {
      const ctx = contextFor(buildOptions.timeoutMs ?? 3_600_000);
      const spec = await primaryEndpoint.spec(collection, ctx);
      const ddl = createIndexSql(names, spec);
      if (!ddl) return { built: false };
      return primaryEndpoint.session(ctx, collection, async (s) => {
        const settings: [string, string][] = [];
        if (buildOptions.maintenanceWorkMem)
          settings.push(['maintenance_work_mem', buildOptions.maintenanceWorkMem]);
        if (buildOptions.parallelWorkers !== undefined) {
          settings.push(['max_parallel_maintenance_workers', String(buildOptions.parallelWorkers)]);
        }
        const [, , , exists] = await s.run([
          { text: 'BEGIN' },
          s.settings(settings),
          {
            text: 'SELECT pg_advisory_xact_lock(hashtextextended($1, 0))',
            values: [`${names.lockKey}:${collection}`],
          },
          { text: 'SELECT to_regclass($1) IS NOT NULL', values: [names.index(collection)] },
        ]);
        const built = exists!.rows[0]![0] !== 't';
        await s.run([...(built ? [{ text: ddl }] : []), { text: 'COMMIT' }]);
        await s.run([s.settings(), { text: `ANALYZE ${names.table(collection)}` }]);
        return { built };
      });
    },

    async querySql(query, queryOptions = {}) {
      const ctx = contextFor(30_000);
      const spec = await primaryEndpoint.spec(query.collection, ctx);
      const version = primaryEndpoint.pgvectorVersion;
      const [major = 0, minor = 0] = (version ?? '0.8').split('.').map(Number);
      return buildQuerySql({
        schema,
        spec,
        query,
        iterativeScan: major > 0 || minor >= 8 ? iterativeScan : 'off',
        ...(queryOptions.exact ? { exact: true } : {}),
        ...(maxScanTuples !== undefined ? { maxScanTuples } : {}),
      });
    },

    close() {
      closed = true;
      closing ??= Promise.all(sources.map((s) => s.release())).then(() => {});
      return closing;
    },
  };
}
