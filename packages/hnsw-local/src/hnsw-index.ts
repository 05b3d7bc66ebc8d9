import type { Metric } from '@aindusdb/core';
import type { HierarchicalNSW } from 'hnswlib-node';
import hnswlib from 'hnswlib-node';

/** Graph parameters of a collection's index. */
export interface HnswParams {
  /** Links per node (`M`). */
  m: number;
  /** Candidate list size while building. */
  efConstruction: number;
  /** Seed of the level generator, for reproducible graphs. */
  seed: number;
}

/**
 * A thin wrapper over hnswlib-node's `HierarchicalNSW`, with labels equal to the record
 * store's slots. Distances it reports are never used (callers recompute them exactly).
 */
export interface HnswIndex {
  /** Slots the native index has room for. */
  readonly capacity: number;
  /** Labels the native index has ever seen (deleted ones included). */
  readonly nativeCount: number;
  /**
   * Puts `vector` at `label`: inserts it, or, when the label exists (live or deleted),
   * rewrites that node in place (hnswlib unmarks a deleted node and repairs its links).
   */
  set(vector: Float32Array, label: number): void;
  /** Marks a label deleted: it is skipped by searches and reused by the next {@link set}. */
  remove(label: number): void;
  /** Grows the native index to `capacity` slots. */
  resize(capacity: number): void;
  /** Up to `k` nearest labels, nearest first, optionally only labels passing `filter`. */
  search(query: number[], k: number, ef: number, filter?: (label: number) => boolean): number[];
  /** Writes the native index (hnswlib's own binary format) to `path`. */
  write(path: string): Promise<void>;
}

/** hnswlib's space for a metric: `cosine` normalizes, `ip` reports `1 − dot`, `l2` squared L2. */
function spaceOf(metric: Metric): 'l2' | 'ip' | 'cosine' {
  return metric;
}

function wrap(native: HierarchicalNSW): HnswIndex {
  let ef = native.getEf();
  let capacity = native.getMaxElements();
  return {
    get capacity() {
      return capacity;
    },
    get nativeCount() {
      return native.getCurrentCount();
    },
    set(vector, label) {
      native.addPoint(Array.from(vector), label);
    },
    remove(label) {
      native.markDelete(label);
    },
    resize(next) {
      native.resizeIndex(next);
      capacity = native.getMaxElements();
    },
    search(query, k, wantedEf, filter) {
      if (wantedEf !== ef) {
        native.setEf(wantedEf);
        ef = wantedEf;
      }
      const n = Math.min(k, capacity);
      return (filter ? native.searchKnn(query, n, filter) : native.searchKnn(query, n)).neighbors;
    },
    async write(path) {
      await native.writeIndex(path);
    },
  };
}

/** Creates an empty index. */
export function createHnswIndex(
  metric: Metric,
  dimension: number,
  capacity: number,
  params: HnswParams,
): HnswIndex {
  const native = new hnswlib.HierarchicalNSW(spaceOf(metric), dimension);
  native.initIndex(capacity, params.m, params.efConstruction, params.seed, false);
  return wrap(native);
}

/** Loads an index written by {@link HnswIndex.write}, without rebuilding it. */
export async function loadHnswIndex(
  metric: Metric,
  dimension: number,
  path: string,
): Promise<HnswIndex> {
  const native = new hnswlib.HierarchicalNSW(spaceOf(metric), dimension);
  await native.readIndex(path, false);
  return wrap(native);
}
