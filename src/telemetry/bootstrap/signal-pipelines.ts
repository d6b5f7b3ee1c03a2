import type { LogRecordProcessor } from "@opentelemetry/sdk-logs";
import type { MetricReader, PushMetricExporter } from "@opentelemetry/sdk-metrics";
import type { SpanProcessor } from "@opentelemetry/sdk-trace-base";
import { aggregateCallHistogramsToo, ChunkHistogram } from "./chunk-histogram.js";
import type { OtlpExporters } from "./otlp-exporters.js";
import { loadSdkPackage } from "./sdk-packages.js";
import {
  CountingSpanExporter,
  CountingSpanProcessor,
  type SpanExportStats,
} from "./span-export-counters.js";
import type { TelemetrySettings } from "./telemetry-settings.js";

export interface SignalPipelines {
  spanProcessors: SpanProcessor[];
  metricReaders: MetricReader[];
  /** The per-chunk histogram, fed to every reader: registered with the meter provider. */
  chunkHistogram: ChunkHistogram | undefined;
  logRecordProcessors: LogRecordProcessor[];
}

/**
 * The processors and readers of each signal: OTLP in batches (spans counted for
 * `Telemetry.stats()`), the console exporters one by one, as the specification's
 * `OTEL_<SIGNAL>_EXPORTER=console` asks. A signal's SDK package is loaded only when that signal
 * has somewhere to go.
 */
export function buildSignalPipelines(
  settings: TelemetrySettings,
  exporters: OtlpExporters,
  counts: SpanExportStats,
): SignalPipelines {
  return {
    spanProcessors: spanProcessors(settings, exporters, counts),
    ...metricReaders(settings, exporters),
    logRecordProcessors: logRecordProcessors(settings, exporters),
  };
}

function spanProcessors(
  settings: TelemetrySettings,
  exporters: OtlpExporters,
  counts: SpanExportStats,
): SpanProcessor[] {
  const console = settings.traces.exporters.includes("console");
  if (exporters.traces === undefined && !console) return [];
  const tracing = loadSdkPackage("@opentelemetry/sdk-trace-base", "exporting traces");
  const processors: SpanProcessor[] = [];
  if (exporters.traces !== undefined) {
    const processor = new tracing.BatchSpanProcessor(
      new CountingSpanExporter(exporters.traces, counts),
      defined(settings.batch),
    );
    processors.push(new CountingSpanProcessor(processor, counts));
  }
  if (console) processors.push(new tracing.SimpleSpanProcessor(new tracing.ConsoleSpanExporter()));
  return processors;
}

function metricReaders(
  settings: TelemetrySettings,
  exporters: OtlpExporters,
): Pick<SignalPipelines, "metricReaders" | "chunkHistogram"> {
  const console = settings.metrics.exporters.includes("console");
  const metricExporters: PushMetricExporter[] = [];
  if (exporters.metrics !== undefined) metricExporters.push(exporters.metrics);
  if (metricExporters.length === 0 && !console)
    return { metricReaders: [], chunkHistogram: undefined };
  const metrics = loadSdkPackage("@opentelemetry/sdk-metrics", "exporting metrics");
  if (console) metricExporters.push(new metrics.ConsoleMetricExporter());
  // No View reaches this provider: every histogram of a call can be the package's.
  const chunkHistogram = aggregateCallHistogramsToo(new ChunkHistogram());
  const metricReaders = metricExporters.map((exporter) =>
    chunkHistogram.reader(
      (metricProducers) =>
        new metrics.PeriodicExportingMetricReader({
          exporter,
          exportIntervalMillis: settings.metricExportIntervalMs,
          metricProducers,
        }),
    ),
  );
  return { metricReaders, chunkHistogram };
}

function logRecordProcessors(
  settings: TelemetrySettings,
  exporters: OtlpExporters,
): LogRecordProcessor[] {
  const console = settings.logs.exporters.includes("console");
  if (exporters.logs === undefined && !console) return [];
  const logs = loadSdkPackage("@opentelemetry/sdk-logs", "exporting logs");
  const processors: LogRecordProcessor[] = [];
  if (exporters.logs !== undefined) {
    processors.push(
      new logs.BatchLogRecordProcessor({ exporter: exporters.logs, ...defined(settings.logBatch) }),
    );
  }
  if (console) {
    processors.push(
      new logs.SimpleLogRecordProcessor({ exporter: new logs.ConsoleLogRecordExporter() }),
    );
  }
  return processors;
}

/** The settings that have a value (`exactOptionalPropertyTypes` keeps `undefined` out). */
function defined<T extends object>(settings: T): { [K in keyof T]?: Exclude<T[K], undefined> } {
  return Object.fromEntries(
    Object.entries(settings).filter(([, value]) => value !== undefined),
  ) as { [K in keyof T]?: Exclude<T[K], undefined> };
}
