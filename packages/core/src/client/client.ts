import type { Cache } from '../cache/cache.js';
import type { Engine } from '../engine/engine.js';
import type { ResilienceOptions } from '../resilience/resilience-options.js';
import type { Tracer } from '../telemetry/tracer.js';
import type {
  CallOptions,
  CollectionDescription,
  CollectionSpec,
  Consistency,
  CountOptions,
  CreateCollectionOptions,
  DeleteResult,
  DeleteSelector,
  GetOptions,
  QueryOptions,
  QueryResult,
  StoredRecord,
  UpsertOptions,
  UpsertResult,
  VectorRecord,
} from '../types.js';

/** Turns texts into vectors, for `{ text }` queries. Must return one vector per text. */
export type Embedder = (texts: string[]) => Promise<number[][]>;

/** Options of {@link createClient}. */
export interface ClientOptions {
  /** The vector engine. Required. */
  engine: Engine;
  /**
   * Query-result cache. Defaults to {@link createMemoryCache} for in-process engines and to
   * none for shared engines (an in-process cache cannot see other processes' writes).
   * `false` disables caching.
   */
  cache?: Cache | false;
  /** Tracer for spans and metrics; defaults to a no-op. */
  tracer?: Tracer;
  /** Timeouts and failure handling. */
  resilience?: ResilienceOptions;
  /** Enables `{ text }` queries. */
  embedder?: Embedder;
  /**
   * Names the embedder (model and version) so cached embeddings of one model are never served
   * for another; change it when the model changes. Default `'default'`.
   */
  embedderId?: string;
}

/** Operations of a collection handle (the same for tenant handles). */
export interface Collection {
  /** Collection name. */
  readonly name: string;
  /** Tenant of this handle (`''` for the default tenant). */
  readonly tenantId: string;
  /**
   * Inserts or replaces records whole. Accepts an array or an (async) iterable; input is
   * written in chunks, each all-or-nothing. An array is validated whole before anything is
   * written; a bad record fails the call with its index in `details.index`.
   */
  upsert(
    records: Iterable<VectorRecord> | AsyncIterable<VectorRecord>,
    options?: UpsertOptions,
  ): Promise<UpsertResult>;
  /** Nearest neighbours of a vector or text. */
  query(options: QueryOptions): Promise<QueryResult>;
  /** Records by id, in the order of `ids`; missing ids are omitted. */
  get(ids: readonly string[], options?: GetOptions): Promise<StoredRecord[]>;
  /** Removes records by ids or by filter. */
  delete(selector: DeleteSelector, options?: CallOptions): Promise<DeleteResult>;
  /** Counts records, optionally filtered. */
  count(options?: CountOptions): Promise<number>;
  /** The collection's spec and this tenant's record count. */
  describe(options?: CallOptions): Promise<CollectionDescription>;
  /** A handle confined to `tenant`: it never reads, counts, deletes or overwrites other tenants' rows. */
  tenant(tenant: string): Collection;
}

/** Health of one component. */
export interface ComponentHealth {
  /** Component name, e.g. `engine:primary`, `engine:replica-1`, `cache:memory`. */
  name: string;
  /** `ok`, `degraded` (usable with limits) or `down`. */
  status: 'ok' | 'degraded' | 'down';
  /** Probe round trip. */
  latencyMs?: number;
  /** Replication lag of a replica. */
  lagMs?: number;
  /** Breaker state, when the component has one. */
  breaker?: 'closed' | 'open' | 'half-open';
  /** Why it is not ok. */
  detail?: string;
}

/** Result of {@link Client.health}. */
export interface HealthReport {
  /** `down` when writes and reads are impossible, `degraded` when some component is not ok. */
  status: 'ok' | 'degraded' | 'down';
  /** Every component probed. */
  components: ComponentHealth[];
}

/** One finding of {@link Client.diagnose}. */
export interface DiagnosticFinding {
  /** How much it matters. */
  severity: 'info' | 'warning' | 'error';
  /** Component concerned. */
  component: string;
  /** What was found. */
  message: string;
  /** What to do about it. */
  recommendation: string;
}

/** An operation whose route {@link Client.explainRoute} explains. */
export interface RouteRequest {
  /** `read` (query, get, count, describe) or `write`. */
  kind: 'read' | 'write';
  /** Consistency of a read (default `'session'`). */
  consistency?: Consistency;
  /** Token a read must reflect. */
  after?: string;
}

/** Where an operation would go now, and why. */
export interface RouteExplanation {
  /** Endpoint id, or `undefined` when no endpoint can serve it now. */
  endpoint: string | undefined;
  /** Human-readable reason. */
  reason: string;
  /** Endpoints considered and why each was or was not eligible. */
  candidates: { endpoint: string; eligible: boolean; reason: string }[];
}

/** The client: collections plus health, diagnosis and routing. Create with {@link createClient}. */
export interface Client {
  /** Creates a collection; idempotent for an identical spec, `COLLECTION_EXISTS` otherwise. */
  createCollection(
    name: string,
    options: CreateCollectionOptions,
    callOptions?: CallOptions,
  ): Promise<Collection>;
  /** A handle to an existing collection; existence is checked by the first operation. */
  collection(name: string): Collection;
  /** Every collection, ordered by name. */
  listCollections(options?: CallOptions): Promise<CollectionSpec[]>;
  /** Drops a collection with all its records; false when it did not exist. */
  dropCollection(name: string, options?: CallOptions): Promise<boolean>;
  /** Probes every endpoint and the cache. */
  health(options?: CallOptions): Promise<HealthReport>;
  /** Looks for misconfigurations and problems, with recommendations. */
  diagnose(options?: CallOptions): Promise<{ findings: DiagnosticFinding[] }>;
  /** Which endpoint an operation would use now, and why. Does no I/O. */
  explainRoute(request: RouteRequest): RouteExplanation;
  /** Closes what the client created (engine, default cache); never a pool or client you passed in. */
  close(): Promise<void>;
}
