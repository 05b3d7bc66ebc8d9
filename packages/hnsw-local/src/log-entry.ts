import { AindusError, type EngineRecord, type Metadata } from '@aindusdb/core';

/** One acknowledged write, as the write log stores it: logical (ids), never slots. */
export type LogEntry =
  | { kind: 'upsert'; position: number; tenant: string; records: EngineRecord[] }
  | { kind: 'delete'; position: number; tenant: string; ids: string[] };

const UPSERT = 1;
const DELETE = 2;

/**
 * Encodes an entry: `u8 kind, f64 position, str tenant, u32 count`, then per record
 * `str id, str metadata-json, f32[dimension] vector` (upsert) or `str id` (delete), where
 * `str` is a u32 byte length and UTF-8 bytes. All little-endian.
 */
export function encodeLogEntry(entry: LogEntry, dimension: number): Buffer {
  const tenant = Buffer.from(entry.tenant, 'utf8');
  const parts: Buffer[] = [];
  let size = 1 + 8 + 4 + tenant.length + 4;
  if (entry.kind === 'upsert') {
    for (const r of entry.records) {
      const id = Buffer.from(r.id, 'utf8');
      const meta = Buffer.from(JSON.stringify(r.metadata), 'utf8');
      parts.push(id, meta);
      size += 8 + id.length + meta.length + dimension * 4;
    }
  } else {
    for (const id of entry.ids) {
      const bytes = Buffer.from(id, 'utf8');
      parts.push(bytes);
      size += 4 + bytes.length;
    }
  }
  const out = Buffer.allocUnsafe(size);
  let o = out.writeUInt8(entry.kind === 'upsert' ? UPSERT : DELETE, 0);
  o = out.writeDoubleLE(entry.position, o);
  o = writeBytes(out, o, tenant);
  const count = entry.kind === 'upsert' ? entry.records.length : entry.ids.length;
  o = out.writeUInt32LE(count, o);
  if (entry.kind === 'upsert') {
    entry.records.forEach((r, i) => {
      o = writeBytes(out, o, parts[2 * i]!);
      o = writeBytes(out, o, parts[2 * i + 1]!);
      const v = r.vector;
      out.set(new Uint8Array(v.buffer, v.byteOffset, dimension * 4), o);
      o += dimension * 4;
    });
  } else {
    for (const bytes of parts) o = writeBytes(out, o, bytes);
  }
  return out;
}

function writeBytes(out: Buffer, offset: number, bytes: Buffer): number {
  const o = out.writeUInt32LE(bytes.length, offset);
  out.set(bytes, o);
  return o + bytes.length;
}

/** Decodes what {@link encodeLogEntry} wrote. Throws `INTERNAL` on malformed input. */
export function decodeLogEntry(buf: Buffer, dimension: number): LogEntry {
  let o = 0;
  const need = (n: number) => {
    if (o + n > buf.length)
      throw new AindusError('INTERNAL', 'Malformed write-log entry (truncated)');
  };
  const readString = () => {
    need(4);
    const n = buf.readUInt32LE(o);
    o += 4;
    need(n);
    const s = buf.toString('utf8', o, o + n);
    o += n;
    return s;
  };
  need(13);
  const kind = buf.readUInt8(o);
  const position = buf.readDoubleLE(o + 1);
  o += 9;
  const tenant = readString();
  need(4);
  const count = buf.readUInt32LE(o);
  o += 4;
  if (kind === UPSERT) {
    const records: EngineRecord[] = [];
    for (let i = 0; i < count; i++) {
      const id = readString();
      const metadata = JSON.parse(readString()) as Metadata;
      need(dimension * 4);
      const vector = new Float32Array(dimension);
      new Uint8Array(vector.buffer).set(buf.subarray(o, o + dimension * 4));
      o += dimension * 4;
      records.push({ id, vector, metadata });
    }
    return { kind: 'upsert', position, tenant, records };
  }
  if (kind === DELETE) {
    const ids: string[] = [];
    for (let i = 0; i < count; i++) ids.push(readString());
    return { kind: 'delete', position, tenant, ids };
  }
  throw new AindusError('INTERNAL', `Malformed write-log entry (kind ${kind})`);
}
