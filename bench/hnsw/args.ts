import { join } from 'node:path';
import { DEFAULT_DATASET_DIR } from '../lib/dataset.js';
import { readFlags } from '../lib/flags.js';

/** Command-line options of the hnsw benchmark. */
export interface BenchArgs {
  base: string;
  query: string;
  truth: string;
  metric: 'l2' | 'cosine';
  k: number;
  m: number;
  efConstruction: number;
  efs: number[];
  rounds: number;
  reopenRows: number;
  reopenDim: number;
  skipReopen: boolean;
  skipLangchain: boolean;
}

const HELP = `Usage: tsx hnsw/index.ts [options]
  --base <file.fvecs>    vectors to index      (default: sift-5k base.fvecs)
  --query <file.fvecs>   query vectors         (default: sift-5k query.fvecs)
  --truth <file.ivecs>   exact neighbours      (default: sift-5k gt_<metric>_k100.ivecs)
  --metric l2|cosine     (default l2)
  --k <n>                recall@k and topK     (default 10)
  --m <n> --ef-construction <n>  graph         (default 16 / 64, the SDK defaults)
  --ef <a,b,...>         ef values to sweep    (default 10,20,40,64,100,200)
  --rounds <n>           timed passes per cell, median reported (default 5)
  --reopen-rows <n> --reopen-dim <n>  reopen test size (default 100000 x 128)
  --skip-reopen --skip-langchain`;

/** Parses `process.argv`. */
export function parseArgs(argv: string[]): BenchArgs {
  const flags = readFlags(argv, HELP);
  const metric = (flags.get('metric') ?? 'l2') as BenchArgs['metric'];
  if (metric !== 'l2' && metric !== 'cosine') throw new Error('--metric must be l2 or cosine');
  const num = (name: string, fallback: number) => Number(flags.get(name) ?? fallback);
  return {
    base: flags.get('base') ?? join(DEFAULT_DATASET_DIR, 'base.fvecs'),
    query: flags.get('query') ?? join(DEFAULT_DATASET_DIR, 'query.fvecs'),
    truth: flags.get('truth') ?? join(DEFAULT_DATASET_DIR, `gt_${metric}_k100.ivecs`),
    metric,
    k: num('k', 10),
    m: num('m', 16),
    efConstruction: num('ef-construction', 64),
    efs: (flags.get('ef') ?? '10,20,40,64,100,200').split(',').map(Number),
    rounds: num('rounds', 5),
    reopenRows: num('reopen-rows', 100_000),
    reopenDim: num('reopen-dim', 128),
    skipReopen: flags.get('skip-reopen') === 'true',
    skipLangchain: flags.get('skip-langchain') === 'true',
  };
}
