import { connect as netConnect } from 'node:net';
import { Readable } from 'node:stream';
import { pipeline as pipeStreams } from 'node:stream/promises';
import {
  AindusError,
  type EngineContext,
  isAindusError,
  throwIfAborted,
  toTimeoutError,
} from '@aindusdb/core';
import type { Pool, PoolClient } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { type ErrorContext, sqlState, toAindusError } from './errors.js';
import { runPipeline, type Statement, type StatementResult, type WireValue } from './pipeline.js';

/** A statement the engine is about to run, as the `onQuery` hook sees it. */
export interface QueryEvent {
  /** Endpoint id (`primary`, `replica-1`, ...). */
  endpoint: string;
  /** SQL text. */
  text: string;
  /** Bound values (Buffers are binary parameters). */
  values: readonly WireValue[];
}

/** One checked-out connection, confined to one call's deadline. */
export interface Session {
  /** Runs statements in one round trip (one protocol pipeline, one Sync). */
  run(statements: readonly Statement[]): Promise<StatementResult[]>;
  /** Streams `COPY ... FROM STDIN` data; resolves with the rows copied. */
  copy(text: string, data: Iterable<Buffer> | AsyncIterable<Buffer>): Promise<number>;
  /**
   * A `SELECT set_config(...)` statement applying the deadline and `settings` to the transaction.
   * With `regclass`, its last column is that relation's OID (NULL when it does not exist).
   */
  settings(settings?: readonly (readonly [string, string])[], regclass?: string): Statement;
}

/** What a session needs from its endpoint. */
export interface SessionSource {
  /** Endpoint id, for the hook. */
  id: string;
  /** The endpoint's pool. */
  pool: Pool;
  /** Optional statement hook. */
  onQuery?: ((event: QueryEvent) => void) | undefined;
}

const MAX_TIMEOUT_MS = 2_147_483_647;

/**
 * Milliseconds left before the deadline, as a `statement_timeout` value (undefined without a
 * finite deadline: the server's setting then stands); throws when no time is left.
 */
export function remainingMs(ctx: EngineContext): number | undefined {
  throwIfAborted(ctx.signal);
  if (!Number.isFinite(ctx.deadline)) return undefined;
  const left = Math.ceil(ctx.deadline - Date.now());
  if (left <= 0) throw new AindusError('TIMEOUT', 'The call ran out of time', { retryable: true });
  return Math.min(left, MAX_TIMEOUT_MS);
}

/** Waits for a pooled connection, but no longer than the call's deadline. */
function acquire(pool: Pool, ctx: EngineContext): Promise<PoolClient> {
  throwIfAborted(ctx.signal);
  return new Promise((resolve, reject) => {
    let settled = false;
    const onAbort = () => {
      if (settled) return;
      settled = true;
      reject(toTimeoutError(ctx.signal.reason));
    };
    ctx.signal.addEventListener('abort', onAbort, { once: true });
    pool.connect().then(
      (client) => {
        ctx.signal.removeEventListener('abort', onAbort);
        // Arrived after the deadline: hand it straight back.
        if (settled) client.release();
        else {
          settled = true;
          resolve(client);
        }
      },
      (error) => {
        ctx.signal.removeEventListener('abort', onAbort);
        if (settled) return;
        settled = true;
        reject(error);
      },
    );
  });
}

interface WireClient {
  processID?: number | null;
  secretKey?: number | null;
  host?: string;
  port?: number;
}

/** Asks the server to cancel the connection's running statement (the protocol's CancelRequest). */
function sendCancel(client: PoolClient): void {
  const { processID, secretKey, host, port } = client as unknown as WireClient;
  if (typeof processID !== 'number' || typeof secretKey !== 'number') return;
  const socket = host?.startsWith('/')
    ? netConnect(`${host}/.s.PGSQL.${port ?? 5432}`)
    : netConnect(port ?? 5432, host ?? 'localhost');
  socket.setTimeout(2_000, () => socket.destroy());
  socket.on('error', () => socket.destroy());
  socket.on('connect', () => {
    const message = Buffer.alloc(16);
    message.writeInt32BE(16, 0);
    message.writeInt32BE(80877102, 4);
    message.writeInt32BE(processID, 8);
    message.writeInt32BE(secretKey, 12);
    socket.end(message);
  });
}

