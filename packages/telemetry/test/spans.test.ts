import { type Attributes, type Client, isAindusError } from '@aindusdb/core';
import { context, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import {
  AlwaysOffSampler,
  type ReadableSpan,
  type Sampler,
  SamplingDecision,
} from '@opentelemetry/sdk-trace-base';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createOtelTracer, INSTRUMENTATION_NAME, INSTRUMENTATION_VERSION } from '../src/index.js';
import {
  childrenOf,
  createDocsClient,
  createMemoryEngine,
  createSpanHarness,
  rootsOf,
  withQueryFaults,
} from './harness.js';

const QUERY = { vector: [1, 0, 0, 0], topK: 2 };

let harness: ReturnType<typeof createSpanHarness>;
let client: Client | undefined;

beforeEach(() => {
  harness = createSpanHarness();
});

afterEach(async () => {
  await client?.close();
  client = undefined;
  await harness.shutdown();
});

/** The single operation span named `name` among the finished spans, and its children. */
function operation(name: string, index = 0): { op: ReadableSpan; children: ReadableSpan[] } {
  const spans = harness.spans();
  const ops = rootsOf(spans).filter((s) => s.name === name);
  const op = ops[index];
  if (!op)
    throw new Error(
      `no operation span "${name}" #${index}; got ${spans.map((s) => s.name).join(', ')}`,
    );
  return { op, children: childrenOf(spans, op) };
}

