import { spawnSync } from 'node:child_process';
import {
  appendFileSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Client, createClient, isAindusError } from '@aindusdb/core';
import { afterAll, describe, expect, it } from 'vitest';
import { createHnswEngine, type HnswEngineOptions } from '../src/index.js';

const roots: string[] = [];
afterAll(() => {
  for (const r of roots) rmSync(r, { recursive: true, force: true });
});
const freshDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'aindus-hnsw-test-'));
  roots.push(d);
  return d;
};
const open = (dir: string, options: HnswEngineOptions = {}): Client =>
  createClient({ engine: createHnswEngine({ dir, ...options }), cache: false });
const vec = (i: number) => [Math.cos(i), Math.sin(i), (i % 7) / 7, 1];
const records = (from: number, to: number, tag = 'a') =>
  Array.from({ length: to - from }, (_, k) => ({
    id: `r${from + k}`,
    vector: vec(from + k),
    metadata: { i: from + k, tag },
  }));
const collectionDir = (dir: string, name: string) => join(dir, 'collections', name);
const manifestOf = (dir: string, name: string) =>
  JSON.parse(readFileSync(join(collectionDir(dir, name), 'MANIFEST'), 'utf8'));
const deadPid = () => spawnSync(process.execPath, ['-e', '']).pid!;

describe('directory lock', () => {
  it('a second engine on a held directory gets CONFLICT; after close it opens', async () => {
    const dir = freshDir();
    const a = createHnswEngine({ dir });
    let error: unknown;
    try {
      createHnswEngine({ dir });
    } catch (e) {
      error = e;
    }
    expect(isAindusError(error, 'CONFLICT')).toBe(true);
    expect((error as Error).message).toContain(String(process.pid));
    await a.close();
    const b = createHnswEngine({ dir });
    await b.close();
  });

  it('takes over a lock left by a dead process on this host', async () => {
    const dir = freshDir();
    await open(dir).close();
    writeFileSync(
      join(dir, 'LOCK'),
      JSON.stringify({ pid: deadPid(), host: hostname(), since: 'earlier' }),
    );
    const engine = createHnswEngine({ dir });
    expect(JSON.parse(readFileSync(join(dir, 'LOCK'), 'utf8')).pid).toBe(process.pid);
    await engine.close();
    expect(existsSync(join(dir, 'LOCK'))).toBe(false);
  });

  it('never takes over a lock from another host or an unreadable lock', () => {
    const dir = freshDir();
    writeFileSync(
      join(dir, 'LOCK'),
      JSON.stringify({ pid: deadPid(), host: `not-${hostname()}`, since: 'x' }),
    );
    expect(() => createHnswEngine({ dir })).toThrow(/another host/);
    writeFileSync(join(dir, 'LOCK'), 'garbage');
    expect(() => createHnswEngine({ dir })).toThrow(/not readable/);
  });
});

