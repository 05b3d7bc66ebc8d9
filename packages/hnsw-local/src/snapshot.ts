import { readFile, rename, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { AindusError, type Metadata } from '@aindusdb/core';
import type { StateRows } from './collection-state.js';
import { fsyncDir, fsyncFile, writeFileAtomic } from './durable-fs.js';
import type { HnswIndex } from './hnsw-index.js';

/** File naming the current snapshot and log of a collection directory. */
export const MANIFEST_FILE = 'MANIFEST';

/**
 * What a collection directory currently consists of. Replaced atomically, so a crash in the
 * middle of a compaction leaves the previous manifest (and its files) in force.
 */
export interface Manifest {
  /** Format version. */
  format: 1;
  /** Increases with every snapshot; names its files. */
  generation: number;
  /** Engine position the snapshot reflects (0 when there is no snapshot). */
  position: number;
  /** HNSW index file (hnswlib's binary format), if any. */
  index: string | null;
  /** Record store file, or `null` for an empty collection. */
  records: string | null;
  /** Write log holding every acknowledged write after the snapshot. */
  log: string;
}

const MAGIC = Buffer.from('AINDUSR1', 'latin1');

/** The manifest of a new, empty collection. */
export function initialManifest(): Manifest {
  return { format: 1, generation: 0, position: 0, index: null, records: null, log: 'log-0.wal' };
}

/** Reads a collection's manifest. */
export async function readManifest(dir: string): Promise<Manifest> {
  const path = join(dir, MANIFEST_FILE);
  const parsed = JSON.parse(await readFile(path, 'utf8')) as Partial<Manifest>;
  if (
    parsed.format !== 1 ||
    typeof parsed.generation !== 'number' ||
    typeof parsed.log !== 'string'
  ) {
    throw new AindusError('INTERNAL', `Unreadable manifest ${path}`);
  }
  return parsed as Manifest;
}

/** Replaces a collection's manifest atomically. */
export async function writeManifest(dir: string, manifest: Manifest): Promise<void> {
  await writeFileAtomic(join(dir, MANIFEST_FILE), [Buffer.from(JSON.stringify(manifest))]);
}

/**
 * Encodes the record store: `"AINDUSR1"`, u32 header length, u32 header CRC-32, the JSON
 * header (`nextSlot`, `tenants`, `rows`), zero padding to 4 bytes, u32 CRC-32 of the vectors,
 * then the float32 vector slab.
 */
function encodeRecords(rows: StateRows): Uint8Array[] {
  const header = Buffer.from(
    JSON.stringify({ nextSlot: rows.nextSlot, tenants: rows.tenants, rows: rows.rows }),
  );
  const pad = (4 - ((16 + header.length) % 4)) % 4;
  const prefix = Buffer.alloc(16);
  MAGIC.copy(prefix, 0);
  prefix.writeUInt32LE(header.length, 8);
  prefix.writeUInt32LE(crc32(header), 12);
  const vectors = new Uint8Array(
    rows.vectors.buffer,
    rows.vectors.byteOffset,
    rows.vectors.byteLength,
  );
  const vectorSum = Buffer.alloc(pad + 4);
  vectorSum.writeUInt32LE(crc32(vectors), pad);
  return [prefix, header, vectorSum, vectors];
}

function decodeRecords(buf: Buffer, dimension: number, path: string): StateRows {
  const corrupt = (why: string) =>
    new AindusError('INTERNAL', `Corrupt record store ${path}: ${why}`);
  if (buf.length < 16 || !buf.subarray(0, 8).equals(MAGIC)) throw corrupt('bad magic');
  const headerLength = buf.readUInt32LE(8);
  if (16 + headerLength > buf.length) throw corrupt('truncated header');
  const header = buf.subarray(16, 16 + headerLength);
  if (crc32(header) !== buf.readUInt32LE(12)) throw corrupt('header checksum');
  const { nextSlot, tenants, rows } = JSON.parse(header.toString('utf8')) as {
    nextSlot: number;
    tenants: string[];
    rows: [number, number, string, Metadata][];
  };
  const pad = (4 - ((16 + headerLength) % 4)) % 4;
  const sumAt = 16 + headerLength + pad;
  const start = sumAt + 4;
  const bytes = nextSlot * dimension * 4;
  if (start + bytes !== buf.length) throw corrupt('vector slab size');
  const slab = buf.subarray(start, start + bytes);
  if (crc32(slab) !== buf.readUInt32LE(sumAt)) throw corrupt('vector checksum');
  const vectors =
    slab.byteOffset % 4 === 0
      ? new Float32Array(slab.buffer, slab.byteOffset, nextSlot * dimension)
      : new Float32Array(new Uint8Array(slab).buffer);
  return { nextSlot, tenants, rows, vectors };
}

/** Files written by {@link writeSnapshot}. */
export interface SnapshotFiles {
  /** Index file name, or `null` without an index. */
  index: string | null;
  /** Record store file name. */
  records: string;
  /** Bytes written. */
  bytes: number;
}

/**
 * Writes a snapshot of generation `generation`: the native index through hnswlib's own
 * `writeIndex`, and the record store, each to a temporary file that is flushed and renamed
 * into place. The manifest is not touched: until it names these files, they are ignored.
 */
export async function writeSnapshot(
  dir: string,
  generation: number,
  rows: StateRows,
  index: HnswIndex | undefined,
): Promise<SnapshotFiles> {
  let indexName: string | null = null;
  let bytes = 0;
  if (index) {
    indexName = `index-${generation}.hnsw`;
    const tmp = join(dir, `${indexName}.tmp`);
    await index.write(tmp);
    await fsyncFile(tmp);
    await rename(tmp, join(dir, indexName));
  }
  const recordsName = `records-${generation}.bin`;
  const chunks = encodeRecords(rows);
  for (const c of chunks) bytes += c.byteLength;
  await writeFileAtomic(join(dir, recordsName), chunks);
  await fsyncDir(dir);
  return { index: indexName, records: recordsName, bytes };
}

/** Reads a snapshot's record store. */
export async function readSnapshotRows(
  dir: string,
  name: string,
  dimension: number,
): Promise<StateRows> {
  const path = join(dir, name);
  return decodeRecords(await readFile(path), dimension, path);
}

/** Removes files, ignoring ones already gone. */
export async function removeFiles(dir: string, names: readonly string[]): Promise<void> {
  for (const name of names) {
    try {
      await unlink(join(dir, name));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  }
}
