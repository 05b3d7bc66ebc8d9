import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const exampleDir = join(dirname(fileURLToPath(import.meta.url)), '..');

/** Runs the quickstart as `pnpm quickstart` does (tsx in the example directory), bounded to 90 s. */
function runQuickstart(): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'index.ts'], {
      cwd: exampleDir,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`quickstart did not finish within 90 s:\n${stdout}\n${stderr}`));
    }, 90_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

describe('examples/quickstart', () => {
  it('runs with no servers, persists, reopens, and reports recall and latency', async () => {
    const { code, stdout, stderr } = await runQuickstart();
    expect(code, stderr).toBe(0);
    expect(stdout).toMatch(/upserted 5000 records into "docs"/);
    expect(stdout).toMatch(/^nearest: doc-\d+ \(topic 3,/m);
    expect(stdout).toMatch(/^lang=de, year>=2020: doc-\d+ \(de, 202\d\).* complete=true$/m);
    expect(stdout).toMatch(/^reopened: 5000 records in \d+ ms$/m);
    const recall = Number(/recall@10 vs exact search: ([\d.]+)/.exec(stdout)?.[1]);
    expect(recall).toBeGreaterThanOrEqual(0.95);
    expect(stdout).toMatch(/query latency: p50 [\d.]+ ms, p95 [\d.]+ ms/);
    // The data directory is the example's own, wiped at each start.
    expect(
      existsSync(join(exampleDir, '.data', 'quickstart', 'collections', 'docs', 'MANIFEST')),
    ).toBe(true);
  }, 120_000);
});
