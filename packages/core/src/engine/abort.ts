import { AindusError } from '../errors/aindus-error.js';

/** Throws the call's `TIMEOUT` error when `signal` has aborted. For engines to call between steps. */
export function throwIfAborted(signal: AbortSignal): void {
  if (signal.aborted) throw toTimeoutError(signal.reason);
}

/** Converts an abort reason into a `TIMEOUT` {@link AindusError} (keeping one that already is). */
export function toTimeoutError(reason: unknown): AindusError {
  if (reason instanceof AindusError) return reason;
  return new AindusError('TIMEOUT', 'The call was aborted or its deadline passed', {
    cause: reason,
  });
}
