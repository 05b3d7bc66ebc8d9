import { connect, createServer, type Server, type Socket } from 'node:net';

/** What the proxy does to traffic. */
export type FaultMode =
  | { kind: 'pass' }
  | { kind: 'delay'; ms: number }
  | { kind: 'drop' } // refuse new connections (accept, then close at once)
  | { kind: 'blackhole' } // accept and hold: bytes go nowhere, nothing comes back
  | { kind: 'reset' }; // reset every connection (RST), new ones too

/** A loopback TCP proxy that injects faults between a client and a server. */
export interface FaultProxy {
  /** Port the proxy listens on (127.0.0.1). */
  readonly port: number;
  /** Changes the fault; `reset` also resets open connections, `blackhole` freezes them. */
  set(mode: FaultMode): void;
  /** Connections currently open. */
  readonly connections: number;
  /** Stops listening and destroys every connection. */
  close(): Promise<void>;
}

interface Pair {
  client: Socket;
  upstream: Socket;
}

/**
 * Starts a proxy on 127.0.0.1 forwarding to `targetPort` on 127.0.0.1. Loopback only, by
 * construction: it can neither listen on nor connect to any other address.
 */
export async function startFaultProxy(targetPort: number): Promise<FaultProxy> {
  let mode: FaultMode = { kind: 'pass' };
  const pairs = new Set<Pair>();

  const forward = (from: Socket, to: Socket) => {
    from.on('data', (chunk) => {
      if (mode.kind === 'blackhole') return;
      if (mode.kind === 'delay') {
        from.pause();
        setTimeout(() => {
          if (!to.destroyed) to.write(chunk);
          from.resume();
        }, mode.ms);
        return;
      }
      if (!to.destroyed) to.write(chunk);
    });
  };

  const server: Server = createServer((client) => {
    if (mode.kind === 'drop') {
      client.destroy();
      return;
    }
    if (mode.kind === 'reset') {
      client.resetAndDestroy();
      return;
    }
    const upstream = connect({ host: '127.0.0.1', port: targetPort });
    const pair = { client, upstream };
    pairs.add(pair);
    const end = () => {
      pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
    forward(client, upstream);
    forward(upstream, client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('proxy has no port');

  return {
    port: address.port,
    get connections() {
      return pairs.size;
    },
    set(next) {
      mode = next;
      if (next.kind === 'reset') {
        for (const p of pairs) p.client.resetAndDestroy();
      }
    },
    async close() {
      for (const p of pairs) {
        p.client.destroy();
        p.upstream.destroy();
      }
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
