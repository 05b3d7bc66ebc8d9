import type { Engine, EngineContext, EngineEndpoint } from '../engine/engine.js';
import { AindusError, isAindusError } from '../errors/aindus-error.js';
import {
  type CallDeadline,
  deadlineError,
  raceAbort,
  startDeadline,
} from '../resilience/deadline.js';
import {
  type Attributes,
  noopSpan,
  noopTracer,
  type Tracer,
  type TraceSpan,
} from '../telemetry/tracer.js';
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
 * and errors normalized to {@link AindusError}. With the no-op tracer and no metric hook, no
 * span or attribute object is built: this path runs on every query.
 */
export async function runOperation<T>(
  env: OperationEnv,
  op: string,
  collection: string | undefined,
  options: CallOptions | undefined,
  body: (scope: OperationScope) => Promise<T>,
): Promise<T> {
  const { engine, tracer } = env;
  const tracing = tracer !== noopTracer;
  const started = performance.now();
  const name = collection ? `${op} ${collection}` : op;
  const base: Attributes | undefined =
    tracing || tracer.metrics?.operationDuration
      ? {
          'db.system.name': engine.name,
          'db.operation.name': op,
          'db.collection.name': collection,
          'db.namespace': engine.namespace,
        }
      : undefined;
  const kind = engine.capabilities.shared ? 'client' : 'internal';
  const span = tracing ? tracer.startSpan(name, { kind, attributes: base }) : noopSpan;
  // In-process engines cannot hang on I/O; only shared engines are raced against the deadline.
  const race = engine.capabilities.shared;
  let deadline: CallDeadline;
  try {
    deadline = startDeadline(options, env.timeoutMs);
  } catch (error) {
    span.recordError(error);
    span.end();
    throw error;
  }
  let attempts = 0;
  let retries = 0;
  let server: { host: string; port?: number } | undefined;
  let errorType: string | undefined;
  const scope: OperationScope = {
    ctx: deadline.ctx,
    span,
    noteRetry: () => {
      retries++;
    },
    async child(childName, attributes, fn) {
      if (!tracing) return fn(noopSpan);
      const child = tracer.startSpan(childName, {
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
      const run = () => (race ? raceAbort(fn(attemptCtx), attemptCtx.signal) : fn(attemptCtx));
      if (!tracing) return run();
      const child = tracer.startSpan(name, {
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
        return await run();
      } catch (error) {
        const normalized = normalize(error);
        child.recordError(normalized);
        throw normalized;
      } finally {
        child.end();
      }
    },
  };
  /** The call's own TIMEOUT when its deadline (or signal) ended it, else the error as an AindusError. */
  const normalize = (error: unknown): AindusError => {
    const call = deadline.ctx.signal;
    return call.aborted && error === call.reason ? deadlineError(deadline) : toAindusError(error);
  };
  try {
    return await body(scope);
  } catch (error) {
    const normalized = normalize(error);
    errorType = normalized.code;
    span.recordError(normalized);
    throw normalized;
  } finally {
    if (tracing) {
      span.setAttributes({ 'aindusdb.retry.count': retries });
      span.end();
    }
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
