import { AindusError } from '@aindusdb/core';

/**
 * Settles with `promise`, or rejects with `TIMEOUT` after `timeoutMs` or when `signal` aborts,
 * whichever comes first. The cache's own bound: it holds even for a user's client configured
 * without `commandTimeout`.
 */
export function bounded<T>(
  promise: Promise<T>,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<T> {
  if (signal?.aborted) {
    promise.catch(() => {});
    return Promise.reject(
      new AindusError('TIMEOUT', 'The cache call was aborted', { cause: signal.reason }),
    );
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(new AindusError('TIMEOUT', 'The cache call was aborted', { cause: signal?.reason }));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      reject(new AindusError('TIMEOUT', `Redis did not answer within ${timeoutMs} ms`));
    }, timeoutMs);
    timer.unref?.();
    signal?.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}
