import { AindusError } from '@aindusdb/core';

const COLLECTION_NAME = /^[a-z][a-z0-9_-]{0,47}$/;
const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/** Double-quotes an identifier (already validated, so this is belt and braces). */
export function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** Checks a schema name: lowercase letters, digits and `_`, not `pg_*`, at most 63 characters. */
export function validateSchemaName(schema: unknown): string {
  if (typeof schema !== 'string' || !SCHEMA_NAME.test(schema) || schema.startsWith('pg_')) {
    throw new AindusError(
      'INVALID_ARGUMENT',
      `schema must match ${SCHEMA_NAME} and not start with "pg_"; got ${JSON.stringify(schema)}`,
    );
  }
  return schema;
}

/** Checks a collection name again at the SQL boundary (core checked it too). */
export function validateCollectionName(name: unknown): string {
  if (typeof name !== 'string' || !COLLECTION_NAME.test(name)) {
    throw new AindusError('INVALID_ARGUMENT', `Invalid collection name ${JSON.stringify(name)}`);
  }
  return name;
}

/** Quoted, schema-qualified names of everything one schema holds. */
export interface SchemaNames {
  /** The schema, unquoted. */
  schema: string;
  /** The schema, quoted. */
  quotedSchema: string;
  /** `"schema"."aindus_collections"`. */
  catalog: string;
  /** `"schema"."aindus_migrations"`. */
  migrations: string;
  /** Key of the advisory lock that serializes this schema's DDL. */
  lockKey: string;
  /** `"schema"."c_<name>"` for a collection. */
  table(collection: string): string;
  /** Unqualified, quoted name of a collection's ANN index. */
  indexName(collection: string): string;
  /** Schema-qualified, quoted name of a collection's ANN index. */
  index(collection: string): string;
}

/** Builds the quoted names of a schema's tables, validating every part. */
export function schemaNames(schema: string): SchemaNames {
  const s = quoteIdent(validateSchemaName(schema));
  return {
    schema,
    quotedSchema: s,
    catalog: `${s}.${quoteIdent('aindus_collections')}`,
    migrations: `${s}.${quoteIdent('aindus_migrations')}`,
    lockKey: `aindusdb:${schema}`,
    table: (collection) => `${s}.${quoteIdent(`c_${validateCollectionName(collection)}`)}`,
    indexName: (collection) => quoteIdent(`c_${validateCollectionName(collection)}_ann`),
    index: (collection) => `${s}.${quoteIdent(`c_${validateCollectionName(collection)}_ann`)}`,
  };
}
