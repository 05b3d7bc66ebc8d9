import { join } from 'node:path';
import { DEFAULT_DATASET_DIR } from '../lib/dataset.js';
import { readFlags } from '../lib/flags.js';

/** Command-line options of the pg benchmark. */
export interface PgBenchArgs {
  rows: number;
  langchainRows: number;
  dims: number[];
  queries: number;
  rounds: number;
  efs: number[];
  sift: string;
  skipLangchain: boolean;
  skipSift: boolean;
}

const HELP = `Usage: tsx pg/index.ts [options]   (needs AINDUS_PG_URL: eval "$(bash scripts/services.sh env)")
  --rows <n>             rows ingested by the SDK and by raw COPY      (default 100000)
  --langchain-rows <n>   rows ingested by LangChain (slow; a smaller subset also times the SDK on it) (default: --rows)
  --dims <a,b>           dimensions                                    (default 128,768)
  --queries <n>          timed queries per side for latency            (default 1000)
  --rounds <n>           ingest rounds per side, best reported         (default 3)
  --ef <a,b,...>         ef_search values for the recall sweep         (default 10,20,40,80,160,320)
  --sift <dir>           sift-5k directory                             (default ../shared/datasets/sift-5k)
  --skip-langchain --skip-sift`;

/** Parses `process.argv`. */
export function parseArgs(argv: string[]): PgBenchArgs {
  const flags = readFlags(argv, HELP);
  const int = (key: string, fallback: number) => {
    const v = flags.has(key) ? Number(flags.get(key)) : fallback;
    if (!Number.isInteger(v) || v < 1) throw new Error(`--${key} takes a positive integer`);
    return v;
  };
  const list = (key: string, fallback: number[]) =>
    flags.has(key) ? flags.get(key)!.split(',').map(Number) : fallback;
  return {
    rows: int('rows', 100_000),
    langchainRows: Math.min(int('langchain-rows', int('rows', 100_000)), int('rows', 100_000)),
    dims: list('dims', [128, 768]),
    queries: int('queries', 1_000),
    rounds: int('rounds', 3),
    efs: list('ef', [10, 20, 40, 80, 160, 320]),
    sift: flags.get('sift') ?? DEFAULT_DATASET_DIR,
    skipLangchain: flags.has('skip-langchain'),
    skipSift: flags.has('skip-sift'),
  };
}

/** Paths of the sift-5k files. */
export function siftFiles(dir: string) {
  return {
    base: join(dir, 'base.fvecs'),
    query: join(dir, 'query.fvecs'),
    truth: join(dir, 'gt_l2_k100.ivecs'),
  };
}
