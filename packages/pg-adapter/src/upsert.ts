import { compareCodePoints, type EngineRecord, type EngineWriteResult } from '@aindusdb/core';
import { encodeCopyRows } from './copy-encoder.js';
import { sqlState } from './errors.js';
import type { SchemaNames } from './identifiers.js';
import { textArray } from './params.js';
import type { Statement } from './pipeline.js';
import type { Session } from './session.js';
import { vectorToText } from './vector-codec.js';

/** The statement that reads a write's position: the WAL insert position, read after COMMIT. */
export const POSITION_STATEMENT: Statement = { text: 'SELECT pg_current_wal_insert_lsn()::text' };

const MERGE =
  'ON CONFLICT (tenant, id) DO UPDATE SET embedding = EXCLUDED.embedding, metadata = EXCLUDED.metadata';

const SURROGATE = /[\uD800-\uDFFF]/;
const byCodeUnit = (a: EngineRecord, b: EngineRecord) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
const byCodePoint = (a: EngineRecord, b: EngineRecord) => compareCodePoints(a.id, b.id);

/**
 * Records in "C" collation order (UTF-8 bytes, i.e. code points). UTF-16 code unit order is the
 * same unless an id holds a character beyond U+FFFF, so the native comparison serves most calls.
 */
function sortById(records: readonly EngineRecord[]): EngineRecord[] {
  const astral = records.some((r) => SURROGATE.test(r.id));
  return [...records].sort(astral ? byCodePoint : byCodeUnit);
}

/** What an upsert needs to know. */
export interface UpsertRequest {
  names: SchemaNames;
  collection: string;
  tenant: string;
  records: readonly EngineRecord[];
  /** Batches at least this large go through binary COPY. */
  copyThreshold: number;
}

/**
 * Writes one chunk of records, all or nothing, in one transaction, and returns the WAL position
 * read after COMMIT. Small chunks: one multi-row `INSERT … SELECT FROM unnest(...) ON CONFLICT`
 * in a single round trip. Large chunks: binary COPY — straight into the table when none of the
 * ids exist yet (checked in the same transaction by one range probe and, when that is not
 * conclusive, an id lookup; a concurrent insert makes the COPY fail with a unique violation and
 * the chunk is redone by the merge path), otherwise into a temporary staging table merged with
 * `INSERT … ON CONFLICT`. Rows go in id order, so concurrent upserts never deadlock. Re-running a
 * chunk is safe: upserts replace by id.
 */
export async function upsertChunk(
  session: Session,
  req: UpsertRequest,
): Promise<EngineWriteResult> {
  const { names, collection, tenant } = req;
  // Rows go in id order: overlapping concurrent upserts queue instead of deadlocking, and the
  // primary key's B-tree is filled left to right.
  const records = sortById(req.records);
  const table = names.table(collection);
  if (records.length < req.copyThreshold) {
    const results = await session.run([
      { text: 'BEGIN' },
      session.settings(),
      {
        text: `INSERT INTO ${table} (tenant, id, embedding, metadata)
SELECT $1, u.id, u.embedding::vector, u.metadata::jsonb
FROM unnest($2::text[], $3::text[], $4::text[]) WITH ORDINALITY AS u(id, embedding, metadata, n)
ORDER BY u.n ${MERGE}`,
        values: [
          tenant,
          textArray(records.map((r) => r.id)),
          textArray(records.map((r) => vectorToText(r.vector))),
          textArray(records.map((r) => JSON.stringify(r.metadata))),
        ],
      },
      { text: 'COMMIT' },
      POSITION_STATEMENT,
    ]);
    return { count: records.length, position: results[4]!.rows[0]![0]! };
  }
  // Does any id of the chunk exist? First one range probe (ids are sorted in "C" order): a load
  // into an empty table, or of ids above the existing ones, needs nothing more. Otherwise look
  // every id up.
  const [, , range] = await session.run([
    { text: 'BEGIN' },
    session.settings(),
    {
      text: `SELECT EXISTS (SELECT 1 FROM ${table} WHERE tenant = $1 AND id BETWEEN $2 AND $3)`,
      values: [tenant, records[0]!.id, records[records.length - 1]!.id],
    },
  ]);
  let merge = range!.rows[0]![0] === 't';
  if (merge) {
    const [check] = await session.run([
      {
        text: `SELECT EXISTS (SELECT 1 FROM ${table} WHERE tenant = $1 AND id = ANY($2::text[]))`,
        values: [tenant, textArray(records.map((r) => r.id))],
      },
    ]);
    merge = check!.rows[0]![0] === 't';
  }
  if (!merge) {
    try {
      await session.copy(
        `COPY ${table} (tenant, id, embedding, metadata) FROM STDIN (FORMAT binary)`,
        encodeCopyRows(records, tenant),
      );
    } catch (error) {
      if (sqlState(error) !== '23505') throw error;
      // Another writer inserted one of these ids since the check: redo the chunk as a merge.
      await session.run([{ text: 'ROLLBACK' }, { text: 'BEGIN' }, session.settings()]);
      merge = true;
    }
  }
  if (merge) {
    await session.run([
      {
        text: 'CREATE TEMPORARY TABLE aindus_stage (id text, embedding vector, metadata jsonb) ON COMMIT DROP',
      },
    ]);
    await session.copy(
      'COPY aindus_stage (id, embedding, metadata) FROM STDIN (FORMAT binary)',
      encodeCopyRows(records, undefined),
    );
    await session.run([
      {
        text: `INSERT INTO ${table} (tenant, id, embedding, metadata) SELECT $1, id, embedding, metadata FROM aindus_stage ORDER BY id COLLATE "C" ${MERGE}`,
        values: [tenant],
      },
    ]);
  }
  const [, position] = await session.run([{ text: 'COMMIT' }, POSITION_STATEMENT]);
  return { count: records.length, position: position!.rows[0]![0]! };
}
