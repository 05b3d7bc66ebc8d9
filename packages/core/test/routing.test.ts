// Routing policy tests. The endpoints here are the real memory engine's endpoint with a
// scripted probe and scripted faults, because replica lag and outages cannot be produced by
// an in-process engine; the same behaviours are tested on real PostgreSQL replicas in the
// pg-adapter chaos suite.
import { describe, expect, it } from 'vitest';
import {
  AindusError,
  createClient,
  createMemoryEngine,
  type EndpointProbe,
  type Engine,
  type EngineEndpoint,
  isAindusError,
} from '../src/index.js';

interface Scripted {
  probe: EndpointProbe;
  fail?: () => Error | undefined;
  hang?: boolean;
  calls: number;
}

function replicatedEngine(replicas: number) {
  const base = createMemoryEngine();
  const inner = base.endpoints[0]!;
  const scripts = new Map<string, Scripted>();
  const make = (id: string, role: 'primary' | 'replica'): EngineEndpoint => {
    const script: Scripted = {
      probe: { alive: true, writable: role === 'primary', position: '0', lagMs: 0, latencyMs: 0 },
      calls: 0,
    };
    scripts.set(id, script);
    const guard =
      <A extends unknown[], R>(fn: (...args: A) => Promise<R>) =>
      async (...args: A): Promise<R> => {
        script.calls++;
        if (script.hang) return new Promise<R>(() => {});
        const error = script.fail?.();
        if (error) throw error;
        return fn(...args);
      };
    return {
      id,
      role,
      probe: async () => script.probe,
      createCollection: guard(inner.createCollection),
      dropCollection: guard(inner.dropCollection),
      listCollections: guard(inner.listCollections),
      describeCollection: guard(inner.describeCollection),
      upsert: guard(inner.upsert),
      query: guard(inner.query),
      get: guard(inner.get),
      delete: guard(inner.delete),
      count: guard(inner.count),
    };
  };
  const endpoints = [
    make('primary', 'primary'),
    ...Array.from({ length: replicas }, (_, i) => make(`replica-${i + 1}`, 'replica')),
  ];
  const engine: Engine = {
    ...base,
    capabilities: { ...base.capabilities, shared: true },
    endpoints,
  };
  return { engine, script: (id: string) => scripts.get(id)! };
}

const unavailable = () => new AindusError('UNAVAILABLE', 'connection refused', { retryable: true });

async function setup(replicas = 2, resilience = {}) {
  const { engine, script } = replicatedEngine(replicas);
  const client = createClient({
    engine,
    cache: false,
    resilience: {
      probeIntervalMs: 20,
      retry: { retries: 3, minDelayMs: 1, maxDelayMs: 5 },
      ...resilience,
    },
  });
  const docs = await client.createCollection('docs', { dimension: 2, metric: 'l2' });
  await client.health(); // first probe round
  return { client, docs, script };
}

