/** Options of the cache's fail-fast gate (a small consecutive-failure breaker). */
export interface GateOptions {
  /** Consecutive failed or timed-out commands that open the gate (default 3). */
  failures?: number;
  /** First open period, ms (default 500); doubles on each failed probe. */
  openMs?: number;
  /** Longest open period, ms (default 10,000). */
  maxOpenMs?: number;
}

/** State of the gate. */
export type GateState = 'closed' | 'open' | 'half-open';

/**
 * Lets commands through while Redis answers; after `failures` consecutive failures it fails
 * every command at once for an open period, then lets a single probe through (half-open):
 * success closes it, failure reopens it for twice as long. A paused server then costs one
 * timeout per open period instead of one per query.
 */
export interface Gate {
  /** Current state. */
  readonly state: GateState;
  /** Whether a command may be sent now; in half-open state only the first caller gets `true`. */
  tryAcquire(): boolean;
  /** Reports the outcome of a command that was let through. */
  release(ok: boolean): void;
}

/** Creates a {@link Gate}; `false` options give a gate that never opens. */
export function createGate(options: GateOptions | false, now: () => number = Date.now): Gate {
  if (options === false) {
    return { state: 'closed', tryAcquire: () => true, release() {} };
  }
  const threshold = options.failures ?? 3;
  const baseOpenMs = options.openMs ?? 500;
  const maxOpenMs = options.maxOpenMs ?? 10_000;
  let state: GateState = 'closed';
  let consecutive = 0;
  let openMs = baseOpenMs;
  let openUntil = 0;
  let probing = false;

  const open = () => {
    state = 'open';
    openUntil = now() + openMs;
    openMs = Math.min(maxOpenMs, openMs * 2);
  };

  return {
    get state() {
      if (state === 'open' && now() >= openUntil) return 'half-open';
      return state;
    },
    tryAcquire() {
      if (state === 'closed') return true;
      if (state === 'open' && now() < openUntil) return false;
      state = 'half-open';
      if (probing) return false;
      probing = true;
      return true;
    },
    release(ok) {
      if (state === 'half-open' && probing) {
        probing = false;
        if (ok) {
          state = 'closed';
          consecutive = 0;
          openMs = baseOpenMs;
        } else {
          open();
        }
        return;
      }
      if (ok) {
        consecutive = 0;
        return;
      }
      consecutive += 1;
      if (state === 'closed' && consecutive >= threshold) open();
    },
  };
}
