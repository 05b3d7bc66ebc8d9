import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient, type Filter } from '@aindusdb/core';
import {
  createHnswEngine,
  DEFAULT_COMPACT_LOG_BYTES,
  type HnswEngineOptions,
} from '@aindusdb/hnsw-local';
import { printTable } from '../lib/dataset.js';
import { seededRandom } from '../lib/random.js';
import type { BenchArgs } from './args.js';
import { meanRecall, measureQps, median, timeMs } from './timing.js';

/** Clients left open on purpose (simulated crashes). */
const abandoned: unknown[] = [];

function dirBytes(dir: string): number {
  let total = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) total += statSync(join(entry.parentPath, entry.name)).size;
  }
  return total;
}

/**
 * Builds a large random collection on disk, closes it, and measures reopening: time from
 * `createHnswEngine` to the first query answered — after a clean close (snapshot, no log) and
 * after a simulated crash with a log of writes to replay. Then sweeps filter plans on it.
 */
export async function benchReopen(args: BenchArgs): Promise<void> {
  const { reopenRows: rows, reopenDim: dim } = args;
  const dir = mkdtempSync(join(tmpdir(), 'aindus-bench-reopen-'));
  const random = seededRandom(42);
  const vector = () => Float32Array.from({ length: dim }, () => random());
  const open = (options: HnswEngineOptions = {}) =>
    createClient({ engine: createHnswEngine({ dir, ...options }), cache: false });
  try {
    console.log(
      `\n## Reopening a ${rows.toLocaleString('en')} x ${dim} collection (random vectors, on disk, durability 'fsync')\n`,
    );
    let client = open();
    const col = await client.createCollection('big', { dimension: dim, metric: 'l2' });
    async function* generate(from: number, to: number) {
      for (let i = from; i < to; i++)
        yield {
          id: String(i),
          vector: vector(),
          metadata: { bucket: i % 100, permille: i % 1000 },
        };
    }
    const buildMs = await timeMs(() => col.upsert(generate(0, rows), { timeoutMs: 3_600_000 }));
    const closeMs = await timeMs(() => client.close());
    console.log(
      `build (SDK upsert, durable): ${(buildMs / 1000).toFixed(1)} s; close (final snapshot): ${closeMs.toFixed(0)} ms; on disk: ${(dirBytes(dir) / 2 ** 20).toFixed(1)} MiB\n`,
    );

    const probe = vector();
    const reopenOnce = async (options: HnswEngineOptions = {}) => {
      let answered = 0;
      const ms = await timeMs(async () => {
        client = open(options);
        answered = (await client.collection('big').query({ vector: probe, topK: 10 })).matches
          .length;
      });
      if (answered !== 10) throw new Error(`reopened collection answered ${answered} rows`);
      return ms;
    };
    const clean: number[] = [];
    for (let i = 0; i < 3; i++) {
      clean.push(await reopenOnce());
      await client.close();
    }

    // A crash: writes acknowledged to the log, engine never closed. As many upserts as fit under
    // the default compaction threshold: the most a reopen can have to replay.
    const extra = Math.floor((0.95 * DEFAULT_COMPACT_LOG_BYTES) / (dim * 4 + 80));
    client = open();
    await client.collection('big').upsert(generate(rows, rows + extra), { timeoutMs: 600_000 });
    abandoned.push(client); // never closed, like a killed process (kept referenced so GC does not close its files)
    const logFile = readdirSync(join(dir, 'collections', 'big')).find((f) => f.endsWith('.wal'))!;
    const logBytes = statSync(join(dir, 'collections', 'big', logFile)).size;
    rmSync(join(dir, 'LOCK')); // a dead owner's lock is taken over; in this one process, remove it
    const crashMs = await reopenOnce();
    await client.close();

    printTable([
      {
        case: 'clean close (snapshot, empty log), 3 runs',
        'createHnswEngine to first answer, ms (median)': Math.round(median(clean)),
        runs: clean.map((x) => Math.round(x)).join(' / '),
      },
      {
        case: `after a crash: ${extra.toLocaleString('en')} logged upserts (${(logBytes / 2 ** 20).toFixed(1)} MiB log) to replay`,
        'createHnswEngine to first answer, ms (median)': Math.round(crashMs),
        runs: String(Math.round(crashMs)),
      },
    ]);

    // Filter plans at this size: exact scans cost more per query than on small collections.
    console.log(
      `\n## Filter plan sweep on the ${rows.toLocaleString('en')}-row collection (50 queries; truth = exact scan)\n`,
    );
    const queries = Array.from({ length: 50 }, vector);
    const ids = (res: { matches: { id: string }[] }) => res.matches.map((m) => Number(m.id));
    const selectivities = [5, 10, 20, 50, 100, 200];
    const plans = new Map<number, Record<string, string | number>>();
    const truths = new Map<number, number[][]>();
    client = open();
    const auto = client.collection('big');
    for (const permille of selectivities) {
      const filter: Filter = { permille: { $lt: permille } };
      const r = await measureQps(
        [
          {
            name: 'exact',
            run: async (q) =>
              ids(
                await auto.query({
                  vector: q,
                  topK: 10,
                  filter,
                  includeMetadata: false,
                  search: { exact: true },
                }),
              ),
          },
          {
            name: 'auto',
            run: async (q) =>
              ids(await auto.query({ vector: q, topK: 10, filter, includeMetadata: false })),
          },
        ],
        queries,
        Math.min(args.rounds, 3),
      );
      const exact = r.get('exact')!;
      truths.set(permille, exact.answers);
      plans.set(permille, {
        selectivity: `${permille / 10}%`,
        'exact qps': Math.round(exact.qps),
        'default plan qps': Math.round(r.get('auto')!.qps),
        'default plan recall': meanRecall(r.get('auto')!.answers, exact.answers, 10),
      });
    }
    await client.close();
    // The same data reopened with the exact-scan threshold off: every filter walks the graph.
    client = open({ exactFilterSelectivity: 1e-9 });
    const graph = client.collection('big');
    for (const permille of selectivities) {
      const filter: Filter = { permille: { $lt: permille } };
      const r = await measureQps(
        [
          {
            name: 'graph',
            run: async (q) =>
              ids(await graph.query({ vector: q, topK: 10, filter, includeMetadata: false })),
          },
        ],
        queries,
        Math.min(args.rounds, 3),
      );
      const row = plans.get(permille)!;
      row['graph qps'] = Math.round(r.get('graph')!.qps);
      row['graph recall'] = meanRecall(r.get('graph')!.answers, truths.get(permille)!, 10);
    }
    await client.close();
    const planRows = [...plans.values()];
    printTable(planRows);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
