import { compareCodePoints } from '@aindusdb/core';

/**
 * Keeps the `k` best (distance, slot) pairs seen, ties broken by id as query results are
 * ordered: a bounded max-heap whose root is the worst kept pair.
 */
export interface TopK {
  /** Offers a candidate. */
  push(distance: number, slot: number): void;
  /** The kept pairs, best first. */
  sorted(): { distance: number; slot: number }[];
}

/** Creates a {@link TopK} over `k` entries; `idOf` names a slot for tie-breaking. */
export function createTopK(k: number, idOf: (slot: number) => string): TopK {
  const dist: number[] = [];
  const slots: number[] = [];
  // a is worse than b: farther, or as far with a later id.
  const worse = (i: number, j: number) =>
    dist[i]! > dist[j]! ||
    (dist[i] === dist[j] && compareCodePoints(idOf(slots[i]!), idOf(slots[j]!)) > 0);
  const swap = (i: number, j: number) => {
    const d = dist[i]!;
    dist[i] = dist[j]!;
    dist[j] = d;
    const s = slots[i]!;
    slots[i] = slots[j]!;
    slots[j] = s;
  };
  const up = (i: number) => {
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!worse(i, parent)) return;
      swap(i, parent);
      i = parent;
    }
  };
  const down = (i: number) => {
    const n = dist.length;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let top = i;
      if (l < n && worse(l, top)) top = l;
      if (r < n && worse(r, top)) top = r;
      if (top === i) return;
      swap(i, top);
      i = top;
    }
  };
  return {
    push(distance, slot) {
      if (dist.length < k) {
        dist.push(distance);
        slots.push(slot);
        up(dist.length - 1);
        return;
      }
      const root = dist[0]!;
      if (distance > root) return;
      if (distance === root && compareCodePoints(idOf(slot), idOf(slots[0]!)) >= 0) return;
      dist[0] = distance;
      slots[0] = slot;
      down(0);
    },
    sorted() {
      const out = dist.map((distance, i) => ({ distance, slot: slots[i]! }));
      return out.sort(
        (a, b) => a.distance - b.distance || compareCodePoints(idOf(a.slot), idOf(b.slot)),
      );
    },
  };
}
