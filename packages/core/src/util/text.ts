// Lone surrogates and NUL cannot be stored by every engine (PostgreSQL text and jsonb reject
// them), so core rejects them everywhere for all engines alike.
const UNSTORABLE = /[\uD800-\uDFFF\u0000]/u;

/** True when a string can be stored by every engine: no NUL, no lone surrogate. */
export function isStorableText(value: string): boolean {
  return !UNSTORABLE.test(value);
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
