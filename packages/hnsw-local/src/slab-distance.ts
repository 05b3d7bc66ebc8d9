import type { Metric } from '@aindusdb/core';

/**
 * Distance between a query and the vector stored at `offset` of a slab, in float64 and in the
 * same order of operations as core's `distance`, so exact results match the memory engine's.
 * `queryNorm2` and `norm2` (sums of squares) are only used by cosine.
 */
export type SlabDistance = (
  query: Float32Array,
  queryNorm2: number,
  slab: Float32Array,
  offset: number,
  norm2: number,
) => number;

/** Sum of squares, for cosine norms. */
export function sumOfSquares(v: Float32Array, offset = 0, length = v.length): number {
  let s = 0;
  for (let i = 0; i < length; i++) {
    const x = v[offset + i]!;
    s += x * x;
  }
  return s;
}

/** The {@link SlabDistance} of a metric. */
export function slabDistance(metric: Metric): SlabDistance {
  if (metric === 'l2') {
    return (q, _qn, slab, offset) => {
      let sq = 0;
      for (let i = 0; i < q.length; i++) {
        const d = q[i]! - slab[offset + i]!;
        sq += d * d;
      }
      return Math.sqrt(sq);
    };
  }
  if (metric === 'ip') {
    return (q, _qn, slab, offset) => {
      let dot = 0;
      for (let i = 0; i < q.length; i++) dot += q[i]! * slab[offset + i]!;
      return -dot;
    };
  }
  return (q, qn, slab, offset, norm2) => {
    let dot = 0;
    for (let i = 0; i < q.length; i++) dot += q[i]! * slab[offset + i]!;
    return 1 - dot / Math.sqrt(qn * norm2);
  };
}
