import { AindusError } from '../errors/aindus-error.js';

const COUNTER = /^(0|[1-9][0-9]{0,15})$/;

/**
 * Compares positions that are decimal counters (single-process engines use these as tokens).
 * Throws `INVALID_ARGUMENT` for a token that is not one.
 */
export function comparePositionCounters(a: string, b: string): number {
  for (const p of [a, b]) {
    if (!COUNTER.test(p))
      throw new AindusError('INVALID_ARGUMENT', `Not a token of this engine: ${JSON.stringify(p)}`);
  }
  return Number(a) - Number(b);
}
