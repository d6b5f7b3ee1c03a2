import { logs, metrics, tracing } from "@opentelemetry/sdk-node";
import type { OtlpExporters } from "./otlp-exporters.js";
import {
  CountingSpanExporter,
  CountingSpanProcessor,
  type SpanExportStats,
} from "./span-export-counters.js";
import type { TelemetrySettings } from "./telemetry-settings.js";

export interface SignalPipelines {
  spanProcessors: tracing.SpanProcessor[];
  metricReaders: metrics.MetricReader[];
  logRecordProcessors: logs.LogRecordProcessor[];
}

/**
 * The processors and readers of each signal: OTLP in batches (spans counted for
 * `Telemetry.stats()`), the console exporters one by one, as the specification's
 * `OTEL_<SIGNAL>_EXPORTER=console` asks.
 */
export function buildSignalPipelines(
  settings: TelemetrySettings,
  exporters: OtlpExporters,
  counts: SpanExportStats,
): SignalPipelines {
  const pipelines: SignalPipelines = {
    spanProcessors: [],
    metricReaders: [],
    logRecordProcessors: [],
  };
  if (exporters.traces !== undefined) {
    const processor = new tracing.BatchSpanProcessor(
      new CountingSpanExporter(exporters.traces, counts),
      defined(settings.batch),
    );
    pipelines.spanProcessors.push(new CountingSpanProcessor(processor, counts));
  }
  if (settings.traces.exporters.includes("console")) {
    pipelines.spanProcessors.push(
      new tracing.SimpleSpanProcessor(new tracing.ConsoleSpanExporter()),
    );
  }
  const exportIntervalMillis = settings.metricExportIntervalMs;
  if (exporters.metrics !== undefined) {
    pipelines.metricReaders.push(
      new metrics.PeriodicExportingMetricReader({
        exporter: exporters.metrics,
        exportIntervalMillis,
      }),
    );
  }
  if (settings.metrics.exporters.includes("console")) {
    pipelines.metricReaders.push(
      new metrics.PeriodicExportingMetricReader({
        exporter: new metrics.ConsoleMetricExporter(),
        exportIntervalMillis,
      }),
    );
  }
  if (exporters.logs !== undefined) {
    pipelines.logRecordProcessors.push(
      new logs.BatchLogRecordProcessor({ exporter: exporters.logs, ...defined(settings.logBatch) }),
    );
  }
  if (settings.logs.exporters.includes("console")) {
    pipelines.logRecordProcessors.push(
      new logs.SimpleLogRecordProcessor({ exporter: new logs.ConsoleLogRecordExporter() }),
    );
  }
  return pipelines;
}

/** The settings that have a value (`exactOptionalPropertyTypes` keeps `undefined` out). */
function defined<T extends object>(settings: T): { [K in keyof T]?: Exclude<T[K], undefined> } {
  return Object.fromEntries(
    Object.entries(settings).filter(([, value]) => value !== undefined),
  ) as { [K in keyof T]?: Exclude<T[K], undefined> };
}
