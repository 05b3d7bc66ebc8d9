import { AindusError, type CacheEpoch } from '@aindusdb/core';

/** Redis key names of one cache (one prefix). */
export interface KeyLayout {
  /** The scope's epoch, a string `"<epoch>:<position>"`. */
  epoch(scope: string): string;
  /** A query entry; shares the epoch key's hash tag so both are read by one MGET in a cluster. */
  entry(scope: string, key: string): string;
  /** An embedding; no hash tag, so embeddings spread over a cluster's nodes. */
  embedding(key: string): string;
}

const PREFIX = /^[A-Za-z0-9_.:-]{1,64}$/;

/** Validates a key prefix: 1 to 64 of `A-Z a-z 0-9 _ . : -` (no braces, which are hash tags). */
export function validatePrefix(prefix: unknown): string {
  if (typeof prefix !== 'string' || !PREFIX.test(prefix)) {
    throw new AindusError(
      'INVALID_ARGUMENT',
      'prefix must be 1 to 64 characters from A-Z a-z 0-9 _ . : - (braces are Redis hash tags)',
    );
  }
  return prefix;
}

// Braces would end the hash tag early; `%` is escaped so the mapping stays one-to-one.
const escapeScope = (scope: string) =>
  /[{}%]/.test(scope) ? scope.replace(/[{}%]/g, (c) => `%${c.charCodeAt(0).toString(16)}`) : scope;

/**
 * Key layout: `{prefix:scope}:e` for a scope's epoch, `{prefix:scope}:q:<key>` for its entries
 * and `prefix:emb:<key>` for embeddings. The hash tag `{prefix:scope}` puts a collection's
 * epoch and entries in one cluster slot.
 */
export function createKeyLayout(prefix: string): KeyLayout {
  const tag = (scope: string) => `{${prefix}:${escapeScope(scope)}}`;
  return {
    epoch: (scope) => `${tag(scope)}:e`,
    entry: (scope, key) => `${tag(scope)}:q:${key}`,
    embedding: (key) => `${prefix}:emb:${key}`,
  };
}

/** Parses an epoch value `"<epoch>:<position>"`; throws on anything else. */
export function parseEpoch(value: string): CacheEpoch {
  const colon = value.indexOf(':');
  const epoch = colon > 0 ? Number(value.slice(0, colon)) : Number.NaN;
  if (!Number.isSafeInteger(epoch) || epoch < 0) {
    throw new AindusError('INTERNAL', 'Malformed cache epoch in Redis', { details: { value } });
  }
  const position = value.slice(colon + 1);
  return position === '' ? { epoch } : { epoch, position };
}
