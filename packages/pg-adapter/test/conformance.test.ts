import { runConformanceSuite } from '@aindusdb/core/testing';
import { createPgEngine } from '@aindusdb/pg-adapter';
import { afterAll, afterEach, beforeAll, beforeEach, describe, it } from 'vitest';
import { dropSchema, primaryUrl, uniqueSchema } from './env.js';

// The shared conformance suite against a real PostgreSQL primary, in a schema of this run's own.
const schema = uniqueSchema('conf');
const open = () => createPgEngine({ primary: primaryUrl(), schema, max: 4 });

runConformanceSuite({
  name: 'pg-adapter (PostgreSQL + pgvector)',
  runner: { describe, it, beforeAll, afterAll, beforeEach, afterEach },
  createEngine: async () => open(),
  reopen: async (engine) => {
    await engine.close();
    return open();
  },
});

afterAll(async () => {
  await dropSchema(schema);
});
