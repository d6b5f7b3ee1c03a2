import { type Context, TraceFlags } from "@opentelemetry/api";
import { core, type tracing } from "@opentelemetry/sdk-node";

/** What happened to the spans, as `Telemetry.shutdown()` reports it. */
export interface SpanExportStats {
  /** Sampled spans that ended. */
  ended: number;
  /** Spans the collector accepted. */
  exported: number;
  /** Spans whose export failed (collector down, 5xx, timeout). */
  failed: number;
  /** Spans that never reached the exporter: the queue was full. */
  dropped: number;
}

/** Counts the sampled spans that end, before the batch processor may drop them. */
export class CountingSpanProcessor implements tracing.SpanProcessor {
  readonly #inner: tracing.SpanProcessor;
  readonly #counts: SpanExportStats;

  constructor(inner: tracing.SpanProcessor, counts: SpanExportStats) {
    this.#inner = inner;
    this.#counts = counts;
  }
  onStart(span: tracing.Span, parentContext: Context): void {
    this.#inner.onStart(span, parentContext);
  }
  onEnd(span: tracing.ReadableSpan): void {
    if (span.spanContext().traceFlags & TraceFlags.SAMPLED) this.#counts.ended++;
    this.#inner.onEnd(span);
  }
  forceFlush(): Promise<void> {
    return this.#inner.forceFlush();
  }
  shutdown(): Promise<void> {
    return this.#inner.shutdown();
  }
}

/** Counts what the exporter delivered and what it failed to. */
export class CountingSpanExporter implements tracing.SpanExporter {
  readonly #inner: tracing.SpanExporter;
  readonly #counts: SpanExportStats;

  constructor(inner: tracing.SpanExporter, counts: SpanExportStats) {
    this.#inner = inner;
    this.#counts = counts;
  }
  export(spans: tracing.ReadableSpan[], done: (result: core.ExportResult) => void): void {
    this.#inner.export(spans, (result) => {
      if (result.code === core.ExportResultCode.SUCCESS) this.#counts.exported += spans.length;
      else this.#counts.failed += spans.length;
      done(result);
    });
  }
  shutdown(): Promise<void> {
    return this.#inner.shutdown();
  }
  forceFlush(): Promise<void> {
    return this.#inner.forceFlush?.() ?? Promise.resolve();
  }
}
