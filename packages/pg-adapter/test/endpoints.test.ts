import { AindusError, type EngineRecord, isAindusError } from '@aindusdb/core';
import { createPgEngine, type PgEngine } from '@aindusdb/pg-adapter';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ctx, dropSchema, primaryUrl, replicaUrls, uniqueSchema } from './env.js';

// The endpoint layer on the real primary and its two streaming replicas: probes, READ_ONLY on a
// standby, WAL positions, pool ownership and deadlines.
const schema = uniqueSchema('ep');
let engine: PgEngine;

const rec = (id: string, x: number): EngineRecord => ({
  id,
  vector: new Float32Array([x, 1, 0]),
  metadata: { x },
});

async function code(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return 'resolved';
  } catch (error) {
    return isAindusError(error) ? error.code : `raw: ${String(error)}`;
  }
}

beforeAll(async () => {
  engine = createPgEngine({ primary: primaryUrl(), replicas: replicaUrls(), schema, max: 3 });
  await engine.endpoints[0]!.createCollection(
    {
      name: 'docs',
      dimension: 3,
      metric: 'l2',
      index: { type: 'hnsw', m: 16, efConstruction: 64 },
    },
    ctx(),
  );
});

afterAll(async () => {
  await engine?.close();
  await dropSchema(schema);
});

describe('endpoints', () => {
  it('are the primary then replica-1, replica-2, with their addresses', () => {
    expect(engine.name).toBe('postgresql');
    expect(engine.namespace).toBe(`aindus|${schema}`);
    expect(engine.capabilities).toMatchObject({ shared: true, persistent: true });
    expect(engine.endpoints.map((e) => [e.id, e.role])).toEqual([
      ['primary', 'primary'],
      ['replica-1', 'replica'],
      ['replica-2', 'replica'],
    ]);
    const ports = [primaryUrl(), ...replicaUrls()].map((u) => Number(new URL(u).port));
    expect(engine.endpoints.map((e) => e.address)).toEqual(
      ports.map((port) => ({ host: '127.0.0.1', port })),
    );
  });

  it('probe the primary (writable, current LSN) and the replicas (read-only, replay LSN, lag)', async () => {
    const [primary, ...replicas] = await Promise.all(engine.endpoints.map((e) => e.probe(ctx())));
    expect(primary).toMatchObject({ alive: true, writable: true });
    expect(primary!.position).toMatch(/^[0-9A-F]+\/[0-9A-F]+$/);
    expect(primary!.lagMs).toBeUndefined();
    for (const probe of replicas) {
      expect(probe).toMatchObject({ alive: true, writable: false });
      expect(probe.position).toMatch(/^[0-9A-F]+\/[0-9A-F]+$/);
      expect(probe.lagMs).toBeGreaterThanOrEqual(0);
      expect(engine.comparePositions(probe.position!, primary!.position!)).toBeLessThanOrEqual(0);
    }
  });

  it('a probe of an unreachable server never throws', async () => {
    const dead = createPgEngine({
      primary: 'postgres://postgres@127.0.0.1:1/aindus',
      schema,
      connectionTimeoutMillis: 2_000,
    });
    try {
      const started = Date.now();
      const probe = await dead.endpoints[0]!.probe(ctx(3_000));
      expect(probe).toMatchObject({ alive: false, writable: false });
      expect(probe.error).toBeTruthy();
      expect(Date.now() - started).toBeLessThan(5_000);
      expect(await code(dead.endpoints[0]!.count({ collection: 'docs', tenant: '' }, ctx()))).toBe(
        'UNAVAILABLE',
      );
    } finally {
      await dead.close();
    }
  });

  it('writes on a replica are READ_ONLY (retryable), whatever the operation', async () => {
    const replica = engine.endpoints[1]!;
    for (const attempt of [
      () => replica.upsert({ collection: 'docs', tenant: '', records: [rec('a', 1)] }, ctx()),
      () =>
        replica.upsert(
          {
            collection: 'docs',
            tenant: '',
            records: Array.from({ length: 600 }, (_, i) => rec(`b${i}`, i)),
          },
          ctx(),
        ),
      () => replica.upsert({ collection: 'docs', tenant: '', records: [] }, ctx()),
      () => replica.delete({ collection: 'docs', tenant: '', ids: ['a'] }, ctx()),
      () =>
        replica.createCollection(
          { name: 'other', dimension: 3, metric: 'l2', index: { type: 'none' } },
          ctx(),
        ),
    ]) {
      const error = await attempt().then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(AindusError);
      expect((error as AindusError).code).toBe('READ_ONLY');
      expect((error as AindusError).retryable).toBe(true);
    }
  });

  it('positions advance with writes and a replica reaches a write’s position, then serves it', async () => {
    const primary = engine.endpoints[0]!;
    const first = await primary.upsert(
      { collection: 'docs', tenant: '', records: [rec('p1', 1)] },
      ctx(),
    );
    const second = await primary.upsert(
      { collection: 'docs', tenant: '', records: [rec('p2', 2)] },
      ctx(),
    );
    const deleted = await primary.delete({ collection: 'docs', tenant: '', ids: ['p1'] }, ctx());
    const empty = await primary.upsert({ collection: 'docs', tenant: '', records: [] }, ctx());
    expect(engine.comparePositions(second.position, first.position)).toBeGreaterThan(0);
    expect(engine.comparePositions(deleted.position, second.position)).toBeGreaterThan(0);
    expect(engine.comparePositions(empty.position, deleted.position)).toBeGreaterThanOrEqual(0);
    for (const replica of engine.endpoints.slice(1)) {
      const until = Date.now() + 15_000;
      let probe = await replica.probe(ctx());
      while (engine.comparePositions(probe.position!, deleted.position) < 0 && Date.now() < until) {
        await new Promise((r) => setTimeout(r, 50));
        probe = await replica.probe(ctx());
      }
      expect(engine.comparePositions(probe.position!, deleted.position)).toBeGreaterThanOrEqual(0);
      // Replay position ≥ the write's position means the write is visible there.
      const got = await replica.get(
        { collection: 'docs', tenant: '', ids: ['p1', 'p2'], includeVector: false },
        ctx(),
      );
      expect(got.map((r) => r.id)).toEqual(['p2']);
    }
  });
});

