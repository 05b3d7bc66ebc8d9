import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Attributes, Tracer } from '@aindusdb/core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { trapProcessErrors } from '../support/load.js';
import { adminQuery } from '../support/pg-admin.js';
import { pgUrls } from '../support/services.js';
import { type ChaosFixture, createChaosFixture, report } from './fixture.js';

const PAIRS = 2_000;
const delayed = pgUrls().replicas[0]!;

/** Counts which endpoint served each operation (from the spans core emits). */
function endpointCounter(): Tracer & { served: Map<string, number> } {
  const served = new Map<string, number>();
  return {
    served,
    startSpan(_name, options) {
      const attrs: Attributes = {};
      return {
        setAttributes: (a) => Object.assign(attrs, a),
        recordError() {},
        end() {
          if (options.parent) return;
          const e = String(attrs['aindusdb.endpoint']);
          served.set(e, (served.get(e) ?? 0) + 1);
        },
      };
    },
  };
}

async function setDelay(value: string | null) {
  await adminQuery(
    delayed,
    value === null
      ? 'ALTER SYSTEM RESET recovery_min_apply_delay'
      : `ALTER SYSTEM SET recovery_min_apply_delay = '${value}'`,
  );
  await adminQuery(delayed, 'SELECT pg_reload_conf()');
}

let fx: ChaosFixture;
const tracer = endpointCounter();
beforeAll(async () => {
  fx = await createChaosFixture({ replicas: [delayed], tracer });
  await setDelay('500ms');
});
afterAll(async () => {
  await setDelay(null);
  await fx?.close();
});

it(`${PAIRS} write→read pairs with session consistency on a replica 500 ms behind: zero stale reads`, async () => {
  const trap = trapProcessErrors();
  let stale = 0;
  tracer.served.clear();
  const started = performance.now();
  for (let i = 0; i < PAIRS; i++) {
    if (i % 500 === 250) await fx.killIdleConnections();
    await fx.docs.upsert([
      { id: `s${i % 50}`, vector: Array.from({ length: 16 }, () => i), metadata: { v: i } },
    ]);
    const [row] = await fx.docs.get([`s${i % 50}`]);
    if (row?.metadata.v !== i) stale++;
  }
  trap.dispose();
  report(`${PAIRS} session write→read pairs, replica delayed 500 ms`, {
    'stale reads': stale,
    'pairs/s': (PAIRS / (performance.now() - started)) * 1000,
    'reads served by primary': tracer.served.get('primary') ?? 0,
  });
  expect(stale).toBe(0);
  expect(trap.errors).toEqual([]);
});

it(`${PAIRS} write→read pairs across two processes with after tokens: zero stale reads`, async () => {
  const trap = trapProcessErrors();
  const writer = fork(
    fileURLToPath(new URL('./token-writer.ts', import.meta.url)),
    [String(PAIRS), fx.schema],
    {
      execArgv: ['--import', 'tsx'],
      env: process.env,
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    },
  );
  let stale = 0;
  let checked = 0;
  const started = performance.now();
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      writer.kill('SIGKILL');
      reject(new Error('writer timed out'));
    }, 240_000);
    let pending = Promise.resolve();
    writer.on('message', (m: { i: number; token: string } | { done: true }) => {
      if ('done' in m) {
        pending.then(() => {
          clearTimeout(timer);
          resolve();
        }, reject);
        return;
      }
      pending = pending.then(async () => {
        if (checked % 500 === 250) await fx.killIdleConnections();
        const [row] = await fx.docs.get([`x${m.i % 50}`], { after: m.token });
        if (row?.metadata.v !== m.i) stale++;
        checked++;
        writer.send('next');
      });
    });
    writer.on('error', reject);
    writer.on(
      'exit',
      (code) => code !== 0 && code !== null && reject(new Error(`writer exited with ${code}`)),
    );
  });
  trap.dispose();
  report(`${PAIRS} cross-process pairs with after tokens, replica delayed 500 ms`, {
    'pairs checked': checked,
    'stale reads': stale,
    'pairs/s': (checked / (performance.now() - started)) * 1000,
  });
  expect(checked).toBe(PAIRS);
  expect(stale).toBe(0);
  expect(trap.errors).toEqual([]);
});

it("'eventual' reads right after writes: staleness measured and reported", async () => {
  let stale = 0;
  const n = 300;
  for (let i = 0; i < n; i++) {
    await fx.docs.upsert([
      { id: 'e', vector: Array.from({ length: 16 }, () => i), metadata: { v: i } },
    ]);
    const [row] = await fx.docs.get(['e'], { consistency: 'eventual' });
    if (row?.metadata.v !== i) stale++;
  }
  report(`${n} eventual write→read pairs, replica delayed 500 ms`, {
    'stale reads': stale,
    'stale share %': (stale / n) * 100,
  });
  // Eventual reads may be stale by design; this scenario only measures how often.
  expect(stale).toBeGreaterThanOrEqual(0);
});
