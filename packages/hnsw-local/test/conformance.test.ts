import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runConformanceSuite } from '@aindusdb/core/testing';
import { afterAll, afterEach, beforeAll, beforeEach, describe, it } from 'vitest';
import { createHnswEngine } from '../src/index.js';

const runner = { describe, it, beforeAll, afterAll, beforeEach, afterEach };

runConformanceSuite({
  name: 'hnsw-local (memory)',
  runner,
  createEngine: async () => createHnswEngine(),
});

// On disk, with the engine closed and reopened between each case's writes and reads. A tiny
// log threshold makes compaction (snapshot + fresh log) happen during the cases too.
const dir = mkdtempSync(join(tmpdir(), 'aindus-hnsw-conformance-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

runConformanceSuite({
  name: 'hnsw-local (disk, reopen)',
  runner,
  createEngine: async () => createHnswEngine({ dir, compactLogBytes: 64 * 1024 }),
  reopen: async (engine) => {
    await engine.close();
    return createHnswEngine({ dir, compactLogBytes: 64 * 1024 });
  },
});
