import type { FilterScalar } from '../types.js';

/** A comparison operator of the canonical filter form. */
export type ComparisonOp = 'eq' | 'ne' | 'gt' | 'gte' | 'lt' | 'lte';

/**
 * The canonical, validated form of a {@link Filter}, as engines receive it. Produced by
 * {@link parseFilter}; adapters compile it to SQL or a predicate and never see user syntax.
 * `path` is the field name split on dots.
 */
export type FilterNode =
  | { op: 'and'; args: FilterNode[] }
  | { op: 'or'; args: FilterNode[] }
  | { op: 'not'; arg: FilterNode }
  | { op: ComparisonOp; path: string[]; value: FilterScalar }
  | { op: 'in' | 'nin'; path: string[]; values: FilterScalar[] }
  | { op: 'exists'; path: string[]; value: boolean };
