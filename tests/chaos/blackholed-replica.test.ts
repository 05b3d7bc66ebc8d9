import type { Tracer } from '@aindusdb/core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type FaultProxy, startFaultProxy } from '../support/fault-proxy.js';
import { percentile, runLoad, trapProcessErrors, waitFor } from '../support/load.js';
import { pgUrls, portOf } from '../support/services.js';
import { type ChaosFixture, createChaosFixture, report } from './fixture.js';

let fx: ChaosFixture;
let proxy: FaultProxy;
const transitions: string[] = [];
const served = new Map<string, number>();

/** Records breaker transitions and which endpoint served each read. */
const tracer: Tracer = {
  startSpan(_name, options) {
    let endpoint = '';
    return {
      setAttributes(a) {
        if (a['aindusdb.endpoint'] !== undefined) endpoint = String(a['aindusdb.endpoint']);
      },
      recordError() {},
      end() {
        if (!options.parent && endpoint) served.set(endpoint, (served.get(endpoint) ?? 0) + 1);
      },
    };
  },
  metrics: {
    breakerTransition: (state, attrs) => transitions.push(`${attrs['aindusdb.endpoint']}:${state}`),
  },
};

beforeAll(async () => {
  const urls = pgUrls();
  proxy = await startFaultProxy(portOf(urls.replicas[0]!));
  const viaProxy = new URL(urls.replicas[0]!);
  viaProxy.port = String(proxy.port);
  fx = await createChaosFixture({ replicas: [viaProxy.toString(), urls.replicas[1]!], tracer });
});
afterAll(async () => {
  await fx?.close();
  await proxy?.close();
});

const vector = (i: number) => Array.from({ length: 16 }, (_, j) => Math.cos(i * j));
const read = (i: number) => fx.docs.query({ vector: vector(i), topK: 3, consistency: 'eventual' });

it('a blackholed replica: p99 under the deadline, its breaker opens, traffic moves away, and it returns', async () => {
  const trap = trapProcessErrors();
  const deadlineMs = chaosDeadline();
  await runLoad({ count: 200, concurrency: 8, maxMs: 30_000, fn: read });
  expect(served.get('replica-1') ?? 0).toBeGreaterThan(0);

  proxy.set({ kind: 'blackhole' });
  served.clear();
  const during = await runLoad({
    count: 3_000,
    concurrency: 8,
    maxMs: 60_000,
    fn: (i) => read(i).then(() => undefined),
  });
  const servedByBlackholed = served.get('replica-1') ?? 0;
  const breakerOpened = transitions.includes('replica-1:open');
  await fx.killIdleConnections();

  proxy.set({ kind: 'pass' });
  const back = await waitFor(
    async () => {
      served.clear();
      await runLoad({ count: 50, concurrency: 4, maxMs: 5_000, fn: read });
      return (served.get('replica-1') ?? 0) > 0;
    },
    30_000,
    200,
  );
  trap.dispose();

  report('replica blackholed behind a fault proxy, 3,000 eventual reads', {
    'reads ok': during.ok,
    'reads failed': during.failed,
    'p50 ms': percentile(during.latenciesMs, 50),
    'p99 ms': percentile(during.latenciesMs, 99),
    'deadline ms': deadlineMs,
    'served by blackholed replica': servedByBlackholed,
    'breaker transitions': transitions.filter((t) => t.startsWith('replica-1')).join(' → '),
    'back in rotation after fault': back ? 'yes' : 'no',
  });
  expect(during.errors).toEqual([]);
  expect(percentile(during.latenciesMs, 99)).toBeLessThan(deadlineMs);
  expect(breakerOpened).toBe(true);
  expect(servedByBlackholed).toBe(0);
  expect(back).toBe(true);
  expect(trap.errors).toEqual([]);
});

function chaosDeadline(): number {
  return 2_000;
}
