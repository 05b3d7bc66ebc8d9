import type { Engine, EngineContext, EngineEndpoint } from '../engine/engine.js';
import { AindusError, isAindusError } from '../errors/aindus-error.js';
import { raceAbort, startDeadline } from '../resilience/deadline.js';
import type { Attributes, Tracer, TraceSpan } from '../telemetry/tracer.js';
import type { CallOptions } from '../types.js';

/** What every operation shares: engine, tracer and default deadline. */
export interface OperationEnv {
  engine: Engine;
  tracer: Tracer;
  timeoutMs: number;
}

/** The running operation, handed to its body. */
export interface OperationScope {
  /** The call's deadline context. */
  ctx: EngineContext;
  /** The operation's span, to add attributes to. */
  span: TraceSpan;
  /** Counts a re-attempt of the same step (after a retryable failure), for `aindusdb.retry.count`. */
  noteRetry(): void;
  /** Runs `fn` in a child span named `name` (e.g. the cache lookup). */
  child<T>(name: string, attributes: Attributes, fn: (span: TraceSpan) => Promise<T>): Promise<T>;
  /**
   * Runs one engine call on `endpoint` in a child span, within the deadline — or within `ctx`,
   * a narrower per-attempt context, when given.
   */
  attempt<T>(
    endpoint: EngineEndpoint,
    reason: string,
    fn: (ctx: EngineContext) => Promise<T>,
    ctx?: EngineContext,
  ): Promise<T>;
}

/** Makes any thrown value an {@link AindusError}; engines should throw those, but bugs happen. */
export function toAindusError(error: unknown): AindusError {
  if (isAindusError(error)) return error;
  return new AindusError(
    'INTERNAL',
    `Unexpected engine error: ${(error as Error)?.message ?? String(error)}`,
    {
      cause: error,
      retryable: false,
    },
  );
}

/**
 * Runs one logical operation: a deadline, a span named `{op} {collection}`, the duration metric,
 * and errors normalized to {@link AindusError}.
 */
export async function runOperation<T>(
  env: OperationEnv,
  op: string,
  collection: string | undefined,
  options: CallOptions | undefined,
  body: (scope: OperationScope) => Promise<T>,
): Promise<T> {
  const { engine, tracer } = env;
  const started = performance.now();
  const base: Attributes = {
    'db.system.name': engine.name,
    'db.operation.name': op,
    'db.collection.name': collection,
    'db.namespace': engine.namespace,
  };
  const kind = engine.capabilities.shared ? 'client' : 'internal';
  const span = tracer.startSpan(collection ? `${op} ${collection}` : op, {
    kind,
    attributes: base,
  });
  let errorType: string | undefined;
  const deadline = (() => {
    try {
      return startDeadline(options, env.timeoutMs);
    } catch (error) {
      span.recordError(error);
      span.end();
      throw error;
    }
  })();
  let attempts = 0;
  let retries = 0;
  let server: { host: string; port?: number } | undefined;
  const scope: OperationScope = {
    ctx: deadline.ctx,
    span,
    noteRetry: () => {
      retries++;
    },
    async child(name, attributes, fn) {
      const child = tracer.startSpan(name, {
        kind: 'internal',
        parent: span,
        attributes: { ...base, ...attributes },
      });
      try {
        return await fn(child);
      } catch (error) {
        child.recordError(error);
        throw error;
      } finally {
        child.end();
      }
    },
    async attempt(endpoint, reason, fn, attemptCtx = deadline.ctx) {
      attempts++;
      server = endpoint.address;
      const child = tracer.startSpan(collection ? `${op} ${collection}` : op, {
        kind,
        parent: span,
        attributes: {
          ...base,
          'server.address': endpoint.address?.host,
          'server.port': endpoint.address?.port,
          'aindusdb.endpoint': endpoint.id,
          'aindusdb.attempt': attempts,
        },
      });
      span.setAttributes({
        'server.address': endpoint.address?.host,
        'server.port': endpoint.address?.port,
        'aindusdb.endpoint': endpoint.id,
        'aindusdb.route.reason': reason,
      });
      try {
        return await raceAbort(fn(attemptCtx), attemptCtx.signal);
      } catch (error) {
        const normalized = toAindusError(error);
        child.recordError(normalized);
        throw normalized;
      } finally {
        child.end();
      }
    },
  };
  try {
    return await body(scope);
  } catch (error) {
    const normalized = toAindusError(error);
    errorType = normalized.code;
    span.recordError(normalized);
    throw normalized;
  } finally {
    deadline.dispose();
    span.setAttributes({ 'aindusdb.retry.count': retries });
    span.end();
    // Hooks are read at each call: a tracer may leave them undefined to skip the work entirely.
    const recordDuration = tracer.metrics?.operationDuration;
    if (recordDuration) {
      recordDuration((performance.now() - started) / 1000, {
        ...base,
        'server.address': server?.host,
        'server.port': server?.port,
        'error.type': errorType,
      });
    }
  }
}
