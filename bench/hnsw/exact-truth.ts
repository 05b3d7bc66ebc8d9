/** Exact top-k rows of `base` for `query` among rows passing `keep`, by Euclidean or cosine distance (float64). */
export function exactTopK(
  base: Float32Array[],
  query: Float32Array,
  k: number,
  metric: 'l2' | 'cosine',
  keep: (row: number) => boolean,
): number[] {
  const scored: [number, number][] = [];
  let qn = 0;
  for (let d = 0; d < query.length; d++) qn += query[d]! * query[d]!;
  for (let row = 0; row < base.length; row++) {
    if (!keep(row)) continue;
    const v = base[row]!;
    let s = 0;
    if (metric === 'l2') {
      for (let d = 0; d < v.length; d++) s += (v[d]! - query[d]!) ** 2;
    } else {
      let dot = 0;
      let vn = 0;
      for (let d = 0; d < v.length; d++) {
        dot += v[d]! * query[d]!;
        vn += v[d]! * v[d]!;
      }
      s = 1 - dot / Math.sqrt(qn * vn);
    }
    scored.push([s, row]);
  }
  scored.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  return scored.slice(0, k).map(([, row]) => row);
}