describe('pools', () => {
  it('a pool passed in gets an error listener and is never ended by the engine', async () => {
    const pool = new pg.Pool({ connectionString: primaryUrl(), max: 2 });
    const before = pool.listenerCount('error');
    const mine = createPgEngine({ primary: pool, schema });
    expect(pool.listenerCount('error')).toBe(before + 1);
    expect(
      await mine.endpoints[0]!.count({ collection: 'docs', tenant: '' }, ctx()),
    ).toBeGreaterThanOrEqual(0);
    await mine.close();
    await mine.close(); // idempotent
    expect(pool.listenerCount('error')).toBe(before);
    expect((await pool.query('SELECT 1 AS one')).rows[0].one).toBe(1);
    expect(pool.ended).toBe(false);
    await pool.end();
  });

  it('after close, the engine fails fast with UNAVAILABLE (not retryable)', async () => {
    const mine = createPgEngine({ primary: primaryUrl(), schema });
    await mine.close();
    const error = await mine.endpoints[0]!.count({ collection: 'docs', tenant: '' }, ctx()).catch(
      (e: unknown) => e,
    );
    expect(error).toMatchObject({ code: 'UNAVAILABLE', retryable: false });
  });

  it('a statement blocked past the deadline is cancelled on the server and reported as TIMEOUT', async () => {
    const locker = new pg.Client({ connectionString: primaryUrl() });
    await locker.connect();
    const mine = createPgEngine({
      primary: primaryUrl(),
      schema,
      max: 1,
      application_name: `deadline_${schema}`,
    });
    try {
      await locker.query('BEGIN');
      await locker.query(`LOCK TABLE "${schema}"."c_docs" IN ACCESS EXCLUSIVE MODE`);
      const started = Date.now();
      const error = await mine.endpoints[0]!.count(
        { collection: 'docs', tenant: '' },
        ctx(400),
      ).catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'TIMEOUT' });
      expect(Date.now() - started).toBeLessThan(3_000);
      // The blocked statement is gone from the server, not left waiting on the lock.
      const until = Date.now() + 5_000;
      let waiting = 1;
      while (waiting > 0 && Date.now() < until) {
        const { rows } = await locker.query(
          "SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = $1 AND state = 'active'",
          [`deadline_${schema}`],
        );
        waiting = rows[0].n;
        if (waiting > 0) await new Promise((r) => setTimeout(r, 50));
      }
      expect(waiting).toBe(0);
      // The pool's only connection was not leaked: the next call works once the lock is gone.
      await locker.query('ROLLBACK');
      expect(
        await mine.endpoints[0]!.count({ collection: 'docs', tenant: '' }, ctx()),
      ).toBeGreaterThanOrEqual(0);
    } finally {
      await locker.query('ROLLBACK').catch(() => {});
      await locker.end();
      await mine.close();
    }
  });

  it('statement_timeout follows the deadline even when nothing aborts the call', async () => {
    const locker = new pg.Client({ connectionString: primaryUrl() });
    await locker.connect();
    try {
      await locker.query('BEGIN');
      await locker.query(`LOCK TABLE "${schema}"."c_docs" IN ACCESS EXCLUSIVE MODE`);
      const started = Date.now();
      // A signal that never fires: only the server-side statement_timeout can end the wait.
      const quiet = { signal: new AbortController().signal, deadline: Date.now() + 500 };
      const error = await engine.endpoints[0]!.count(
        { collection: 'docs', tenant: '' },
        quiet,
      ).catch((e: unknown) => e);
      expect(error).toMatchObject({
        code: 'TIMEOUT',
        retryable: true,
        details: { sqlState: '57014' },
      });
      expect(Date.now() - started).toBeLessThan(3_000);
    } finally {
      await locker.query('ROLLBACK');
      await locker.end();
    }
  });

  it('without a finite deadline the server’s own statement_timeout stands', async () => {
    const open = { signal: new AbortController().signal, deadline: Number.POSITIVE_INFINITY };
    expect(
      await engine.endpoints[0]!.count({ collection: 'docs', tenant: '' }, open),
    ).toBeGreaterThanOrEqual(0);
  });

  it('waiting for a pooled connection is bounded by the deadline', async () => {
    const pool = new pg.Pool({ connectionString: primaryUrl(), max: 1 });
    const mine = createPgEngine({ primary: pool, schema });
    const held = await pool.connect();
    try {
      const started = Date.now();
      const error = await mine.endpoints[0]!.count(
        { collection: 'docs', tenant: '' },
        ctx(300),
      ).catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'TIMEOUT' });
      expect(Date.now() - started).toBeLessThan(2_000);
    } finally {
      held.release();
      await mine.close();
    }
    // The late connection went back to the pool.
    expect((await pool.query('SELECT 1 AS one')).rows[0].one).toBe(1);
    await pool.end();
  });
});
