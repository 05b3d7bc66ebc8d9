import { isAindusError, parseFilter } from '@aindusdb/core';
import { describe, expect, it } from 'vitest';
import { encodeCopyRows } from '../src/copy-encoder.js';
import { toAindusError } from '../src/errors.js';
import { compileFilterSql } from '../src/filter-sql.js';
import { quoteIdent, schemaNames, validateSchemaName } from '../src/identifiers.js';
import { compareLsn, parseLsn } from '../src/lsn.js';
import { createParams, textArray } from '../src/params.js';
import { parseVectorText, vectorParam, vectorToText } from '../src/vector-codec.js';

// Pure functions of the adapter, no server needed. (The pg errors below are plain objects shaped
// like pg's DatabaseError — the one thing here that is not real, as a server cannot be made to
// raise each SQLSTATE on demand.)
const pgError = (code: string, message = 'boom') =>
  Object.assign(new Error(message), { code, severity: 'ERROR' });

describe('WAL LSN tokens', () => {
  it('parses and orders X/Y hex positions numerically', () => {
    expect(parseLsn('0/0')).toBe(0n);
    expect(parseLsn('1/0')).toBe(1n << 32n);
    expect(parseLsn('16/B374D848')).toBe((0x16n << 32n) | 0xb374d848n);
    expect(compareLsn('0/16B3740', '0/16B3740')).toBe(0);
    expect(compareLsn('0/9', '0/10')).toBeLessThan(0); // hex, not text order
    expect(compareLsn('1/0', '0/FFFFFFFF')).toBeGreaterThan(0);
    expect(compareLsn('0/a', '0/A')).toBe(0);
  });

  it('rejects anything else as INVALID_ARGUMENT', () => {
    for (const bad of [
      '',
      '0',
      '0/',
      '/0',
      '0/G',
      '1/2/3',
      ' 0/1',
      '123456789/0',
      '12',
      'x',
      '-1/0',
    ]) {
      expect(() => compareLsn(bad, '0/0'), bad).toThrow(
        expect.objectContaining({ code: 'INVALID_ARGUMENT' }),
      );
    }
  });
});

describe('error classification', () => {
  const signal = new AbortController().signal;
  it.each([
    ['25006', 'READ_ONLY', true],
    ['57P01', 'UNAVAILABLE', true],
    ['08006', 'UNAVAILABLE', true],
    ['53300', 'UNAVAILABLE', true],
    ['40001', 'CONFLICT', true],
    ['40P01', 'CONFLICT', true],
    ['57014', 'TIMEOUT', true],
    ['22P02', 'INVALID_ARGUMENT', false],
    ['42601', 'INTERNAL', false],
    ['28P01', 'UNAVAILABLE', false],
  ] as const)('SQLSTATE %s is %s (retryable %s)', (state, code, retryable) => {
    const error = toAindusError(pgError(state), { signal });
    expect(error.code).toBe(code);
    expect(error.retryable).toBe(retryable);
    expect(error.details.sqlState).toBe(state);
  });

  it('a missing table is COLLECTION_NOT_FOUND when a collection was named', () => {
    expect(toAindusError(pgError('42P01'), { collection: 'docs' }).code).toBe(
      'COLLECTION_NOT_FOUND',
    );
    expect(toAindusError(pgError('3F000'), { collection: 'docs' }).code).toBe(
      'COLLECTION_NOT_FOUND',
    );
    expect(toAindusError(pgError('42P01')).code).toBe('INTERNAL');
  });

  it('a cancel after the call aborted is its TIMEOUT; connection failures are retryable UNAVAILABLE', () => {
    const controller = new AbortController();
    controller.abort(new Error('deadline'));
    const timeout = toAindusError(pgError('57014'), { signal: controller.signal });
    expect(timeout.code).toBe('TIMEOUT');
    for (const error of [
      Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' }),
      new Error('Connection terminated unexpectedly'),
      new Error('timeout exceeded when trying to connect'),
    ]) {
      const mapped = toAindusError(error, { signal });
      expect(mapped.code).toBe('UNAVAILABLE');
      expect(mapped.retryable).toBe(true);
    }
    expect(isAindusError(toAindusError(new Error('???'), { signal }), 'INTERNAL')).toBe(true);
  });
});

describe('identifiers', () => {
  it('validates schema names and quotes every identifier', () => {
    expect(validateSchemaName('aindus_1')).toBe('aindus_1');
    for (const bad of [
      '',
      'Public',
      'a-b',
      'a"b',
      'pg_catalog',
      '1abc',
      'a'.repeat(64),
      'a b',
      'a;drop',
    ]) {
      expect(() => validateSchemaName(bad), bad).toThrow(
        expect.objectContaining({ code: 'INVALID_ARGUMENT' }),
      );
    }
    expect(quoteIdent('a"b')).toBe('"a""b"');
    const names = schemaNames('s1');
    expect(names.table('my-docs')).toBe('"s1"."c_my-docs"');
    expect(names.catalog).toBe('"s1"."aindus_collections"');
    expect(() => names.table('x"; drop table y; --')).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT' }),
    );
  });
});

describe('filter compilation', () => {
  it('binds every path and value; the SQL text holds none of them', () => {
    const hostile = `x'); DROP TABLE t; --`;
    const node = parseFilter({
      [hostile]: hostile,
      $or: [{ 'a.0': { $gt: 5 } }, { [`${hostile}.b`]: { $in: [hostile, 1, null, true] } }],
      $not: { c: { $lte: hostile } },
      d: { $exists: false },
    })!;
    const params = createParams();
    const sql = compileFilterSql(node, params);
    expect(sql).not.toContain('DROP');
    expect(sql).not.toContain(hostile);
    expect(params.values.some((v) => typeof v === 'string' && v.includes('DROP'))).toBe(true);
    // Every placeholder has a value.
    const max = Math.max(...[...sql.matchAll(/\$(\d+)/g)].map((m) => Number(m[1])));
    expect(max).toBe(params.values.length);
  });

  it('encodes text arrays with quoting and escaping', () => {
    expect(textArray([])).toBe('{}');
    expect(textArray(['a', 'b"c', 'd\\e', 'NULL', ''])).toBe('{"a","b\\"c","d\\\\e","NULL",""}');
  });
});

describe('vector codecs', () => {
  it('round-trip float32 values exactly through the text form', () => {
    const v = new Float32Array([
      0.1, -3.4028234663852886e38, 1.401298464324817e-45, 0, 123.456, -0.5,
    ]);
    expect(parseVectorText(vectorToText(v))).toEqual(Array.from(v));
  });

  it('write pgvector’s binary form: int16 dim, int16 0, big-endian float4', () => {
    const buf = vectorParam(new Float32Array([1, -2]));
    expect(buf.readInt16BE(0)).toBe(2);
    expect(buf.readInt16BE(2)).toBe(0);
    expect(buf.readFloatBE(4)).toBe(1);
    expect(buf.readFloatBE(8)).toBe(-2);
  });

  it('encode binary COPY rows with a header, a field count per row and a trailer', () => {
    const chunks = [
      ...encodeCopyRows(
        [
          { id: 'é', vector: new Float32Array([1]), metadata: { k: 'v' } },
          { id: 'b', vector: new Float32Array([2]), metadata: {} },
        ],
        't',
      ),
    ];
    const all = Buffer.concat(chunks);
    expect(all.subarray(0, 11).toString('latin1')).toBe('PGCOPY\n\xff\r\n\0');
    expect(all.readInt16BE(19)).toBe(4); // first row: tenant, id, embedding, metadata
    expect(all.readInt16BE(all.length - 2)).toBe(-1);
  });
});
