import { createMemoryCache } from '../cache/memory-cache.js';
import { createQueryCache } from '../cache/query-cache.js';
import { collectionNotFoundError, resolveCollectionSpec } from '../engine/collection-spec.js';
import { AindusError } from '../errors/aindus-error.js';
import { createDispatcher } from '../resilience/dispatcher.js';
import { resolveResilience } from '../resilience/resilience-options.js';
import { noopTracer } from '../telemetry/tracer.js';
import type { CollectionSpec, QueryResult } from '../types.js';
import { validateCollectionName } from '../validation/validate.js';
import type { Client, ClientOptions, ComponentHealth, DiagnosticFinding } from './client.js';
import { createCollectionHandle, type HandleEnv } from './collection-handle.js';
import { runOperation } from './operation.js';

const SPEC_TTL_MS = 30_000;

function isEngine(value: unknown): value is ClientOptions['engine'] {
  const engine = value as ClientOptions['engine'] | undefined;
  return (
    typeof engine === 'object' &&
    engine !== null &&
    Array.isArray(engine.endpoints) &&
    engine.endpoints.length > 0 &&
    typeof engine.comparePositions === 'function' &&
    typeof engine.close === 'function'
  );
}

/**
 * Creates a client over an engine. The client adds validation, the filter language, caching,
 * routing, breakers, retries, deadlines and telemetry; the engine stores and searches.
 * Creating a client does no I/O; endpoint probing starts with the first operation.
 *
 * @example
 * ```ts
 * const client = createClient({ engine: createHnswEngine({ dir: './data' }) });
 * const docs = await client.createCollection('docs', { dimension: 3, metric: 'cosine' });
 * await docs.upsert([{ id: 'a', vector: [1, 0, 0], metadata: { lang: 'en' } }]);
 * const { matches } = await docs.query({ vector: [1, 0, 0], topK: 5, filter: { lang: 'en' } });
 * ```
 */
