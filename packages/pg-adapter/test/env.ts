import type { EngineContext } from '@aindusdb/core';
import pg from 'pg';

/** The primary's URL from `scripts/services.sh env`; fails loudly when missing (CI must not skip). */
export function primaryUrl(): string {
  const url = process.env.AINDUS_PG_URL;
  if (!url) {
    throw new Error(
      'AINDUS_PG_URL is not set: run `bash scripts/services.sh up` and `eval "$(bash scripts/services.sh env)"` first',
    );
  }
  return url;
}

/** The replicas' URLs; fails loudly when missing. */
export function replicaUrls(): string[] {
  const urls = process.env.AINDUS_PG_REPLICA_URLS;
  if (!urls) {
    throw new Error(
      'AINDUS_PG_REPLICA_URLS is not set: run `bash scripts/services.sh up` and `eval "$(bash scripts/services.sh env)"` first',
    );
  }
  return urls.split(',').filter(Boolean);
}

/** A schema name unique to this test run, so parallel runs and reruns never collide. */
export function uniqueSchema(prefix = 't'): string {
  return `${prefix}_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
}

/** A call context with a deadline. */
export function ctx(timeoutMs = 20_000): EngineContext {
  return { signal: AbortSignal.timeout(timeoutMs), deadline: Date.now() + timeoutMs };
}

/** Drops a test schema with everything in it. */
export async function dropSchema(schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: primaryUrl() });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  } finally {
    await client.end();
  }
}

/** A deterministic pseudo-random generator (mulberry32). */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A random float32 vector. */
export function randomVector(next: () => number, dimension: number): Float32Array {
  const v = new Float32Array(dimension);
  for (let i = 0; i < dimension; i++) v[i] = next() * 2 - 1;
  return v;
}
