import { closeSync, fsyncSync, openSync, renameSync, writeFileSync } from 'node:fs';
import { type FileHandle, open, rename } from 'node:fs/promises';
import { dirname } from 'node:path';

// Directories cannot be opened for fsync on Windows; there the rename is as durable as it gets.
const CAN_SYNC_DIRS = process.platform !== 'win32';

/** Flushes a directory entry (a create, rename or unlink inside `dir`) to disk. */
export async function fsyncDir(dir: string): Promise<void> {
  if (!CAN_SYNC_DIRS) return;
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** {@link fsyncDir}, synchronously. */
export function fsyncDirSync(dir: string): void {
  if (!CAN_SYNC_DIRS) return;
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Flushes a file that someone else wrote (e.g. hnswlib's `writeIndex`) to disk. */
export async function fsyncFile(path: string): Promise<void> {
  const handle = await open(path, 'r+');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * Replaces `path` atomically: writes a temporary file, flushes it, renames it over `path` and
 * flushes the directory. A crash leaves either the old or the new content, never a mix.
 */
export async function writeFileAtomic(path: string, chunks: readonly Uint8Array[]): Promise<void> {
  const tmp = `${path}.tmp`;
  const handle = await open(tmp, 'w');
  try {
    let offset = 0;
    for (const chunk of chunks) offset += await writeAll(handle, chunk, offset);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(tmp, path);
  await fsyncDir(dirname(path));
}

/** {@link writeFileAtomic}, synchronously, for small files. */
export function writeFileAtomicSync(path: string, data: string | Uint8Array): void {
  const tmp = `${path}.tmp`;
  writeFileSync(tmp, data);
  const fd = openSync(tmp, 'r+');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
  fsyncDirSync(dirname(path));
}

/** Writes all of `data` at `position`, looping over short writes; returns the bytes written. */
export async function writeAll(
  handle: FileHandle,
  data: Uint8Array,
  position: number,
): Promise<number> {
  let done = 0;
  while (done < data.byteLength) {
    const { bytesWritten } = await handle.write(
      data,
      done,
      data.byteLength - done,
      position + done,
    );
    done += bytesWritten;
  }
  return done;
}
