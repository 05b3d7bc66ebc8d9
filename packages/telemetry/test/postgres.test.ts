// The tracer over a real shared engine: PostgreSQL + pgvector with two streaming replicas, from
// `bash scripts/services.sh up` (AINDUS_PG_URL, AINDUS_PG_REPLICA_URLS).
import { type Client, createClient } from '@aindusdb/core';
import { createPgEngine } from '@aindusdb/pg-adapter';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { DataPointType } from '@opentelemetry/sdk-metrics';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOtelTracer, METRIC_OPERATION_DURATION, METRIC_REPLICA_LAG } from '../src/index.js';
import { childrenOf, createMetricHarness, createSpanHarness, DOCS, rootsOf } from './harness.js';

function env(name: string): string {
  const value = process.env[name];
  if (!value) {
    throw new Error(
      `${name} is not set: run \`bash scripts/services.sh up\` and \`eval "$(bash scripts/services.sh env)"\` first`,
    );
  }
  return value;
}

const SCHEMA = 'aindus_telemetry_test';
const collection = `t_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
const spans = createSpanHarness();
const meters = createMetricHarness();
let client: Client;
let ports: number[];

beforeAll(async () => {
  const primary = env('AINDUS_PG_URL');
  const replicas = env('AINDUS_PG_REPLICA_URLS').split(',').filter(Boolean);
  ports = [primary, ...replicas].map((url) => Number(new URL(url).port));
  client = createClient({
    engine: createPgEngine({ primary, replicas, schema: SCHEMA, max: 2 }),
    tracer: createOtelTracer({ tracerProvider: spans.provider, meterProvider: meters.provider }),
    resilience: { probeIntervalMs: 200 },
  });
  const docs = await client.createCollection(collection, { dimension: 4, metric: 'cosine' });
  await docs.upsert(DOCS);
});

afterAll(async () => {
  await client?.dropCollection(collection).catch(() => undefined);
  await client?.close();
  await spans.shutdown();
  await meters.shutdown();
});

describe('on PostgreSQL with replicas', () => {
  it('operation and attempt spans are CLIENT, with postgresql semantic-convention attributes and the serving address', async () => {
    spans.exporter.reset();
    const docs = client.collection(collection);
    await docs.query({ vector: [1, 0, 0, 0], topK: 2, consistency: 'strong' });

    const [op] = rootsOf(spans.spans());
    expect(op?.name).toBe(`query ${collection}`);
    expect(op?.kind).toBe(SpanKind.CLIENT);
    expect(op?.status.code).toBe(SpanStatusCode.UNSET);
    expect(op?.attributes).toMatchObject({
      'db.system.name': 'postgresql',
      'db.operation.name': 'query',
      'db.collection.name': collection,
      'db.namespace': expect.stringContaining(SCHEMA),
      'db.vector.query.top_k': 2,
      'db.response.returned_rows': 2,
      'server.address': '127.0.0.1',
      'server.port': ports[0],
      'aindusdb.endpoint': 'primary',
      'aindusdb.retry.count': 0,
      'aindusdb.breaker.state': 'closed',
    });
    expect(op?.attributes['aindusdb.route.reason']).toEqual(expect.any(String));
    // A shared engine has no default cache: no lookup span, one attempt.
    const children = childrenOf(spans.spans(), op!);
    expect(children.map((s) => [s.name, s.kind])).toEqual([
      [`query ${collection}`, SpanKind.CLIENT],
    ]);
    expect(children[0]!.attributes).toMatchObject({
      'server.address': '127.0.0.1',
      'server.port': ports[0],
      'aindusdb.attempt': 1,
    });
  });

  it('eventual reads name the endpoint that served them', async () => {
    spans.exporter.reset();
    const docs = client.collection(collection);
    await docs.count({ consistency: 'eventual' });
    const [op] = rootsOf(spans.spans());
    expect(op?.name).toBe(`count ${collection}`);
    expect(ports).toContain(op?.attributes['server.port']);
    expect(op?.attributes['aindusdb.endpoint']).toMatch(/^(primary|replica-\d)$/);
  });

  it('records replica lag from core’s probes and operation durations for postgresql', async () => {
    // Probes run every 200 ms once the client has dispatched a call; wait for both replicas (bounded).
    const deadline = Date.now() + 10_000;
    let endpoints: string[] = [];
    while (Date.now() < deadline) {
      const lag = (await meters.collect()).find((m) => m.descriptor.name === METRIC_REPLICA_LAG);
      endpoints = [
        ...new Set(lag?.dataPoints.map((p) => String(p.attributes['aindusdb.endpoint'])) ?? []),
      ].sort();
      if (endpoints.length >= 2) {
        expect(lag?.descriptor.unit).toBe('s');
        expect(lag?.dataPointType).toBe(DataPointType.GAUGE);
        for (const point of lag?.dataPoints ?? []) {
          expect(point.attributes['db.system.name']).toBe('postgresql');
          expect(point.value).toBeGreaterThanOrEqual(0);
          expect(point.value).toBeLessThan(60);
        }
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(endpoints).toEqual(['replica-1', 'replica-2']);

    const duration = (await meters.collect()).find(
      (m) => m.descriptor.name === METRIC_OPERATION_DURATION,
    );
    const query = duration?.dataPoints.find((p) => p.attributes['db.operation.name'] === 'query');
    expect(query?.attributes).toMatchObject({
      'db.system.name': 'postgresql',
      'db.collection.name': collection,
    });
  });
});
