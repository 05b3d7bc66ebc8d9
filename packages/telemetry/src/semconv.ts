/** Instrumentation scope name of every tracer and meter this package creates. */
export const INSTRUMENTATION_NAME = '@aindusdb/telemetry';

/** Instrumentation scope version; kept in step with package.json. */
export const INSTRUMENTATION_VERSION = '0.1.0';

/** Name of the operation duration histogram (stable database semantic conventions). */
export const METRIC_OPERATION_DURATION = 'db.client.operation.duration';

/** Name of the cache lookup counter; `aindusdb.cache.hit` tells hits from misses. */
export const METRIC_CACHE_LOOKUPS = 'aindusdb.cache.lookups';

/** Name of the breaker transition counter; `aindusdb.breaker.state` is the new state. */
export const METRIC_BREAKER_TRANSITIONS = 'aindusdb.breaker.transitions';

/** Name of the replica lag gauge, in seconds. */
export const METRIC_REPLICA_LAG = 'aindusdb.replica.lag';

/**
 * Bucket boundaries the database semantic conventions advise for
 * `db.client.operation.duration`, in seconds.
 */
export const OPERATION_DURATION_BUCKETS: readonly number[] = Object.freeze([
  0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10,
]);
