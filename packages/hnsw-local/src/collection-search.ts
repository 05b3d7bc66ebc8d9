import {
  compareCodePoints,
  compileFilter,
  type EngineMatch,
  type EngineQuery,
  type EngineQueryResult,
  type FilterPredicate,
} from '@aindusdb/core';
import { cloneMetadata } from './clone-json.js';
import type { CollectionState, TenantRows } from './collection-state.js';
import { slabDistance, sumOfSquares } from './slab-distance.js';
import { createTopK } from './top-k.js';

/** How queries choose between the HNSW graph and an exact scan. */
export interface SearchTuning {
  /** `ef` used when a query gives no `search.ef`. */
  efFor(topK: number): number;
  /**
   * Filtered (or tenant-confined) queries whose matching rows are at most this share of the
   * collection scan those rows exactly instead of walking the graph.
   */
  exactSelectivity: number;
}

/** Tenants up to this size have a filter evaluated on every row; larger ones are sampled. */
const FULL_EVALUATION_ROWS = 2048;
/** Rows sampled to estimate a filter's selectivity on a large tenant. */
const SAMPLE_ROWS = 256;

/** Which path a query took, for tests and diagnostics. */
export type SearchPath = 'hnsw' | 'exact' | 'exact-fallback';

/** Runs queries against one collection's state. */
export interface CollectionSearcher {
  /** Nearest neighbours; results are always complete. */
  query(req: EngineQuery): EngineQueryResult;
  /** The path the last query took. */
  readonly lastPath: SearchPath;
}

/**
 * Creates the searcher of a collection. Plan per query: no index or `search.exact` → exact
 * scan of the tenant's rows. Otherwise the filter (and tenant) selectivity is measured — on
 * every row of small tenants, on a random sample of large ones — and a selective query scans
 * its matching rows exactly, while a broad one walks the graph with a label predicate. A graph
 * search that returns fewer than `topK` rows is redone exactly, so a filtered query never
 * silently returns fewer rows than exist.
 */
export function createCollectionSearcher(
  state: CollectionState,
  tuning: SearchTuning,
): CollectionSearcher {
  const { dimension, metric } = state.spec;
  const distanceOf = slabDistance(metric);
  const idOf = (slot: number) => state.ids[slot]!;
  // Generation stamps mark a query's matching slots without clearing an array per query.
  let stamps = new Uint32Array(0);
  let generation = 0;
  let lastPath: SearchPath = 'exact';
  // hnswlib-node takes plain arrays; one reused array spares an allocation per query
  // (searches are synchronous, so no two queries share it at once).
  const queryArray: number[] = new Array<number>(dimension).fill(0);

  const exact = (
    slots: readonly number[],
    pass: FilterPredicate | undefined,
    req: EngineQuery,
    queryNorm2: number,
  ): { distance: number; slot: number }[] => {
    const top = createTopK(req.topK, idOf);
    const { vectors, norms, metadata } = state;
    const q = req.vector;
    for (let i = 0; i < slots.length; i++) {
      const slot = slots[i]!;
      if (pass && !pass(metadata[slot]!)) continue;
      top.push(distanceOf(q, queryNorm2, vectors, slot * dimension, norms[slot] ?? 0), slot);
    }
    return top.sorted();
  };

  const graph = (
    t: TenantRows,
    pass: FilterPredicate | undefined,
    matching: number[] | undefined,
    req: EngineQuery,
    queryNorm2: number,
  ): { distance: number; slot: number }[] | undefined => {
    const index = state.index!;
    const { tenantOf, metadata, vectors, norms } = state;
    const whole = t.slots.length === state.live;
    const ti = t.index;
    let filter: ((label: number) => boolean) | undefined;
    if (matching) {
      if (stamps.length < tenantOf.length) stamps = new Uint32Array(tenantOf.length);
      generation = (generation + 1) >>> 0 || 1;
      const gen = generation;
      for (const slot of matching) stamps[slot] = gen;
      const marks = stamps;
      filter = (label) => marks[label] === gen;
    } else if (pass) {
      filter = whole
        ? (label) => pass(metadata[label]!)
        : (label) => tenantOf[label] === ti && pass(metadata[label]!);
    } else if (!whole) {
      filter = (label) => tenantOf[label] === ti;
    }
    const ef = Math.max(req.search.ef ?? tuning.efFor(req.topK), req.topK);
    const q = req.vector;
    for (let i = 0; i < dimension; i++) queryArray[i] = q[i]!;
    const labels = index.search(queryArray, req.topK, ef, filter);
    if (labels.length < req.topK) return undefined;
    const found = labels.map((slot) => ({
      distance: distanceOf(q, queryNorm2, vectors, slot * dimension, norms[slot] ?? 0),
      slot,
    }));
    return found.sort(
      (a, b) => a.distance - b.distance || compareCodePoints(idOf(a.slot), idOf(b.slot)),
    );
  };

  const plan = (req: EngineQuery): { distance: number; slot: number }[] => {
    const t = state.tenant(req.tenant);
    if (!t || t.slots.length === 0) return [];
    const pass = req.filter ? compileFilter(req.filter) : undefined;
    const queryNorm2 = metric === 'cosine' ? sumOfSquares(req.vector) : 0;
    if (req.search.exact || !state.index) {
      lastPath = 'exact';
      return exact(t.slots, pass, req, queryNorm2);
    }
    const n = t.slots.length;
    let matching: number[] | undefined;
    let estimate = n;
    if (pass && n <= FULL_EVALUATION_ROWS) {
      const { metadata } = state;
      matching = t.slots.filter((slot) => pass(metadata[slot]!));
      estimate = matching.length;
    } else if (pass) {
      const { metadata } = state;
      let hits = 0;
      for (let i = 0; i < SAMPLE_ROWS; i++) {
        if (pass(metadata[t.slots[Math.floor(Math.random() * n)]!]!)) hits++;
      }
      estimate = (n * hits) / SAMPLE_ROWS;
    }
    if (estimate <= req.topK || estimate <= tuning.exactSelectivity * state.live) {
      lastPath = 'exact';
      return matching
        ? exact(matching, undefined, req, queryNorm2)
        : exact(t.slots, pass, req, queryNorm2);
    }
    const found = graph(t, pass, matching, req, queryNorm2);
    if (found) {
      lastPath = 'hnsw';
      return found;
    }
    lastPath = 'exact-fallback';
    return matching
      ? exact(matching, undefined, req, queryNorm2)
      : exact(t.slots, pass, req, queryNorm2);
  };

  return {
    get lastPath() {
      return lastPath;
    },
    query(req) {
      const { vectors, metadata } = state;
      const matches: EngineMatch[] = plan(req).map(({ distance, slot }) => {
        const m: EngineMatch = { id: state.ids[slot]!, distance };
        if (req.includeMetadata) m.metadata = cloneMetadata(metadata[slot]!);
        if (req.includeVector)
          m.vector = Array.from(vectors.subarray(slot * dimension, (slot + 1) * dimension));
        return m;
      });
      return { matches, complete: true };
    },
  };
}
