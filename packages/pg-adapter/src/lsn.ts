import { AindusError } from '@aindusdb/core';

const LSN = /^([0-9A-Fa-f]{1,8})\/([0-9A-Fa-f]{1,8})$/;

/**
 * Parses a PostgreSQL WAL LSN (`16/B374D848`) into a 64-bit integer.
 * Throws `INVALID_ARGUMENT` for anything that is not one.
 */
export function parseLsn(lsn: string): bigint {
  const match = typeof lsn === 'string' ? LSN.exec(lsn) : null;
  if (!match) {
    throw new AindusError(
      'INVALID_ARGUMENT',
      `Not a token of this engine (a WAL LSN): ${JSON.stringify(lsn)}`,
    );
  }
  return (BigInt(`0x${match[1]}`) << 32n) | BigInt(`0x${match[2]}`);
}

/** Orders two WAL LSNs: negative when `a` is older than `b`, 0 when equal, positive otherwise. */
export function compareLsn(a: string, b: string): number {
  const x = parseLsn(a);
  const y = parseLsn(b);
  return x < y ? -1 : x > y ? 1 : 0;
}
