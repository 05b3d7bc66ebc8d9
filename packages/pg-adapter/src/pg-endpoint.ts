import {
  AindusError,
  type CollectionSpec,
  collectionExistsError,
  collectionNotFoundError,
  compareMatches,
  type EndpointProbe,
  type EngineContext,
  type EngineEndpoint,
  type EngineMatch,
  type EngineQuery,
  type Metadata,
  sameCollectionSpec,
} from '@aindusdb/core';
import { describeStatement, listStatement, specFromRow } from './catalog.js';
import { createIndexSql, createTableSql } from './collection-ddl.js';
import { sqlState } from './errors.js';
import { compileFilterSql } from './filter-sql.js';
import type { SchemaNames } from './identifiers.js';
import { lockStatement, migrate } from './migrations.js';
import { createParams, textArray } from './params.js';
import type { StatementResult } from './pipeline.js';
import { buildQuerySql, type IterativeScan } from './query-sql.js';
import { type Session, type SessionSource, withSession } from './session.js';
import { POSITION_STATEMENT, upsertChunk } from './upsert.js';
import { parseVectorText } from './vector-codec.js';

/** What every endpoint of one engine shares. */
export interface EndpointShared {
  names: SchemaNames;
  /**
   * Specs by collection name, with the OID of the collection's table: every query reads the
   * table's current OID in the same round trip, so a collection dropped and re-created (maybe
   * with another spec) by another process is noticed and its spec re-read.
   */
  specs: Map<string, CachedSpec>;
  deferIndexBuild: boolean;
  iterativeScan: IterativeScan;
  maxScanTuples: number | undefined;
  copyThreshold: number;
  /** Throws once the engine is closed. */
  assertOpen(): void;
}

/** A collection's spec and the OID of its table when the spec was read. */
export interface CachedSpec {
  spec: CollectionSpec;
  oid: string;
}

/** Options of {@link createPgEndpoint}. */
export interface PgEndpointOptions extends SessionSource {
  role: 'primary' | 'replica';
  address: { host: string; port?: number };
  shared: EndpointShared;
}

/** Probes run with at most this much time, whatever the call's deadline. */
const PROBE_TIMEOUT_MS = 5_000;

const PROBE_SQL = `SELECT pg_is_in_recovery(),
  CASE WHEN pg_is_in_recovery() THEN pg_last_wal_replay_lsn() ELSE pg_current_wal_insert_lsn() END::text,
  CASE WHEN NOT pg_is_in_recovery() THEN NULL
       WHEN pg_last_wal_receive_lsn() IS NOT NULL AND pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0
       ELSE greatest(0, extract(epoch FROM now() - pg_last_xact_replay_timestamp()) * 1000) END`;

const isMissingRelation = (error: unknown) => {
  const state = sqlState(error);
  return state === '42P01' || state === '3F000';
};

function parseMetadata(text: string | null | undefined): Metadata {
  return text ? (JSON.parse(text) as Metadata) : {};
}

/** One PostgreSQL server (primary or replica) as an {@link EngineEndpoint}. */
export interface PgEndpoint extends EngineEndpoint {
  /** Runs `fn` with a session on this endpoint (for engine-level tools such as `buildIndex`). */
  session<T>(
    ctx: EngineContext,
    collection: string | undefined,
    fn: (session: Session) => Promise<T>,
  ): Promise<T>;
  /** Reads a collection's spec from this endpoint's catalog (cached). */
  spec(name: string, ctx: EngineContext): Promise<CollectionSpec>;
  /** pgvector's version on this endpoint, once known. */
  readonly pgvectorVersion: string | undefined;
}

