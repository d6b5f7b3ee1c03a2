import {
  BasicTracerProvider,
  type ReadableSpan,
  type Span,
  type SpanProcessor,
} from "@opentelemetry/sdk-trace-base";

/**
 * A tracer provider that counts every `end()` call of every span it starts: the SDK drops a
 * second `end()` with a log line and calls `onEnd` once, so `onEnd` alone cannot see a span
 * ended twice. `endCounts()` lists each started span with its number of `end()` calls.
 */
export function createSpanLedger() {
  const started: Array<{ name: string; id: string; ends: number }> = [];
  const finished: ReadableSpan[] = [];
  const processor: SpanProcessor = {
    onStart(span: Span) {
      const entry = { name: span.name, id: span.spanContext().spanId, ends: 0 };
      started.push(entry);
      const end = span.end.bind(span);
      span.end = (endTime) => {
        entry.ends++;
        end(endTime);
      };
    },
    onEnd(span: ReadableSpan) {
      finished.push(span);
    },
    forceFlush: async () => {},
    shutdown: async () => {},
  };
  return {
    tracerProvider: new BasicTracerProvider({ spanProcessors: [processor] }),
    /** The ended spans, in the order they ended. */
    spans: (): ReadableSpan[] => finished,
    /** The span named `name`; throws unless exactly one has ended. */
    span(name: string): ReadableSpan {
      const matches = finished.filter((span) => span.name === name);
      if (matches.length !== 1) throw new Error(`${matches.length} spans named "${name}"`);
      return matches[0]!;
    },
    /** Every started span as `name: end() calls`: all should read 1. */
    endCounts: (): string[] => started.map((entry) => `${entry.name}: ${entry.ends}`),
  };
}

/** What `endCounts()` reads when each of the named spans ended exactly once. */
export function endedOnce(...names: string[]): string[] {
  return names.map((name) => `${name}: 1`);
}
