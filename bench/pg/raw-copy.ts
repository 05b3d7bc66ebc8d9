import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';

/** A benchmark row: what both the SDK and the baselines ingest. */
export interface BenchRow {
  id: string;
  vector: Float32Array;
  metadata: { i: number; category: string };
}

/**
 * The baseline: a hand-written binary COPY encoder (the same wire format the SDK uses) streaming
 * every row through pg-copy-streams in ONE COPY and one transaction — the fastest a raw `pg`
 * user would write.
 */
export async function rawCopy(
  client: pg.PoolClient,
  table: string,
  rows: readonly BenchRow[],
): Promise<void> {
  function* encode(): Generator<Buffer> {
    const header = Buffer.alloc(19);
    Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1').copy(header);
    yield header;
    const tenant = Buffer.alloc(0);
    for (let start = 0; start < rows.length; start += 256) {
      const parts: Buffer[] = [];
      for (const r of rows.slice(start, start + 256)) {
        const id = Buffer.from(r.id);
        const meta = Buffer.from(JSON.stringify(r.metadata));
        const d = r.vector.length;
        const b = Buffer.allocUnsafe(
          2 + 4 + tenant.length + 4 + id.length + 4 + 4 + 4 * d + 4 + 1 + meta.length,
        );
        let o = b.writeInt16BE(4, 0);
        o = b.writeInt32BE(tenant.length, o);
        o = b.writeInt32BE(id.length, o);
        o += id.copy(b, o);
        o = b.writeInt32BE(4 + 4 * d, o);
        o = b.writeInt16BE(d, o);
        o = b.writeInt16BE(0, o);
        b.set(new Uint8Array(r.vector.buffer, r.vector.byteOffset, 4 * d), o);
        b.subarray(o, o + 4 * d).swap32();
        o += 4 * d;
        o = b.writeInt32BE(meta.length + 1, o);
        b[o++] = 1;
        meta.copy(b, o);
        parts.push(b);
      }
      yield Buffer.concat(parts);
    }
    const trailer = Buffer.alloc(2);
    trailer.writeInt16BE(-1);
    yield trailer;
  }
  await client.query('BEGIN');
  await pipeline(
    Readable.from(encode()),
    client.query(
      copyFrom(`COPY ${table} (tenant, id, embedding, metadata) FROM STDIN (FORMAT binary)`),
    ),
  );
  await client.query('COMMIT');
}
