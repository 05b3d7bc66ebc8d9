import type { EndpointProbe, Engine, EngineEndpoint } from '../engine/engine.js';
import type { Tracer } from '../telemetry/tracer.js';
import { type Breaker, createBreaker } from './breaker.js';
import { raceAbort } from './deadline.js';
import type { ResolvedResilience } from './resilience-options.js';

/** What the client knows of one endpoint right now. */
export interface EndpointState {
  /** The endpoint. */
  readonly endpoint: EngineEndpoint;
  /** Its breaker (always closed when breakers are disabled). */
  readonly breaker: Breaker;
  /** The latest probe, if any has finished. */
  probe: (EndpointProbe & { at: number }) | undefined;
  /** Replicas: in rotation for reads (with hysteresis); primaries: always true. */
  admitted: boolean;
  /** Calls under way on this endpoint. */
  inFlight: number;
  healthyStreak: number;
  failedStreak: number;
}

/** Probes endpoints in the background and keeps their {@link EndpointState}. */
export interface EndpointMonitor {
  /** Every endpoint's state, primary first. */
  readonly states: readonly EndpointState[];
  /** Starts background probing (idempotent; only for engines with several endpoints or shared ones). */
  start(): void;
  /** Probes every endpoint now and waits for the answers. */
  probeAll(signal?: AbortSignal): Promise<void>;
  /** Stops probing. */
  stop(): void;
}

const alwaysClosed: Breaker = {
  state: 'closed',
  canPass: () => true,
  acquire: () => ({ success() {}, failure() {}, release() {} }),
  probeSucceeded() {},
  forceOpen() {},
  onStateChange: () => ({ dispose() {} }),
};

/**
 * Creates the monitor. Replicas leave rotation after `ejectAfterFailedProbes` failed probes or
 * when lag exceeds `maxReplicaLagMs`, and return only after `readmitAfterHealthyProbes` healthy
 * probes with lag under half the bound (hysteresis), so a flapping replica does not bounce.
 */
export function createEndpointMonitor(
  engine: Engine,
  options: ResolvedResilience,
  tracer: Tracer,
): EndpointMonitor {
  const states: EndpointState[] = engine.endpoints.map((endpoint) => {
    const breaker =
      options.breaker === false ? alwaysClosed : createBreaker(endpoint.id, options.breaker);
    breaker.onStateChange((state) =>
      tracer.metrics?.breakerTransition?.(state, {
        'aindusdb.endpoint': endpoint.id,
        'db.system.name': engine.name,
      }),
    );
    return {
      endpoint,
      breaker,
      probe: undefined,
      admitted: true,
      inFlight: 0,
      healthyStreak: 0,
      failedStreak: 0,
    };
  });
  const probeEveryone = engine.endpoints.length > 1 || engine.capabilities.shared;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;

  const apply = (state: EndpointState, probe: EndpointProbe) => {
    state.probe = { ...probe, at: Date.now() };
    if (probe.alive) {
      state.healthyStreak++;
      state.failedStreak = 0;
      state.breaker.probeSucceeded();
    } else {
      state.failedStreak++;
      state.healthyStreak = 0;
      // Probes that keep failing open the breaker even when little traffic reached the endpoint.
      if (state.failedStreak >= options.ejectAfterFailedProbes) state.breaker.forceOpen();
    }
    if (state.endpoint.role !== 'replica') return;
    if (probe.lagMs !== undefined) {
      tracer.metrics?.replicaLag?.(probe.lagMs / 1000, {
        'aindusdb.endpoint': state.endpoint.id,
        'db.system.name': engine.name,
      });
    }
    const lag = probe.lagMs ?? 0;
    if (
      state.admitted &&
      (state.failedStreak >= options.ejectAfterFailedProbes || lag > options.maxReplicaLagMs)
    ) {
      state.admitted = false;
    } else if (
      !state.admitted &&
      state.healthyStreak >= options.readmitAfterHealthyProbes &&
      lag <= options.maxReplicaLagMs / 2
    ) {
      state.admitted = true;
    }
  };

  const probeOne = async (state: EndpointState, signal: AbortSignal) => {
    const started = performance.now();
    // raceAbort: an endpoint that ignores the signal (a blackholed socket) must not stall the round.
    const probe = await raceAbort(
      state.endpoint.probe({ signal, deadline: Date.now() + options.probeIntervalMs }),
      signal,
    ).catch(
      (error: unknown): EndpointProbe => ({
        alive: false,
        writable: false,
        latencyMs: performance.now() - started,
        error: String(error),
      }),
    );
    apply(
      state,
      signal.aborted
        ? {
            alive: false,
            writable: false,
            latencyMs: performance.now() - started,
            error: 'probe timed out',
          }
        : probe,
    );
  };

  const probeAll = (signal?: AbortSignal) => {
    // One round at a time: a blackholed endpoint must not pile up probes.
    running ??= (async () => {
      const timeout = AbortSignal.timeout(options.probeIntervalMs);
      const combined = signal ? AbortSignal.any([signal, timeout]) : timeout;
      await Promise.all(states.map((s) => probeOne(s, combined)));
    })().finally(() => {
      running = undefined;
    });
    return running;
  };

  return {
    states,
    start() {
      if (timer || !probeEveryone) return;
      void probeAll();
      timer = setInterval(() => void probeAll(), options.probeIntervalMs);
      timer.unref?.();
    },
    probeAll,
    stop() {
      if (timer) clearInterval(timer);
      timer = undefined;
    },
  };
}
