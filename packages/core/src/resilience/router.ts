import type { RouteExplanation, RouteRequest } from '../client/client.js';
import type { Engine, EngineEndpoint } from '../engine/engine.js';
import { AindusError } from '../errors/aindus-error.js';
import type { EndpointMonitor, EndpointState } from './endpoint-monitor.js';
import type { ResolvedResilience } from './resilience-options.js';

/** A chosen endpoint and the reason, as telemetry and `explainRoute` report it. */
export interface Route {
  /** The endpoint that serves the call. */
  endpoint: EngineEndpoint;
  /** Its state (breaker, probe). */
  state: EndpointState;
  /** Why it was chosen. */
  reason: string;
  /** True when a read fell back to the primary (it then takes a fallback slot). */
  fallback: boolean;
}

/** Picks the endpoint for each call from the monitor's view of the endpoints. */
export interface Router {
  /**
   * The endpoint for a call now, skipping `exclude` (endpoints that already failed this call).
   * Throws `CIRCUIT_OPEN`, `READ_ONLY` or `UNAVAILABLE` (retryable when waiting may help).
   */
  route(request: RouteRequest, exclude?: ReadonlySet<string>): Route;
  /** The same decision, explained, without throwing. Does no I/O. */
  explain(request: RouteRequest): RouteExplanation;
}

interface Verdict {
  state: EndpointState;
  eligible: boolean;
  reason: string;
}

/**
 * Creates the router. Writes go to the writable endpoint (the primary, or a promoted replica
 * once probes see it writable). Reads go to the least busy replica that satisfies the
 * consistency level — position ≥ the token for `session`/`after`, lag within bound for
 * `eventual` — and otherwise to the primary.
 */
