import type { QueryMatch, QueryResult } from '@aindusdb/core';

/**
 * Binary layout of a stored entry (little-endian):
 *
 * ```
 * u8 version (1) | u8 flags (bit 0: complete) | f64 epoch | f64 expiresAt (ms since 1970)
 * u32 jsonLength | JSON [[id, score, distance, metadata | null, hasVector 0/1], ...]
 * per match with a vector: u8 kind (1 = f32, 2 = f64) | u32 length | components
 * ```
 *
 * Ids, scores and metadata are JSON (exact for doubles and JSON values); vectors are raw
 * floats, 4 bytes per component when every component is a float32 (pgvector and hnswlib store
 * float32, so nothing is lost), else 8. The epoch and expiry sit in a fixed header so a stale or
 * expired entry is rejected without decoding its body.
 */
const VERSION = 1;
const HEADER_BYTES = 1 + 1 + 8 + 8 + 4;
const F32 = 1;
const F64 = 2;

/** Header of an encoded entry. */
export interface EntryHeader {
  /** Epoch the entry was computed under. */
  epoch: number;
  /** Wall-clock expiry, ms since 1970. */
  expiresAt: number;
}

type MatchTuple = [string, number, number, QueryMatch['metadata'] | null, 0 | 1];

// Typed-array copies are several times faster than per-component Buffer reads and writes, but
// use the host's byte order; the layout is little-endian, so big-endian hosts take the slow path.
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** The vector as float32 when that loses nothing (pgvector and hnswlib store float32). */
function asFloat32(vector: readonly number[]): Float32Array | undefined {
  const f32 = Float32Array.from(vector);
  for (let i = 0; i < f32.length; i++) if (f32[i] !== vector[i]) return undefined;
  return f32;
}

/** Bytes of an encoded vector: kind, length and components. */
function vectorBytes(vector: readonly number[], f32: Float32Array | undefined): number {
  return 5 + vector.length * (f32 ? 4 : 8);
}

function writeVector(
  buf: Buffer,
  offset: number,
  vector: readonly number[],
  f32: Float32Array | undefined,
): number {
  let at = buf.writeUInt8(f32 ? F32 : F64, offset);
  at = buf.writeUInt32LE(vector.length, at);
  if (LITTLE_ENDIAN) {
    const floats = f32 ?? Float64Array.from(vector);
    buf.set(new Uint8Array(floats.buffer, floats.byteOffset, floats.byteLength), at);
    return at + floats.byteLength;
  }
  if (f32) for (const x of f32) at = buf.writeFloatLE(x, at);
  else for (const x of vector) at = buf.writeDoubleLE(x, at);
  return at;
}

function readVector(buf: Buffer, offset: number): { vector: number[]; next: number } {
  const kind = buf.readUInt8(offset);
  const length = buf.readUInt32LE(offset + 1);
  const at = offset + 5;
  const width = kind === F32 ? 4 : kind === F64 ? 8 : 0;
  const end = at + length * width;
  if (width === 0 || end > buf.length) throw new Error('corrupt vector');
  const vector = new Array<number>(length);
  if (LITTLE_ENDIAN) {
    // A typed view needs an aligned offset; copy the bytes out when they are not aligned.
    const aligned = (buf.byteOffset + at) % width === 0;
    const source = aligned
      ? buf.buffer
      : buf.buffer.slice(buf.byteOffset + at, buf.byteOffset + end);
    const start = aligned ? buf.byteOffset + at : 0;
    const floats =
      kind === F32
        ? new Float32Array(source, start, length)
        : new Float64Array(source, start, length);
    for (let i = 0; i < length; i++) vector[i] = floats[i]!;
  } else {
    for (let i = 0, p = at; i < length; i++, p += width)
      vector[i] = kind === F32 ? buf.readFloatLE(p) : buf.readDoubleLE(p);
  }
  return { vector, next: end };
}

/** Encodes a query result computed under `epoch`, expiring at `expiresAt`. */
export function encodeEntry(value: QueryResult, epoch: number, expiresAt: number): Buffer {
  const tuples: MatchTuple[] = value.matches.map((m) => [
    m.id,
    m.score,
    m.distance,
    m.metadata ?? null,
    m.vector ? 1 : 0,
  ]);
  const json = Buffer.from(JSON.stringify(tuples), 'utf8');
  const f32s = value.matches.map((m) => (m.vector ? asFloat32(m.vector) : undefined));
  let size = HEADER_BYTES + json.length;
  value.matches.forEach((m, i) => {
    if (m.vector) size += vectorBytes(m.vector, f32s[i]);
  });
  const buf = Buffer.allocUnsafe(size);
  let at = buf.writeUInt8(VERSION, 0);
  at = buf.writeUInt8(value.complete ? 1 : 0, at);
  at = buf.writeDoubleLE(epoch, at);
  at = buf.writeDoubleLE(expiresAt, at);
  at = buf.writeUInt32LE(json.length, at);
  at += json.copy(buf, at);
  value.matches.forEach((m, i) => {
    if (m.vector) at = writeVector(buf, at, m.vector, f32s[i]);
  });
  return buf;
}

/** Reads the header of an encoded entry; `undefined` when it is not one of ours. */
export function readEntryHeader(buf: Buffer): EntryHeader | undefined {
  if (buf.length < HEADER_BYTES || buf.readUInt8(0) !== VERSION) return undefined;
  return { epoch: buf.readDoubleLE(2), expiresAt: buf.readDoubleLE(10) };
}

/** Decodes an encoded entry's result into fresh objects (callers may mutate them). */
export function decodeEntry(buf: Buffer): QueryResult {
  const complete = (buf.readUInt8(1) & 1) === 1;
  const jsonLength = buf.readUInt32LE(18);
  let at = HEADER_BYTES + jsonLength;
  if (at > buf.length) throw new Error('corrupt entry');
  const tuples = JSON.parse(buf.toString('utf8', HEADER_BYTES, at)) as MatchTuple[];
  const matches = tuples.map(([id, score, distance, metadata, hasVector]) => {
    const match: QueryMatch = { id, score, distance };
    if (metadata !== null) match.metadata = metadata;
    if (hasVector === 1) {
      const { vector, next } = readVector(buf, at);
      match.vector = vector;
      at = next;
    }
    return match;
  });
  return { matches, complete };
}

/** Encodes an embedding (`u8 version | vector`). */
export function encodeEmbedding(vector: readonly number[]): Buffer {
  const f32 = asFloat32(vector);
  const buf = Buffer.allocUnsafe(1 + vectorBytes(vector, f32));
  buf.writeUInt8(VERSION, 0);
  writeVector(buf, 1, vector, f32);
  return buf;
}

/** Decodes an embedding; `undefined` when the bytes are not one of ours. */
export function decodeEmbedding(buf: Buffer): number[] | undefined {
  if (buf.length < 6 || buf.readUInt8(0) !== VERSION) return undefined;
  const { vector, next } = readVector(buf, 1);
  return next === buf.length ? vector : undefined;
}