describe('replica routing', () => {
  it("sends 'eventual' reads to replicas and 'strong' reads to the primary", async () => {
    const { client, docs, script } = await setup();
    for (let i = 0; i < 20; i++) await docs.count({ consistency: 'eventual' });
    expect(script('primary').calls).toBeLessThanOrEqual(2); // createCollection only
    expect(script('replica-1').calls + script('replica-2').calls).toBe(20);
    expect(script('replica-1').calls).toBeGreaterThan(0);
    expect(script('replica-2').calls).toBeGreaterThan(0);
    const before = script('primary').calls;
    await docs.count({ consistency: 'strong' });
    expect(script('primary').calls).toBe(before + 1);
    expect(client.explainRoute({ kind: 'read', consistency: 'strong' }).endpoint).toBe('primary');
    await client.close();
  });

  it("'session' reads go to the primary until a replica has applied the session's last write", async () => {
    const { client, docs, script } = await setup();
    const { token } = await docs.upsert([{ id: 'a', vector: [1, 2] }]);
    const route = client.explainRoute({ kind: 'read', after: token });
    expect(route.endpoint).toBe('primary');
    expect(route.candidates.find((c) => c.endpoint === 'replica-1')?.reason).toMatch(/behind/);
    const before = script('primary').calls;
    await docs.count();
    expect(script('primary').calls).toBe(before + 1);
    script('replica-1').probe = { ...script('replica-1').probe, position: token };
    await client.health();
    const r1 = script('replica-1').calls;
    await docs.count();
    expect(script('replica-1').calls).toBe(r1 + 1);
    await client.close();
  });

  it('an explicit after token is honoured for any consistency', async () => {
    const { client } = await setup();
    expect(
      client.explainRoute({ kind: 'read', consistency: 'eventual', after: '99' }).endpoint,
    ).toBe('primary');
    await client.close();
  });

  it('re-routes a read whose replica fails, with zero failed reads', async () => {
    const { client, docs, script } = await setup();
    script('replica-1').fail = unavailable;
    for (let i = 0; i < 50; i++) expect(await docs.count({ consistency: 'eventual' })).toBe(0);
    await client.close();
  });

  it('ejects a replica whose probes fail and readmits it after healthy probes (hysteresis)', async () => {
    const { client, script } = await setup(1);
    script('replica-1').probe = { alive: false, writable: false, latencyMs: 0, error: 'down' };
    await client.health();
    await client.health();
    expect(client.explainRoute({ kind: 'read', consistency: 'eventual' }).endpoint).toBe('primary');
    script('replica-1').probe = {
      alive: true,
      writable: false,
      position: '0',
      lagMs: 0,
      latencyMs: 0,
    };
    await client.health();
    expect(client.explainRoute({ kind: 'read', consistency: 'eventual' }).endpoint).toBe('primary');
    await client.health();
    await client.health();
    expect(client.explainRoute({ kind: 'read', consistency: 'eventual' }).endpoint).toBe(
      'replica-1',
    );
    await client.close();
  });

  it('keeps replicas over the lag bound out of eventual reads', async () => {
    const { client, script } = await setup(1, { maxReplicaLagMs: 100 });
    script('replica-1').probe = { ...script('replica-1').probe, lagMs: 500 };
    await client.health();
    const route = client.explainRoute({ kind: 'read', consistency: 'eventual' });
    expect(route.endpoint).toBe('primary');
    await client.close();
  });

  it('primary down: writes fail fast with a typed error, reads continue from replicas, health degraded', async () => {
    const { client, docs, script } = await setup();
    script('primary').probe = {
      alive: false,
      writable: false,
      latencyMs: 0,
      error: 'connection refused',
    };
    script('primary').fail = unavailable;
    const health = await client.health();
    expect(health.status).toBe('degraded');
    const started = performance.now();
    const error = await docs.upsert([{ id: 'x', vector: [0, 0] }]).catch((e) => e);
    expect(isAindusError(error)).toBe(true);
    expect(['READ_ONLY', 'CIRCUIT_OPEN']).toContain(error.code);
    expect(performance.now() - started).toBeLessThan(1_000);
    expect(await docs.count({ consistency: 'eventual' })).toBe(0);
    // The primary comes back: writes succeed again with the same client.
    script('primary').probe = {
      alive: true,
      writable: true,
      position: '5',
      lagMs: 0,
      latencyMs: 0,
    };
    script('primary').fail = undefined;
    await client.health();
    await expect(docs.upsert([{ id: 'x', vector: [0, 0] }])).resolves.toMatchObject({
      upserted: 1,
    });
    await client.close();
  });

  it('one failed probe of the primary is not an outage: writes still go through', async () => {
    const { client, docs, script } = await setup(1, { probeIntervalMs: 60_000 });
    script('primary').probe = { alive: false, writable: false, latencyMs: 0, error: 'slow start' };
    await client.health();
    await expect(docs.upsert([{ id: 'p', vector: [1, 1] }])).resolves.toMatchObject({
      upserted: 1,
    });
    await client.close();
  });

  it('finds a promoted replica by probing and sends writes there', async () => {
    const { client, docs, script } = await setup();
    script('primary').probe = { alive: true, writable: false, position: '3', latencyMs: 0 };
    script('replica-2').probe = { alive: true, writable: true, position: '3', latencyMs: 0 };
    await client.health();
    expect(client.explainRoute({ kind: 'write' })).toMatchObject({ endpoint: 'replica-2' });
    const before = script('replica-2').calls;
    await docs.upsert([{ id: 'y', vector: [1, 1] }]);
    expect(script('replica-2').calls).toBe(before + 1);
    await client.close();
  });

  it('retries retryable write failures and succeeds', async () => {
    const { client, docs, script } = await setup();
    let failures = 2;
    script('primary').fail = () => (failures-- > 0 ? unavailable() : undefined);
    await expect(docs.upsert([{ id: 'r', vector: [1, 1] }])).resolves.toMatchObject({
      upserted: 1,
    });
    await client.close();
  });

  it('never retries non-retryable errors', async () => {
    const { client, docs, script } = await setup();
    script('primary').fail = () => new AindusError('INTERNAL', 'boom', { retryable: false });
    const before = script('primary').calls;
    await expect(docs.upsert([{ id: 'r', vector: [1, 1] }])).rejects.toMatchObject({
      code: 'INTERNAL',
    });
    expect(script('primary').calls).toBe(before + 1);
    await client.close();
  });

  it('opens the breaker after repeated failures so later writes fail fast with CIRCUIT_OPEN', async () => {
    const { client, docs, script } = await setup(0, {
      retry: false,
      breaker: { minimumCalls: 3, openMs: 60_000 },
    });
    script('primary').fail = unavailable;
    for (let i = 0; i < 3; i++) await docs.upsert([{ id: 'b', vector: [1, 1] }]).catch(() => {});
    await expect(docs.upsert([{ id: 'b', vector: [1, 1] }])).rejects.toMatchObject({
      code: 'CIRCUIT_OPEN',
    });
    await client.close();
  });

  it('a hung endpoint cannot outlive the call deadline', async () => {
    const { client, docs, script } = await setup(0);
    script('primary').hang = true;
    const started = performance.now();
    await expect(docs.count({ timeoutMs: 150 })).rejects.toMatchObject({ code: 'TIMEOUT' });
    expect(performance.now() - started).toBeLessThan(1_000);
    await client.close();
  });

  it('a hung replica costs at most part of the deadline: the read re-routes and succeeds', async () => {
    const { client, docs, script } = await setup(1);
    script('replica-1').hang = true;
    const started = performance.now();
    expect(await docs.count({ consistency: 'eventual', timeoutMs: 400 })).toBe(0);
    expect(performance.now() - started).toBeLessThan(400);
    await client.close();
  });

  it('an aborted signal ends the call with TIMEOUT', async () => {
    const { client, docs, script } = await setup(0);
    script('primary').hang = true;
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 20);
    await expect(docs.count({ signal: controller.signal })).rejects.toMatchObject({
      code: 'TIMEOUT',
    });
    await client.close();
  });
});
