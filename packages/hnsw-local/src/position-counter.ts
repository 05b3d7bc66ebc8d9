import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AindusError } from '@aindusdb/core';
import { writeFileAtomicSync } from './durable-fs.js';

/** File holding the highest position this directory may have handed out. */
const POSITION_FILE = 'POSITION';
/** Positions reserved per durable write of the position file. */
const RESERVE_BLOCK = 4096;

/** The engine's write positions: decimal counters that only grow. */
export interface PositionCounter {
  /** The last position handed out. */
  current(): number;
  /** Hands out the next position. */
  next(): number;
  /** Records the exact last position (at close), so a reopen continues from it. */
  persist(): void;
}

/** A counter for a memory-only engine: starts at 0 and is forgotten at close. */
export function createMemoryPositionCounter(): PositionCounter {
  let position = 0;
  return {
    current: () => position,
    next: () => ++position,
    persist() {},
  };
}

/**
 * A counter that keeps growing across reopen. It durably reserves a block of positions ahead
 * of use, so only one small fsync'd file write happens per {@link RESERVE_BLOCK} writes, and a
 * reopen after a crash resumes above anything handed out before.
 */
export function openPositionCounter(dir: string): PositionCounter {
  const path = join(dir, POSITION_FILE);
  let position = 0;
  try {
    const text = readFileSync(path, 'utf8').trim();
    if (!/^(0|[1-9][0-9]{0,15})$/.test(text)) {
      throw new AindusError(
        'INTERNAL',
        `Unreadable position file ${path}: ${JSON.stringify(text)}`,
      );
    }
    position = Number(text);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  let reserved = position;
  const reserve = (upTo: number) => {
    reserved = upTo + RESERVE_BLOCK;
    writeFileAtomicSync(path, String(reserved));
  };
  return {
    current: () => position,
    next() {
      if (position + 1 > reserved) reserve(position + 1);
      return ++position;
    },
    persist() {
      writeFileAtomicSync(path, String(position));
      reserved = position;
    },
  };
}
