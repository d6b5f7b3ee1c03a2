import {
  DiagConsoleLogger,
  DiagLogLevel,
  diag,
  type ProxyTracerProvider,
  trace,
} from "@opentelemetry/api";
import type { LoggerProvider, logs } from "@opentelemetry/api-logs";
import { NodeSDK, type tracing } from "@opentelemetry/sdk-node";
import { loadOptionalPeer } from "./load-optional-peer.js";
import { createOtlpExporters } from "./otlp-exporters.js";
import { buildSignalPipelines } from "./signal-pipelines.js";
import type { SpanExportStats } from "./span-export-counters.js";
import { type ExportOptions, resolveTelemetrySettings } from "./telemetry-settings.js";

/** `service.name` when neither the options nor the variables name the service. */
export const DEFAULT_SERVICE_NAME = "openrouter-otel-app";

export interface TelemetryOptions extends ExportOptions {
  /**
   * @defaultValue `OTEL_SERVICE_NAME`, else `service.name` in `OTEL_RESOURCE_ATTRIBUTES`, else
   * `"openrouter-otel-app"`
   */
  serviceName?: string | undefined;
  /** More span processors (an in-memory exporter for tests, a console one for debugging). */
  spanProcessors?: tracing.SpanProcessor[] | undefined;
  /**
   * Level of OpenTelemetry's own diagnostics (export failures, dropped spans) on the console.
   * @defaultValue `OTEL_LOG_LEVEL`, else `"warn"`
   */
  diagLogLevel?: "none" | "error" | "warn" | "info" | "debug" | undefined;
}

export interface Telemetry {
  /** Exports what is buffered now: spans, metrics and log records. */
  forceFlush(): Promise<void>;
  /** Flushes every buffered span, metric and log record, then stops; reports any loss through `diag`. */
  shutdown(): Promise<SpanExportStats>;
  /** The counts so far (spans exported over OTLP). */
  stats(): SpanExportStats;
  /** False when `OTEL_SDK_DISABLED=true`: nothing was started. */
  readonly enabled: boolean;
}

/**
 * Starts OpenTelemetry for an application: a NodeSDK exporting traces, metrics and log records
 * (the GenAI events) over OTLP/HTTP, configured by the standard variables of the specification
 * (`OTEL_EXPORTER_OTLP_*`, `OTEL_<SIGNAL>_EXPORTER`, `OTEL_BSP_*`, `OTEL_TRACES_SAMPLER`,
 * `OTEL_SDK_DISABLED`, ...; the README's table lists each); an option wins over its variable.
 * Call it before creating clients, and `await telemetry.shutdown()` before exiting.
 *
 * @throws when a variable asks for `http/protobuf` and the protobuf exporter is not installed.
 */
