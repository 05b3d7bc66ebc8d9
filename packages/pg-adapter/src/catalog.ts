import { AindusError, type CollectionSpec, type ResolvedIndexSpec } from '@aindusdb/core';
import type { SchemaNames } from './identifiers.js';
import type { Statement } from './pipeline.js';

/** Columns the catalog queries select, in order. */
const COLUMNS = 'name, dimension, metric, index::text';

/** Reads one collection's catalog row. */
export function describeStatement(names: SchemaNames, name: string): Statement {
  return { text: `SELECT ${COLUMNS} FROM ${names.catalog} WHERE name = $1`, values: [name] };
}

/** Reads every catalog row, ordered by name. */
export function listStatement(names: SchemaNames): Statement {
  return { text: `SELECT ${COLUMNS} FROM ${names.catalog} ORDER BY name COLLATE "C"` };
}

/**
 * Rebuilds an index spec with its keys in canonical order: jsonb sorts object keys, and core
 * compares specs by their JSON text.
 */
function canonicalIndex(raw: unknown): ResolvedIndexSpec {
  const index = raw as { type?: unknown; m?: unknown; efConstruction?: unknown; lists?: unknown };
  if (
    index?.type === 'hnsw' &&
    typeof index.m === 'number' &&
    typeof index.efConstruction === 'number'
  ) {
    return { type: 'hnsw', m: index.m, efConstruction: index.efConstruction };
  }
  if (index?.type === 'ivfflat' && typeof index.lists === 'number')
    return { type: 'ivfflat', lists: index.lists };
  if (index?.type === 'none') return { type: 'none' };
  throw new AindusError('INTERNAL', `Unreadable index spec in the catalog: ${JSON.stringify(raw)}`);
}

/** Turns a catalog row (`name, dimension, metric, index`) into a spec. */
export function specFromRow(row: readonly (string | null)[]): CollectionSpec {
  const [name, dimension, metric, index] = row;
  if (metric !== 'cosine' && metric !== 'l2' && metric !== 'ip') {
    throw new AindusError('INTERNAL', `Unknown metric in the catalog: ${String(metric)}`);
  }
  return {
    name: name!,
    dimension: Number(dimension),
    metric,
    index: canonicalIndex(JSON.parse(index!)),
  };
}
