import { setMaxListeners } from 'node:events';
import type { EngineContext } from '../engine/engine.js';
import { AindusError } from '../errors/aindus-error.js';
import type { CallOptions } from '../types.js';

/** A call's deadline: the context handed to engines, and what it was made of. */
export interface CallDeadline {
  /** Context for engine and cache calls. */
  ctx: EngineContext;
  /** The call's time budget. */
  timeoutMs: number;
  /** The caller's own signal, if any. */
  userSignal: AbortSignal | undefined;
}

/** Largest deadline accepted, so a typo cannot park a call for days. */
const MAX_TIMEOUT_MS = 24 * 60 * 60_000;

/**
 * Deadlines are rounded up to buckets of this many ms, and calls in one bucket share one
 * signal and one timer: a call then costs a map lookup instead of a controller and a timer.
 */
const BUCKET_MS = 5;
const buckets = new Map<number, AbortSignal>();

/** The shared abort reason of deadline buckets; {@link deadlineError} turns it into a call's own error. */
const DEADLINE_PASSED = new AindusError('TIMEOUT', "The call's deadline passed", {
  retryable: true,
});

function bucketSignal(deadline: number): AbortSignal {
  const bucket = Math.ceil(deadline / BUCKET_MS);
  let signal = buckets.get(bucket);
  if (!signal) {
    const controller = new AbortController();
    signal = controller.signal;
    // Shared by every call in the bucket: many listeners are expected, not a leak.
    setMaxListeners(0, signal);
    buckets.set(bucket, signal);
    const timer = setTimeout(
      () => {
        buckets.delete(bucket);
        controller.abort(DEADLINE_PASSED);
      },
      Math.max(0, bucket * BUCKET_MS - Date.now()),
    );
    timer.unref?.();
  }
  return signal;
}

/**
 * Starts one deadline for a whole call from its `timeoutMs` (or the default) and `signal`.
 * The context's signal aborts when either fires; {@link deadlineError} gives the call's error.
 */
export function startDeadline(
  options: CallOptions | undefined,
  defaultTimeoutMs: number,
): CallDeadline {
  const timeoutMs = options?.timeoutMs ?? defaultTimeoutMs;
  if (typeof timeoutMs !== 'number' || !(timeoutMs > 0) || timeoutMs > MAX_TIMEOUT_MS) {
    throw new AindusError(
      'INVALID_ARGUMENT',
      `timeoutMs must be a number of ms from 1 to ${MAX_TIMEOUT_MS}`,
    );
  }
  const deadline = Date.now() + timeoutMs;
  const timeout = bucketSignal(deadline);
  const userSignal = options?.signal;
  const signal = userSignal ? AbortSignal.any([timeout, userSignal]) : timeout;
  return { ctx: { signal, deadline }, timeoutMs, userSignal };
}

/**
 * The `TIMEOUT` error of a call whose context aborted: a fresh error saying whether the
 * deadline passed or the caller's signal aborted.
 */
export function deadlineError(deadline: CallDeadline): AindusError {
  const { userSignal, timeoutMs } = deadline;
  if (userSignal?.aborted) {
    return new AindusError('TIMEOUT', 'The call was aborted', {
      cause: userSignal.reason,
      retryable: false,
    });
  }
  return new AindusError('TIMEOUT', `The call did not finish within ${timeoutMs} ms`, {
    retryable: true,
  });
}

/** Rejects with the signal's reason when it aborts first; leaves `promise` to settle unobserved. */
export function raceAbort<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
}

/** Waits `ms`, or rejects with the signal's reason when it aborts first. */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    timer.unref?.();
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
