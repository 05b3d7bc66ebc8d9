import type { PoolClient, Submittable } from 'pg';

/** A parameter as the wire protocol takes it: text, binary (a Buffer) or SQL NULL. */
export type WireValue = string | Buffer | null;

/** One SQL statement with bound parameters. */
export interface Statement {
  /** SQL text with `$n` placeholders; never holds user input. */
  text: string;
  /** Parameter values, bound in order. */
  values?: readonly WireValue[];
}

/** What one statement of a pipeline returned, in text format. */
export interface StatementResult {
  /** Column names. */
  fields: string[];
  /** Rows as raw text values (`null` for SQL NULL). */
  rows: (string | null)[][];
  /** Rows affected or returned, from the command tag. */
  rowCount: number;
}

/** The parts of pg's protocol connection a custom submittable drives (as pg-cursor does). */
interface WireConnection {
  stream: { cork?: () => void; uncork?: () => void };
  parse(msg: { text: string; name?: string; types?: number[] }): void;
  bind(msg: {
    portal?: string;
    statement?: string;
    values?: readonly WireValue[];
    binary?: boolean;
  }): void;
  describe(msg: { type: 'P' | 'S'; name?: string }): void;
  execute(msg: { portal?: string; rows?: number }): void;
  sync(): void;
  sendCopyFail(message: string): void;
}

const TAG = /\s(\d+)$/;

/**
 * Runs several statements in ONE round trip: Parse/Bind/Describe/Execute for each, then a single
 * Sync. PostgreSQL runs them as one implicit transaction (or inside an explicit BEGIN/COMMIT the
 * statements carry), so `set_config(..., true)` in the first statement applies to the next ones
 * and nothing leaks to the next user of the connection — also behind PgBouncer in transaction
 * mode. After an error the server skips to the Sync; the first error rejects the promise.
 */
export function runPipeline(
  client: PoolClient,
  statements: readonly Statement[],
): Promise<StatementResult[]> {
  return new Promise((resolve, reject) => {
    const results: StatementResult[] = [];
    let current: StatementResult = { fields: [], rows: [], rowCount: 0 };
    let settled = false;
    const settle = (error: unknown) => {
      if (settled) return;
      settled = true;
      if (error) reject(error);
      else resolve(results);
    };
    const next = () => {
      results.push(current);
      current = { fields: [], rows: [], rowCount: 0 };
    };
    const query = {
      submit(connection: WireConnection) {
        connection.stream.cork?.();
        try {
          for (const s of statements) {
            connection.parse({ text: s.text, name: '', types: [] });
            connection.bind({ portal: '', statement: '', values: s.values ?? [], binary: false });
            connection.describe({ type: 'P', name: '' });
            connection.execute({ portal: '', rows: 0 });
          }
          connection.sync();
        } finally {
          connection.stream.uncork?.();
        }
      },
      handleRowDescription(msg: { fields: { name: string }[] }) {
        current.fields = msg.fields.map((f) => f.name);
      },
      handleDataRow(msg: { fields: (string | null)[] }) {
        current.rows.push(msg.fields);
      },
      handleCommandComplete(msg: { text?: string }) {
        const count = TAG.exec(msg.text ?? '')?.[1];
        current.rowCount = count === undefined ? current.rows.length : Number(count);
        next();
      },
      handleEmptyQuery() {
        next();
      },
      handlePortalSuspended() {
        // Never asked for: every Execute fetches all rows.
      },
      handleCopyInResponse(connection: WireConnection) {
        connection.sendCopyFail('COPY is not supported in a pipeline');
      },
      handleCopyData() {},
      handleError(error: unknown) {
        settle(error);
      },
      handleReadyForQuery() {
        settle(undefined);
      },
    };
    client.query(query as unknown as Submittable);
  });
}
