import { afterAll, beforeAll, expect, it } from 'vitest';
import { percentile, runLoad, sleep, trapProcessErrors, waitFor } from '../support/load.js';
import { killPgNode, serviceCtl } from '../support/services.js';
import { type ChaosFixture, createChaosFixture, report } from './fixture.js';

let fx: ChaosFixture;
beforeAll(async () => {
  fx = await createChaosFixture();
});
afterAll(async () => {
  serviceCtl('start', 'pg-replica1');
  await fx?.close();
});

it('one of two replicas killed during a read load of 5,000 reads: zero failed reads', async () => {
  const trap = trapProcessErrors();
  const killAt = 1_000;
  let killedAt = -1;
  const load = runLoad({
    count: 5_000,
    concurrency: 8,
    maxMs: 120_000,
    fn: async (i) => {
      if (i === killAt) {
        killedAt = i;
        killPgNode('replica1');
      }
      if (i % 1_000 === 500) await fx.killIdleConnections();
      const r = await fx.docs.query({
        vector: Array.from({ length: 16 }, (_, j) => Math.cos(i + j)),
        topK: 5,
        consistency: 'eventual',
      });
      if (r.matches.length !== 5) throw new Error(`expected 5 matches, got ${r.matches.length}`);
    },
  });
  const result = await load;
  trap.dispose();
  report('replica killed (SIGKILL) during 5,000 eventual reads', {
    reads: result.ok + result.failed,
    'failed reads': result.failed,
    'p50 ms': percentile(result.latenciesMs, 50),
    'p99 ms': percentile(result.latenciesMs, 99),
    'max ms': Math.max(...result.latenciesMs),
    'reads/s': ((result.ok + result.failed) / result.elapsedMs) * 1000,
  });
  expect(killedAt).toBe(killAt);
  expect(result.errors).toEqual([]);
  expect(result.failed).toBe(0);
  expect(result.ok).toBe(5_000);
  expect(trap.errors).toEqual([]);
  const health = await fx.client.health();
  expect(health.components.find((c) => c.name === 'engine:replica-1')?.status).toBe('down');
  // It comes back into rotation after a restart.
  serviceCtl('start', 'pg-replica1');
  expect(await waitFor(async () => (await fx.client.health()).status === 'ok', 30_000, 200)).toBe(
    true,
  );
  await sleep(100);
});
