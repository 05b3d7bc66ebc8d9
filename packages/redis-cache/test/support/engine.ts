import { createMemoryEngine, type Engine, type EngineEndpoint } from '@aindusdb/core';

/** A memory engine whose query calls are counted, to tell cache hits from engine calls. */
export interface CountingEngine {
  /** The engine to pass to `createClient`. */
  engine: Engine;
  /** Engine queries so far. */
  queries(): number;
}

/** Wraps a fresh memory engine and counts its `query` calls. */
export function createCountingEngine(): CountingEngine {
  const inner = createMemoryEngine();
  let queries = 0;
  const endpoints: EngineEndpoint[] = inner.endpoints.map((endpoint) => ({
    ...endpoint,
    probe: endpoint.probe.bind(endpoint),
    createCollection: endpoint.createCollection.bind(endpoint),
    dropCollection: endpoint.dropCollection.bind(endpoint),
    listCollections: endpoint.listCollections.bind(endpoint),
    describeCollection: endpoint.describeCollection.bind(endpoint),
    upsert: endpoint.upsert.bind(endpoint),
    get: endpoint.get.bind(endpoint),
    delete: endpoint.delete.bind(endpoint),
    count: endpoint.count.bind(endpoint),
    query(req, ctx) {
      queries += 1;
      return endpoint.query(req, ctx);
    },
  }));
  const engine: Engine = {
    name: inner.name,
    namespace: inner.namespace,
    capabilities: inner.capabilities,
    endpoints,
    comparePositions: (a, b) => inner.comparePositions(a, b),
    close: () => inner.close(),
  };
  return { engine, queries: () => queries };
}

/** A deterministic vector of `dimension` components from an integer seed. */
export function vectorOf(seed: number, dimension: number): number[] {
  const out: number[] = [];
  let x = seed * 2654435761 + 1;
  for (let i = 0; i < dimension; i++) {
    x = (x * 1103515245 + 12345) % 2147483648;
    out.push(Math.fround(x / 2147483648 - 0.5));
  }
  return out;
}
