import pg, { type Pool, type PoolConfig } from 'pg';
import { parse as parseConnectionString } from 'pg-connection-string';

/** A pool the engine uses, and whether the engine made it (and so may end it). */
export interface PoolSource {
  pool: Pool;
  owned: boolean;
  address: { host: string; port?: number };
  database: string | undefined;
  /** Detaches the engine from the pool: ends it when owned, else removes the engine's listener. */
  release(): Promise<void>;
  /** The last error the pool reported on an idle connection. */
  lastError: Error | undefined;
}

/** Time allowed to open one connection, for pools the engine creates (override with `connectionTimeoutMillis`). */
const DEFAULT_CONNECTION_TIMEOUT_MS = 5_000;

function addressOf(config: { host?: string | null; port?: string | number | null }): {
  host: string;
  port?: number;
} {
  const host = config.host || process.env.PGHOST || 'localhost';
  const port = Number(config.port || process.env.PGPORT || 5432);
  return Number.isFinite(port) ? { host, port } : { host };
}

/**
 * Wraps a connection string (a pool the engine creates and owns) or a user's `pg.Pool` (never
 * ended by the engine). Either way the pool gets an `error` listener, so an idle connection
 * dropped by the server cannot crash the process.
 */
export function poolSource(
  input: string | Pool,
  poolOptions: Omit<PoolConfig, 'connectionString'>,
): PoolSource {
  const owned = typeof input === 'string';
  const pool = owned
    ? new pg.Pool({
        application_name: 'aindusdb',
        // A connect that hangs (a blackholed network) would otherwise stay pending until the
        // server's authentication_timeout, holding pool.end() with it.
        connectionTimeoutMillis: DEFAULT_CONNECTION_TIMEOUT_MS,
        ...poolOptions,
        connectionString: input,
      })
    : input;
  const options = (pool as unknown as { options?: PoolConfig }).options ?? {};
  const parsed = options.connectionString ? parseConnectionString(options.connectionString) : {};
  const merged = {
    ...parsed,
    ...Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)),
  } as {
    host?: string | null;
    port?: string | number | null;
    database?: string | null;
  };
  const source: PoolSource = {
    pool,
    owned,
    address: addressOf(merged),
    database: merged.database ?? process.env.PGDATABASE ?? undefined,
    lastError: undefined,
    async release() {
      pool.off('error', onError);
      if (owned) {
        pool.on('error', () => {}); // stragglers during shutdown
        await pool.end();
      }
    },
  };
  const onError = (error: Error) => {
    source.lastError = error;
  };
  pool.on('error', onError);
  return source;
}
