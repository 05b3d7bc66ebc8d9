import type { Client } from '@aindusdb/core';
import { metrics } from '@opentelemetry/api';
import { DataPointType, type MetricData } from '@opentelemetry/sdk-metrics';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  createOtelTracer,
  METRIC_BREAKER_TRANSITIONS,
  METRIC_CACHE_LOOKUPS,
  METRIC_OPERATION_DURATION,
  METRIC_REPLICA_LAG,
  OPERATION_DURATION_BUCKETS,
} from '../src/index.js';
import {
  createDocsClient,
  createMemoryEngine,
  createMetricHarness,
  withQueryFaults,
} from './harness.js';

const QUERY = { vector: [1, 0, 0, 0], topK: 2 };

let harness: ReturnType<typeof createMetricHarness>;
let client: Client | undefined;

beforeEach(() => {
  harness = createMetricHarness();
});

afterEach(async () => {
  await client?.close();
  client = undefined;
  metrics.disable();
  await harness.shutdown();
});

async function metric(name: string): Promise<MetricData> {
  const all = await harness.collect();
  const found = all.find((m) => m.descriptor.name === name);
  if (!found)
    throw new Error(`no metric ${name}; got ${all.map((m) => m.descriptor.name).join(', ')}`);
  return found;
}

describe('metrics', () => {
  it('db.client.operation.duration: seconds, advised buckets, semantic-convention attributes, error.type on failure', async () => {
    ({ client } = await createDocsClient({
      engine: createMemoryEngine(),
      tracer: createOtelTracer({ meterProvider: harness.provider }),
    }));
    const docs = client.collection('docs');
    await docs.query(QUERY);
    await docs.query({ vector: [1, 0], topK: 2 }).catch(() => undefined);

    const duration = await metric(METRIC_OPERATION_DURATION);
    expect(duration.descriptor.unit).toBe('s');
    expect(duration.dataPointType).toBe(DataPointType.HISTOGRAM);
    if (duration.dataPointType !== DataPointType.HISTOGRAM) return;
    const points = duration.dataPoints;
    for (const point of points) {
      expect(point.value.buckets.boundaries).toEqual([
        0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10,
      ]);
      expect(point.value.buckets.boundaries).toEqual(OPERATION_DURATION_BUCKETS);
      for (const value of Object.values(point.attributes)) expect(value).not.toBeUndefined();
    }
    const byOp = (op: string, errorType?: string) =>
      points.filter(
        (p) => p.attributes['db.operation.name'] === op && p.attributes['error.type'] === errorType,
      );
    expect(byOp('create_collection')).toHaveLength(1);
    expect(byOp('upsert')).toHaveLength(1);
    const [ok] = byOp('query');
    expect(ok?.attributes).toEqual({
      'db.system.name': 'memory',
      'db.operation.name': 'query',
      'db.collection.name': 'docs',
    });
    expect(ok?.value.count).toBe(1);
    expect(ok?.value.sum).toBeGreaterThan(0);
    expect(ok?.value.sum).toBeLessThan(5); // seconds, not milliseconds
    const [failed] = byOp('query', 'DIMENSION_MISMATCH');
    expect(failed?.value.count).toBe(1);
  });

  it('aindusdb.cache.lookups counts hits and misses', async () => {
    ({ client } = await createDocsClient({
      engine: createMemoryEngine(),
      tracer: createOtelTracer({ meterProvider: harness.provider }),
    }));
    const docs = client.collection('docs');
    await docs.query(QUERY);
    await docs.query(QUERY);
    await docs.query(QUERY);

    const lookups = await metric(METRIC_CACHE_LOOKUPS);
    expect(lookups.descriptor.unit).toBe('{lookup}');
    expect(lookups.dataPointType).toBe(DataPointType.SUM);
    const counts = lookups.dataPoints.map((p) => [p.attributes, p.value]);
    expect(counts).toEqual(
      expect.arrayContaining([
        [
          {
            'db.collection.name': 'docs',
            'aindusdb.cache.name': 'memory',
            'aindusdb.cache.hit': false,
          },
          1,
        ],
        [
          {
            'db.collection.name': 'docs',
            'aindusdb.cache.name': 'memory',
            'aindusdb.cache.hit': true,
          },
          2,
        ],
      ]),
    );
    expect(counts).toHaveLength(2);
  });

  it('aindusdb.breaker.transitions counts the state changes core reports', async () => {
    // Every engine query fails; a breaker with a tiny minimum volume trips after two calls.
    ({ client } = await createDocsClient({
      engine: withQueryFaults(createMemoryEngine(), {
        failures: Number.POSITIVE_INFINITY,
        retryable: false,
      }),
      cache: false,
      tracer: createOtelTracer({ meterProvider: harness.provider }),
      resilience: { retry: false, breaker: { minimumCalls: 2, failureRate: 0.5, openMs: 60_000 } },
    }));
    const docs = client.collection('docs');
    for (let i = 0; i < 4; i++)
      await expect(docs.query(QUERY)).rejects.toMatchObject({ code: 'UNAVAILABLE' });

    const transitions = await metric(METRIC_BREAKER_TRANSITIONS);
    expect(transitions.descriptor.unit).toBe('{transition}');
    expect(transitions.dataPoints.map((p) => [p.attributes, p.value])).toEqual([
      [
        {
          'aindusdb.endpoint': 'memory',
          'db.system.name': 'memory',
          'aindusdb.breaker.state': 'open',
        },
        1,
      ],
    ]);
  });

  it('aindusdb.replica.lag records the last probed lag in seconds', async () => {
    // Replica probes need a replicated engine; this calls the hook the way core's endpoint monitor does.
    const { metrics: hooks } = createOtelTracer({ meterProvider: harness.provider });
    expect(hooks.replicaLag).toBeTypeOf('function');
    hooks.replicaLag!(0.25, {
      'aindusdb.endpoint': 'replica-1',
      'db.system.name': 'postgresql',
    });
    hooks.replicaLag!(1.5, {
      'aindusdb.endpoint': 'replica-1',
      'db.system.name': 'postgresql',
    });
    hooks.replicaLag!(0, {
      'aindusdb.endpoint': 'replica-2',
      'db.system.name': 'postgresql',
      'server.port': undefined,
    });

    const lag = await metric(METRIC_REPLICA_LAG);
    expect(lag.descriptor.unit).toBe('s');
    expect(lag.dataPointType).toBe(DataPointType.GAUGE);
    expect(lag.dataPoints.map((p) => [p.attributes, p.value])).toEqual([
      [{ 'aindusdb.endpoint': 'replica-1', 'db.system.name': 'postgresql' }, 1.5],
      [{ 'aindusdb.endpoint': 'replica-2', 'db.system.name': 'postgresql' }, 0],
    ]);
  });

  it('creates instruments lazily: a global meter provider registered after first use receives later measurements', async () => {
    const tracer = createOtelTracer();
    ({ client } = await createDocsClient({ engine: createMemoryEngine(), tracer }));
    await client.collection('docs').query(QUERY);
    expect(await harness.collect()).toEqual([]);
    // With only the API's no-op meter the hooks are absent, so core skips their work entirely.
    expect(tracer.metrics.operationDuration).toBeUndefined();
    expect(tracer.metrics.cacheLookup).toBeUndefined();

    metrics.setGlobalMeterProvider(harness.provider);
    expect(tracer.metrics.operationDuration).toBeTypeOf('function');
    await client.collection('docs').query(QUERY);
    const duration = await metric(METRIC_OPERATION_DURATION);
    expect(duration.dataPoints.map((p) => [p.attributes['db.operation.name'], p.value])).toEqual([
      ['query', expect.objectContaining({ count: 1 })],
    ]);
    const lookups = await metric(METRIC_CACHE_LOOKUPS);
    expect(lookups.dataPoints.map((p) => [p.attributes['aindusdb.cache.hit'], p.value])).toEqual([
      [true, 1],
    ]);
  });
});
