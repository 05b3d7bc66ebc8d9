/** Distance metric of a collection. See {@link QueryMatch} for how distance and score follow. */
export type Metric = 'cosine' | 'l2' | 'ip';

/** Index requested for a collection. Engines that need no index store the spec and ignore it. */
export type IndexSpec =
  | { type: 'hnsw'; m?: number; efConstruction?: number }
  | { type: 'ivfflat'; lists?: number }
  | { type: 'none' };

/** An {@link IndexSpec} with every default filled in, as engines receive and report it. */
export type ResolvedIndexSpec =
  | { type: 'hnsw'; m: number; efConstruction: number }
  | { type: 'ivfflat'; lists: number }
  | { type: 'none' };

/** Options of `client.createCollection`. */
export interface CreateCollectionOptions {
  /** Number of components of every vector, a whole number from 1 to 16,000. */
  dimension: number;
  /** Distance metric. */
  metric: Metric;
  /** Index to build; defaults to `{ type: 'hnsw', m: 16, efConstruction: 64 }`. */
  index?: IndexSpec;
}

/** A collection's full definition, as stored in an engine's catalog. */
export interface CollectionSpec {
  /** Collection name: lowercase letters, digits, `_` and `-`, starting with a letter, ≤ 48 chars. */
  name: string;
  /** Vector length. */
  dimension: number;
  /** Distance metric. */
  metric: Metric;
  /** Index with defaults resolved. */
  index: ResolvedIndexSpec;
}

/** A JSON value, as metadata may hold. */
export type JsonValue =
  | string
  | number
  | boolean
  | null
  | JsonValue[]
  | { [key: string]: JsonValue };

/** Metadata attached to a record: a JSON object. */
export type Metadata = { [key: string]: JsonValue };

/** A record passed to `upsert`. */
export interface VectorRecord {
  /** Non-empty string of at most 512 UTF-8 bytes, unique within a collection and tenant. */
  id: string;
  /** Exactly `dimension` finite numbers. */
  vector: readonly number[] | Float32Array;
  /** Optional JSON object; replaced whole on upsert. */
  metadata?: Metadata;
}

/** A record returned by `get`. */
export interface StoredRecord {
  /** Record id. */
  id: string;
  /** Metadata, `{}` when none was stored. */
  metadata: Metadata;
  /** Present when `includeVector` was set. */
  vector?: number[];
}

/**
 * One query result.
 *
 * `distance` is metric-native, lower is nearer: `1 − cos` for cosine, Euclidean (not squared)
 * for `l2`, the negative inner product for `ip`. `score` is higher-is-better: `1 − distance`
 * for cosine, the inner product for `ip`, `1 / (1 + distance)` for `l2`.
 */
export interface QueryMatch {
  /** Record id. */
  id: string;
  /** Higher is better. */
  score: number;
  /** Lower is nearer. */
  distance: number;
  /** Present unless `includeMetadata: false`. */
  metadata?: Metadata;
  /** Present when `includeVector: true`. */
  vector?: number[];
}

/** Result of `query`. */
export interface QueryResult {
  /** At most `topK` matches, nearest first, ties broken by id. */
  matches: QueryMatch[];
  /**
   * True when every record passing the filter was a candidate, or `topK` matches were found.
   * False means an approximate search may have missed matching records.
   */
  complete: boolean;
}

/** Consistency of a read; see the README's consistency section. */
export type Consistency = 'session' | 'strong' | 'eventual';

/** Engine search parameters; engines ignore the ones that do not apply to them. */
export interface SearchParams {
  /** HNSW candidate list size (`hnsw.ef_search`). */
  ef?: number;
  /** IVFFlat lists probed (`ivfflat.probes`). */
  probes?: number;
  /** Bypass the index and scan exactly. */
  exact?: boolean;
}

/** Options common to every call. */
export interface CallOptions {
  /** Abort the call; it rejects with `TIMEOUT`. */
  signal?: AbortSignal;
  /** Deadline for the whole call, retries and waits included. Defaults to `resilience.timeoutMs`. */
  timeoutMs?: number;
}

