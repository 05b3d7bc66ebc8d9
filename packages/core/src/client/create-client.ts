import { createMemoryCache } from '../cache/memory-cache.js';
import { createQueryCache } from '../cache/query-cache.js';
import { resolveCollectionSpec } from '../engine/collection-spec.js';
import { AindusError } from '../errors/aindus-error.js';
import { createPrimaryRouter } from '../resilience/router.js';
import { noopTracer } from '../telemetry/tracer.js';
import type { CollectionSpec, QueryResult } from '../types.js';
import { validateCollectionName, validateInteger } from '../validation/validate.js';
import type { Client, ClientOptions, ComponentHealth, DiagnosticFinding } from './client.js';
import { createCollectionHandle, type HandleEnv } from './collection-handle.js';
import { runOperation } from './operation.js';

const DEFAULT_TIMEOUT_MS = 30_000;
const DEFAULT_CACHE_TIMEOUT_MS = 250;

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
 * routing, deadlines and telemetry; the engine stores and searches.
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
    throw new AindusError('INVALID_ARGUMENT', 'createClient needs { engine }, e.g. createHnswEngine() or createPgEngine()');
  }
  const { engine } = options;
  const resilience = options.resilience ?? {};
  const timeoutMs = validateInteger(resilience.timeoutMs ?? DEFAULT_TIMEOUT_MS, 'resilience.timeoutMs', 1, 86_400_000);
  const cacheTimeoutMs = validateInteger(resilience.cacheTimeoutMs ?? DEFAULT_CACHE_TIMEOUT_MS, 'resilience.cacheTimeoutMs', 1, 60_000);
  if (options.embedder !== undefined && typeof options.embedder !== 'function') {
    throw new AindusError('INVALID_ARGUMENT', 'embedder must be a function (texts) => Promise<number[][]>');
  }
  // An in-process LRU cannot see other processes' writes, so it is only a default for in-process engines.
  const cache = options.cache === false ? undefined : (options.cache ?? (engine.capabilities.shared ? undefined : createMemoryCache()));
  const tracer = options.tracer ?? noopTracer;
  const router = createPrimaryRouter(engine);
  const specs = new Map<string, Promise<CollectionSpec>>();
  let sessionPosition: string | undefined;
  let closed = false;

  const env: HandleEnv = {
    engine,
    tracer,
    timeoutMs,
    router,
    embedder: options.embedder,
    embedderId: options.embedderId ?? 'default',
    cache: cache ? createQueryCache(cache, { timeoutMs: cacheTimeoutMs, comparePositions: (a, b) => engine.comparePositions(a, b) }) : undefined,
    inflight: new Map<string, Promise<QueryResult>>(),
    spec(name, scope) {
      let spec = specs.get(name);
      if (!spec) {
        const { endpoint, reason } = router.route({ kind: 'read', consistency: 'strong' });
        spec = scope.attempt(endpoint, reason, (ctx) => endpoint.describeCollection(name, ctx)).then((found) => {
          if (!found) throw new AindusError('COLLECTION_NOT_FOUND', `Collection "${name}" does not exist`, { details: { collection: name } });
          return found;
        });
        specs.set(name, spec);
        spec.catch(() => specs.delete(name));
      }
      return spec;
    },
    forgetSpec: (name) => specs.delete(name),
    noteWrite(position) {
      if (sessionPosition === undefined || engine.comparePositions(position, sessionPosition) > 0) sessionPosition = position;
    },
    sessionPosition: () => sessionPosition,
  };

  const assertOpen = () => {
    if (closed) throw new AindusError('UNAVAILABLE', 'The client is closed', { retryable: false });
  };
  const primary = () => router.route({ kind: 'write' });

  return {
    createCollection(name, collectionOptions, callOptions) {
      return runOperation(env, 'create_collection', name, callOptions, async (scope) => {
        assertOpen();
        const spec = resolveCollectionSpec(name, collectionOptions);
        const { endpoint, reason } = primary();
        await scope.attempt(endpoint, reason, (ctx) => endpoint.createCollection(spec, ctx));
        specs.set(name, Promise.resolve(spec));
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
        const { endpoint, reason } = router.route({ kind: 'read', consistency: 'strong' });
        return scope.attempt(endpoint, reason, (ctx) => endpoint.listCollections(ctx));
      });
    },
    dropCollection(name, callOptions) {
      return runOperation(env, 'drop_collection', name, callOptions, async (scope) => {
        assertOpen();
        validateCollectionName(name);
        const { endpoint, reason } = primary();
        specs.delete(name);
        const { dropped } = await scope.attempt(endpoint, reason, (ctx) => endpoint.dropCollection(name, ctx));
        specs.delete(name);
        // A recreated collection must not serve results cached before the drop.
        const probe = await endpoint.probe(scope.ctx);
        if (probe.position !== undefined) await env.cache?.advance(name, probe.position);
        return dropped;
      });
    },
    health(callOptions) {
      return runOperation(env, 'health', undefined, callOptions, async (scope) => {
        const components: ComponentHealth[] = await Promise.all(
          engine.endpoints.map(async (endpoint): Promise<ComponentHealth> => {
            const probe = await endpoint.probe(scope.ctx);
            const healthy = probe.alive && (endpoint.role === 'replica' || probe.writable);
            return {
              name: `engine:${endpoint.id}`,
              status: healthy ? 'ok' : probe.alive ? 'degraded' : 'down',
              latencyMs: probe.latencyMs,
              ...(probe.lagMs !== undefined ? { lagMs: probe.lagMs } : {}),
              ...(probe.error ? { detail: probe.error } : {}),
            };
          }),
        );
        if (cache) {
          const ok = (await cache.ping?.({ signal: scope.ctx.signal }).catch(() => false)) ?? true;
          components.push({ name: `cache:${cache.name}`, status: ok ? 'ok' : 'degraded', ...(ok ? {} : { detail: 'cache unreachable; queries bypass it' }) });
        }
        const [primaryHealth, ...rest] = components;
        const anyReadable = components.some((c) => c.name.startsWith('engine:') && c.status !== 'down');
        const status = !anyReadable ? 'down' : primaryHealth?.status === 'ok' && rest.every((c) => c.status === 'ok') ? 'ok' : 'degraded';
        return { status, components };
      });
    },
    diagnose(callOptions) {
      return runOperation(env, 'diagnose', undefined, callOptions, async () => {
        const findings: DiagnosticFinding[] = [];
        const report = await this.health(callOptions);
        for (const c of report.components) {
          if (c.status !== 'ok') {
            findings.push({ severity: c.status === 'down' ? 'error' : 'warning', component: c.name, message: `${c.name} is ${c.status}${c.detail ? `: ${c.detail}` : ''}`, recommendation: 'Check that the server is running and reachable from this process.' });
          }
        }
        if (engine.capabilities.shared && cache?.name === 'memory') {
          findings.push({ severity: 'warning', component: 'cache:memory', message: 'An in-process cache is used with a shared engine; it cannot see writes made by other processes.', recommendation: 'Use createRedisCache() so every process shares epochs, or cache: false.' });
        }
        if (engine.capabilities.shared && !cache) {
          findings.push({ severity: 'info', component: 'cache', message: 'No query cache is configured.', recommendation: 'Pass cache: createRedisCache({ url }) to cache repeated queries across processes.' });
        }
        return { findings };
      });
    },
    explainRoute(request) {
      return router.explain(request);
    },
    async close() {
      if (closed) return;
      closed = true;
      await Promise.allSettled([engine.close(), cache?.close()]);
    },
  };
}
