import type { WireValue } from './pipeline.js';

/** Collects bound values and hands out their `$n` placeholders. */
export interface Params {
  /** Binds a value; returns its placeholder. */
  add(value: WireValue): string;
  /** The values bound so far, in placeholder order. */
  readonly values: WireValue[];
}

/** Creates an empty {@link Params}. */
export function createParams(): Params {
  const values: WireValue[] = [];
  return {
    values,
    add(value) {
      values.push(value);
      return `$${values.length}`;
    },
  };
}

/** A PostgreSQL array literal of strings, every element quoted and escaped (`{"a","b\"c"}`). */
export function textArray(items: readonly string[]): string {
  let out = '{';
  for (let i = 0; i < items.length; i++) {
    out += `${i === 0 ? '' : ','}"${items[i]!.replace(/[\\"]/g, '\\$&')}"`;
  }
  return `${out}}`;
}
