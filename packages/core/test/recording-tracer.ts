import type { Attributes, Tracer } from '../src/index.js';

/** A span as {@link createRecordingTracer} keeps it. */
export interface RecordedSpan {
  name: string;
  kind: 'client' | 'internal';
  parent: RecordedSpan | undefined;
  attributes: Attributes;
  errors: unknown[];
  ended: boolean;
}

/** A real Tracer implementation that keeps every span in memory, for assertions. */
export function createRecordingTracer(): Tracer & { spans: RecordedSpan[]; reset(): void } {
  const spans: RecordedSpan[] = [];
  const handles = new WeakMap<object, RecordedSpan>();
  return {
    spans,
    reset: () => {
      spans.length = 0;
    },
    startSpan(name, options) {
      const span: RecordedSpan = {
        name,
        kind: options.kind,
        parent: options.parent ? handles.get(options.parent) : undefined,
        attributes: { ...options.attributes },
        errors: [],
        ended: false,
      };
      spans.push(span);
      const handle = {
        setAttributes: (a: Attributes) => Object.assign(span.attributes, a),
        recordError: (e: unknown) => span.errors.push(e),
        end: () => {
          span.ended = true;
        },
      };
      handles.set(handle, span);
      return handle;
    },
  };
}
