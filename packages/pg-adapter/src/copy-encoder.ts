import type { EngineRecord } from '@aindusdb/core';
import { vectorBinaryLength, writeVectorBinary } from './vector-codec.js';

const SIGNATURE = Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1');
const TARGET_BYTES = 1 << 20;

/**
 * Encodes records as PostgreSQL's binary COPY stream, in buffers of about 1 MiB. Columns are
 * `[tenant,] id, embedding, metadata`: text as UTF-8 bytes, the vector in pgvector's binary form,
 * jsonb as version byte 1 plus the JSON text. `tenant` is omitted when undefined.
 */
export function* encodeCopyRows(
  records: readonly EngineRecord[],
  tenant: string | undefined,
): Generator<Buffer> {
  const header = Buffer.alloc(SIGNATURE.length + 8);
  SIGNATURE.copy(header, 0);
  yield header;
  const tenantBytes = tenant === undefined ? undefined : Buffer.from(tenant, 'utf8');
  const fields = tenantBytes ? 4 : 3;
  let start = 0;
  while (start < records.length) {
    // Measure a batch of rows, then fill one buffer exactly.
    const json: string[] = [];
    let bytes = 0;
    let end = start;
    while (end < records.length && (bytes < TARGET_BYTES || end === start)) {
      const r = records[end]!;
      const meta = JSON.stringify(r.metadata);
      json.push(meta);
      bytes +=
        2 +
        (tenantBytes ? 4 + tenantBytes.length : 0) +
        4 +
        Buffer.byteLength(r.id, 'utf8') +
        4 +
        vectorBinaryLength(r.vector.length) +
        4 +
        1 +
        Buffer.byteLength(meta, 'utf8');
      end++;
    }
    const buf = Buffer.allocUnsafe(bytes);
    let o = 0;
    for (let i = start; i < end; i++) {
      const r = records[i]!;
      o = buf.writeInt16BE(fields, o);
      if (tenantBytes) {
        o = buf.writeInt32BE(tenantBytes.length, o);
        o += tenantBytes.copy(buf, o);
      }
      const idLength = buf.write(r.id, o + 4, 'utf8');
      buf.writeInt32BE(idLength, o);
      o += 4 + idLength;
      o = buf.writeInt32BE(vectorBinaryLength(r.vector.length), o);
      o = writeVectorBinary(buf, o, r.vector);
      const meta = json[i - start]!;
      const metaLength = buf.write(meta, o + 5, 'utf8');
      buf.writeInt32BE(metaLength + 1, o);
      buf[o + 4] = 1; // jsonb binary format version
      o += 5 + metaLength;
    }
    yield buf;
    start = end;
  }
  const trailer = Buffer.alloc(2);
  trailer.writeInt16BE(-1, 0);
  yield trailer;
}
