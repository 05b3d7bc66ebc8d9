// Smoke test: runs the example as a child process, as a user would, and checks its output. The
// example imports the built packages (dist), so `pnpm build` must have run (CI does it first).
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';

const exampleDir = fileURLToPath(new URL('..', import.meta.url));
const packagesDir = fileURLToPath(new URL('../../../packages/', import.meta.url));

interface SpanLine {
  name: string;
  line: string;
  children: SpanLine[];
}

/** Runs the example with `env` added; resolves with its stdout. */
function runExample(env: Record<string, string> = {}): Promise<string> {
  const clean = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !k.startsWith('OTEL_')),
  );
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', 'index.ts'],
      { cwd: exampleDir, env: { ...clean, ...env }, timeout: 30_000 },
      (error, stdout, stderr) =>
        error ? reject(new Error(`example failed: ${error.message}\n${stderr}`)) : resolve(stdout),
    );
  });
}

/** Parses the printed trees: `trace <id>` headers, then one line per span indented 3 characters per level. */
function parseTraces(output: string): Map<string, SpanLine[]> {
  const traces = new Map<string, SpanLine[]>();
  let roots: SpanLine[] | undefined;
  const stack: SpanLine[] = [];
  for (const line of output.split('\n')) {
    const header = /^trace ([0-9a-f]{32})$/.exec(line);
    if (header) {
      roots = [];
      traces.set(header[1]!, roots);
      stack.length = 0;
      continue;
    }
    const span =
      /^((?:[│ ] {2}|[├└]─ )*)(\S.*?) {2}\[(internal|server|client|producer|consumer)\]/u.exec(
        line,
      );
    if (!roots || !span) continue;
    const depth = [...span[1]!].length / 3;
    const node: SpanLine = { name: span[2]!, line, children: [] };
    stack.length = depth;
    if (depth === 0) roots.push(node);
    else stack[depth - 1]!.children.push(node);
    stack.push(node);
  }
  return traces;
}

beforeAll(() => {
  for (const pkg of ['core', 'telemetry']) {
    if (!existsSync(`${packagesDir}${pkg}/dist/index.js`)) {
      throw new Error(`packages/${pkg}/dist is missing: run \`pnpm build\` before this test`);
    }
  }
});

describe('examples/tracing', () => {
  it('prints one trace with nested spans for an uncached and a cached query', async () => {
    const output = await runExample();
    const traces = parseTraces(output);
    const withQueries = [...traces.values()].filter((roots) =>
      JSON.stringify(roots).includes('query docs'),
    );
    expect(withQueries, output).toHaveLength(1);
    const roots = withQueries[0]!;
    expect(roots.map((r) => r.name)).toEqual(['GET /search']);
    const [uncached, cached] = roots[0]!.children;
    expect(roots[0]!.children.map((c) => c.name)).toEqual(['query docs', 'query docs']);
    expect(uncached!.line).toContain('aindusdb.cache.hit=false');
    expect(uncached!.line).toContain('db.system.name=memory');
    expect(uncached!.children.map((c) => c.name)).toEqual(['cache.lookup docs', 'query docs']);
    expect(uncached!.children[1]!.line).toContain('aindusdb.attempt=1');
    expect(cached!.line).toContain('aindusdb.cache.hit=true');
    expect(cached!.children.map((c) => c.name)).toEqual(['cache.lookup docs']);
    // The filter value and the vector never reach a span.
    expect(output).not.toMatch(/lang=en|\[1,0,0,0\]/);
  });

  it('sends the same trace over OTLP/HTTP when OTEL_EXPORTER_OTLP_ENDPOINT is set', async () => {
    // A real OTLP/HTTP receiver on loopback that keeps what it is sent.
    const bodies: unknown[] = [];
    const server = createServer((req: IncomingMessage, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        if (req.method === 'POST' && req.url === '/v1/traces')
          bodies.push(JSON.parse(Buffer.concat(chunks).toString('utf8')));
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const output = await runExample({ OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${port}` });
      expect(output).toMatch(/sent \d+ spans over OTLP\/HTTP/);

      interface OtlpSpan {
        traceId: string;
        spanId: string;
        parentSpanId?: string;
        name: string;
        attributes: { key: string; value: Record<string, unknown> }[];
      }
      interface OtlpBody {
        resourceSpans: {
          resource: { attributes: { key: string; value: { stringValue?: string } }[] };
          scopeSpans: { spans: OtlpSpan[] }[];
        }[];
      }
      const resourceSpans = (bodies as OtlpBody[]).flatMap((b) => b.resourceSpans);
      expect(resourceSpans[0]!.resource.attributes).toContainEqual({
        key: 'service.name',
        value: { stringValue: 'aindusdb-tracing-example' },
      });
      const spans = resourceSpans.flatMap((r) => r.scopeSpans.flatMap((s) => s.spans));
      const request = spans.find((s) => s.name === 'GET /search');
      expect(request).toBeDefined();
      const inRequest = spans.filter((s) => s.traceId === request!.traceId);
      const ops = inRequest.filter((s) => s.parentSpanId === request!.spanId);
      expect(ops.map((s) => s.name)).toEqual(['query docs', 'query docs']);
      const hitOf = (s: OtlpSpan) =>
        s.attributes.find((a) => a.key === 'aindusdb.cache.hit')?.value.boolValue;
      expect(ops.map(hitOf).sort()).toEqual([false, true]);
      const children = (parent: OtlpSpan) =>
        inRequest
          .filter((s) => s.parentSpanId === parent.spanId)
          .map((s) => s.name)
          .sort();
      const miss = ops.find((s) => hitOf(s) === false)!;
      const hit = ops.find((s) => hitOf(s) === true)!;
      expect(children(miss)).toEqual(['cache.lookup docs', 'query docs']);
      expect(children(hit)).toEqual(['cache.lookup docs']);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
