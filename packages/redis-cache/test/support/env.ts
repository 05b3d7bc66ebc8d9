import { randomBytes } from 'node:crypto';
import { Cluster, Redis } from 'ioredis';

/** Reads a service variable; a missing one fails the suite (CI must never skip silently). */
export function requireEnv(name: 'AINDUS_REDIS_URL' | 'AINDUS_REDIS_CLUSTER_NODES'): string {
  const value = process.env[name];
  if (!value) {
    throw new Error(
      `${name} is not set. Start the test services first: eval "$(bash scripts/services.sh up)"`,
    );
  }
  return value;
}

/** The shared standalone Redis. */
export const redisUrl = () => requireEnv('AINDUS_REDIS_URL');

/** The shared cluster's seed nodes, `host:port`. */
export const clusterNodes = () => requireEnv('AINDUS_REDIS_CLUSTER_NODES').split(',');

/** A key prefix no other test run uses, so tests share the servers without seeing each other. */
export const uniquePrefix = (label: string) =>
  `t-${label}-${process.pid}-${randomBytes(4).toString('hex')}`;

/** Deletes every key of a test prefix (epochs have no TTL), on a standalone server or a cluster. */
export async function deletePrefix(
  target: { url: string } | { clusterNodes: string[] },
  prefix: string,
): Promise<void> {
  const patterns = [`{${prefix}:*`, `${prefix}:*`];
  const sweep = async (node: Redis) => {
    for (const match of patterns) {
      let cursor = '0';
      // Bounded: a test prefix holds at most a few thousand keys.
      for (let round = 0; round < 1_000; round++) {
        const [next, found] = await node.scan(cursor, 'MATCH', match, 'COUNT', 1_000);
        for (const key of found) await node.del(key);
        cursor = next;
        if (cursor === '0') break;
      }
    }
  };
  if ('url' in target) {
    const node = new Redis(target.url, { lazyConnect: true });
    try {
      await node.connect();
      await sweep(node);
    } finally {
      node.disconnect();
    }
    return;
  }
  const cluster = new Cluster(
    target.clusterNodes.map((n) => ({ host: n.split(':')[0]!, port: Number(n.split(':')[1]) })),
  );
  try {
    await new Promise<void>((resolve, reject) => {
      cluster.once('ready', () => resolve());
      cluster.once('error', reject);
    });
    for (const node of cluster.nodes('master')) await sweep(node);
  } finally {
    cluster.disconnect();
  }
}
