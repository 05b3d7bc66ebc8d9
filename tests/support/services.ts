import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));

/** Reads a variable exported by `scripts/services.sh`; fails loudly (never skips) when missing. */
export function requireEnv(name: string): string {
  const value = process.env[name];
  if (!value) {
    throw new Error(
      `${name} is not set: run the tests through scripts/test.sh, or eval "$(bash scripts/services.sh up)" first`,
    );
  }
  return value;
}

/** Connection URLs of the test PostgreSQL primary and replicas. */
export function pgUrls(): { primary: string; replicas: string[] } {
  return {
    primary: requireEnv('AINDUS_PG_URL'),
    replicas: requireEnv('AINDUS_PG_REPLICA_URLS').split(','),
  };
}

/** Port of a connection URL. */
export function portOf(url: string): number {
  return Number(new URL(url).port);
}

/** Stops or starts one service through the provisioning script (real processes). */
export function serviceCtl(command: 'stop' | 'start', name: string, ...flags: string[]): void {
  execFileSync('bash', [join(root, 'scripts/services.sh'), command, name, ...flags], {
    stdio: ['ignore', 'ignore', 'inherit'],
    timeout: 180_000,
  });
}

/** Kills a PostgreSQL node's postmaster with SIGKILL, as a crash would. */
export function killPgNode(node: 'primary' | 'replica1' | 'replica2'): void {
  const pidFile = join(requireEnv('AINDUS_SERVICES_DIR'), 'pg', node, 'postmaster.pid');
  const pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
  process.kill(pid, 'SIGKILL');
}
