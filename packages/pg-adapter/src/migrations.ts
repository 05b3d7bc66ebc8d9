import type { SchemaNames } from './identifiers.js';
import type { Statement } from './pipeline.js';
import type { Session } from './session.js';

/** One schema change, applied once per schema and recorded in `aindus_migrations`. */
interface Migration {
  version: number;
  name: string;
  statements(names: SchemaNames): string[];
}

/** Every migration, in order. Append only: an applied migration is never edited. */
const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'catalog',
    statements: (names) => [
      `CREATE TABLE IF NOT EXISTS ${names.catalog} (
  name text COLLATE "C" PRIMARY KEY,
  dimension integer NOT NULL CHECK (dimension BETWEEN 1 AND 16000),
  metric text NOT NULL CHECK (metric IN ('cosine', 'l2', 'ip')),
  index jsonb NOT NULL,
  version integer NOT NULL DEFAULT 1,
  created_at timestamptz NOT NULL DEFAULT now()
)`,
    ],
  },
];

/** Latest schema version this package knows. */
export const SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]!.version;

/** Takes the schema's DDL lock for the rest of the transaction; concurrent processes queue on it. */
export function lockStatement(names: SchemaNames): Statement {
  return { text: 'SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', values: [names.lockKey] };
}

/**
 * Brings a schema to {@link SCHEMA_VERSION}: creates the schema, the `vector` extension when
 * missing, and applies pending migrations — all in one transaction under the schema's advisory
 * lock, so concurrent processes never race. Cheap when nothing is pending.
 */
export async function migrate(session: Session, names: SchemaNames): Promise<void> {
  const [, , , state] = await session.run([
    { text: 'BEGIN' },
    session.settings(),
    lockStatement(names),
    {
      text: `SELECT (SELECT count(*) FROM pg_namespace WHERE nspname = $1),
        (SELECT count(*) FROM pg_extension WHERE extname = 'vector'),
        to_regclass($2) IS NOT NULL`,
      values: [names.schema, names.migrations],
    },
  ]);
  const [hasSchema, hasVector, hasTable] = state!.rows[0]!;
  const setup: Statement[] = [];
  if (hasSchema === '0') setup.push({ text: `CREATE SCHEMA IF NOT EXISTS ${names.quotedSchema}` });
  if (hasVector === '0') setup.push({ text: 'CREATE EXTENSION IF NOT EXISTS vector' });
  if (hasTable !== 't') {
    setup.push({
      text: `CREATE TABLE IF NOT EXISTS ${names.migrations} (
  version integer PRIMARY KEY,
  name text NOT NULL,
  applied_at timestamptz NOT NULL DEFAULT now()
)`,
    });
  }
  setup.push({ text: `SELECT coalesce(max(version), 0) FROM ${names.migrations}` });
  const done = await session.run(setup);
  const current = Number(done[done.length - 1]!.rows[0]![0]);
  const pending = MIGRATIONS.filter((m) => m.version > current);
  const apply: Statement[] = pending.flatMap((m) => [
    ...m.statements(names).map((text) => ({ text })),
    {
      text: `INSERT INTO ${names.migrations} (version, name) VALUES ($1, $2)`,
      values: [String(m.version), m.name],
    },
  ]);
  await session.run([...apply, { text: 'COMMIT' }]);
}
