import { randomBytes } from 'node:crypto';
import {
  type Client,
  type Collection,
  createClient,
  type ResilienceOptions,
  type Tracer,
} from '@aindusdb/core';
import { createPgEngine } from '@aindusdb/pg-adapter';
import { waitFor } from '../support/load.js';
import { adminQuery, terminateIdle } from '../support/pg-admin.js';
import { pgUrls } from '../support/services.js';

/** Resilience settings the chaos scenarios use: fast probes, short deadlines. */
export const chaosResilience: ResilienceOptions = {
  timeoutMs: 2_000,
  probeIntervalMs: 200,
  retry: { retries: 4, minDelayMs: 20, maxDelayMs: 200 },
  breaker: { minimumCalls: 4, windowMs: 5_000, openMs: 500, maxOpenMs: 2_000 },
};

/** A client over the real primary and replicas, in a schema of its own, with seeded data. */
export interface ChaosFixture {
  client: Client;
  docs: Collection;
  schema: string;
  urls: { primary: string; replicas: string[] };
  /** Terminates idle connections on every reachable node (scenario 5, run inside every scenario). */
  killIdleConnections(): Promise<number>;
  close(): Promise<void>;
}

/** Creates the fixture: a fresh schema, a 16-dimension collection with `rows` records on every replica. */
export async function createChaosFixture(
  options: {
    rows?: number;
    replicas?: string[];
    resilience?: ResilienceOptions;
    tracer?: Tracer;
  } = {},
): Promise<ChaosFixture> {
  const urls = pgUrls();
  const schema = `chaos_${randomBytes(4).toString('hex')}`;
  const replicas = options.replicas ?? urls.replicas;
  const engine = createPgEngine({ primary: urls.primary, replicas, schema });
  const client = createClient({
    engine,
    cache: false,
    resilience: { ...chaosResilience, ...options.resilience },
    ...(options.tracer ? { tracer: options.tracer } : {}),
  });
  const docs = await client.createCollection('docs', {
    dimension: 16,
    metric: 'l2',
    index: { type: 'none' },
  });
  const rows = options.rows ?? 200;
  const { token } = await docs.upsert(
    Array.from({ length: rows }, (_, i) => ({
      id: `r${i}`,
      vector: Array.from({ length: 16 }, (_, j) => Math.sin(i + j)),
      metadata: { i },
    })),
  );
  // Wait until every replica has the seed data, so scenarios start from a steady state.
  await waitFor(
    async () => (await Promise.all(urls.replicas.map((u) => replayed(u, token)))).every(Boolean),
    30_000,
    100,
  );
  await client.health();
  return {
    client,
    docs,
    schema,
    urls,
    async killIdleConnections() {
      const counts = await Promise.all(
        [urls.primary, ...urls.replicas].map((u) => terminateIdle(u)),
      );
      return counts.reduce((a, b) => a + b, 0);
    },
    async close() {
      await client.close();
      await adminQuery(urls.primary, `DROP SCHEMA IF EXISTS "${schema}" CASCADE`).catch(() => {});
    },
  };
}

/** Whether a replica has replayed WAL up to `lsn`. */
export async function replayed(url: string, lsn: string): Promise<boolean> {
  const rows = await adminQuery<{ ok: boolean }>(
    url,
    'SELECT pg_last_wal_replay_lsn() >= $1::pg_lsn AS ok',
    [lsn],
  ).catch(() => [{ ok: false }]);
  return rows[0]?.ok === true;
}

/** Prints a scenario's figures as a table (kept in docs/benchmarks/resilience.md). */
export function report(scenario: string, figures: Record<string, string | number>): void {
  const lines = Object.entries(figures).map(
    ([k, v]) =>
      `  ${k.padEnd(36)} ${typeof v === 'number' && !Number.isInteger(v) ? v.toFixed(1) : v}`,
  );
  console.log(`\n[chaos] ${scenario}\n${lines.join('\n')}`);
}