export function createClient(options: ClientOptions): Client {
  if (typeof options !== 'object' || options === null || !isEngine(options.engine)) {
    throw new AindusError(
      'INVALID_ARGUMENT',
      'createClient needs { engine }, e.g. createHnswEngine() or createPgEngine()',
    );
  }
  const { engine } = options;
  const resilience = resolveResilience(options.resilience);
  if (options.embedder !== undefined && typeof options.embedder !== 'function') {
    throw new AindusError(
      'INVALID_ARGUMENT',
      'embedder must be a function (texts) => Promise<number[][]>',
    );
  }
  // An in-process LRU cannot see other processes' writes, so it is only a default for in-process engines.
  const cache =
    options.cache === false
      ? undefined
      : (options.cache ?? (engine.capabilities.shared ? undefined : createMemoryCache()));
  const tracer = options.tracer ?? noopTracer;
  const dispatcher = createDispatcher(engine, resilience, tracer);
  // Specs are trusted for a short while only: another process may drop and recreate a collection.
  const specs = new Map<string, { spec: Promise<CollectionSpec>; expires: number }>();
  const remember = (name: string, spec: Promise<CollectionSpec>) =>
    specs.set(name, { spec, expires: Date.now() + SPEC_TTL_MS });
  const strongRead = { kind: 'read', consistency: 'strong', idempotent: true } as const;
  let sessionPosition: string | undefined;
  let closed = false;

  const env: HandleEnv = {
    engine,
    tracer,
    timeoutMs: resilience.timeoutMs,
    dispatcher,
    embedder: options.embedder,
    embedderId: options.embedderId ?? 'default',
    cache: cache
      ? createQueryCache(cache, {
          timeoutMs: resilience.cacheTimeoutMs,
          breaker: resilience.cacheBreaker,
          comparePositions: (a, b) => engine.comparePositions(a, b),
        })
      : undefined,
    inflight: new Map<string, Promise<QueryResult>>(),
    spec(name, scope) {
      const cached = specs.get(name);
      if (cached && cached.expires > Date.now()) return cached.spec;
      const spec = dispatcher
        .run(scope, strongRead, (endpoint, ctx) => endpoint.describeCollection(name, ctx))
        .then((found) => {
          if (!found) throw collectionNotFoundError(name);
          return found;
        });
      remember(name, spec);
      spec.catch(() => specs.delete(name));
      return spec;
    },
    hasSpec: (name) => (specs.get(name)?.expires ?? 0) > Date.now(),
    forgetSpec: (name) => specs.delete(name),
    noteWrite(position) {
      if (sessionPosition === undefined || engine.comparePositions(position, sessionPosition) > 0)
        sessionPosition = position;
    },
    sessionPosition: () => sessionPosition,
  };

  const assertOpen = () => {
    if (closed) throw new AindusError('UNAVAILABLE', 'The client is closed', { retryable: false });
  };
  const write = { kind: 'write', idempotent: true } as const;

  const client: Client = {
    createCollection(name, collectionOptions, callOptions) {
      return runOperation(env, 'create_collection', name, callOptions, async (scope) => {
        assertOpen();
        const spec = resolveCollectionSpec(name, collectionOptions);
        await dispatcher.run(scope, write, (endpoint, ctx) => endpoint.createCollection(spec, ctx));
        remember(name, Promise.resolve(spec));
        return createCollectionHandle(env, name, '');
      });
    },
    collection(name) {
      assertOpen();
      return createCollectionHandle(env, validateCollectionName(name), '');
    },
    listCollections(callOptions) {
      return runOperation(env, 'list_collections', undefined, callOptions, async (scope) => {
        assertOpen();
        return dispatcher.run(scope, strongRead, (endpoint, ctx) => endpoint.listCollections(ctx));
      });
    },
    dropCollection(name, callOptions) {
      return runOperation(env, 'drop_collection', name, callOptions, async (scope) => {
        assertOpen();
        validateCollectionName(name);
        specs.delete(name);
        const { dropped, position } = await dispatcher.run(scope, write, async (endpoint, ctx) => {
          const result = await endpoint.dropCollection(name, ctx);
          // A recreated collection must not serve results cached before the drop.
          const probe = await endpoint.probe(ctx);
          return { ...result, position: probe.position };
        });
        specs.delete(name);
        if (position !== undefined) {
          env.noteWrite(position);
          await env.cache?.advance(name, position);
        }
        return dropped;
      });
    },
    health(callOptions) {
      return runOperation(env, 'health', undefined, callOptions, async (scope) => {
        await dispatcher.monitor.probeAll(scope.ctx.signal);
        const components: ComponentHealth[] = dispatcher.monitor.states.map(
          (s): ComponentHealth => {
            const probe = s.probe;
            const healthy =
              !!probe?.alive && (s.endpoint.role === 'replica' || probe.writable) && s.admitted;
            return {
              name: `engine:${s.endpoint.id}`,
              status: healthy ? 'ok' : probe?.alive ? 'degraded' : 'down',
              breaker: s.breaker.state,
              ...(probe ? { latencyMs: probe.latencyMs } : {}),
              ...(probe?.lagMs !== undefined ? { lagMs: probe.lagMs } : {}),
              ...(probe?.error
                ? { detail: probe.error }
                : !s.admitted
                  ? { detail: 'out of rotation (lag or failed probes)' }
                  : {}),
            };
          },
        );
        if (cache) {
          const ok = (await cache.ping?.({ signal: scope.ctx.signal }).catch(() => false)) ?? true;
          components.push({
            name: `cache:${cache.name}`,
            status: ok ? 'ok' : 'degraded',
            ...(ok ? {} : { detail: 'cache unreachable; queries bypass it' }),
          });
        }
        const engines = components.filter((c) => c.name.startsWith('engine:'));
        const status = engines.every((c) => c.status === 'down')
          ? 'down'
          : components.every((c) => c.status === 'ok')
            ? 'ok'
            : 'degraded';
        return { status, components };
      });
    },
    diagnose(callOptions) {
      return runOperation(env, 'diagnose', undefined, callOptions, async () => {
        const findings: DiagnosticFinding[] = [];
        const report = await client.health(callOptions);
        for (const c of report.components) {
          if (c.status === 'ok') continue;
          findings.push({
            severity: c.status === 'down' ? 'error' : 'warning',
            component: c.name,
            message: `${c.name} is ${c.status}${c.detail ? `: ${c.detail}` : ''}`,
            recommendation: 'Check that the server is running and reachable from this process.',
          });
        }
        if (engine.capabilities.shared && cache?.name === 'memory') {
          findings.push({
            severity: 'warning',
            component: 'cache:memory',
            message:
              'An in-process cache is used with a shared engine; it cannot see writes made by other processes.',
            recommendation:
              'Use createRedisCache() so every process shares epochs, or cache: false.',
          });
        }
        if (engine.capabilities.shared && !cache) {
          findings.push({
            severity: 'info',
            component: 'cache',
            message: 'No query cache is configured.',
            recommendation:
              'Pass cache: createRedisCache({ url }) to cache repeated queries across processes.',
          });
        }
        return { findings };
      });
    },
    explainRoute(request) {
      return dispatcher.explain(request);
    },
    async close() {
      if (closed) return;
      closed = true;
      dispatcher.close();
      await Promise.allSettled([engine.close(), cache?.close()]);
    },
  };
  return client;
}
