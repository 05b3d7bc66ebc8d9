/** Runs tasks one at a time, in the order they were queued. */
export interface SerialQueue {
  /** Queues `task`; resolves or rejects with it. A failure does not stop later tasks. */
  run<T>(task: () => Promise<T> | T): Promise<T>;
  /** Resolves once every task queued so far has settled. */
  idle(): Promise<void>;
}

/** Creates a {@link SerialQueue}: how writes to one collection are serialized. */
export function createSerialQueue(): SerialQueue {
  let tail: Promise<unknown> = Promise.resolve();
  const settle = () => undefined;
  return {
    run(task) {
      const result = tail.then(task);
      tail = result.then(settle, settle);
      return result;
    },
    idle() {
      return tail.then(settle);
    },
  };
}
