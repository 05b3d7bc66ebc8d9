import { type AindusError, isAindusError, parseFilter } from '@aindusdb/core';
import { describe, expect, it } from 'vitest';

function rejection(input: unknown): AindusError {
  try {
    parseFilter(input);
  } catch (error) {
    if (isAindusError(error, 'INVALID_FILTER')) return error;
    throw error;
  }
  throw new Error(`parseFilter accepted ${JSON.stringify(input)}`);
}

describe('parseFilter canonical form', () => {
  it('treats undefined, {} and all-undefined members as no filter', () => {
    expect(parseFilter(undefined)).toBeUndefined();
    expect(parseFilter({})).toBeUndefined();
    expect(parseFilter({ a: undefined, $and: undefined })).toBeUndefined();
  });

  it('makes implicit equality an eq node with a split path', () => {
    expect(parseFilter({ 'a.b.c': 'x' })).toEqual({ op: 'eq', path: ['a', 'b', 'c'], value: 'x' });
  });

  it('joins several keys, and several operators on one field, with and', () => {
    expect(parseFilter({ a: 1, b: { $gt: 1, $lte: 5 } })).toEqual({
      op: 'and',
      args: [
        { op: 'eq', path: ['a'], value: 1 },
        { op: 'gt', path: ['b'], value: 1 },
        { op: 'lte', path: ['b'], value: 5 },
      ],
    });
  });

  it('keeps $and, $or and $not as written', () => {
    expect(parseFilter({ $and: [{ a: 1 }] })).toEqual({
      op: 'and',
      args: [{ op: 'eq', path: ['a'], value: 1 }],
    });
    expect(parseFilter({ $or: [{ a: 1 }, { b: null }] })).toEqual({
      op: 'or',
      args: [
        { op: 'eq', path: ['a'], value: 1 },
        { op: 'eq', path: ['b'], value: null },
      ],
    });
    expect(parseFilter({ $not: { a: { $exists: false } } })).toEqual({
      op: 'not',
      arg: { op: 'exists', path: ['a'], value: false },
    });
  });

  it('normalizes -0 to 0 so equal filters get equal cache keys', () => {
    const node = parseFilter({ a: -0, b: { $in: [-0] } });
    expect(JSON.stringify(node)).toBe(JSON.stringify(parseFilter({ a: 0, b: { $in: [0] } })));
    expect(Object.is((node as { args: { value: number }[] }).args[0]!.value, 0)).toBe(true);
  });

  it('parses $in and $nin lists, empty ones included', () => {
    expect(parseFilter({ a: { $in: [1, 'x', null, true] } })).toEqual({
      op: 'in',
      path: ['a'],
      values: [1, 'x', null, true],
    });
    expect(parseFilter({ a: { $nin: [] } })).toEqual({ op: 'nin', path: ['a'], values: [] });
  });

  it('reads frozen and null-prototype input without changing it', () => {
    const input = Object.freeze({ a: Object.freeze({ $gte: 'b' }) });
    expect(parseFilter(input)).toEqual({ op: 'gte', path: ['a'], value: 'b' });
    const bare = Object.assign(Object.create(null), { a: 1 });
    expect(parseFilter(bare)).toEqual({ op: 'eq', path: ['a'], value: 1 });
  });
});

describe('parseFilter rejections', () => {
  it('names where an unknown operator is', () => {
    expect(rejection({ a: { $foo: 1 } }).details.at).toBe('a.$foo');
    expect(rejection({ $or: [{ a: 1 }, { $bar: 1 }] }).details.at).toBe('$or[1].$bar');
  });

  it('rejects nested objects used as values, with a hint about dotted names', () => {
    expect(rejection({ a: { b: 1 } }).message).toMatch(/dotted/);
  });

  it('rejects ordering against booleans, null and lists', () => {
    for (const operand of [true, null, [1], { x: 1 }]) rejection({ a: { $gt: operand } });
  });

  it('turns throwing getters and proxies into INVALID_FILTER', () => {
    const getter = Object.defineProperty({}, 'a', {
      enumerable: true,
      get() {
        throw new Error('boom');
      },
    });
    expect(rejection(getter).cause).toBeInstanceOf(Error);
    rejection(
      new Proxy(
        {},
        {
          ownKeys: () => {
            throw new Error('no');
          },
        },
      ),
    );
  });

  it('bounds depth, width and path length', () => {
    let deep: unknown = { a: 1 };
    for (let i = 0; i < 40; i++) deep = { $not: deep };
    rejection(deep);
    rejection(Object.fromEntries(Array.from({ length: 10_001 }, (_, i) => [`f${i}`, 1])));
    rejection({ [Array.from({ length: 17 }, () => 'a').join('.')]: 1 });
    rejection({ ['x'.repeat(257)]: 1 });
  });
});