describe('operation spans on the memory engine (in-process: INTERNAL)', () => {
  it('cache miss: operation span with a cache lookup and one engine attempt', async () => {
    ({ client } = await createDocsClient({
      engine: createMemoryEngine(),
      tracer: createOtelTracer({ tracerProvider: harness.provider }),
    }));
    harness.exporter.reset();
    await client.collection('docs').query(QUERY);

    const { op, children } = operation('query docs');
    expect(op.kind).toBe(SpanKind.INTERNAL);
    expect(op.instrumentationScope.name).toBe(INSTRUMENTATION_NAME);
    expect(op.status.code).toBe(SpanStatusCode.UNSET);
    expect(op.attributes).toMatchObject({
      'db.system.name': 'memory',
      'db.operation.name': 'query',
      'db.collection.name': 'docs',
      'db.vector.query.top_k': 2,
      'db.response.returned_rows': 2,
      'aindusdb.cache.hit': false,
      'aindusdb.endpoint': 'memory',
      'aindusdb.retry.count': 0,
    });
    expect(op.attributes['aindusdb.route.reason']).toEqual(expect.any(String));
    // Unknown values (no network address for an in-process engine) are dropped, not sent as undefined.
    expect(op.attributes).not.toHaveProperty('server.address');
    expect(op.attributes).not.toHaveProperty('server.port');
    expect(op.attributes).not.toHaveProperty('error.type');

    expect(children.map((s) => s.name)).toEqual(['cache.lookup docs', 'query docs']);
    const [lookup, attempt] = children as [ReadableSpan, ReadableSpan];
    expect(lookup.kind).toBe(SpanKind.INTERNAL);
    expect(lookup.attributes).toMatchObject({
      'aindusdb.cache.hit': false,
      'aindusdb.cache.name': 'memory',
      'db.collection.name': 'docs',
    });
    expect(attempt.kind).toBe(SpanKind.INTERNAL);
    expect(attempt.attributes).toMatchObject({
      'aindusdb.attempt': 1,
      'aindusdb.endpoint': 'memory',
      'db.operation.name': 'query',
    });
    for (const child of children) {
      expect(child.spanContext().traceId).toBe(op.spanContext().traceId);
      expect(childrenOf(harness.spans(), child)).toEqual([]);
    }
  });

  it('cache hit: only the cache lookup, no engine attempt', async () => {
    ({ client } = await createDocsClient({
      engine: createMemoryEngine(),
      tracer: createOtelTracer({ tracerProvider: harness.provider }),
    }));
    const docs = client.collection('docs');
    await docs.query(QUERY);
    harness.exporter.reset();
    await docs.query(QUERY);

    const { op, children } = operation('query docs');
    expect(op.attributes).toMatchObject({
      'aindusdb.cache.hit': true,
      'db.response.returned_rows': 2,
      'db.vector.query.top_k': 2,
    });
    expect(children.map((s) => s.name)).toEqual(['cache.lookup docs']);
    expect(children[0]!.attributes['aindusdb.cache.hit']).toBe(true);
  });

  it('retried call: a failed attempt with error.type, then a successful one; the operation succeeds', async () => {
    // Core retries retryable errors of idempotent calls; the first engine query fails retryably.
    ({ client } = await createDocsClient({
      engine: withQueryFaults(createMemoryEngine(), { failures: 1, retryable: true }),
      cache: false,
      tracer: createOtelTracer({ tracerProvider: harness.provider }),
      resilience: { retry: { retries: 2, minDelayMs: 1, maxDelayMs: 5 } },
    }));
    harness.exporter.reset();
    const result = await client.collection('docs').query(QUERY);
    expect(result.matches).toHaveLength(2);

    const { op, children } = operation('query docs');
    expect(op.status.code).toBe(SpanStatusCode.UNSET);
    expect(op.attributes).toMatchObject({
      'aindusdb.retry.count': 1,
      'aindusdb.breaker.state': 'closed',
    });
    expect(op.attributes).not.toHaveProperty('error.type');
    expect(children.map((s) => [s.name, s.attributes['aindusdb.attempt']])).toEqual([
      ['query docs', 1],
      ['query docs', 2],
    ]);
    const [failed, succeeded] = children as [ReadableSpan, ReadableSpan];
    expect(failed.status.code).toBe(SpanStatusCode.ERROR);
    expect(failed.attributes['error.type']).toBe('UNAVAILABLE');
    expect(failed.events.map((e) => e.name)).toEqual(['exception']);
    expect(succeeded.status.code).toBe(SpanStatusCode.UNSET);
    expect(succeeded.attributes).not.toHaveProperty('error.type');
  });

  it('failed call: error.type, ERROR status and an exception event on the attempt and the operation', async () => {
    ({ client } = await createDocsClient({
      engine: withQueryFaults(createMemoryEngine(), {
        failures: Number.POSITIVE_INFINITY,
        retryable: false,
      }),
      cache: false,
      tracer: createOtelTracer({ tracerProvider: harness.provider }),
    }));
    harness.exporter.reset();
    const error = await client
      .collection('docs')
      .query(QUERY)
      .catch((e: unknown) => e);
    expect(isAindusError(error, 'UNAVAILABLE')).toBe(true);

    const { op, children } = operation('query docs');
    for (const span of [op, ...children]) {
      expect(span.status).toEqual({
        code: SpanStatusCode.ERROR,
        message: 'injected fault: connection reset by peer',
      });
      expect(span.attributes['error.type']).toBe('UNAVAILABLE');
      expect(span.events).toHaveLength(1);
      expect(span.events[0]!.name).toBe('exception');
      expect(span.events[0]!.attributes).toEqual({
        'exception.type': 'AindusError',
        'exception.message': 'injected fault: connection reset by peer',
      });
    }
    expect(op.attributes['aindusdb.retry.count']).toBe(0);
    expect(children).toHaveLength(1);
  });

  it('failed validation: the operation span carries the error, no engine attempt fails', async () => {
    ({ client } = await createDocsClient({
      engine: createMemoryEngine(),
      tracer: createOtelTracer({ tracerProvider: harness.provider }),
    }));
    harness.exporter.reset();
    await expect(
      client.collection('docs').query({ vector: [1, 0, 0], topK: 2 }),
    ).rejects.toMatchObject({
      code: 'DIMENSION_MISMATCH',
    });
    const { op, children } = operation('query docs');
    expect(op.status.code).toBe(SpanStatusCode.ERROR);
    expect(op.attributes['error.type']).toBe('DIMENSION_MISMATCH');
    // Core may look the collection's spec up first; that attempt succeeds, the query never runs.
    for (const child of children) expect(child.status.code).toBe(SpanStatusCode.UNSET);
    expect(
      children.filter((c) => c.attributes['db.operation.name'] === 'query' && c.events.length > 0),
    ).toEqual([]);
  });

  it('errorMessages: false records error.type without the message', async () => {
    ({ client } = await createDocsClient({
      engine: withQueryFaults(createMemoryEngine(), { failures: 1, retryable: false }),
      cache: false,
      tracer: createOtelTracer({ tracerProvider: harness.provider, errorMessages: false }),
    }));
    harness.exporter.reset();
    await expect(client.collection('docs').query(QUERY)).rejects.toMatchObject({
      code: 'UNAVAILABLE',
    });
    const { op } = operation('query docs');
    expect(op.status).toEqual({ code: SpanStatusCode.ERROR });
    expect(op.attributes['error.type']).toBe('UNAVAILABLE');
    expect(op.events[0]!.attributes).toEqual({ 'exception.type': 'AindusError' });
  });

  it('never puts vectors, metadata, filter values or ids on spans', async () => {
    const secretNumber = 0.8712345;
    const secrets = [
      'id-secret-4d2e',
      'meta-secret-7f3a',
      'filter-secret-91c2',
      String(secretNumber).slice(2),
    ];
    ({ client } = await createDocsClient({
      engine: createMemoryEngine(),
      tracer: createOtelTracer({ tracerProvider: harness.provider }),
    }));
    const docs = client.collection('docs');
    await docs.upsert([
      {
        id: 'id-secret-4d2e',
        vector: [secretNumber, 0.1, 0.2, 0.3],
        metadata: { note: 'meta-secret-7f3a' },
      },
    ]);
    await docs.query({
      vector: [secretNumber, 0.1, 0.2, 0.3],
      topK: 3,
      filter: { note: 'filter-secret-91c2' },
    });
    await docs.query({
      vector: [secretNumber, 0.1, 0.2, 0.3],
      topK: 3,
      filter: { note: 'filter-secret-91c2' },
    });
    await docs.get(['id-secret-4d2e']);
    await docs.count({ filter: { note: { $in: ['filter-secret-91c2'] } } });
    await docs.delete({ ids: ['id-secret-4d2e'] });
    await docs.query({ vector: [secretNumber, 0.1, 0.2], topK: 3 }).catch(() => undefined);
    await docs
      .query({ vector: [1, 0, 0, 0], topK: 3, filter: { note: { $bogus: 'filter-secret-91c2' } } })
      .catch(() => undefined);

    const spans = harness.spans();
    expect(new Set(spans.map((s) => s.attributes['db.operation.name']))).toEqual(
      new Set(['create_collection', 'upsert', 'query', 'get', 'count', 'delete']),
    );
    const recorded = JSON.stringify(
      spans.map((s) => ({
        name: s.name,
        attributes: s.attributes,
        events: s.events,
        status: s.status,
      })),
    );
    for (const secret of secrets) expect(recorded).not.toContain(secret);
    for (const span of spans) {
      for (const value of Object.values(span.attributes))
        expect(['string', 'number', 'boolean']).toContain(typeof value);
    }
  });
});

