/** Median of numbers. */
export function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** A query path under test: answers one query with the row numbers it found. */
export interface QueryRunner {
  name: string;
  run(query: Float32Array, index: number): Promise<number[]> | number[];
}

/** Throughput of one runner. */
export interface QpsResult {
  /** Queries per second of this process's CPU time (user + system), median over rounds. */
  qps: number;
  /** Queries per wall-clock second, median over rounds (sensitive to other load on the machine). */
  wallQps: number;
  /** Answers of the last round. */
  answers: number[][];
}

const SLICE = 20;
const cpuSeconds = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};

/**
 * Throughput of each runner over all queries. The runners take turns on slices of 20 queries
 * (order rotated per slice), so load changes on a shared machine hit them alike; time is
 * counted in this process's CPU seconds (and wall seconds, reported alongside). One warm-up
 * round, then `rounds` timed rounds; medians reported.
 */
export async function measureQps(
  runners: QueryRunner[],
  queries: Float32Array[],
  rounds: number,
): Promise<Map<string, QpsResult>> {
  const cpu = new Map<string, number[]>(runners.map((r) => [r.name, []]));
  const wall = new Map<string, number[]>(runners.map((r) => [r.name, []]));
  const answers = new Map<string, number[][]>(
    runners.map((r) => [r.name, new Array(queries.length)]),
  );
  for (let round = -1; round < rounds; round++) {
    const cpuSum = new Map<string, number>(runners.map((r) => [r.name, 0]));
    const wallSum = new Map<string, number>(runners.map((r) => [r.name, 0]));
    for (let from = 0, turn = 0; from < queries.length; from += SLICE, turn++) {
      const to = Math.min(queries.length, from + SLICE);
      for (let j = 0; j < runners.length; j++) {
        const runner = runners[(j + turn) % runners.length]!;
        const out = answers.get(runner.name)!;
        const c0 = cpuSeconds();
        const w0 = performance.now();
        for (let i = from; i < to; i++) {
          const r = runner.run(queries[i]!, i);
          out[i] = r instanceof Promise ? await r : r;
        }
        wallSum.set(runner.name, wallSum.get(runner.name)! + (performance.now() - w0) / 1000);
        cpuSum.set(runner.name, cpuSum.get(runner.name)! + cpuSeconds() - c0);
      }
    }
    if (round < 0) continue;
    for (const r of runners) {
      cpu.get(r.name)!.push(queries.length / cpuSum.get(r.name)!);
      wall.get(r.name)!.push(queries.length / wallSum.get(r.name)!);
    }
  }
  return new Map(
    runners.map((r) => [
      r.name,
      {
        qps: median(cpu.get(r.name)!),
        wallQps: median(wall.get(r.name)!),
        answers: answers.get(r.name)!,
      },
    ]),
  );
}

/** Mean recall@k of answers against truth rows. */
export function meanRecall(answers: number[][], truth: ArrayLike<number>[], k: number): number {
  let sum = 0;
  for (let i = 0; i < answers.length; i++) {
    const want = new Set(Array.from(truth[i]!).slice(0, k));
    let hit = 0;
    for (const id of answers[i]!.slice(0, k)) if (want.has(id)) hit++;
    sum += hit / Math.min(k, want.size || k);
  }
  return sum / answers.length;
}

/** Milliseconds taken by `fn`. */
export async function timeMs(fn: () => Promise<unknown> | unknown): Promise<number> {
  const start = performance.now();
  await fn();
  return performance.now() - start;
}
