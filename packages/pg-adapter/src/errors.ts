import {
  AindusError,
  collectionNotFoundError,
  isAindusError,
  toTimeoutError,
} from '@aindusdb/core';

/** What the failing call was doing, so errors can name the right thing. */
export interface ErrorContext {
  /** The call's signal: a cancel after it aborted is the call's `TIMEOUT`. */
  signal?: AbortSignal;
  /** The collection the statement touched: a missing table means the collection is missing. */
  collection?: string;
}

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'EHOSTDOWN',
  'ENETUNREACH',
  'ENETDOWN',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ENOENT', // a Unix socket that is not there
]);

const CONNECTION_MESSAGES = [
  'Connection terminated',
  'timeout exceeded when trying to connect',
  'Client has encountered a connection error',
  'Client was closed and is not queryable',
  'Connection closed',
];

/** The SQLSTATE of a server error, or undefined for anything else. */
export function sqlState(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const { code, severity } = error as { code?: unknown; severity?: unknown };
  return typeof code === 'string' && typeof severity === 'string' && /^[0-9A-Z]{5}$/.test(code)
    ? code
    : undefined;
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Maps anything `pg` throws to an {@link AindusError} with the right code and `retryable` flag:
 * lost connections, shutdowns, serialization failures and deadlocks are retryable; writes on a
 * standby are `READ_ONLY`; a cancel after the call's deadline is its `TIMEOUT`; a missing
 * collection table is `COLLECTION_NOT_FOUND`.
 */
export function toAindusError(error: unknown, context: ErrorContext = {}): AindusError {
  if (isAindusError(error)) return error;
  const state = sqlState(error);
  const text = message(error);
  if (state === undefined) {
    if (context.signal?.aborted) return toTimeoutError(context.signal.reason);
    const code = (error as { code?: unknown } | null)?.code;
    if (
      (typeof code === 'string' && NETWORK_CODES.has(code)) ||
      CONNECTION_MESSAGES.some((m) => text.includes(m))
    ) {
      return new AindusError('UNAVAILABLE', `PostgreSQL is unreachable: ${text}`, {
        cause: error,
        retryable: true,
      });
    }
    if (text.includes('Cannot use a pool after calling end')) {
      return new AindusError('UNAVAILABLE', 'The connection pool has been ended', {
        cause: error,
        retryable: false,
      });
    }
    return new AindusError('INTERNAL', `Unexpected PostgreSQL client error: ${text}`, {
      cause: error,
      retryable: false,
    });
  }
  const fail = (code: AindusError['code'], retryable: boolean, what = text) =>
    new AindusError(code, `${what} (SQLSTATE ${state})`, {
      cause: error,
      retryable,
      details: { sqlState: state },
    });
  if (state === '57014') {
    if (context.signal?.aborted) return toTimeoutError(context.signal.reason);
    return fail('TIMEOUT', true, `The statement ran past the call's deadline: ${text}`);
  }
  if (state === '25006') return fail('READ_ONLY', true, `The endpoint is read-only: ${text}`);
  if (state === '42P01' || state === '3F000') {
    if (context.collection !== undefined) {
      const notFound = collectionNotFoundError(context.collection);
      return new AindusError('COLLECTION_NOT_FOUND', notFound.message, {
        cause: error,
        details: notFound.details,
      });
    }
    return fail('INTERNAL', false);
  }
  if (state === '40001' || state === '40P01' || state === '55P03') return fail('CONFLICT', true);
  if (
    state.startsWith('08') ||
    state === '57P01' ||
    state === '57P02' ||
    state === '57P03' ||
    state === '53300'
  ) {
    return fail('UNAVAILABLE', true);
  }
  if (state.startsWith('53') || state === '58030') return fail('UNAVAILABLE', true);
  if (state.startsWith('28') || state === '3D000') return fail('UNAVAILABLE', false);
  if (state === '55000' && /recovery/i.test(text))
    return fail('READ_ONLY', true, `The endpoint is in recovery: ${text}`);
  if (state.startsWith('22') || state === '54000' || state === '0A000')
    return fail('INVALID_ARGUMENT', false);
  return fail('INTERNAL', false, `Unexpected PostgreSQL error: ${text}`);
}
