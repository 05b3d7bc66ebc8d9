import { AindusError } from '../errors/aindus-error.js';
import type { CollectionSpec, CreateCollectionOptions, ResolvedIndexSpec } from '../types.js';
import { MAX_DIMENSION, validateCollectionName, validateInteger } from '../validation/validate.js';

/** Index used when `createCollection` is given none. */
export const DEFAULT_INDEX: Extract<ResolvedIndexSpec, { type: 'hnsw' }> = {
  type: 'hnsw',
  m: 16,
  efConstruction: 64,
};

/** Validates `createCollection` options and fills in defaults. */
export function resolveCollectionSpec(
  name: string,
  options: CreateCollectionOptions,
): CollectionSpec {
  validateCollectionName(name);
  if (typeof options !== 'object' || options === null) {
    throw new AindusError('INVALID_ARGUMENT', 'createCollection needs { dimension, metric }');
  }
  const dimension = validateInteger(options.dimension, 'dimension', 1, MAX_DIMENSION);
  const { metric } = options;
  if (metric !== 'cosine' && metric !== 'l2' && metric !== 'ip') {
    throw new AindusError(
      'INVALID_ARGUMENT',
      `metric must be 'cosine', 'l2' or 'ip'; got ${String(metric)}`,
    );
  }
  return { name, dimension, metric, index: resolveIndex(options.index) };
}

function resolveIndex(index: CreateCollectionOptions['index']): ResolvedIndexSpec {
  if (index === undefined) return DEFAULT_INDEX;
  switch (index?.type) {
    case 'hnsw':
      return {
        type: 'hnsw',
        m: validateInteger(index.m ?? DEFAULT_INDEX.m, 'index.m', 2, 100),
        efConstruction: validateInteger(
          index.efConstruction ?? DEFAULT_INDEX.efConstruction,
          'index.efConstruction',
          4,
          1000,
        ),
      };
    case 'ivfflat':
      return {
        type: 'ivfflat',
        lists: validateInteger(index.lists ?? 100, 'index.lists', 1, 32768),
      };
    case 'none':
      return { type: 'none' };
    default:
      throw new AindusError('INVALID_ARGUMENT', "index.type must be 'hnsw', 'ivfflat' or 'none'");
  }
}

/** True when two specs describe the same collection (createCollection is then idempotent). */
export function sameCollectionSpec(a: CollectionSpec, b: CollectionSpec): boolean {
  return (
    a.name === b.name &&
    a.dimension === b.dimension &&
    a.metric === b.metric &&
    JSON.stringify(a.index) === JSON.stringify(b.index)
  );
}

/** The `COLLECTION_EXISTS` error for a spec that differs from the stored one. */
export function collectionExistsError(existing: CollectionSpec): AindusError {
  return new AindusError(
    'COLLECTION_EXISTS',
    `Collection "${existing.name}" exists with a different spec: ${JSON.stringify(existing)}`,
    { details: { existing } },
  );
}

/** The `COLLECTION_NOT_FOUND` error. */
export function collectionNotFoundError(name: string): AindusError {
  return new AindusError('COLLECTION_NOT_FOUND', `Collection "${name}" does not exist`, {
    details: { collection: name },
  });
}
