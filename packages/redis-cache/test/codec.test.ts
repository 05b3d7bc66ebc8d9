import type { QueryResult } from '@aindusdb/core';
import { describe, expect, it } from 'vitest';
import {
  decodeEmbedding,
  decodeEntry,
  encodeEmbedding,
  encodeEntry,
  readEntryHeader,
} from '../src/codec.js';
import { createGate } from '../src/gate.js';
import { createKeyLayout, parseEpoch } from '../src/keys.js';

// Pure units (no server): the entry codec, the key layout and the fail-fast gate.
describe('entry codec', () => {
  const result: QueryResult = {
    complete: true,
    matches: [
      {
        id: 'a',
        score: 0.9,
        distance: 0.1,
        metadata: { lang: 'en', n: 3, nested: { ok: true, list: [1, 'x', null] } },
      },
      { id: 'é/ü 🚀', score: 1 / 3, distance: 2 / 3, vector: [0.5, -0.25, 1e-3, 123.456] },
      {
        id: 'c',
        score: -7.5,
        distance: 7.5,
        metadata: {},
        vector: [Math.fround(0.1), Math.fround(-2.2)],
      },
    ],
  };

  it('round-trips results exactly, float64 vectors included', () => {
    const bytes = encodeEntry(result, 1_700_000_000_000_123, 1_800_000_000_000);
    expect(readEntryHeader(bytes)).toEqual({
      epoch: 1_700_000_000_000_123,
      expiresAt: 1_800_000_000_000,
    });
    expect(decodeEntry(bytes)).toEqual(result);
    expect(decodeEntry(bytes)).not.toBe(decodeEntry(bytes));
  });

  it('stores float32-exact vectors in 4 bytes a component, others in 8', () => {
    const f32 = Array.from({ length: 768 }, (_, i) => Math.fround(Math.sin(i)));
    const f64 = f32.map((x) => x + 1e-12);
    const size = (vector: number[]) =>
      encodeEntry({ complete: false, matches: [{ id: 'x', score: 1, distance: 0, vector }] }, 1, 2)
        .length;
    expect(size(f64) - size(f32)).toBe(768 * 4);
    expect(size(f32)).toBeLessThan(768 * 4 + 100);
  });

  it('decodes from unaligned buffers (slices of a socket chunk)', () => {
    const bytes = encodeEntry(result, 5, 6);
    for (const shift of [1, 2, 3, 5]) {
      const chunk = Buffer.alloc(bytes.length + shift);
      bytes.copy(chunk, shift);
      expect(decodeEntry(chunk.subarray(shift))).toEqual(result);
    }
  });

  it('rejects foreign bytes and round-trips embeddings', () => {
    expect(readEntryHeader(Buffer.from('not ours'))).toBeUndefined();
    expect(readEntryHeader(Buffer.alloc(3))).toBeUndefined();
    const vector = [0.1, 0.2, Math.fround(0.3)];
    expect(decodeEmbedding(encodeEmbedding(vector))).toEqual(vector);
    expect(decodeEmbedding(Buffer.from('junk-bytes'))).toBeUndefined();
  });
});

describe('key layout', () => {
  it('puts a scope under one hash tag, and keeps braces in scopes from breaking it', () => {
    const keys = createKeyLayout('app');
    expect(keys.epoch('docs')).toBe('{app:docs}:e');
    expect(keys.entry('docs', 'k1')).toBe('{app:docs}:q:k1');
    expect(keys.embedding('k2')).toBe('app:emb:k2');
    expect(keys.epoch('a}b{c%')).toBe('{app:a%7db%7bc%25}:e');
  });

  it('parses epochs with and without positions', () => {
    expect(parseEpoch('1700000000000001:0/16B3748')).toEqual({
      epoch: 1700000000000001,
      position: '0/16B3748',
    });
    expect(parseEpoch('42:')).toEqual({ epoch: 42 });
    expect(() => parseEpoch('garbage')).toThrow();
  });
});

describe('fail-fast gate', () => {
  it('opens after consecutive failures, probes once, backs off and closes on success', () => {
    let now = 0;
    const gate = createGate({ failures: 2, openMs: 100, maxOpenMs: 300 }, () => now);
    expect(gate.tryAcquire()).toBe(true);
    gate.release(false);
    expect(gate.state).toBe('closed');
    gate.release(false);
    expect(gate.state).toBe('open');
    expect(gate.tryAcquire()).toBe(false);
    now = 100;
    expect(gate.state).toBe('half-open');
    expect(gate.tryAcquire()).toBe(true);
    expect(gate.tryAcquire()).toBe(false); // one probe at a time
    gate.release(false);
    now = 250;
    expect(gate.tryAcquire()).toBe(false); // reopened for 200 ms
    now = 300;
    expect(gate.tryAcquire()).toBe(true);
    gate.release(true);
    expect(gate.state).toBe('closed');
    expect(gate.tryAcquire()).toBe(true);
  });

  it('never opens when turned off', () => {
    const gate = createGate(false);
    for (let i = 0; i < 10; i++) gate.release(false);
    expect(gate.tryAcquire()).toBe(true);
  });
});
