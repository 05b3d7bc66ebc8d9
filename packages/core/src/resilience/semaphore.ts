/** A counting semaphore whose waits end with the caller's signal. */
export interface Semaphore {
  /** Waits for a slot; rejects with the signal's reason when it aborts first. Returns the release. */
  acquire(signal: AbortSignal): Promise<() => void>;
  /** Slots in use. */
  readonly inUse: number;
}

/** Creates a {@link Semaphore} with `limit` slots. */
export function createSemaphore(limit: number): Semaphore {
  let inUse = 0;
  const waiters: (() => void)[] = [];
  const release = () => {
    inUse--;
    waiters.shift()?.();
  };
  const once = () => {
    let done = false;
    return () => {
      if (!done) {
        done = true;
        release();
      }
    };
  };
  return {
    get inUse() {
      return inUse;
    },
    acquire(signal) {
      if (signal.aborted) return Promise.reject(signal.reason);
      if (inUse < limit) {
        inUse++;
        return Promise.resolve(once());
      }
      return new Promise((resolve, reject) => {
        const grant = () => {
          signal.removeEventListener('abort', onAbort);
          inUse++;
          resolve(once());
        };
        const onAbort = () => {
          const i = waiters.indexOf(grant);
          if (i >= 0) waiters.splice(i, 1);
          reject(signal.reason);
        };
        waiters.push(grant);
        signal.addEventListener('abort', onAbort, { once: true });
      });
    },
  };
}
