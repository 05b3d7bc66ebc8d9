import type { EngineContext } from '../engine/engine.js';
import { AindusError } from '../errors/aindus-error.js';
import type { CallOptions } from '../types.js';

/** A call's deadline: the context handed to engines, and `dispose` to clear its timer. */
export interface CallDeadline {
  /** Context for engine and cache calls. */
  ctx: EngineContext;
  /** Clears the timer and listeners; call when the call settles. */
  dispose(): void;
}

/** Largest deadline accepted, so a typo cannot park a call for days. */
const MAX_TIMEOUT_MS = 24 * 60 * 60_000;

/**
 * Starts one deadline for a whole call from its `timeoutMs` (or the default) and `signal`.
 * The context's signal aborts with a `TIMEOUT` {@link AindusError} when either fires.
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
  const controller = new AbortController();
  const deadline = Date.now() + timeoutMs;
  const timer = setTimeout(() => {
    controller.abort(
      new AindusError('TIMEOUT', `The call did not finish within ${timeoutMs} ms`, {
        retryable: true,
      }),
    );
  }, timeoutMs);
  timer.unref?.();
  const userSignal = options?.signal;
  const onAbort = () =>
    controller.abort(
      new AindusError('TIMEOUT', 'The call was aborted', {
        cause: userSignal?.reason,
        retryable: false,
      }),
    );
  if (userSignal?.aborted) onAbort();
  else userSignal?.addEventListener('abort', onAbort, { once: true });
  return {
    ctx: { signal: controller.signal, deadline },
    dispose() {
      clearTimeout(timer);
      userSignal?.removeEventListener('abort', onAbort);
    },
  };
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
