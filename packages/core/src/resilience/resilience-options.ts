import { AindusError } from '../errors/aindus-error.js';
import type { BreakerOptions } from './breaker.js';

/** Retry tuning. Retries apply only to errors marked retryable, and only to idempotent operations. */
export interface RetryOptions {
  /** Retries after the first attempt (default 3). */
  retries?: number;
  /** First backoff, in ms (default 50); doubles each retry, randomized (jitter). */
  minDelayMs?: number;
  /** Longest backoff, in ms (default 1,000). */
  maxDelayMs?: number;
}

/** Timeouts, retries, breakers and replica routing. Every field has a default. */
export interface ResilienceOptions {
  /** Deadline of each call when the call gives none, in ms (default 30,000). */
  timeoutMs?: number;
  /** Time budget of each cache call, in ms (default 250); past it the cache counts as a miss. */
  cacheTimeoutMs?: number;
  /**
   * Time budget of one attempt, in ms. By default a read that has another endpoint to fall
   * back on gets half of the call's remaining time, so a hung replica leaves time to re-route;
   * other attempts get all of it.
   */
  attemptTimeoutMs?: number;
  /** Retries, or `false` for none. */
  retry?: RetryOptions | false;
  /** Breaker tuning for every endpoint, or `false` for no breakers. */
  breaker?: BreakerOptions | false;
  /** Breaker tuning for the cache (default: trips fast, reopens after 1 s). */
  cacheBreaker?: BreakerOptions;
  /** How often endpoints are probed for liveness, role and lag, in ms (default 1,000). */
  probeIntervalMs?: number;
  /** Largest replica lag an `eventual` read accepts, in ms (default 5,000). */
  maxReplicaLagMs?: number;
  /** Failed probes in a row before a replica leaves rotation (default 2). */
  ejectAfterFailedProbes?: number;
  /** Healthy probes in a row before an ejected replica returns (default 3). */
  readmitAfterHealthyProbes?: number;
  /** Reads that may fall back to the primary at once when no replica can serve them (default 32). */
  primaryFallbackConcurrency?: number;
}

/** {@link ResilienceOptions} with defaults applied. */
export interface ResolvedResilience {
  timeoutMs: number;
  cacheTimeoutMs: number;
  attemptTimeoutMs: number | undefined;
  retry: Required<RetryOptions> | false;
  breaker: BreakerOptions | false;
  cacheBreaker: BreakerOptions;
  probeIntervalMs: number;
  maxReplicaLagMs: number;
  ejectAfterFailedProbes: number;
  readmitAfterHealthyProbes: number;
  primaryFallbackConcurrency: number;
}

function whole(value: unknown, name: string, fallback: number, min: number, max: number): number {
  const v = value ?? fallback;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    throw new AindusError(
      'INVALID_ARGUMENT',
      `resilience.${name} must be a whole number from ${min} to ${max}`,
    );
  }
  return v;
}

/** Validates resilience options and applies defaults. */
export function resolveResilience(options: ResilienceOptions = {}): ResolvedResilience {
  const retry = options.retry;
  return {
    timeoutMs: whole(options.timeoutMs, 'timeoutMs', 30_000, 1, 86_400_000),
    cacheTimeoutMs: whole(options.cacheTimeoutMs, 'cacheTimeoutMs', 250, 1, 60_000),
    attemptTimeoutMs:
      options.attemptTimeoutMs === undefined
        ? undefined
        : whole(options.attemptTimeoutMs, 'attemptTimeoutMs', 0, 1, 86_400_000),
    retry:
      retry === false
        ? false
        : {
            retries: whole(retry?.retries, 'retry.retries', 3, 0, 100),
            minDelayMs: whole(retry?.minDelayMs, 'retry.minDelayMs', 50, 0, 60_000),
            maxDelayMs: whole(retry?.maxDelayMs, 'retry.maxDelayMs', 1_000, 0, 600_000),
          },
    breaker: options.breaker === false ? false : (options.breaker ?? {}),
    cacheBreaker: options.cacheBreaker ?? {
      minimumCalls: 5,
      failureRate: 0.5,
      slowCallRate: 1,
      openMs: 1_000,
      maxOpenMs: 5_000,
      halfOpenCalls: 1,
    },
    probeIntervalMs: whole(options.probeIntervalMs, 'probeIntervalMs', 1_000, 10, 600_000),
    maxReplicaLagMs: whole(options.maxReplicaLagMs, 'maxReplicaLagMs', 5_000, 0, 86_400_000),
    ejectAfterFailedProbes: whole(
      options.ejectAfterFailedProbes,
      'ejectAfterFailedProbes',
      2,
      1,
      1_000,
    ),
    readmitAfterHealthyProbes: whole(
      options.readmitAfterHealthyProbes,
      'readmitAfterHealthyProbes',
      3,
      1,
      1_000,
    ),
    primaryFallbackConcurrency: whole(
      options.primaryFallbackConcurrency,
      'primaryFallbackConcurrency',
      32,
      1,
      100_000,
    ),
  };
}
