/**
 * pgvector's text form, `[x,y,...]`. Each float32 is printed as its shortest double form, which
 * the server's `strtof` reads back to the very same float32.
 */
export function vectorToText(vector: ArrayLike<number>): string {
  let out = '[';
  for (let i = 0; i < vector.length; i++) out += (i === 0 ? '' : ',') + vector[i]!;
  return `${out}]`;
}

/** Length in bytes of pgvector's binary form of a `dimension`-long vector. */
export function vectorBinaryLength(dimension: number): number {
  return 4 + 4 * dimension;
}

/**
 * Writes pgvector's binary form (`vector_recv`): int16 dimension, int16 unused (0), then the
 * components as big-endian float4. Returns the offset after it.
 */
export function writeVectorBinary(target: Buffer, offset: number, vector: Float32Array): number {
  const d = vector.length;
  target.writeInt16BE(d, offset);
  target.writeInt16BE(0, offset + 2);
  const start = offset + 4;
  const bytes = d * 4;
  // Copy the native (little-endian) bytes, then swap them in place: far faster than writeFloatBE.
  target.set(new Uint8Array(vector.buffer, vector.byteOffset, bytes), start);
  if (BIG_ENDIAN_HOST) return start + bytes;
  target.subarray(start, start + bytes).swap32();
  return start + bytes;
}

const BIG_ENDIAN_HOST = new Uint8Array(new Uint16Array([1]).buffer)[0] === 0;

/** A vector as a binary query parameter (`$1::vector`). */
export function vectorParam(vector: Float32Array): Buffer {
  const buf = Buffer.allocUnsafe(vectorBinaryLength(vector.length));
  writeVectorBinary(buf, 0, vector);
  return buf;
}

/** Parses pgvector's text form back into the exact float32 values that were stored. */
export function parseVectorText(text: string): number[] {
  const body = text.slice(1, -1);
  if (body.length === 0) return [];
  return body.split(',').map((x) => Math.fround(Number(x)));
}