/** Creates one endpoint over one pool. */
export function createPgEndpoint(options: PgEndpointOptions): PgEndpoint {
  const { shared, role } = options;
  const { names } = shared;
  let migrated = false;
  let pgvectorVersion: string | undefined;

  const session = async <T>(
    ctx: EngineContext,
    collection: string | undefined,
    fn: (s: Session) => Promise<T>,
  ) => {
    shared.assertOpen();
    return withSession(options, ctx, collection === undefined ? {} : { collection }, fn);
  };

  /** Loads a spec, its table's OID and pgvector's version in one round trip; caches them. */
  const loadSpec = async (s: Session, name: string): Promise<CachedSpec> => {
    const results = await s
      .run([
        s.settings([], names.table(name)),
        describeStatement(names, name),
        { text: "SELECT extversion FROM pg_extension WHERE extname = 'vector'" },
      ])
      .catch((error) => {
        if (isMissingRelation(error)) throw collectionNotFoundError(name);
        throw error;
      });
    pgvectorVersion = results[2]!.rows[0]?.[0] ?? undefined;
    const oid = results[0]!.rows[0]!.at(-1);
    const row = results[1]!.rows[0];
    if (!row || !oid) {
      shared.specs.delete(name);
      throw collectionNotFoundError(name);
    }
    const cached = { spec: specFromRow(row), oid };
    shared.specs.set(name, cached);
    return cached;
  };

  const iterativeMode = (): IterativeScan => {
    const [major = 0, minor = 0] = (pgvectorVersion ?? '0.8').split('.').map(Number);
    return major > 0 || minor >= 8 ? shared.iterativeScan : 'off';
  };

  const decodeMatches = (result: StatementResult, query: EngineQuery): EngineMatch[] =>
    result.rows.map((row) => {
      let i = 2;
      const match: EngineMatch = { id: row[0]!, distance: Number(row[1]) };
      if (query.includeMetadata) match.metadata = parseMetadata(row[i++]);
      if (query.includeVector) match.vector = parseVectorText(row[i++]!);
      return match;
    });

  const runQuery = async (s: Session, query: EngineQuery) => {
    let cached = shared.specs.get(query.collection);
    if (pgvectorVersion === undefined || cached === undefined)
      cached = await loadSpec(s, query.collection);
    for (let attempt = 0; ; attempt++) {
      const { spec } = cached;
      const sql = buildQuerySql({
        schema: names.schema,
        spec,
        query,
        iterativeScan: iterativeMode(),
        ...(shared.maxScanTuples !== undefined ? { maxScanTuples: shared.maxScanTuples } : {}),
      });
      const [check, main] = await s.run([
        s.settings(sql.settings, names.table(query.collection)),
        { text: sql.text, values: sql.values },
      ]);
      if (check!.rows[0]!.at(-1) !== cached.oid && attempt === 0) {
        // The table was re-created since the spec was read: read it again and re-run.
        cached = await loadSpec(s, query.collection);
        continue;
      }
      let matches = decodeMatches(main!, query);
      let exact = sql.exact;
      if (!exact && matches.length < query.topK) {
        // The index gave fewer than topK rows (a selective filter or tenant, or the scan limit
        // was reached): answer exactly, so the result is complete.
        const fallback = buildQuerySql({ schema: names.schema, spec, query, exact: true });
        const [, rows] = await s.run([
          s.settings(),
          { text: fallback.text, values: fallback.values },
        ]);
        matches = decodeMatches(rows!, query);
        exact = true;
      }
      matches.sort(compareMatches);
      if (matches.length > query.topK) matches.length = query.topK;
      return { matches, complete: exact || matches.length >= query.topK };
    }
  };

  const endpoint: PgEndpoint = {
    id: options.id,
    role,
    address: options.address,
    get pgvectorVersion() {
      return pgvectorVersion;
    },
    session,

    async spec(name, ctx) {
      const cached = shared.specs.get(name) ?? (await session(ctx, name, (s) => loadSpec(s, name)));
      return cached.spec;
    },

    async probe(ctx) {
      const started = performance.now();
      const timeout = AbortSignal.timeout(PROBE_TIMEOUT_MS);
      const signal = AbortSignal.any([ctx.signal, timeout]);
      const probeCtx: EngineContext = {
        signal,
        deadline: Math.min(ctx.deadline, Date.now() + PROBE_TIMEOUT_MS),
      };
      try {
        const [, result] = await session(probeCtx, undefined, (s) =>
          s.run([s.settings(), { text: PROBE_SQL }]),
        );
        const [inRecovery, position, lag] = result!.rows[0]!;
        const probe: EndpointProbe = {
          alive: true,
          writable: inRecovery === 'f',
          latencyMs: performance.now() - started,
        };
        if (position) probe.position = position;
        if (lag !== null && lag !== undefined) probe.lagMs = Number(lag);
        return probe;
      } catch (error) {
        return {
          alive: false,
          writable: false,
          latencyMs: performance.now() - started,
          error: error instanceof Error ? error.message : String(error),
        };
      }
    },

    createCollection(spec, ctx) {
      return session(ctx, undefined, async (s) => {
        if (!migrated) {
          await migrate(s, names);
          migrated = true;
        }
        const [, , , existing] = await s.run([
          { text: 'BEGIN' },
          s.settings(),
          lockStatement(names),
          describeStatement(names, spec.name),
        ]);
        const row = existing!.rows[0];
        if (row) {
          const stored = specFromRow(row);
          await s.run([{ text: 'COMMIT' }]);
          if (sameCollectionSpec(stored, spec)) return { created: false };
          throw collectionExistsError(stored);
        }
        const index = shared.deferIndexBuild ? undefined : createIndexSql(names, spec);
        await s.run([
          ...createTableSql(names, spec).map((text) => ({ text })),
          ...(index ? [{ text: index }] : []),
          {
            text: `INSERT INTO ${names.catalog} (name, dimension, metric, index) VALUES ($1, $2, $3, $4::jsonb)`,
            values: [spec.name, String(spec.dimension), spec.metric, JSON.stringify(spec.index)],
          },
          { text: 'COMMIT' },
        ]);
        shared.specs.delete(spec.name);
        return { created: true };
      });
    },

    async dropCollection(name, ctx) {
      shared.specs.delete(name);
      try {
        return await session(ctx, name, async (s) => {
          const [, , , deleted] = await s.run([
            { text: 'BEGIN' },
            s.settings(),
            lockStatement(names),
            { text: `DELETE FROM ${names.catalog} WHERE name = $1`, values: [name] },
            { text: `DROP TABLE IF EXISTS ${names.table(name)}` },
            { text: 'COMMIT' },
          ]);
          return { dropped: deleted!.rowCount > 0 };
        });
      } catch (error) {
        if (error instanceof AindusError && error.code === 'COLLECTION_NOT_FOUND')
          return { dropped: false };
        throw error;
      } finally {
        shared.specs.delete(name);
      }
    },

    listCollections(ctx) {
      return session(ctx, undefined, async (s) => {
        try {
          const [, list] = await s.run([s.settings(), listStatement(names)]);
          return list!.rows.map(specFromRow);
        } catch (error) {
          if (isMissingRelation(error)) return [];
          throw error;
        }
      });
    },

    describeCollection(name, ctx) {
      return session(ctx, undefined, async (s) => {
        try {
          const [, row] = await s.run([s.settings(), describeStatement(names, name)]);
          const found = row!.rows[0];
          if (!found) {
            shared.specs.delete(name);
            return undefined;
          }
          return specFromRow(found);
        } catch (error) {
          if (isMissingRelation(error)) return undefined;
          throw error;
        }
      });
    },

    upsert({ collection, tenant, records }, ctx) {
      return session(ctx, collection, async (s) => {
        if (records.length === 0) {
          const [, found, position] = await s.run([
            s.settings(),
            describeStatement(names, collection),
            {
              text: 'SELECT pg_is_in_recovery(), CASE WHEN NOT pg_is_in_recovery() THEN pg_current_wal_insert_lsn()::text END',
            },
          ]);
          if (found!.rows.length === 0) throw collectionNotFoundError(collection);
          const [inRecovery, lsn] = position!.rows[0]!;
          if (inRecovery === 't')
            throw new AindusError(
              'READ_ONLY',
              `Endpoint ${options.id} is in recovery and takes no writes`,
              { retryable: true },
            );
          return { count: 0, position: lsn! };
        }
        return upsertChunk(s, {
          names,
          collection,
          tenant,
          records,
          copyThreshold: shared.copyThreshold,
        });
      });
    },

    query(req, ctx) {
      return session(ctx, req.collection, (s) => runQuery(s, req));
    },

    get({ collection, tenant, ids, includeVector }, ctx) {
      return session(ctx, collection, async (s) => {
        const [, result] = await s.run([
          s.settings(),
          {
            text: `SELECT id, metadata${includeVector ? ', embedding' : ''} FROM ${names.table(collection)} WHERE tenant = $1 AND id = ANY($2::text[])`,
            values: [tenant, textArray(ids)],
          },
        ]);
        const byId = new Map<string, { id: string; metadata: Metadata; vector?: number[] }>();
        for (const row of result!.rows) {
          const record: { id: string; metadata: Metadata; vector?: number[] } = {
            id: row[0]!,
            metadata: parseMetadata(row[1]),
          };
          if (includeVector) record.vector = parseVectorText(row[2]!);
          byId.set(record.id, record);
        }
        return ids.flatMap((id) => {
          const r = byId.get(id);
          return r ? [r] : [];
        });
      });
    },

    delete({ collection, tenant, ids, filter }, ctx) {
      return session(ctx, collection, async (s) => {
        const params = createParams();
        const t = params.add(tenant);
        let where: string;
        if (ids) where = `id = ANY(${params.add(textArray(ids))}::text[])`;
        else if (filter) where = compileFilterSql(filter, params);
        else where = 'FALSE';
        const results = await s.run([
          { text: 'BEGIN' },
          s.settings(),
          {
            text: `DELETE FROM ${names.table(collection)} WHERE tenant = ${t} AND ${where}`,
            values: params.values,
          },
          { text: 'COMMIT' },
          POSITION_STATEMENT,
        ]);
        return { count: results[2]!.rowCount, position: results[4]!.rows[0]![0]! };
      });
    },

    count({ collection, tenant, filter }, ctx) {
      return session(ctx, collection, async (s) => {
        const params = createParams();
        const t = params.add(tenant);
        const where = filter ? ` AND ${compileFilterSql(filter, params)}` : '';
        const [, result] = await s.run([
          s.settings(),
          {
            text: `SELECT count(*) FROM ${names.table(collection)} WHERE tenant = ${t}${where}`,
            values: params.values,
          },
        ]);
        return Number(result!.rows[0]![0]);
      });
    },
  };
  return endpoint;
}