/** Arguments of `query`. Give exactly one of `vector` or `text` (`text` needs an embedder). */
export interface QueryOptions extends CallOptions {
  /** Query vector. */
  vector?: readonly number[] | Float32Array;
  /** Query text, embedded with the client's `embedder`. */
  text?: string;
  /** Number of matches wanted, a whole number from 1 to 10,000. */
  topK: number;
  /** Filter on metadata; see {@link Filter}. */
  filter?: Filter;
  /** Return metadata (default true). */
  includeMetadata?: boolean;
  /** Return vectors (default false). */
  includeVector?: boolean;
  /** Engine search parameters. */
  search?: SearchParams;
  /** Read consistency (default `'session'`). */
  consistency?: Consistency;
  /** A write token: the read reflects at least that write. */
  after?: string;
}

/** Progress of an upsert. */
export interface UpsertProgress {
  /** Records written so far by this call. */
  upserted: number;
}

/** Options of `upsert`. */
export interface UpsertOptions extends CallOptions {
  /** Called after each chunk is written. */
  onProgress?: (progress: UpsertProgress) => void;
}

/** Result of a write. `token` can be passed as `after` to a read, in any process. */
export interface WriteResult {
  /** Opaque consistency token of this write. */
  token: string;
}

/** Result of `upsert`. */
export interface UpsertResult extends WriteResult {
  /** Records written. */
  upserted: number;
}

/** Result of `delete`. */
export interface DeleteResult extends WriteResult {
  /** Records removed. */
  deleted: number;
}

/** Options of `get`. */
export interface GetOptions extends CallOptions {
  /** Return vectors (default false). */
  includeVector?: boolean;
  /** Read consistency (default `'session'`). */
  consistency?: Consistency;
  /** A write token the read must reflect. */
  after?: string;
}

/** Selector of `delete`: by ids or by filter. */
export type DeleteSelector = { ids: readonly string[] } | { filter: Filter };

/** Options of `count`. */
export interface CountOptions extends CallOptions {
  /** Count only records passing this filter. */
  filter?: Filter;
  /** Read consistency (default `'session'`). */
  consistency?: Consistency;
  /** A write token the read must reflect. */
  after?: string;
}

/** Result of `describe`. */
export interface CollectionDescription extends CollectionSpec {
  /** Number of records (of this handle's tenant). */
  count: number;
}

/** A scalar a filter compares with. */
export type FilterScalar = string | number | boolean | null;

/** Operators on one field. Several in one object must all hold. */
export interface FieldOperators {
  /** Equal, same type. */
  $eq?: FilterScalar;
  /** Not equal, or missing. */
  $ne?: FilterScalar;
  /** Greater than; numbers compare with numbers, strings with strings (by code point). */
  $gt?: number | string;
  /** Greater than or equal. */
  $gte?: number | string;
  /** Less than. */
  $lt?: number | string;
  /** Less than or equal. */
  $lte?: number | string;
  /** Equal to one of. */
  $in?: readonly FilterScalar[];
  /** Equal to none of, or missing. */
  $nin?: readonly FilterScalar[];
  /** Present (`true`) or missing (`false`). */
  $exists?: boolean;
}

/**
 * A metadata filter. `{ field: value }` is equality, `{ field: { $op: value } }` applies
 * operators, dotted names reach nested fields, and `$and`, `$or`, `$not` combine filters.
 * Comparisons never coerce types; a missing field matches only `$ne`, `$nin` and
 * `$exists: false`.
 */
export interface Filter {
  /** All must hold. */
  $and?: readonly Filter[];
  /** At least one must hold. */
  $or?: readonly Filter[];
  /** Must not hold. */
  $not?: Filter;
  /** Field conditions. */
  [field: string]: FilterScalar | FieldOperators | readonly Filter[] | Filter | undefined;
}
