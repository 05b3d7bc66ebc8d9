import { AindusError } from '../errors/aindus-error.js';

/** A breaker's state. */
export type BreakerState = 'closed' | 'open' | 'half-open';

/** Breaker tuning; every field has a default. */
export interface BreakerOptions {
  /** Sliding window over which rates are computed, in ms (default 10,000). */
  windowMs?: number;
  /** Calls needed in the window before the breaker may trip (default 10). */
  minimumCalls?: number;
  /** Failure share that trips it, 0–1 (default 0.5). */
  failureRate?: number;
  /** A call slower than this counts as slow, in ms (default 2,000). */
  slowCallMs?: number;
  /** Slow-call share that trips it, 0–1 (default 0.8). */
  slowCallRate?: number;
  /** First open period, in ms (default 1,000); doubles on each consecutive trip. */
  openMs?: number;
  /** Longest open period, in ms (default 30,000). */
  maxOpenMs?: number;
  /** Trial calls let through while half-open; successes needed to close (default 3). */
  halfOpenCalls?: number;
}

/** Permission for one call; report how it went exactly once. */
export interface BreakerPermit {
  /** The call succeeded after `durationMs`. */
  success(durationMs: number): void;
  /** The call failed in a way that says the endpoint is unhealthy. */
  failure(): void;
  /** The call ended in a way that says nothing about the endpoint (e.g. bad input). */
  release(): void;
}

/** A per-endpoint circuit breaker. */
export interface Breaker {
  /** Current state. */
  readonly state: BreakerState;
  /** Whether a call would be let through now. */
  canPass(): boolean;
  /** Asks to make a call; throws `CIRCUIT_OPEN` when the breaker is open or half-open is saturated. */
  acquire(): BreakerPermit;
  /** A health probe succeeded: an open breaker becomes half-open at once. */
  probeSucceeded(): void;
  /** Health probes found the endpoint down: open now (no-op when already open). */
  forceOpen(): void;
  /** Subscribes to state changes; returns a disposer. */
  onStateChange(listener: (state: BreakerState) => void): { dispose(): void };
}

const BUCKETS = 10;

/**
 * Creates a breaker that trips on failure rate and slow-call rate over a sliding time window
 * with a minimum volume, lets a few trial calls through when half-open while failing the rest
 * fast, and backs off its open periods on repeated trips.
 */
export function createBreaker(
  name: string,
  options: BreakerOptions = {},
  now: () => number = Date.now,
): Breaker {
  const windowMs = options.windowMs ?? 10_000;
  const minimumCalls = options.minimumCalls ?? 10;
  const failureRate = options.failureRate ?? 0.5;
  const slowCallMs = options.slowCallMs ?? 2_000;
  const slowCallRate = options.slowCallRate ?? 0.8;
  const openMs = options.openMs ?? 1_000;
  const maxOpenMs = options.maxOpenMs ?? 30_000;
  const halfOpenCalls = options.halfOpenCalls ?? 3;
  const bucketMs = windowMs / BUCKETS;

  const buckets = Array.from({ length: BUCKETS }, () => ({
    start: 0,
    calls: 0,
    failures: 0,
    slow: 0,
  }));
  let state: BreakerState = 'closed';
  let openUntil = 0;
  let trips = 0;
  let trialsInFlight = 0;
  let trialSuccesses = 0;
  const listeners = new Set<(state: BreakerState) => void>();

  const transition = (next: BreakerState) => {
    if (next === state) return;
    state = next;
    for (const l of listeners) l(next);
  };
  const resetWindow = () => {
    for (const b of buckets) Object.assign(b, { start: 0, calls: 0, failures: 0, slow: 0 });
  };
  const trip = () => {
    openUntil = now() + Math.min(maxOpenMs, openMs * 2 ** trips);
    trips++;
    trialsInFlight = 0;
    trialSuccesses = 0;
    transition('open');
  };
  const close = () => {
    trips = 0;
    trialsInFlight = 0;
    trialSuccesses = 0;
    resetWindow();
    transition('closed');
  };
  const record = (failed: boolean, slow: boolean) => {
    const t = now();
    const start = t - (t % bucketMs);
    const bucket = buckets[Math.floor(t / bucketMs) % BUCKETS]!;
    if (bucket.start !== start) Object.assign(bucket, { start, calls: 0, failures: 0, slow: 0 });
    bucket.calls++;
    if (failed) bucket.failures++;
    if (slow) bucket.slow++;
    let calls = 0;
    let failures = 0;
    let slowCalls = 0;
    for (const b of buckets) {
      if (t - b.start >= windowMs) continue;
      calls += b.calls;
      failures += b.failures;
      slowCalls += b.slow;
    }
    if (
      calls >= minimumCalls &&
      (failures / calls >= failureRate || slowCalls / calls >= slowCallRate)
    )
      trip();
  };
  const refresh = () => {
    if (state === 'open' && now() >= openUntil) transition('half-open');
  };

  return {
    get state() {
      refresh();
      return state;
    },
    canPass() {
      refresh();
      return state === 'closed' || (state === 'half-open' && trialsInFlight < halfOpenCalls);
    },
    acquire() {
      refresh();
      if (state === 'open' || (state === 'half-open' && trialsInFlight >= halfOpenCalls)) {
        throw new AindusError(
          'CIRCUIT_OPEN',
          `Circuit breaker for ${name} is ${state}; failing fast`,
          {
            retryable: false,
            details: { endpoint: name, state },
          },
        );
      }
      const trial = state === 'half-open';
      if (trial) trialsInFlight++;
      let settled = false;
      const settle = (fn: () => void) => {
        if (settled) return;
        settled = true;
        if (trial) trialsInFlight = Math.max(0, trialsInFlight - 1);
        fn();
      };
      return {
        success: (durationMs) =>
          settle(() => {
            if (trial && state === 'half-open') {
              if (++trialSuccesses >= halfOpenCalls) close();
            } else if (state === 'closed') {
              record(false, durationMs >= slowCallMs);
            }
          }),
        failure: () =>
          settle(() => {
            if (state === 'half-open') trip();
            else if (state === 'closed') record(true, false);
          }),
        release: () => settle(() => {}),
      };
    },
    probeSucceeded() {
      refresh();
      if (state === 'open') transition('half-open');
    },
    forceOpen() {
      refresh();
      if (state !== 'open') trip();
    },
    onStateChange(listener) {
      listeners.add(listener);
      return { dispose: () => listeners.delete(listener) };
    },
  };
}