export function startTelemetry(options: TelemetryOptions = {}): Telemetry {
  const env = process.env;
  const counts: SpanExportStats = { ended: 0, exported: 0, failed: 0, dropped: 0 };
  const stats = (): SpanExportStats => ({
    ...counts,
    dropped: Math.max(0, counts.ended - counts.exported - counts.failed),
  });
  if (env.OTEL_SDK_DISABLED?.trim().toLowerCase() === "true") {
    return { enabled: false, forceFlush: async () => {}, shutdown: async () => stats(), stats };
  }
  const diagLogLevel = options.diagLogLevel ?? env.OTEL_LOG_LEVEL ?? "warn";
  setDiagLogger(diagLogLevel);

  const settings = resolveTelemetrySettings(options, env);
  const pipelines = buildSignalPipelines(settings, createOtlpExporters(settings), counts);
  // The default only where nothing names the service (OTEL_RESOURCE_ATTRIBUTES may).
  const serviceName =
    options.serviceName ??
    env.OTEL_SERVICE_NAME ??
    (/(^|,)\s*service\.name=/.test(env.OTEL_RESOURCE_ATTRIBUTES ?? "")
      ? undefined
      : DEFAULT_SERVICE_NAME);
  const logsApi =
    loadOptionalPeer<typeof import("@opentelemetry/api-logs")>("@opentelemetry/api-logs")?.logs;
  const loggerProviderBefore = logsApi?.getLoggerProvider();
  // NodeSDK sets its own logger from OTEL_LOG_LEVEL, with a warning that it replaces one: none
  // is set while it is built, and ours comes back after, so the option keeps winning.
  diag.disable();
  const sdk = new NodeSDK({
    // Applied after the resource detectors, so the option wins over OTEL_SERVICE_NAME.
    ...(serviceName === undefined ? {} : { serviceName }),
    spanProcessors: [...pipelines.spanProcessors, ...(options.spanProcessors ?? [])],
    metricReaders: pipelines.metricReaders,
    // Always given: left out, NodeSDK would build its own logs pipeline from the variables,
    // blind to the options (`endpoint`, `otlp: false`).
    logRecordProcessors: pipelines.logRecordProcessors,
    instrumentations: [],
  });
  setDiagLogger(diagLogLevel);
  sdk.start();
  if (pipelines.logRecordProcessors.length === 0)
    unregisterEmptyLoggerProvider(logsApi, loggerProviderBefore);

  const forceFlush = async () => {
    // Every processor of the provider NodeSDK registered, not only the OTLP batch.
    const provider = trace.getTracerProvider() as ProxyTracerProvider;
    await Promise.all([
      (provider.getDelegate() as { forceFlush?: () => Promise<void> }).forceFlush?.(),
      ...pipelines.metricReaders.map((reader) => reader.forceFlush()),
      ...pipelines.logRecordProcessors.map((processor) => processor.forceFlush()),
    ]);
  };
  let shutdown: Promise<SpanExportStats> | undefined;
  return {
    enabled: true,
    stats,
    forceFlush,
    shutdown() {
      // Flushed first: a simple processor's shutdown (the console exporters') does not wait
      // for the exports it has started.
      // A failed flush shows in the counts that reportLoss reads; the SDK still shuts down.
      shutdown ??= forceFlush()
        .catch(() => {})
        .then(() => sdk.shutdown())
        .then(
          () => reportLoss(stats()),
          (error: unknown) => {
            diag.error("openrouter-otel: telemetry shutdown failed", error);
            return reportLoss(stats());
          },
        );
      return shutdown;
    },
  };
}

/**
 * With no log exporter, the logger provider NodeSDK registered would only make every event
 * be built for nothing: the Logs API goes back to its no-op, so emitting costs nothing.
 */
function unregisterEmptyLoggerProvider(
  logsApi: typeof logs | undefined,
  before: LoggerProvider | undefined,
): void {
  if (logsApi !== undefined && logsApi.getLoggerProvider() !== before) logsApi.disable();
}

function reportLoss(stats: SpanExportStats): SpanExportStats {
  if (stats.failed > 0 || stats.dropped > 0) {
    diag.warn(
      `openrouter-otel: ${stats.failed} span(s) failed to export and ${stats.dropped} were dropped ` +
        `(queue full) out of ${stats.ended}; check OTEL_EXPORTER_OTLP_ENDPOINT and the collector`,
    );
  }
  return stats;
}

const DIAG_LEVELS: Record<string, DiagLogLevel> = {
  none: DiagLogLevel.NONE,
  error: DiagLogLevel.ERROR,
  warn: DiagLogLevel.WARN,
  info: DiagLogLevel.INFO,
  debug: DiagLogLevel.DEBUG,
  verbose: DiagLogLevel.VERBOSE,
  all: DiagLogLevel.ALL,
};

function setDiagLogger(level: string): void {
  const logLevel = DIAG_LEVELS[level.trim().toLowerCase()] ?? DiagLogLevel.WARN;
  diag.setLogger(new DiagConsoleLogger(), { logLevel, suppressOverrideMessage: true });
}
