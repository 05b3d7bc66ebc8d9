import { linkSync, readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { AindusError } from '@aindusdb/core';
import { fsyncDirSync } from './durable-fs.js';

/** Name of the lock file inside an engine directory. */
export const LOCK_FILE = 'LOCK';

/** Content of a lock file: who holds the directory. */
interface LockOwner {
  pid: number;
  host: string;
  since: string;
}

/** A held directory lock. */
export interface DirLock {
  /** Removes the lock file if it is still ours. Idempotent. */
  release(): void;
}

function readOwner(path: string): { raw: string; owner: LockOwner | undefined } | undefined {
  let raw: string;
  try {
    raw = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  try {
    const parsed = JSON.parse(raw) as Partial<LockOwner>;
    if (typeof parsed.pid === 'number' && typeof parsed.host === 'string') {
      return {
        raw,
        owner: { pid: parsed.pid, host: parsed.host, since: String(parsed.since ?? '') },
      };
    }
  } catch {
    // Unparseable content: treated as held by an unknown owner (never taken over).
  }
  return { raw, owner: undefined };
}

/** True when a process with this pid exists (EPERM means it exists under another user). */
function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function conflict(dir: string, owner: LockOwner | undefined, why: string): AindusError {
  const who = owner
    ? `process ${owner.pid} on ${owner.host} (since ${owner.since})`
    : 'an unknown owner';
  return new AindusError(
    'CONFLICT',
    `The hnsw-local directory ${dir} is in use by ${who}: ${why}. A directory can be opened by one process (one engine) at a time; close the other engine, or delete ${join(dir, LOCK_FILE)} if you are sure no process uses it.`,
    { retryable: false, details: { dir, ...(owner ? { pid: owner.pid, host: owner.host } : {}) } },
  );
}

/**
 * Takes the lock of an engine directory: a `LOCK` file holding the owner's pid and host,
 * created atomically (written aside, then hard-linked into place, which fails if it exists).
 * A lock left by a dead process on this host is taken over; a live owner, another host or an
 * unreadable lock is a `CONFLICT` {@link AindusError}.
 */
export function acquireDirLock(dir: string): DirLock {
  const path = join(dir, LOCK_FILE);
  const self: LockOwner = { pid: process.pid, host: hostname(), since: new Date().toISOString() };
  const content = JSON.stringify(self);
  const aside = `${path}.${process.pid}.${Math.random().toString(36).slice(2)}`;
  writeFileSync(aside, content);
  try {
    for (let attempt = 0; attempt < 5; attempt++) {
      try {
        linkSync(aside, path);
        fsyncDirSync(dir);
        return createRelease(path, content);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
      const current = readOwner(path);
      if (!current) continue; // released meanwhile: try again
      const { owner } = current;
      if (!owner) throw conflict(dir, owner, 'the lock file is not readable');
      if (owner.host !== self.host) throw conflict(dir, owner, 'it is locked from another host');
      if (owner.pid === process.pid || isAlive(owner.pid))
        throw conflict(dir, owner, 'that process is running');
      takeOver(dir, path, current.raw);
    }
    throw conflict(dir, readOwner(path)?.owner, 'the lock kept changing hands');
  } finally {
    try {
      unlinkSync(aside);
    } catch {
      // already gone
    }
  }
}

/**
 * Moves a stale lock (its owner is dead) out of the way. Renaming is atomic, so of several
 * processes racing for the same stale lock only one moves it; if what was moved is not the
 * stale lock we inspected (a live process re-locked in between), it is put back.
 */
function takeOver(dir: string, path: string, staleRaw: string): void {
  const moved = `${path}.stale.${process.pid}.${Math.random().toString(36).slice(2)}`;
  try {
    renameSync(path, moved);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  const movedRaw = readFileSync(moved, 'utf8');
  if (movedRaw !== staleRaw) {
    try {
      linkSync(moved, path);
    } catch {
      // Someone else holds it now; they keep it.
    }
    unlinkSync(moved);
    throw conflict(dir, readOwner(path)?.owner, 'another process took the lock over first');
  }
  unlinkSync(moved);
}

function createRelease(path: string, content: string): DirLock {
  let released = false;
  return {
    release() {
      if (released) return;
      released = true;
      try {
        if (readFileSync(path, 'utf8') === content) unlinkSync(path);
      } catch {
        // Gone already: nothing to release.
      }
    },
  };
}