/** How long a cancelled statement may take to end before its socket is dropped. */
const CANCEL_GRACE_MS = 1_000;

/** Destroys a connection's socket; its pending statement then fails and the session settles. */
function destroySocket(client: PoolClient): void {
  (
    client as unknown as { connection?: { stream?: { destroy(): void } } }
  ).connection?.stream?.destroy();
}

const TRANSACTION_START = /^(BEGIN|START TRANSACTION)\b/i;
const TRANSACTION_END = /^(COMMIT|ROLLBACK|END)\b/i;

/**
 * Checks out a connection for one call and runs `fn` with it. The wait for the connection and
 * every statement are bounded by the call's deadline (`statement_timeout` follows it, and an
 * abort sends a cancel request). A connection that broke, was cancelled, or could not be rolled
 * back is destroyed instead of returned to the pool. Errors come out as {@link AindusError}s.
 */
export async function withSession<T>(
  source: SessionSource,
  ctx: EngineContext,
  errorContext: ErrorContext,
  fn: (session: Session) => Promise<T>,
): Promise<T> {
  const context = { ...errorContext, signal: ctx.signal };
  let client: PoolClient;
  try {
    client = await acquire(source.pool, ctx);
  } catch (error) {
    throw toAindusError(error, context);
  }
  let broken = false;
  let cancelled = false;
  let inTransaction = false;
  const onClientError = () => {
    broken = true;
  };
  let dropTimer: NodeJS.Timeout | undefined;
  const onAbort = () => {
    cancelled = true;
    sendCancel(client);
    // A cancel cannot reach a server behind a dead network: if the statement has not ended
    // shortly after, drop the socket so the call settles and the connection is destroyed
    // (otherwise it stays checked out forever and pool.end() never returns).
    dropTimer = setTimeout(() => destroySocket(client), CANCEL_GRACE_MS);
    dropTimer.unref?.();
  };
  client.on('error', onClientError);
  ctx.signal.addEventListener('abort', onAbort, { once: true });
  const track = (statements: readonly Statement[]) => {
    for (const s of statements) {
      if (TRANSACTION_START.test(s.text)) inTransaction = true;
      else if (TRANSACTION_END.test(s.text)) inTransaction = false;
    }
  };
  const session: Session = {
    async run(statements) {
      throwIfAborted(ctx.signal);
      if (source.onQuery)
        for (const s of statements)
          source.onQuery({ endpoint: source.id, text: s.text, values: s.values ?? [] });
      const began = statements.some((s) => TRANSACTION_START.test(s.text));
      if (began) inTransaction = true;
      const results = await runPipeline(client, statements);
      track(statements);
      return results;
    },
    async copy(text, data) {
      throwIfAborted(ctx.signal);
      source.onQuery?.({ endpoint: source.id, text, values: [] });
      const stream = client.query(copyFrom(text));
      await pipeStreams(Readable.from(data, { objectMode: false }), stream);
      return stream.rowCount;
    },
    settings(settings = [], regclass) {
      const timeout = remainingMs(ctx);
      const pairs: [string, string][] = [
        ...(timeout === undefined
          ? []
          : [['statement_timeout', String(timeout)] as [string, string]]),
        ...settings.map(([k, v]): [string, string] => [k, v]),
      ];
      const calls = pairs.map((_, i) => `set_config($${2 * i + 1}, $${2 * i + 2}, true)`);
      const values: WireValue[] = pairs.flat();
      if (regclass !== undefined) {
        values.push(regclass);
        calls.push(`to_regclass($${values.length})::oid::text`);
      }
      return { text: calls.length === 0 ? 'SELECT' : `SELECT ${calls.join(', ')}`, values };
    },
  };
  try {
    return await fn(session);
  } catch (error) {
    const state = sqlState(error);
    if (state === undefined && !isAindusError(error)) broken = true; // client-side or network failure
    if (!broken && !cancelled && inTransaction) {
      try {
        await runPipeline(client, [{ text: 'ROLLBACK' }]);
      } catch {
        broken = true;
      }
    }
    throw toAindusError(error, context);
  } finally {
    clearTimeout(dropTimer);
    ctx.signal.removeEventListener('abort', onAbort);
    client.off('error', onClientError);
    // A cancelled or broken connection may hold a late cancel or a half-read reply: drop it.
    client.release(broken || cancelled ? true : undefined);
  }
}
