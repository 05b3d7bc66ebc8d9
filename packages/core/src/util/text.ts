// Lone surrogates and NUL cannot be stored by every engine (PostgreSQL text and jsonb reject
// them), so core rejects them everywhere for all engines alike.
// With the u flag, a surrogate range matches only lone surrogates: pairs are read as one code point.
const LONE_SURROGATE = /[\uD800-\uDFFF]/u;

/** True when a string can be stored by every engine: no NUL, no lone surrogate. */
export function isStorableText(value: string): boolean {
  return !value.includes('\u0000') && !LONE_SURROGATE.test(value);
}

/** Orders strings by Unicode code point — the order of UTF-8 bytes and of PostgreSQL's "C" collation. */
export function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.codePointAt(i)!;
    const y = b.codePointAt(i)!;
    if (x !== y) return x - y;
    if (x > 0xffff) i++; // skip the low surrogate of an astral character
  }
  return a.length - b.length;
}