describe('persistence', () => {
  it('reopening yields the data, and positions keep increasing across reopen and crash', async () => {
    const dir = freshDir();
    let client = open(dir);
    const col = await client.createCollection('docs', { dimension: 4, metric: 'cosine' });
    const first = await col.upsert(records(0, 50));
    await client.close();

    client = open(dir);
    const second = await client.collection('docs').upsert(records(50, 60));
    expect(Number(second.token)).toBeGreaterThan(Number(first.token));
    // A "crash": the engine is abandoned without close and its lock removed by hand.
    rmSync(join(dir, 'LOCK'));
    client = open(dir);
    const third = await client.collection('docs').delete({ ids: ['r1'] });
    expect(Number(third.token)).toBeGreaterThan(Number(second.token));
    expect(await client.collection('docs').count()).toBe(59);
    // An empty upsert acknowledges the current position.
    const empty = await client.collection('docs').upsert([]);
    expect(empty.token).toBe(third.token);
    await client.close();
  });

  it('ignores a torn log tail and keeps appending after the valid prefix', async () => {
    const dir = freshDir();
    let client = open(dir, { snapshotOnClose: false });
    await (await client.createCollection('t', { dimension: 4, metric: 'l2' })).upsert(
      records(0, 10),
    );
    await client.collection('t').upsert(records(10, 20));
    await client.close();
    const log = join(collectionDir(dir, 't'), manifestOf(dir, 't').log);
    // Half a frame: a length promising more bytes than follow.
    appendFileSync(log, Buffer.from([200, 0, 0, 0, 1, 2, 3, 4, 5, 6]));

    client = open(dir, { snapshotOnClose: false });
    expect(await client.collection('t').count()).toBe(20);
    await client.collection('t').upsert(records(20, 25));
    await client.close();
    client = open(dir);
    expect(await client.collection('t').count()).toBe(25);
    await client.close();
  });

  it('stops replay at a frame whose checksum fails', async () => {
    const dir = freshDir();
    let client = open(dir, { snapshotOnClose: false });
    const col = await client.createCollection('c', { dimension: 4, metric: 'l2' });
    await col.upsert(records(0, 5));
    await col.upsert(records(5, 6));
    await client.close();
    const log = join(collectionDir(dir, 'c'), manifestOf(dir, 'c').log);
    const bytes = readFileSync(log);
    bytes[bytes.length - 3]! ^= 0xff; // inside the last frame's vector
    writeFileSync(log, bytes);
    client = open(dir);
    expect((await client.collection('c').get(['r4', 'r5'])).map((r) => r.id)).toEqual(['r4']);
    await client.close();
  });

  it('compacts the log into snapshots and leaves one generation on disk', async () => {
    const dir = freshDir();
    let client = open(dir, { compactLogBytes: 4096, snapshotOnClose: false });
    const col = await client.createCollection('k', { dimension: 4, metric: 'ip' });
    for (let i = 0; i < 40; i++) await col.upsert(records(i * 10, i * 10 + 10));
    await col.delete({ filter: { i: { $lt: 100 } } });
    await client.close();
    const manifest = manifestOf(dir, 'k');
    expect(manifest.generation).toBeGreaterThan(3);
    const files = readdirSync(collectionDir(dir, 'k')).sort();
    expect(files).toEqual(
      [manifest.index, manifest.log, manifest.records, 'MANIFEST', 'spec.json'].sort(),
    );
    client = open(dir);
    expect(await client.collection('k').count()).toBe(300);
    expect(await client.collection('k').get(['r5', 'r399'])).toEqual([
      { id: 'r399', metadata: { i: 399, tag: 'a' } },
    ]);
    await client.close();
  });

  it('rebuilds the graph from the record store when the index file is missing', async () => {
    const dir = freshDir();
    let client = open(dir);
    await (await client.createCollection('g', { dimension: 4, metric: 'l2' })).upsert(
      records(0, 300),
    );
    await client.close();
    rmSync(join(collectionDir(dir, 'g'), manifestOf(dir, 'g').index));
    client = open(dir);
    const { matches } = await client.collection('g').query({ vector: vec(7), topK: 1 });
    expect(matches[0]!.id).toBe('r7');
    await client.close();
  });

  it('drop removes the directory; a recreated collection starts empty', async () => {
    const dir = freshDir();
    let client = open(dir);
    await (await client.createCollection('d', { dimension: 4, metric: 'l2' })).upsert(
      records(0, 10),
    );
    expect(await client.dropCollection('d')).toBe(true);
    expect(existsSync(collectionDir(dir, 'd'))).toBe(false);
    await client.createCollection('d', { dimension: 4, metric: 'l2' });
    await client.close();
    client = open(dir);
    expect(await client.collection('d').count()).toBe(0);
    expect((await client.listCollections()).map((c) => c.name)).toEqual(['d']);
    await client.close();
  });

  it("'buffered' durability persists through close and reopen", async () => {
    const dir = freshDir();
    let client = open(dir, { durability: 'buffered', snapshotOnClose: false });
    await (await client.createCollection('b', { dimension: 4, metric: 'l2' })).upsert(
      records(0, 30),
    );
    await client.close();
    client = open(dir, { durability: 'buffered' });
    expect(await client.collection('b').count()).toBe(30);
    await client.close();
  });

  it('a closed engine answers UNAVAILABLE', async () => {
    const engine = createHnswEngine();
    const client = createClient({ engine, cache: false });
    const col = await client.createCollection('x', { dimension: 4, metric: 'l2' });
    await engine.close();
    await expect(col.count()).rejects.toMatchObject({ code: 'UNAVAILABLE' });
  });

  it('serializes concurrent writes while reads go on', async () => {
    const client = open(freshDir());
    const col = await client.createCollection('p', { dimension: 4, metric: 'l2' });
    const writes = Array.from({ length: 40 }, (_, i) => col.upsert(records(i * 5, i * 5 + 5)));
    const reads = Array.from({ length: 40 }, () => col.query({ vector: vec(1), topK: 3 }));
    const tokens = (await Promise.all(writes)).map((w) => Number(w.token));
    await Promise.all(reads);
    expect(new Set(tokens).size).toBe(40);
    expect(await col.count()).toBe(200);
    await client.close();
  });
});
