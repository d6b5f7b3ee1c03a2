import { type Context, TraceFlags } from "@opentelemetry/api";
import type { ExportResult, ExportResultCode } from "@opentelemetry/core";
import type {
  ReadableSpan,
  Span,
  SpanExporter,
  SpanProcessor,
} from "@opentelemetry/sdk-trace-base";

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
export class CountingSpanProcessor implements SpanProcessor {
  readonly #inner: SpanProcessor;
  readonly #counts: SpanExportStats;

  constructor(inner: SpanProcessor, counts: SpanExportStats) {
    this.#inner = inner;
    this.#counts = counts;
  }
  onStart(span: Span, parentContext: Context): void {
    this.#inner.onStart(span, parentContext);
  }
  onEnd(span: ReadableSpan): void {
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

/** `ExportResultCode.SUCCESS`, without loading `@opentelemetry/core` for one constant. */
const SUCCESS = 0 as ExportResultCode.SUCCESS;

/** Counts what the exporter delivered and what it failed to. */
export class CountingSpanExporter implements SpanExporter {
  readonly #inner: SpanExporter;
  readonly #counts: SpanExportStats;

  constructor(inner: SpanExporter, counts: SpanExportStats) {
    this.#inner = inner;
    this.#counts = counts;
  }
  export(spans: ReadableSpan[], done: (result: ExportResult) => void): void {
    this.#inner.export(spans, (result) => {
      if (result.code === SUCCESS) this.#counts.exported += spans.length;
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
