import pg from 'pg';

/** Runs one statement on a node as the superuser, on a connection of its own. */
export async function adminQuery<T extends pg.QueryResultRow = pg.QueryResultRow>(
  url: string,
  sql: string,
  params: unknown[] = [],
): Promise<T[]> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
  client.on('error', () => {}); // a node stopped mid-scenario must not crash the test process
  await client.connect();
  try {
    return (await client.query<T>(sql, params)).rows;
  } finally {
    await client.end().catch(() => {});
  }
}

/** Terminates every idle connection to the test database on a node (what pool reapers and failovers do). */
export async function terminateIdle(url: string): Promise<number> {
  const rows = await adminQuery<{ n: string }>(
    url,
    `SELECT count(pg_terminate_backend(pid))::text AS n FROM pg_stat_activity
      WHERE datname = current_database() AND pid <> pg_backend_pid() AND state = 'idle' AND backend_type = 'client backend'`,
  ).catch(() => [{ n: '0' }]);
  return Number(rows[0]?.n ?? 0);
}