describe('context and providers', () => {
  const contextManager = new AsyncLocalStorageContextManager();

  afterEach(() => {
    context.disable();
    trace.disable();
  });

  it("joins the caller's active span when core passes no parent", async () => {
    context.setGlobalContextManager(contextManager.enable());
    ({ client } = await createDocsClient({
      engine: createMemoryEngine(),
      tracer: createOtelTracer({ tracerProvider: harness.provider }),
    }));
    harness.exporter.reset();
    const appTracer = harness.provider.getTracer('app');
    await appTracer.startActiveSpan('handle request', async (root) => {
      await client!.collection('docs').query(QUERY);
      await client!.collection('docs').query(QUERY);
      root.end();
    });

    const spans = harness.spans();
    const [root] = rootsOf(spans);
    expect(rootsOf(spans)).toHaveLength(1);
    expect(root!.name).toBe('handle request');
    expect(new Set(spans.map((s) => s.spanContext().traceId)).size).toBe(1);
    const ops = childrenOf(spans, root!);
    expect(ops.map((s) => [s.name, s.attributes['aindusdb.cache.hit']])).toEqual([
      ['query docs', false],
      ['query docs', true],
    ]);
    expect(childrenOf(spans, ops[0]!).map((s) => s.name)).toEqual([
      'cache.lookup docs',
      'query docs',
    ]);
    expect(childrenOf(spans, ops[1]!).map((s) => s.name)).toEqual(['cache.lookup docs']);
  });

  it('uses a global tracer provider registered after the tracer was created', async () => {
    const tracer = createOtelTracer();
    ({ client } = await createDocsClient({ engine: createMemoryEngine(), tracer }));
    await client.collection('docs').query(QUERY);
    expect(harness.spans()).toEqual([]);

    trace.setGlobalTracerProvider(harness.provider);
    await client.collection('docs').query({ ...QUERY, topK: 3 });
    const { op, children } = operation('query docs');
    expect(op.attributes['db.vector.query.top_k']).toBe(3);
    expect(children.map((s) => s.name)).toEqual(['cache.lookup docs', 'query docs']);
  });

  it('works with no SDK at all, and with a sampler that drops everything', async () => {
    ({ client } = await createDocsClient({
      engine: createMemoryEngine(),
      tracer: createOtelTracer(),
    }));
    expect((await client.collection('docs').query(QUERY)).matches).toHaveLength(2);
    await client.close();

    const dropping = createSpanHarness(new AlwaysOffSampler());
    ({ client } = await createDocsClient({
      engine: createMemoryEngine(),
      tracer: createOtelTracer({ tracerProvider: dropping.provider }),
    }));
    expect((await client.collection('docs').query(QUERY)).matches).toHaveLength(2);
    await expect(client.collection('docs').query({ vector: [1], topK: 1 })).rejects.toMatchObject({
      code: 'DIMENSION_MISMATCH',
    });
    expect(dropping.spans()).toEqual([]);
    await dropping.shutdown();
  });

  it('samplers see the attributes at start, and a sampled-out span still parents its children', async () => {
    // A sampler that records what it is asked and drops everything.
    const asked: { traceId: string; name: string; attributes: Record<string, unknown> }[] = [];
    const sampler: Sampler = {
      shouldSample(_context, traceId, name, _kind, attributes) {
        asked.push({ traceId, name, attributes: { ...attributes } });
        return { decision: SamplingDecision.NOT_RECORD };
      },
      toString: () => 'RecordingDropSampler',
    };
    const dropping = createSpanHarness(sampler);
    ({ client } = await createDocsClient({
      engine: createMemoryEngine(),
      cache: false,
      tracer: createOtelTracer({ tracerProvider: dropping.provider }),
    }));
    asked.length = 0;
    await client.collection('docs').query(QUERY);
    expect(asked.map((a) => a.name)).toEqual(['query docs', 'query docs']);
    expect(asked[0]!.attributes).toMatchObject({
      'db.system.name': 'memory',
      'db.operation.name': 'query',
      'db.collection.name': 'docs',
    });
    expect(asked[1]!.attributes).toMatchObject({ 'aindusdb.attempt': 1 });
    expect(asked[1]!.traceId).toBe(asked[0]!.traceId);
    expect(dropping.spans()).toEqual([]);
    await dropping.shutdown();
  });

  it('drops undefined and non-primitive attribute values', () => {
    const tracer = createOtelTracer({ tracerProvider: harness.provider });
    const attributes = {
      kept: 'yes',
      zero: 0,
      no: false,
      gone: undefined,
      vector: [0.5, 0.25],
    } as unknown as Attributes;
    const span = tracer.startSpan('query docs', { kind: 'internal', attributes });
    span.setAttributes({
      later: 1,
      missing: undefined,
      nested: { secret: true },
    } as unknown as Attributes);
    span.end();
    expect(harness.spans()[0]!.attributes).toEqual({ kept: 'yes', zero: 0, no: false, later: 1 });
  });
});

describe('instrumentation scope', () => {
  it('reports the package version', async () => {
    const { readFile } = await import('node:fs/promises');
    const pkg = JSON.parse(await readFile(new URL('../package.json', import.meta.url), 'utf8')) as {
      version: string;
    };
    expect(INSTRUMENTATION_VERSION).toBe(pkg.version);
    const tracer = createOtelTracer({ tracerProvider: harness.provider });
    tracer.startSpan('ping', { kind: 'internal' }).end();
    expect(harness.spans()[0]!.instrumentationScope).toMatchObject({
      name: INSTRUMENTATION_NAME,
      version: pkg.version,
    });
  });
});
