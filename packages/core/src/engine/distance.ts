import type { Metric } from '../types.js';
import { compareCodePoints } from '../util/text.js';

/**
 * Metric-native distance between two vectors, computed in float64 over their components:
 * `1 − cos` for cosine, Euclidean (not squared) for `l2`, `−a·b` for `ip`.
 * The reference every engine's distances are held to.
 */
export function distance(metric: Metric, a: ArrayLike<number>, b: ArrayLike<number>): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  let sq = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    dot += x * y;
    if (metric === 'cosine') {
      na += x * x;
      nb += y * y;
    } else if (metric === 'l2') {
      sq += (x - y) * (x - y);
    }
  }
  if (metric === 'l2') return Math.sqrt(sq);
  if (metric === 'ip') return -dot;
  return 1 - dot / Math.sqrt(na * nb);
}

/** Higher-is-better score for a distance: `1 − d` (cosine), `−d` (ip), `1 / (1 + d)` (l2). */
export function scoreFromDistance(metric: Metric, d: number): number {
  if (metric === 'cosine') return 1 - d;
  if (metric === 'ip') return -d;
  return 1 / (1 + d);
}

/** Orders matches by distance, then id (code point order), as query results must be. */
export function compareMatches(
  a: { distance: number; id: string },
  b: { distance: number; id: string },
): number {
  return a.distance - b.distance || compareCodePoints(a.id, b.id);
}
