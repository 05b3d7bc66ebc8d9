import { isAindusError } from '@aindusdb/core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { percentile, runLoad, trapProcessErrors, waitFor } from '../support/load.js';
import { serviceCtl } from '../support/services.js';
import { type ChaosFixture, createChaosFixture, report } from './fixture.js';

let fx: ChaosFixture;
beforeAll(async () => {
  fx = await createChaosFixture();
});
afterAll(async () => {
  serviceCtl('start', 'pg-primary');
  await fx?.close();
});

const vector = (i: number) => Array.from({ length: 16 }, (_, j) => Math.sin(i * j));

it('primary stopped: writes fail typed within their deadline, reads continue, writes resume within 5 s of the restart', async () => {
  const trap = trapProcessErrors();
  const deadlineMs = 1_000;
  serviceCtl('stop', 'pg-primary', '--immediate');
  await fx.killIdleConnections(); // the replicas' idle connections too

  const writes = await runLoad({
    count: 100,
    concurrency: 4,
    maxMs: 60_000,
    fn: async (i) => {
      const started = performance.now();
      const error = await fx.docs
        .upsert([{ id: `w${i}`, vector: vector(i) }], { timeoutMs: deadlineMs })
        .then(
          () => new Error('write succeeded while the primary was down'),
          (e: unknown) => e,
        );
      const took = performance.now() - started;
      if (!isAindusError(error)) throw error;
      if (!['READ_ONLY', 'CIRCUIT_OPEN', 'UNAVAILABLE', 'TIMEOUT'].includes(error.code))
        throw new Error(`unexpected code ${error.code}`);
      if (took > deadlineMs + 100)
        throw new Error(`write took ${took} ms, over its ${deadlineMs} ms deadline`);
    },
  });
  const reads = await runLoad({
    count: 1_000,
    concurrency: 4,
    maxMs: 60_000,
    fn: async (i) => {
      const r = await fx.docs.query({ vector: vector(i), topK: 3, timeoutMs: deadlineMs });
      if (r.matches.length !== 3) throw new Error('short read');
    },
  });
  const health = await fx.client.health();

  serviceCtl('start', 'pg-primary');
  const restarted = performance.now();
  let recoveredMs = -1;
  await waitFor(
    async () => {
      const ok = await fx.docs
        .upsert([{ id: 'after', vector: vector(1) }], { timeoutMs: 500 })
        .then(
          () => true,
          () => false,
        );
      if (ok) recoveredMs = performance.now() - restarted;
      return ok;
    },
    15_000,
    100,
  );
  await fx.killIdleConnections();
  trap.dispose();

  report('primary stopped (immediate), 100 writes + 1,000 session reads during the outage', {
    'writes failed typed within deadline': writes.ok,
    'writes misbehaving': writes.failed,
    'write p99 ms': percentile(writes.latenciesMs, 99),
    'reads ok': reads.ok,
    'reads failed': reads.failed,
    'read p99 ms': percentile(reads.latenciesMs, 99),
    'health during outage': health.status,
    'first write ok after restart (ms)': recoveredMs,
  });
  expect(writes.errors).toEqual([]);
  expect(writes.ok).toBe(100);
  expect(reads.errors).toEqual([]);
  expect(reads.failed).toBe(0);
  expect(health.status).toBe('degraded');
  expect(recoveredMs).toBeGreaterThanOrEqual(0);
  expect(recoveredMs).toBeLessThan(5_000);
  expect(trap.errors).toEqual([]);
});
