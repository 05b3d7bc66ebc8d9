import { createMemoryEngine } from '@aindusdb/core';
import { runConformanceSuite } from '@aindusdb/core/testing';
import { afterAll, afterEach, beforeAll, beforeEach, describe, it } from 'vitest';

runConformanceSuite({
  name: 'memory',
  runner: { describe, it, beforeAll, afterAll, beforeEach, afterEach },
  createEngine: async () => createMemoryEngine(),
});

// The memory engine is not persistent; "reopening" it as a new client over the same engine
// still exercises the reopen plumbing and clients that start with no remembered state.
runConformanceSuite({
  name: 'memory (fresh client at every reopen)',
  runner: { describe, it, beforeAll, afterAll },
  createEngine: async () => createMemoryEngine(),
  reopen: async (engine) => engine,
});
