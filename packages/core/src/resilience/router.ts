import type { RouteExplanation, RouteRequest } from '../client/client.js';
import type { Engine, EngineEndpoint } from '../engine/engine.js';

/** A chosen endpoint and the reason, as telemetry and `explainRoute` report it. */
export interface Route {
  /** The endpoint that serves the call. */
  endpoint: EngineEndpoint;
  /** Why it was chosen. */
  reason: string;
}

/** Picks the endpoint for each call. */
export interface Router {
  /** The endpoint for a call now, or throws `UNAVAILABLE`. */
  route(request: RouteRequest): Route;
  /** The same decision, explained, without throwing. */
  explain(request: RouteRequest): RouteExplanation;
}

/**
 * Routes writes and reads to the primary endpoint. Replica-aware routing (lag, tokens,
 * breakers) replaces this once engines expose replicas with probes.
 */
export function createPrimaryRouter(engine: Engine): Router {
  const primary = engine.endpoints.find((e) => e.role === 'primary') ?? engine.endpoints[0]!;
  const reasonFor = (request: RouteRequest) =>
    request.kind === 'write' ? 'writes go to the primary' : 'reads are served by the primary';
  return {
    route: (request) => ({ endpoint: primary, reason: reasonFor(request) }),
    explain: (request) => ({
      endpoint: primary.id,
      reason: reasonFor(request),
      candidates: engine.endpoints.map((e) => ({
        endpoint: e.id,
        eligible: e === primary,
        reason: e === primary ? 'primary' : 'replica routing is not enabled',
      })),
    }),
  };
}