export function createRouter(
  engine: Engine,
  monitor: EndpointMonitor,
  options: ResolvedResilience,
): Router {
  const { states } = monitor;
  const behind = (position: string | undefined, required: string | undefined) => {
    if (required === undefined) return false;
    if (position === undefined) return true;
    return engine.comparePositions(position, required) < 0;
  };

  // One failed probe (a slow start, a busy event loop) is not an outage: the writer and the
  // last-resort primary count as down only after the same streak that ejects a replica.
  const isDown = (s: EndpointState) => s.failedStreak >= options.ejectAfterFailedProbes;

  /** The endpoint that takes writes: the primary unless probes found it demoted and another promoted. */
  const writer = (): { state: EndpointState | undefined; why: string } => {
    const primary = states.find((s) => s.endpoint.role === 'primary') ?? states[0]!;
    if (primary.probe === undefined || primary.probe.writable)
      return { state: primary, why: 'writes go to the primary' };
    const promoted = states.find((s) => s.probe?.alive && s.probe.writable);
    if (promoted)
      return {
        state: promoted,
        why: `${promoted.endpoint.id} was promoted (probe: not in recovery)`,
      };
    return primary.probe.alive
      ? {
          state: undefined,
          why: `${primary.endpoint.id} is read-only (in recovery) and no endpoint accepts writes`,
        }
      : { state: primary, why: 'writes go to the primary' };
  };

  const judgeReplica = (
    s: EndpointState,
    request: RouteRequest,
    required: string | undefined,
    exclude?: ReadonlySet<string>,
  ): Verdict => {
    const no = (reason: string): Verdict => ({ state: s, eligible: false, reason });
    if (exclude?.has(s.endpoint.id)) return no('failed earlier in this call');
    if (!s.breaker.canPass()) return no(`breaker ${s.breaker.state}`);
    if (!s.probe) return no('not probed yet');
    if (!s.probe.alive) return no(`down: ${s.probe.error ?? 'probe failed'}`);
    if (!s.admitted) return no('out of rotation until healthy probes return');
    if (request.consistency === 'strong') return no("'strong' reads are served by the primary");
    if (required !== undefined) {
      return behind(s.probe.position, required)
        ? no(`position ${s.probe.position ?? '?'} is behind ${required}`)
        : { state: s, eligible: true, reason: `has applied ${required}` };
    }
    const lag = s.probe.lagMs ?? 0;
    if (lag > options.maxReplicaLagMs)
      return no(`lag ${lag} ms over ${options.maxReplicaLagMs} ms`);
    return { state: s, eligible: true, reason: `lag ${lag} ms within bound` };
  };

  const decide = (request: RouteRequest, exclude?: ReadonlySet<string>) => {
    const write = writer();
    if (request.kind === 'write') {
      const w = write.state;
      const verdicts: Verdict[] = states.map((s) => ({
        state: s,
        eligible: s === w && s.breaker.canPass() && !isDown(s),
        reason: s === w ? write.why : 'not the writer',
      }));
      if (!w)
        return { verdicts, error: new AindusError('READ_ONLY', write.why, { retryable: false }) };
      if (!w.breaker.canPass())
        return {
          verdicts,
          error: new AindusError(
            'CIRCUIT_OPEN',
            `Circuit breaker for ${w.endpoint.id} is ${w.breaker.state}; writes fail fast`,
            { retryable: false },
          ),
        };
      if (isDown(w))
        return {
          verdicts,
          error: new AindusError(
            'READ_ONLY',
            `${w.endpoint.id} is down and no endpoint accepts writes; reads continue from replicas`,
            { retryable: false },
          ),
        };
      return {
        verdicts,
        route: { endpoint: w.endpoint, state: w, reason: write.why, fallback: false },
      };
    }
    const required = request.after;
    const verdicts = states
      .filter((s) => s !== write.state)
      .map((s) => judgeReplica(s, request, required, exclude));
    const eligible = verdicts.filter((v) => v.eligible).map((v) => v.state);
    if (eligible.length > 0) {
      // Least busy first; ties at random so replicas share the load.
      const least = Math.min(...eligible.map((s) => s.inFlight));
      const pick = eligible.filter((s) => s.inFlight === least);
      const state = pick[Math.floor(Math.random() * pick.length)]!;
      const reason = verdicts.find((v) => v.state === state)!.reason;
      return {
        verdicts,
        route: {
          endpoint: state.endpoint,
          state,
          reason: `replica ${state.endpoint.id}: ${reason}`,
          fallback: false,
        },
      };
    }
    const p = write.state ?? states.find((s) => s.endpoint.role === 'primary') ?? states[0]!;
    const hasReplicas = states.length > 1;
    // The primary is the last resort even if it failed earlier in this call: retrying it after backoff beats giving up.
    const primaryUsable = p.breaker.canPass() && !isDown(p);
    const reason = !hasReplicas
      ? 'single endpoint'
      : request.consistency === 'strong'
        ? "'strong' reads are served by the primary"
        : 'no replica can serve this read';
    verdicts.unshift({ state: p, eligible: primaryUsable, reason });
    if (!primaryUsable) {
      const why = `no endpoint can serve this read now (${verdicts.map((v) => `${v.state.endpoint.id}: ${v.reason}`).join('; ')})`;
      // Retryable: a replica may catch up or a breaker half-open before the deadline.
      return { verdicts, error: new AindusError('UNAVAILABLE', why, { retryable: true }) };
    }
    return {
      verdicts,
      route: {
        endpoint: p.endpoint,
        state: p,
        reason: hasReplicas ? `primary: ${reason}` : reason,
        fallback: hasReplicas && request.consistency !== 'strong',
      },
    };
  };

  return {
    route(request, exclude) {
      const decision = decide(request, exclude);
      if (decision.error) throw decision.error;
      return decision.route!;
    },
    explain(request) {
      const decision = decide(request);
      return {
        endpoint: decision.route?.endpoint.id,
        reason: decision.route?.reason ?? decision.error!.message,
        candidates: decision.verdicts.map((v) => ({
          endpoint: v.state.endpoint.id,
          eligible: v.eligible,
          reason: v.reason,
        })),
      };
    },
  };
}
