import { constants } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { open, readFile } from 'node:fs/promises';
import { crc32 } from 'node:zlib';
import { writeAll } from './durable-fs.js';

/** Bytes before each payload: its length and its CRC-32, both u32 little-endian. */
const FRAME_HEADER = 8;
/** Largest payload accepted on replay; a larger length field is taken as a torn frame. */
const MAX_PAYLOAD = 1 << 30;

/** What replaying a log found. */
export interface LogReplay {
  /** Payloads of the complete, checksum-valid frames, in order. */
  payloads: Buffer[];
  /** Bytes of the valid prefix; anything after it is a torn or corrupt tail. */
  validBytes: number;
  /** Bytes in the file. */
  fileBytes: number;
}

/**
 * Reads a log and returns every frame up to the first one that is incomplete or fails its
 * checksum. Only the tail can be torn (frames are appended and flushed in order), so that
 * frame and everything after it were never acknowledged.
 */
export async function replayWriteLog(path: string): Promise<LogReplay> {
  let buf: Buffer;
  try {
    buf = await readFile(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT')
      return { payloads: [], validBytes: 0, fileBytes: 0 };
    throw error;
  }
  const payloads: Buffer[] = [];
  let offset = 0;
  while (offset + FRAME_HEADER <= buf.length) {
    const length = buf.readUInt32LE(offset);
    const sum = buf.readUInt32LE(offset + 4);
    // A zero length is what a crash leaves when the file grew but the frame never landed.
    if (length === 0 || length > MAX_PAYLOAD || offset + FRAME_HEADER + length > buf.length) break;
    const payload = buf.subarray(offset + FRAME_HEADER, offset + FRAME_HEADER + length);
    if (crc32(payload) !== sum) break;
    payloads.push(payload);
    offset += FRAME_HEADER + length;
  }
  return { payloads, validBytes: offset, fileBytes: buf.length };
}

/** Options of {@link openWriteLog}. */
export interface WriteLogOptions {
  /** Flush every append to disk before it resolves (default true). */
  fsync: boolean;
}

/** An append-only log of checksummed frames. Appends must not overlap (callers serialize). */
export interface WriteLog {
  /** Bytes in the log. */
  readonly bytes: number;
  /** Appends one frame; resolves once it is written (and flushed, with `fsync`). */
  append(payload: Uint8Array): Promise<void>;
  /** Closes the file. */
  close(): Promise<void>;
}

/**
 * Opens a log for appending after its valid prefix of `validBytes` (from
 * {@link replayWriteLog}), cutting off any torn tail first.
 */
export async function openWriteLog(
  path: string,
  validBytes: number,
  options: WriteLogOptions,
): Promise<WriteLog> {
  const handle: FileHandle = await open(path, constants.O_RDWR | constants.O_CREAT, 0o644);
  let size = validBytes;
  const { size: fileBytes } = await handle.stat();
  if (fileBytes !== size) {
    await handle.truncate(size);
    await handle.sync();
  }
  let broken: unknown;
  return {
    get bytes() {
      return size;
    },
    async append(payload) {
      if (broken) throw broken;
      const frame = Buffer.allocUnsafe(FRAME_HEADER + payload.byteLength);
      frame.writeUInt32LE(payload.byteLength, 0);
      frame.writeUInt32LE(crc32(payload), 4);
      frame.set(payload, FRAME_HEADER);
      try {
        await writeAll(handle, frame, size);
        if (options.fsync) await handle.datasync();
      } catch (error) {
        // Cut the partial frame off, so later frames are not appended behind garbage.
        try {
          await handle.truncate(size);
          await handle.sync();
        } catch {
          broken = error;
        }
        throw error;
      }
      size += frame.byteLength;
    },
    async close() {
      await handle.close();
    },
  };
}
