import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Default dataset: ../shared/datasets/sift-5k beside the repository (never copied into it). */
export const DEFAULT_DATASET_DIR = join(
  dirname(fileURLToPath(import.meta.url)),
  '..',
  '..',
  '..',
  'shared',
  'datasets',
  'sift-5k',
);

/** Reads an `.fvecs` file: each vector is an int32 dimension followed by that many float32s. */
export function readFvecs(path: string): Float32Array[] {
  const buf = readFileSync(path);
  const out: Float32Array[] = [];
  let offset = 0;
  while (offset < buf.length) {
    const dim = buf.readInt32LE(offset);
    offset += 4;
    out.push(
      new Float32Array(
        buf.buffer.slice(buf.byteOffset + offset, buf.byteOffset + offset + dim * 4),
      ),
    );
    offset += dim * 4;
  }
  return out;
}

/** Reads an `.ivecs` file (ground truth neighbour ids). */
export function readIvecs(path: string): Int32Array[] {
  const buf = readFileSync(path);
  const out: Int32Array[] = [];
  let offset = 0;
  while (offset < buf.length) {
    const dim = buf.readInt32LE(offset);
    offset += 4;
    out.push(
      new Int32Array(buf.buffer.slice(buf.byteOffset + offset, buf.byteOffset + offset + dim * 4)),
    );
    offset += dim * 4;
  }
  return out;
}

/** recall@k: the share of the true k nearest found among the returned ids. */
export function recallAtK(found: readonly number[], truth: Int32Array, k: number): number {
  const want = new Set(Array.from(truth.subarray(0, k)));
  let hit = 0;
  for (const id of found.slice(0, k)) if (want.has(id)) hit++;
  return hit / k;
}

/** Percentile of a list of numbers (nearest rank). */
export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[
    Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))
  ]!;
}

/** Prints rows as an aligned text table. */
export function printTable(rows: Record<string, string | number>[]): void {
  if (rows.length === 0) return;
  const cols = Object.keys(rows[0]!);
  const fmt = (v: string | number) =>
    typeof v === 'number' ? (Number.isInteger(v) ? String(v) : v.toFixed(3)) : v;
  const widths = cols.map((c) => Math.max(c.length, ...rows.map((r) => fmt(r[c] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ');
  console.log(line(cols));
  console.log(line(widths.map((w) => '-'.repeat(w))));
  for (const r of rows) console.log(line(cols.map((c) => fmt(r[c] ?? ''))));
}
