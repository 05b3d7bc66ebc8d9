import type { CacheEpoch } from '../cache/cache.js';
import type { QueryCache } from '../cache/query-cache.js';
import { compareMatches, scoreFromDistance } from '../engine/distance.js';
import type {
  EngineContext,
  EngineEndpoint,
  EngineQuery,
  EngineRecord,
  EngineWriteResult,
} from '../engine/engine.js';
import { AindusError, isAindusError } from '../errors/aindus-error.js';
import { parseFilter } from '../filter/parse-filter.js';
import { raceAbort } from '../resilience/deadline.js';
import type { Dispatcher } from '../resilience/dispatcher.js';
import type {
  CollectionSpec,
  Consistency,
  Metadata,
  QueryOptions,
  QueryResult,
  VectorRecord,
} from '../types.js';
import {
  checkVector,
  MAX_TOP_K,
  normalizeMetadata,
  toFloat32,
  validateId,
  validateInteger,
  validateTenant,
  validateVector,
} from '../validation/validate.js';
import type { Collection, Embedder } from './client.js';
import { type OperationEnv, type OperationScope, runOperation } from './operation.js';

/** What collection handles share with their client. */
export interface HandleEnv extends OperationEnv {
  dispatcher: Dispatcher;
  cache: QueryCache | undefined;
  embedder: Embedder | undefined;
  /** Identity of the embedder, for the embedding cache. */
  embedderId: string;
  /** The collection's spec, cached by the client for a short while. */
  spec(name: string, scope: OperationScope): Promise<CollectionSpec>;
  /** Whether a spec is cached now (a failure against it may mean it went stale). */
  hasSpec(name: string): boolean;
  /** Forgets a cached spec (after COLLECTION_NOT_FOUND). */
  forgetSpec(name: string): void;
  /** Records the position of an acknowledged write, for session consistency. */
  noteWrite(position: string): void;
  /** Position a `session` read must reflect. */
  sessionPosition(): string | undefined;
  /** Cache fills under way, shared by concurrent identical misses. */
  inflight: Map<string, Promise<QueryResult>>;
}

const CONSISTENCY = new Set<Consistency>(['session', 'strong', 'eventual']);

function readOptions(options: { consistency?: Consistency; after?: string } | undefined) {
  const consistency = options?.consistency ?? 'session';
  if (!CONSISTENCY.has(consistency)) {
    throw new AindusError(
      'INVALID_ARGUMENT',
      "consistency must be 'session', 'strong' or 'eventual'",
    );
  }
  const after = options?.after;
  if (after !== undefined && (typeof after !== 'string' || after.length === 0)) {
    throw new AindusError('INVALID_ARGUMENT', 'after must be a token returned by a write');
  }
  return { consistency, after };
}

function booleanOption(value: unknown, name: string, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean')
    throw new AindusError('INVALID_ARGUMENT', `${name} must be a boolean`);
  return value;
}

function searchOptions(search: QueryOptions['search']): EngineQuery['search'] {
  if (search === undefined) return {};
  if (typeof search !== 'object' || search === null)
    throw new AindusError('INVALID_ARGUMENT', 'search must be an object');
  const out: EngineQuery['search'] = {};
  if (search.ef !== undefined) out.ef = validateInteger(search.ef, 'search.ef', 1, 10_000);
  if (search.probes !== undefined)
    out.probes = validateInteger(search.probes, 'search.probes', 1, 32_768);
  if (search.exact !== undefined) out.exact = booleanOption(search.exact, 'search.exact', false);
  return out;
}

function validateIds(ids: unknown): string[] {
  if (!Array.isArray(ids))
    throw new AindusError('INVALID_ARGUMENT', 'ids must be an array of strings');
  return ids.map((id, index) => validateId(id, { index }));
}

/** A record that passed validation; its vector is not yet copied to float32. */
interface CheckedRecord {
  id: string;
  vector: readonly number[] | Float32Array;
  metadata: Metadata;
}

/** Checks one input record; the vector is checked but not copied (see {@link toEngineRecord}). */
function checkRecord(record: VectorRecord, spec: CollectionSpec, index: number): CheckedRecord {
  const details = { index };
  if (typeof record !== 'object' || record === null) {
    throw new AindusError('INVALID_ARGUMENT', `Record ${index} is not an object`, { details });
  }
  try {
    const { vector } = record;
    checkVector(vector, spec, details);
    return {
      id: validateId(record.id, details),
      vector,
      metadata: normalizeMetadata(record.metadata, details),
    };
  } catch (error) {
    if (error instanceof AindusError) {
      throw new AindusError(error.code, `Record ${index}: ${error.message}`, {
        details,
        cause: error.cause,
      });
    }
    throw error;
  }
}

