import { AindusError } from '@aindusdb/core';
import { Cluster, type ClusterOptions, Redis, type RedisOptions } from 'ioredis';

/** A standalone ioredis client or an ioredis Cluster client. */
export type RedisClient = Redis | Cluster;

/** A cluster seed node: `"host:port"` or `{ host, port }`. */
export type ClusterNodeAddress = string | { host: string; port: number };

/** Where and how to connect when the cache creates its own client. */
export interface ConnectOptions {
  /** `redis://` or `rediss://` URL of a standalone server. */
  url?: string;
  /** Seed nodes of a Redis Cluster. */
  clusterNodes?: readonly ClusterNodeAddress[];
  /** Extra ioredis options (standalone client, or each cluster node's connection). */
  redisOptions?: RedisOptions;
  /** Extra ioredis Cluster options. */
  clusterOptions?: ClusterOptions;
  /** Command timeout, ms. */
  timeoutMs: number;
}

/** Reconnects in the background forever, backing off to 2 s, with jitter so a fleet spreads out. */
const reconnectDelay = (times: number) =>
  Math.min(2_000, 50 * 2 ** Math.min(times, 6)) + Math.floor(Math.random() * 100);

/**
 * Options that make a client fail fast instead of queueing: no offline queue (a command while
 * disconnected rejects at once), a command timeout, no retry of a command whose connection
 * dropped; reconnection runs in the background.
 */
function failFastOptions(timeoutMs: number): RedisOptions {
  return {
    enableOfflineQueue: false,
    commandTimeout: timeoutMs,
    maxRetriesPerRequest: 0,
    connectTimeout: Math.max(1_000, timeoutMs * 4),
    retryStrategy: reconnectDelay,
    autoResubscribe: false,
  };
}

function parseNode(node: ClusterNodeAddress): { host: string; port: number } {
  if (typeof node === 'object' && node !== null && typeof node.host === 'string') {
    return { host: node.host, port: node.port };
  }
  const match = typeof node === 'string' ? /^(.+):(\d{1,5})$/.exec(node) : null;
  if (!match) {
    throw new AindusError(
      'INVALID_ARGUMENT',
      `clusterNodes entries are "host:port" or { host, port }, got ${JSON.stringify(node)}`,
    );
  }
  return { host: match[1]!, port: Number(match[2]) };
}

/** Creates the cache's own client from a URL or cluster seed nodes. */
export function createOwnClient(options: ConnectOptions): RedisClient {
  const base = failFastOptions(options.timeoutMs);
  if (options.url !== undefined) {
    if (typeof options.url !== 'string' || !/^rediss?:\/\//.test(options.url)) {
      throw new AindusError('INVALID_ARGUMENT', 'url must be a redis:// or rediss:// URL');
    }
    return new Redis(options.url, { ...base, ...options.redisOptions });
  }
  const nodes = options.clusterNodes;
  if (!Array.isArray(nodes) || nodes.length === 0) {
    throw new AindusError(
      'INVALID_ARGUMENT',
      'clusterNodes must be a non-empty array of "host:port"',
    );
  }
  return new Cluster(nodes.map(parseNode), {
    enableOfflineQueue: false,
    // Epochs must be read from masters: a replica may not have applied the latest advance.
    scaleReads: 'master',
    clusterRetryStrategy: reconnectDelay,
    slotsRefreshTimeout: Math.max(1_000, options.timeoutMs * 4),
    ...options.clusterOptions,
    redisOptions: { ...base, ...options.redisOptions },
  });
}

/** Whether `client` is an ioredis Cluster (checked by shape, so other ioredis copies work). */
export function isCluster(client: RedisClient): client is Cluster {
  return (client as { isCluster?: boolean }).isCluster === true;
}
