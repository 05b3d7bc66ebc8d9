/**
 * Every error code the SDK raises. The union is closed: new codes are a breaking change.
 *
 * - `INVALID_ARGUMENT` — a malformed argument (bad id, bad option, bad metadata).
 * - `DIMENSION_MISMATCH` — a vector whose length differs from the collection's dimension.
 * - `INVALID_FILTER` — a filter that does not follow the filter language.
 * - `COLLECTION_NOT_FOUND` / `COLLECTION_EXISTS` — catalog conflicts.
 * - `TIMEOUT` — the call's deadline passed.
 * - `CIRCUIT_OPEN` — the endpoint's breaker is open and no other endpoint could serve the call.
 * - `UNAVAILABLE` — the engine (or every endpoint able to serve the call) cannot be reached.
 * - `READ_ONLY` — a write reached an endpoint that only accepts reads.
 * - `CONFLICT` — a concurrent change made the operation impossible (e.g. a directory lock).
 * - `INTERNAL` — a bug or an unexpected engine answer.
 */
export type AindusErrorCode =
  | 'INVALID_ARGUMENT'
  | 'DIMENSION_MISMATCH'
  | 'INVALID_FILTER'
  | 'COLLECTION_NOT_FOUND'
  | 'COLLECTION_EXISTS'
  | 'TIMEOUT'
  | 'CIRCUIT_OPEN'
  | 'UNAVAILABLE'
  | 'READ_ONLY'
  | 'CONFLICT'
  | 'INTERNAL';

/** Codes whose failure may succeed when tried again, by default. */
const RETRYABLE_BY_DEFAULT: ReadonlySet<AindusErrorCode> = new Set(['TIMEOUT', 'UNAVAILABLE']);

/** Options accepted by the {@link AindusError} constructor. */
export interface AindusErrorOptions {
  /** The underlying error, kept for diagnosis. */
  cause?: unknown;
  /** Whether trying again may succeed. Defaults by code (`TIMEOUT`, `UNAVAILABLE`). */
  retryable?: boolean;
  /** Structured context, e.g. `{ index: 3 }` for the offending record of a batch. */
  details?: Readonly<Record<string, unknown>>;
}

// A global symbol survives duplicate copies of this package (ESM + CJS, nested installs).
const BRAND = Symbol.for('aindusdb.error');

/**
 * The one error type the SDK throws. Check with {@link isAindusError} rather than `instanceof`,
 * which fails when two copies of the package are loaded.
 */
export class AindusError extends Error {
  /** What went wrong, from a closed set. */
  readonly code: AindusErrorCode;
  /** Whether trying the same call again may succeed. */
  readonly retryable: boolean;
  /** Structured context for the failure. */
  readonly details: Readonly<Record<string, unknown>>;
  /** @internal Brand checked by {@link isAindusError}. */
  readonly [BRAND] = true;

  constructor(code: AindusErrorCode, message: string, options: AindusErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'AindusError';
    this.code = code;
    this.retryable = options.retryable ?? RETRYABLE_BY_DEFAULT.has(code);
    this.details = options.details ?? {};
  }
}

/**
 * True when `value` is an {@link AindusError}, from this copy of the package or any other.
 * Pass `code` to also check the error's code.
 */
export function isAindusError(value: unknown, code?: AindusErrorCode): value is AindusError {
  if (typeof value !== 'object' || value === null) return false;
  if ((value as { [BRAND]?: unknown })[BRAND] !== true) return false;
  return code === undefined || (value as AindusError).code === code;
}
