import pRetry from 'p-retry';
import type { RouteExplanation, RouteRequest } from '../client/client.js';
import type { OperationScope } from '../client/operation.js';
import type { Engine, EngineContext, EngineEndpoint } from '../engine/engine.js';
import { AindusError, isAindusError } from '../errors/aindus-error.js';
import type { Tracer } from '../telemetry/tracer.js';
import { sleep } from './deadline.js';
import { createEndpointMonitor, type EndpointMonitor } from './endpoint-monitor.js';
import type { ResolvedResilience } from './resilience-options.js';
import { createRouter } from './router.js';
import { createSemaphore } from './semaphore.js';

/** A call to dispatch: its route request, and whether running it twice is harmless. */
export interface DispatchRequest extends RouteRequest {
  /** Retries are allowed only for idempotent operations. */
  idempotent: boolean;
}

/** Sends operations to endpoints with routing, breakers, retries and the call's deadline. */
export interface Dispatcher {
  /** The endpoint monitor (probes, breakers). */
  readonly monitor: EndpointMonitor;
  /** Runs `fn` on the routed endpoint; retries retryable failures of idempotent calls, re-routing each time. */
  run<T>(
    scope: OperationScope,
    request: DispatchRequest,
    fn: (endpoint: EngineEndpoint, ctx: EngineContext) => Promise<T>,
  ): Promise<T>;
  /**
   * The applied position last probed on a replica, for deciding whether its results may be
   * cached; `undefined` for the writer (always current) or an unknown endpoint.
   */
  positionOf(endpointId: string | undefined): string | undefined;
  /** Explains the current route of a request. */
  explain(request: RouteRequest): RouteExplanation;
  /** Stops background probing. */
  close(): void;
}

/** Errors that say nothing about the endpoint's health (bad input, missing collection). */
const NEUTRAL = new Set([
  'INVALID_ARGUMENT',
  'DIMENSION_MISMATCH',
  'INVALID_FILTER',
  'COLLECTION_NOT_FOUND',
  'COLLECTION_EXISTS',
  'CONFLICT',
]);

/** Creates the dispatcher over an engine's endpoints. */
export function createDispatcher(
  engine: Engine,
  options: ResolvedResilience,
  tracer: Tracer,
): Dispatcher {
  const monitor = createEndpointMonitor(engine, options, tracer);
  const router = createRouter(engine, monitor, options);
  const fallback = createSemaphore(options.primaryFallbackConcurrency);
  const hasAlternatives = engine.endpoints.length > 1;

  /** Narrows the call's deadline to one attempt's budget (see `attemptTimeoutMs`). */
  const attemptContext = (
    ctx: EngineContext,
    request: DispatchRequest,
    isFallback: boolean,
    endpointId: string,
  ) => {
    const remaining = ctx.deadline - Date.now();
    const budget =
      options.attemptTimeoutMs ??
      (request.kind === 'read' && hasAlternatives && !isFallback ? remaining / 2 : remaining);
    if (budget >= remaining) return { ctx, dispose() {} };
    const controller = new AbortController();
    const timer = setTimeout(
      () =>
        controller.abort(
          new AindusError(
            'TIMEOUT',
            `${endpointId} did not answer within ${Math.round(budget)} ms; re-routing`,
            { retryable: true },
          ),
        ),
      Math.max(0, budget),
    );
    timer.unref?.();
    const signal = AbortSignal.any([ctx.signal, controller.signal]);
    return { ctx: { signal, deadline: Date.now() + budget }, dispose: () => clearTimeout(timer) };
  };

  return {
    monitor,
    async run(scope, request, fn) {
      monitor.start();
      const failed = new Set<string>();
      let attempts = 0;
      const once = async () => {
        if (attempts++ > 0) scope.noteRetry();
        const route = router.route(request, failed);
        const release = route.fallback ? await fallback.acquire(scope.ctx.signal) : undefined;
        const { state } = route;
        const permit = state.breaker.acquire();
        scope.span.setAttributes({ 'aindusdb.breaker.state': state.breaker.state });
        state.inFlight++;
        const started = performance.now();
        const attempt = attemptContext(scope.ctx, request, route.fallback, route.endpoint.id);
        try {
          const result = await scope.attempt(
            route.endpoint,
            route.reason,
            (ctx) => fn(route.endpoint, ctx),
            attempt.ctx,
          );
          permit.success(performance.now() - started);
          state.failedStreak = 0; // it answered: whatever the last probe said, it is up
          return result;
        } catch (error) {
          const code = isAindusError(error) ? error.code : 'INTERNAL';
          if (NEUTRAL.has(code)) permit.release();
          else permit.failure();
          if (isAindusError(error) && error.retryable) {
            failed.add(route.endpoint.id);
            if (!route.state.probe?.alive) void monitor.probeAll();
          }
          throw error;
        } finally {
          attempt.dispose();
          state.inFlight--;
          release?.();
        }
      };
      const retry = options.retry;
      const retryable = (error: unknown) =>
        retry !== false &&
        request.idempotent &&
        isAindusError(error) &&
        error.retryable &&
        !scope.ctx.signal.aborted;
      // The first attempt runs without p-retry: almost every call succeeds at once.
      try {
        return await once();
      } catch (error) {
        if (retry === false || retry.retries === 0 || !retryable(error)) throw error;
      }
      // The backoff p-retry would have slept before its second try (randomized: jitter).
      await sleep(
        Math.min(retry.maxDelayMs, retry.minDelayMs * (1 + Math.random())),
        scope.ctx.signal,
      );
      return pRetry(once, {
        retries: retry.retries - 1,
        minTimeout: retry.minDelayMs,
        maxTimeout: retry.maxDelayMs,
        randomize: true,
        unref: true,
        signal: scope.ctx.signal,
        maxRetryTime: Math.max(0, scope.ctx.deadline - Date.now()),
        shouldRetry: ({ error }) => retryable(error),
      });
    },
    positionOf(endpointId) {
      const state = monitor.states.find((s) => s.endpoint.id === endpointId);
      if (!state || state.endpoint.role === 'primary' || state.probe?.writable) return undefined;
      return state.probe?.position ?? '';
    },
    explain: (request) => router.explain(request),
    close: () => monitor.stop(),
  };
}
