// A console exporter that prints each trace as an indented tree once the provider shuts down,
// so parent/child structure is visible at a glance (the SDK's ConsoleSpanExporter prints flat objects).
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-base';

const KIND: Record<number, string> = {
  [SpanKind.INTERNAL]: 'internal',
  [SpanKind.SERVER]: 'server',
  [SpanKind.CLIENT]: 'client',
  [SpanKind.PRODUCER]: 'producer',
  [SpanKind.CONSUMER]: 'consumer',
};

const ms = (span: ReadableSpan) => (span.duration[0] * 1e3 + span.duration[1] / 1e6).toFixed(2);
const startOf = (span: ReadableSpan) => span.startTime[0] * 1e9 + span.startTime[1];

function describe(span: ReadableSpan): string {
  const attributes = Object.entries(span.attributes).map(([k, v]) => `${k}=${v}`);
  const status =
    span.status.code === SpanStatusCode.ERROR ? ` ERROR(${span.status.message ?? ''})` : '';
  return `${span.name}  [${KIND[span.kind]}] ${ms(span)} ms${status}  ${attributes.join(' ')}`.trimEnd();
}

/** Collects finished spans; prints one tree per trace (in start order) on shutdown. */
export function createTreeExporter(write: (line: string) => void = console.log): SpanExporter {
  const spans: ReadableSpan[] = [];
  let printed = false;
  const print = () => {
    if (printed) return;
    printed = true;
    const byTrace = new Map<string, ReadableSpan[]>();
    for (const span of [...spans].sort((a, b) => startOf(a) - startOf(b))) {
      const id = span.spanContext().traceId;
      byTrace.set(id, [...(byTrace.get(id) ?? []), span]);
    }
    for (const [traceId, members] of byTrace) {
      const ids = new Set(members.map((s) => s.spanContext().spanId));
      const children = (parent: ReadableSpan | undefined) =>
        members.filter((s) =>
          parent
            ? s.parentSpanContext?.spanId === parent.spanContext().spanId
            : !s.parentSpanContext || !ids.has(s.parentSpanContext.spanId),
        );
      const walk = (span: ReadableSpan, prefix: string, last: boolean, root: boolean) => {
        write(root ? describe(span) : `${prefix}${last ? '└─ ' : '├─ '}${describe(span)}`);
        const next = root ? '' : `${prefix}${last ? '   ' : '│  '}`;
        const kids = children(span);
        kids.forEach((kid, i) => {
          walk(kid, next, i === kids.length - 1, false);
        });
      };
      write(`trace ${traceId}`);
      for (const root of children(undefined)) walk(root, '', true, true);
      write('');
    }
  };
  return {
    export(batch, done) {
      spans.push(...batch);
      done({ code: 0 });
    },
    async shutdown() {
      print();
    },
    async forceFlush() {},
  };
}
