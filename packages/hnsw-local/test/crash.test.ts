import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createClient } from '@aindusdb/core';
import { afterAll, describe, expect, it } from 'vitest';
import { createHnswEngine } from '../src/index.js';
import {
  applyOp,
  CRASH_DIMENSION,
  CRASH_IDS,
  type CrashOp,
  type CrashState,
  seeded,
  vectorOf,
} from './fixtures/crash-model.js';

const here = dirname(fileURLToPath(import.meta.url));
const packageDir = join(here, '..');
const writer = join(here, 'fixtures', 'crash-writer.ts');
const TRIALS = 24;

const dir = mkdtempSync(join(tmpdir(), 'aindus-hnsw-crash-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Starts the writer; resolves once it has opened the engine and begun writing. */
function startWriter(ackPath: string, seed: number, startVersion: number): Promise<ChildProcess> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', writer, dir, ackPath, String(seed), String(startVersion)],
    {
      cwd: packageDir,
      // The child runs the TypeScript sources (no build needed) through these path mappings.
      env: { ...process.env, TSX_TSCONFIG_PATH: join(here, 'fixtures', 'tsconfig.json') },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let stderr = '';
  child.stderr!.on('data', (d) => {
    stderr += d;
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`writer did not start within 20 s: ${stderr}`));
    }, 20_000);
    child.stdout!.on('data', (d: Buffer) => {
      if (d.toString().includes('ready')) {
        clearTimeout(timer);
        resolve(child);
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`writer exited (${code}) before it was ready: ${stderr}`));
    });
  });
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

/** Acknowledged operations in order, and the one in flight when the child died (if any). */
function readAcks(path: string): { acked: CrashOp[]; inFlight: CrashOp | undefined } {
  const acked: CrashOp[] = [];
  let pending: CrashOp | undefined;
  let text = '';
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    // killed before the first intent
  }
  for (const line of text.split('\n')) {
    if (line.startsWith('I ')) pending = JSON.parse(line.slice(2)) as CrashOp;
    else if (line === 'A' && pending) {
      acked.push(pending);
      pending = undefined;
    }
  }
  return { acked, inFlight: pending };
}

function sameState(a: CrashState, b: CrashState): boolean {
  if (a.size !== b.size) return false;
  for (const [id, v] of a) if (b.get(id) !== v) return false;
  return true;
}

describe('crash safety (SIGKILL during writes and compactions)', () => {
  it(`after ${TRIALS} kills, reopening yields every acknowledged write and nothing torn`, async () => {
    const random = seeded(20240601);
    let baseline: CrashState = new Map();
    let version = 0;
    let inFlightSeen = 0;
    let inFlightApplied = 0;
    let ackedTotal = 0;
    let interruptedCompactions = 0;
    for (let trial = 0; trial < TRIALS; trial++) {
      const ackPath = join(dir, `acks-${trial}.txt`);
      const child = await startWriter(ackPath, trial + 1, version);
      await new Promise((r) => setTimeout(r, Math.floor(random() * 150)));
      child.kill('SIGKILL');
      await exited(child);

      // Files the manifest does not name mean the kill interrupted a compaction.
      const collectionDir = join(dir, 'collections', 'crash');
      const manifest = JSON.parse(readFileSync(join(collectionDir, 'MANIFEST'), 'utf8')) as Record<
        string,
        unknown
      >;
      const named = new Set([
        'spec.json',
        'MANIFEST',
        manifest.index,
        manifest.records,
        manifest.log,
      ]);
      if (readdirSync(collectionDir).some((f) => !named.has(f))) interruptedCompactions++;

      const { acked, inFlight } = readAcks(ackPath);
      ackedTotal += acked.length;
      let expected = baseline;
      for (const op of acked) expected = applyOp(expected, op);
      const withInFlight = inFlight ? applyOp(expected, inFlight) : expected;
      for (const op of [...acked, ...(inFlight ? [inFlight] : [])]) {
        if (op.kind === 'upsert')
          for (const r of op.records) version = Math.max(version, r.version);
      }

      // The parent takes over the dead child's lock and recovers snapshot + log.
      const client = createClient({ engine: createHnswEngine({ dir }), cache: false });
      try {
        const col = client.collection('crash');
        const ids = Array.from({ length: CRASH_IDS }, (_, i) => `id-${i}`);
        const rows = await col.get(ids, { includeVector: true });
        const observed: CrashState = new Map();
        for (const row of rows) {
          const v = row.metadata.version as number;
          observed.set(row.id, v);
          // Exactly the value written at that version: vector and metadata together.
          expect(row.vector, `trial ${trial}: vector of ${row.id}@${v}`).toEqual(
            Array.from(Float32Array.from(vectorOf(row.id, v))),
          );
        }
        const matchesAcked = sameState(observed, expected);
        const matchesInFlight = sameState(observed, withInFlight);
        expect(
          matchesAcked || matchesInFlight,
          `trial ${trial}: recovered state is neither the acknowledged state nor it plus the in-flight write`,
        ).toBe(true);
        if (inFlight) {
          inFlightSeen++;
          if (!matchesAcked) inFlightApplied++;
        }
        baseline = matchesAcked ? expected : withInFlight;
        expect(await col.count()).toBe(baseline.size);
        // The index answers over the recovered rows.
        const probe = Array.from({ length: CRASH_DIMENSION }, () => random() * 2 - 1);
        const result = await col.query({ vector: probe, topK: 5 });
        expect(result.matches.length).toBe(Math.min(5, baseline.size));
        expect(result.complete).toBe(true);
      } finally {
        await client.close();
      }
    }
    // The workload must actually have exercised the recovery path.
    expect(ackedTotal).toBeGreaterThan(TRIALS);
    console.log(
      `crash test: ${TRIALS} kills, ${ackedTotal} acknowledged writes, ${inFlightSeen} in flight at the kill (${inFlightApplied} of them recovered as applied), ${interruptedCompactions} inside a compaction`,
    );
  }, 120_000);
});
