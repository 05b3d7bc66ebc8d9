/** What a bounded load run measured. */
export interface LoadResult {
  ok: number;
  failed: number;
  errors: string[];
  latenciesMs: number[];
  elapsedMs: number;
}

/**
 * Runs `fn` `count` times with `concurrency` workers, stopping early at `maxMs`: every load in
 * the chaos suite is bounded in count and in time.
 */
export async function runLoad(options: {
  count: number;
  concurrency: number;
  maxMs: number;
  fn: (i: number) => Promise<unknown>;
}): Promise<LoadResult> {
  const { count, concurrency, maxMs, fn } = options;
  const result: LoadResult = { ok: 0, failed: 0, errors: [], latenciesMs: [], elapsedMs: 0 };
  const started = performance.now();
  let next = 0;
  const worker = async () => {
    while (next < count && performance.now() - started < maxMs) {
      const i = next++;
      const t = performance.now();
      try {
        await fn(i);
        result.ok++;
      } catch (error) {
        result.failed++;
        if (result.errors.length < 10)
          result.errors.push(String((error as Error)?.message ?? error));
      }
      result.latenciesMs.push(performance.now() - t);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  result.elapsedMs = performance.now() - started;
  return result;
}

/** Percentile (nearest rank) of a list of numbers. */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[
    Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))
  ]!;
}

/** Sleeps `ms`. */
export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Polls `check` until it returns true or `maxMs` passes; returns whether it became true. */
export async function waitFor(
  check: () => boolean | Promise<boolean>,
  maxMs: number,
  everyMs = 50,
): Promise<boolean> {
  const started = performance.now();
  while (performance.now() - started < maxMs) {
    if (await check()) return true;
    await sleep(everyMs);
  }
  return check();
}

/** Collects unhandled rejections and uncaught exceptions during a scenario. */
export function trapProcessErrors(): { errors: unknown[]; dispose(): void } {
  const errors: unknown[] = [];
  const onError = (e: unknown) => errors.push(e);
  process.on('unhandledRejection', onError);
  process.on('uncaughtException', onError);
  return {
    errors,
    dispose() {
      process.off('unhandledRejection', onError);
      process.off('uncaughtException', onError);
    },
  };
}