/** The engine's copy of a checked record; cannot fail. */
function toEngineRecord(record: CheckedRecord): EngineRecord {
  return { id: record.id, vector: toFloat32(record.vector), metadata: record.metadata };
}

/** Keeps the last record of each id, so a chunk never writes one id twice. */
function lastWins(records: EngineRecord[]): EngineRecord[] {
  const byId = new Map<string, EngineRecord>();
  for (const r of records) {
    byId.delete(r.id);
    byId.set(r.id, r);
  }
  return byId.size === records.length ? records : [...byId.values()];
}

async function* chunksOf<T>(
  input: Iterable<T> | AsyncIterable<T>,
  size: number,
): AsyncGenerator<T[]> {
  let chunk: T[] = [];
  for await (const item of input) {
    chunk.push(item);
    if (chunk.length >= size) {
      yield chunk;
      chunk = [];
    }
  }
  if (chunk.length > 0) yield chunk;
}

/** Creates a collection handle confined to `tenantId` (`''` is the default tenant). */
export function createCollectionHandle(env: HandleEnv, name: string, tenantId: string): Collection {
  // Another client may have dropped or recreated the collection: forget what we knew.
  const notFound = <T>(promise: Promise<T>): Promise<T> =>
    promise.catch((error) => {
      if (
        isAindusError(error, 'COLLECTION_NOT_FOUND') ||
        isAindusError(error, 'DIMENSION_MISMATCH')
      ) {
        env.forgetSpec(name);
      }
      throw error;
    });

  /**
   * Validates input against the collection's spec. A dimension mismatch against a cached spec is
   * checked once more against a freshly read one, in case another client recreated the collection.
   */
  const withSpec = async <T>(
    scope: OperationScope,
    validate: (spec: CollectionSpec) => T,
  ): Promise<{ spec: CollectionSpec; value: T }> => {
    const cached = env.hasSpec(name);
    const spec = await env.spec(name, scope);
    try {
      return { spec, value: validate(spec) };
    } catch (error) {
      if (!cached || !isAindusError(error, 'DIMENSION_MISMATCH')) throw error;
      env.forgetSpec(name);
      const fresh = await env.spec(name, scope);
      return { spec: fresh, value: validate(fresh) };
    }
  };

  /**
   * Sends a write to the writer endpoint (writes here are idempotent: upserts by id, deletes),
   * then records its position for session reads and advances the cache epoch before returning.
   */
  const write = async (
    scope: OperationScope,
    fn: (endpoint: EngineEndpoint, ctx: EngineContext) => Promise<EngineWriteResult>,
  ): Promise<EngineWriteResult> => {
    const result = await notFound(
      env.dispatcher.run(scope, { kind: 'write', idempotent: true }, fn),
    );
    env.noteWrite(result.position);
    await env.cache?.advance(name, result.position);
    return result;
  };

  /** Resolves a read's consistency into the position it must reflect. */
  const readConsistency = (options: { consistency?: Consistency; after?: string } | undefined) => {
    const { consistency, after: token } = readOptions(options);
    const after = token ?? (consistency === 'session' ? env.sessionPosition() : undefined);
    return { consistency, after };
  };

  /** Sends a read to an endpoint that satisfies its consistency. */
  const read = <T>(
    scope: OperationScope,
    options: { consistency?: Consistency; after?: string } | undefined,
    fn: (endpoint: EngineEndpoint, ctx: EngineContext) => Promise<T>,
  ): Promise<T> =>
    notFound(
      env.dispatcher.run(
        scope,
        { kind: 'read', idempotent: true, ...readConsistency(options) },
        fn,
      ),
    );

  const handle: Collection = {
    name,
    tenantId,

    upsert(records, options) {
      return runOperation(env, 'upsert', name, options, async (scope) => {
        if (
          records === null ||
          typeof records !== 'object' ||
          !(Symbol.iterator in records || Symbol.asyncIterator in records)
        ) {
          throw new AindusError(
            'INVALID_ARGUMENT',
            'upsert takes an array or an (async) iterable of records',
          );
        }
        const onProgress = options?.onProgress;
        const size = env.engine.capabilities.upsertChunkSize;
        const check = (spec: CollectionSpec, chunk: readonly unknown[], offset: number) =>
          chunk.map((r, i) => checkRecord(r as VectorRecord, spec, offset + i));
        // An array is checked whole first, so a bad record means nothing at all is written.
        let { spec, value: checked } = await withSpec(scope, (s) =>
          Array.isArray(records) ? check(s, records, 0) : undefined,
        );
        let upserted = 0;
        let position: string | undefined;
        let offset = 0;
        let inFlight: Promise<void> | undefined;
        try {
          for await (const chunk of chunksOf<unknown>(checked ?? records, size)) {
            let valid: CheckedRecord[];
            if (checked) valid = chunk as CheckedRecord[];
            else if (offset === 0)
              ({ spec, value: valid } = await withSpec(scope, (s) => check(s, chunk, 0)));
            else valid = check(spec, chunk, offset);
            offset += chunk.length;
            // Copy this chunk's vectors while the previous chunk is still being written.
            const engineRecords = lastWins(valid.map(toEngineRecord));
            await inFlight;
            inFlight = write(scope, (endpoint, ctx) =>
              endpoint.upsert({ collection: name, tenant: tenantId, records: engineRecords }, ctx),
            ).then((result) => {
              upserted += chunk.length;
              position = result.position;
              onProgress?.({ upserted });
            });
          }
        } catch (error) {
          await inFlight?.catch(() => {}); // never leave a write unobserved
          throw error;
        }
        await inFlight;
        if (position === undefined) {
          // Nothing to write: an empty write still yields a token of the current position.
          const result = await write(scope, (endpoint, ctx) =>
            endpoint.upsert({ collection: name, tenant: tenantId, records: [] }, ctx),
          );
          position = result.position;
        }
        scope.span.setAttributes({ 'db.response.returned_rows': upserted });
        return { upserted, token: position };
      });
    },

    query(options) {
      return runOperation(env, 'query', name, options, async (scope) => {
        if (typeof options !== 'object' || options === null)
          throw new AindusError('INVALID_ARGUMENT', 'query takes an options object');
        const topK = validateInteger(options.topK, 'topK', 1, MAX_TOP_K);
        scope.span.setAttributes({ 'db.vector.query.top_k': topK });
        const filter = parseFilter(options.filter);
        const includeMetadata = booleanOption(options.includeMetadata, 'includeMetadata', true);
        const includeVector = booleanOption(options.includeVector, 'includeVector', false);
        const search = searchOptions(options.search);
        const hasVector = options.vector !== undefined;
        const hasText = options.text !== undefined;
        if (hasVector === hasText)
          throw new AindusError('INVALID_ARGUMENT', 'query takes exactly one of vector or text');
        if (hasText && typeof options.text !== 'string')
          throw new AindusError('INVALID_ARGUMENT', 'text must be a string');
        if (hasText && !env.embedder)
          throw new AindusError(
            'INVALID_ARGUMENT',
            'text queries need an embedder in createClient options',
          );
        const { consistency, after } = readConsistency(options);
        const raw = hasText ? await embed(options.text!) : options.vector;
        const { spec, value: vector } = await withSpec(scope, (s) => validateVector(raw, s));
        const request: EngineQuery = {
          collection: name,
          tenant: tenantId,
          vector,
          topK,
          filter,
          includeMetadata,
          includeVector,
          search,
        };

        // The endpoint that served the query, so a fill from a lagging replica is not cached.
        let servedBy: string | undefined;
        const execute = async () => {
          const result = await read(
            scope,
            { consistency, ...(after !== undefined ? { after } : {}) },
            (endpoint, ctx) => {
              servedBy = endpoint.id;
              return endpoint.query(request, ctx);
            },
          );
          const matches = result.matches
            .map((m) => ({
              id: m.id,
              score: scoreFromDistance(spec.metric, m.distance),
              distance: m.distance,
              ...(m.metadata ? { metadata: m.metadata } : {}),
              ...(m.vector ? { vector: m.vector } : {}),
            }))
            .sort(compareMatches)
            .slice(0, topK);
          return { matches, complete: result.complete || matches.length >= topK };
        };

        const cache = env.cache;
        if (!cache || consistency === 'strong') return finish(scope, await execute());
        const key = cache.keyOf(request);
        const lookup = await scope.child(
          `cache.lookup ${name}`,
          { 'aindusdb.cache.name': cache.name },
          async (span) => {
            const found = await cache.lookup(name, key, after);
            span.setAttributes({ 'aindusdb.cache.hit': found.hit });
            return found;
          },
        );
        scope.span.setAttributes({ 'aindusdb.cache.hit': lookup.hit });
        env.tracer.metrics?.cacheLookup?.(lookup.hit, {
          'db.collection.name': name,
          'aindusdb.cache.name': cache.name,
        });
        if (lookup.hit) return finish(scope, lookup.value);
        return finish(
          scope,
          await fill(
            key,
            lookup.epoch,
            after,
            execute,
            () => env.dispatcher.positionOf(servedBy),
            scope,
          ),
        );
      });
    },

    get(ids, options) {
      return runOperation(env, 'get', name, options, async (scope) => {
        const valid = validateIds(ids);
        const includeVector = booleanOption(options?.includeVector, 'includeVector', false);
        const rows =
          valid.length === 0
            ? []
            : await read(scope, options, (endpoint, ctx) =>
                endpoint.get(
                  { collection: name, tenant: tenantId, ids: valid, includeVector },
                  ctx,
                ),
              );
        scope.span.setAttributes({ 'db.response.returned_rows': rows.length });
        return rows.map((r) => ({
          id: r.id,
          metadata: r.metadata,
          ...(r.vector ? { vector: r.vector } : {}),
        }));
      });
    },

    delete(selector, options) {
      return runOperation(env, 'delete', name, options, async (scope) => {
        if (typeof selector !== 'object' || selector === null)
          throw new AindusError('INVALID_ARGUMENT', 'delete takes { ids } or { filter }');
        const hasIds = 'ids' in selector && selector.ids !== undefined;
        const hasFilter = 'filter' in selector && selector.filter !== undefined;
        if (hasIds === hasFilter)
          throw new AindusError(
            'INVALID_ARGUMENT',
            'delete takes exactly one of { ids } or { filter }',
          );
        const ids = hasIds
          ? [...new Set(validateIds((selector as { ids: unknown }).ids))]
          : undefined;
        const filter = hasFilter
          ? parseFilter((selector as { filter: unknown }).filter)
          : undefined;
        if (hasFilter && filter === undefined) {
          throw new AindusError(
            'INVALID_FILTER',
            'delete with an empty filter would remove every record; pass an explicit filter',
          );
        }
        const result = await write(scope, (endpoint, ctx) =>
          endpoint.delete(
            { collection: name, tenant: tenantId, ...(ids ? { ids } : { filter }) },
            ctx,
          ),
        );
        scope.span.setAttributes({ 'db.response.returned_rows': result.count });
        return { deleted: result.count, token: result.position };
      });
    },

    count(options) {
      return runOperation(env, 'count', name, options, async (scope) => {
        const filter = parseFilter(options?.filter);
        return read(scope, options, (endpoint, ctx) =>
          endpoint.count({ collection: name, tenant: tenantId, filter }, ctx),
        );
      });
    },

    describe(options) {
      return runOperation(env, 'describe', name, options, async (scope) => {
        const spec = await read(scope, undefined, (endpoint, ctx) =>
          endpoint.describeCollection(name, ctx),
        );
        if (!spec) {
          env.forgetSpec(name);
          throw new AindusError('COLLECTION_NOT_FOUND', `Collection "${name}" does not exist`, {
            details: { collection: name },
          });
        }
        const count = await read(scope, undefined, (endpoint, ctx) =>
          endpoint.count({ collection: name, tenant: tenantId }, ctx),
        );
        return { ...spec, count };
      });
    },

    tenant(tenant) {
      return createCollectionHandle(env, name, validateTenant(tenant));
    },
  };

  /** Embeds a query text, through the cache's embedding store when it has one. */
  async function embed(text: string): Promise<number[]> {
    const cached = await env.cache?.readEmbedding(env.embedderId, text);
    if (cached) return cached;
    const vectors = await env.embedder!([text]);
    if (!Array.isArray(vectors) || vectors.length !== 1 || !Array.isArray(vectors[0])) {
      throw new AindusError(
        'INVALID_ARGUMENT',
        'The embedder must return one vector (number[]) per text',
      );
    }
    await env.cache?.writeEmbedding(env.embedderId, text, vectors[0]);
    return vectors[0];
  }

  function finish(scope: OperationScope, result: QueryResult): QueryResult {
    scope.span.setAttributes({ 'db.response.returned_rows': result.matches.length });
    return result;
  }

  /** Runs a miss once for all concurrent identical misses, and stores the result. */
  function fill(
    key: string,
    epoch: CacheEpoch | undefined,
    after: string | undefined,
    execute: () => Promise<QueryResult>,
    readPosition: () => string | undefined,
    scope: OperationScope,
  ): Promise<QueryResult> {
    const flightKey = `${name}:${epoch?.epoch ?? 'none'}:${after ?? ''}:${key}`;
    const inflight = env.inflight;
    const shared = inflight.get(flightKey);
    if (shared) {
      scope.span.setAttributes({ 'aindusdb.cache.shared_fill': true });
      // Each caller gets its own copy: one mutating its result must not change another's.
      return raceAbort(shared, scope.ctx.signal).then((r) => structuredClone(r));
    }
    const flight = execute();
    inflight.set(flightKey, flight);
    // Callers are answered as soon as the engine is; the store runs after, and the flight stays
    // joinable until it lands so concurrent misses still share one engine call.
    flight
      .then((result) => env.cache!.store(name, key, epoch, readPosition(), structuredClone(result)))
      .catch(() => {})
      .finally(() => inflight.delete(flightKey));
    return flight;
  }

  return handle;
}
