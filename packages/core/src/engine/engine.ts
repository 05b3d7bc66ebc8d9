import type { FilterNode } from '../filter/filter-node.js';
import type { CollectionSpec, Metadata } from '../types.js';

/**
 * Per-call context every engine operation receives. Engines must stop work and reject when
 * `signal` aborts, and should pass the remaining time (`deadline`, epoch ms) to their I/O
 * (pool waits, statement timeouts).
 */
export interface EngineContext {
  /** Aborts when the call's deadline passes or the caller aborts. */
  signal: AbortSignal;
  /** Absolute deadline, `Date.now()` milliseconds. */
  deadline: number;
}

/** A validated record as engines receive it. */
export interface EngineRecord {
  /** Record id (validated). */
  id: string;
  /** Exactly `dimension` finite components. */
  vector: Float32Array;
  /** Normalized JSON metadata (a fresh copy owned by the engine). */
  metadata: Metadata;
}

/** A query as engines receive it. Engines return distances; core derives scores. */
export interface EngineQuery {
  /** Collection name. */
  collection: string;
  /** Tenant the query is confined to (`''` is the default tenant). */
  tenant: string;
  /** Query vector, `dimension` components. */
  vector: Float32Array;
  /** Matches wanted. */
  topK: number;
  /** Canonical filter, if any. */
  filter?: FilterNode;
  /** Return metadata. */
  includeMetadata: boolean;
  /** Return vectors. */
  includeVector: boolean;
  /** Search parameters (engines ignore what does not apply). */
  search: { ef?: number; probes?: number; exact?: boolean };
}

/** One match as an engine returns it. */
export interface EngineMatch {
  /** Record id. */
  id: string;
  /** Metric-native distance (see {@link QueryMatch}). */
  distance: number;
  /** Present when requested. */
  metadata?: Metadata;
  /** Present when requested. */
  vector?: number[];
}

/** A query's result as an engine returns it. */
export interface EngineQueryResult {
  /** At most `topK` matches, nearest first, ties by id. */
  matches: EngineMatch[];
  /** See {@link QueryResult.complete}. */
  complete: boolean;
}

/** Result of a write: how many rows it touched and the consistency position it reached. */
export interface EngineWriteResult {
  /** Rows written or removed. */
  count: number;
  /** Position of the write (e.g. a WAL LSN), compared with {@link Engine.comparePositions}. */
  position: string;
}

/** What a health probe learned about one endpoint. */
export interface EndpointProbe {
  /** The endpoint answered. */
  alive: boolean;
  /** The endpoint accepts writes (a primary not in recovery). */
  writable: boolean;
  /** Position the endpoint has applied (a replica's replay LSN, a primary's current LSN). */
  position?: string;
  /** Replication lag in milliseconds, for replicas. */
  lagMs?: number;
  /** Round-trip time of the probe. */
  latencyMs: number;
  /** Why it is not alive, when it is not. */
  error?: string;
}

/**
 * One place an engine can send operations: a primary, a replica, or the single in-process
 * store. Core decides which endpoint serves a call (routing, breakers, retries); an endpoint
 * only knows how to execute an operation and how to probe itself.
 *
 * Engines receive validated input only: ids, vectors, metadata and filters were checked by core.
 * They throw {@link AindusError}s (`COLLECTION_NOT_FOUND`, `COLLECTION_EXISTS`, `READ_ONLY`,
 * `UNAVAILABLE` with `retryable` set for transient faults, ...).
 */
export interface EngineEndpoint {
  /** Stable identifier, e.g. `primary` or `replica-1`. */
  readonly id: string;
  /** Whether the endpoint is configured as the primary or as a read replica. */
  readonly role: 'primary' | 'replica';
  /** Network address, for telemetry (`server.address`, `server.port`). */
  readonly address?: { host: string; port?: number };
  /** Checks liveness, writability and applied position. Never throws. */
  probe(ctx: EngineContext): Promise<EndpointProbe>;
  /** Creates a collection; `created: false` when an identical one exists; `COLLECTION_EXISTS` if different. */
  createCollection(spec: CollectionSpec, ctx: EngineContext): Promise<{ created: boolean }>;
  /** Drops a collection with all tenants' records; `dropped: false` when it did not exist. */
  dropCollection(name: string, ctx: EngineContext): Promise<{ dropped: boolean }>;
  /** Every collection, ordered by name. */
  listCollections(ctx: EngineContext): Promise<CollectionSpec[]>;
  /** One collection's spec, or `undefined`. */
  describeCollection(name: string, ctx: EngineContext): Promise<CollectionSpec | undefined>;
  /** Inserts or replaces records whole, all or nothing. */
  upsert(
    req: { collection: string; tenant: string; records: EngineRecord[] },
    ctx: EngineContext,
  ): Promise<EngineWriteResult>;
  /** Nearest neighbours. */
  query(req: EngineQuery, ctx: EngineContext): Promise<EngineQueryResult>;
  /** Records by id, in the order of `ids`, missing ids omitted. */
  get(
    req: { collection: string; tenant: string; ids: string[]; includeVector: boolean },
    ctx: EngineContext,
  ): Promise<{ id: string; metadata: Metadata; vector?: number[] }[]>;
  /** Removes records by ids or by filter (`filter` undefined removes none; core never sends that). */
  delete(
    req: { collection: string; tenant: string; ids?: string[]; filter?: FilterNode },
    ctx: EngineContext,
  ): Promise<EngineWriteResult>;
  /** Counts a tenant's records, optionally filtered. */
  count(
    req: { collection: string; tenant: string; filter?: FilterNode },
    ctx: EngineContext,
  ): Promise<number>;
}

/** What an engine can do, so core can pick defaults. */
export interface EngineCapabilities {
  /**
   * Other processes may write to the same data (a database server). With a shared engine
   * the client does not default to an in-process cache, which could not see their writes.
   */
  shared: boolean;
  /** Data survives `close()` and a process restart. */
  persistent: boolean;
  /** Records per engine `upsert` call the engine handles best; core chunks input to it. */
  upsertChunkSize: number;
}

/**
 * A vector engine: one or more endpoints plus the rules to compare their positions.
 * Create one with an adapter's factory (`createMemoryEngine`, `createHnswEngine`,
 * `createPgEngine`) and pass it to {@link createClient}.
 */
export interface Engine {
  /** Engine name, used as `db.system.name` (e.g. `postgresql`, `hnswlib`, `memory`). */
  readonly name: string;
  /** Namespace for telemetry (`db.namespace`), e.g. the database and schema. */
  readonly namespace?: string;
  /** See {@link EngineCapabilities}. */
  readonly capabilities: EngineCapabilities;
  /** The primary endpoint first, then replicas. Never empty. */
  readonly endpoints: readonly EngineEndpoint[];
  /** Orders two positions (tokens): negative when `a` is older than `b`, 0 when equal. */
  comparePositions(a: string, b: string): number;
  /** Releases what the engine created (never a pool the user passed in). Idempotent. */
  close(): Promise<void>;
}
