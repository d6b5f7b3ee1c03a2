import { DiagConsoleLogger, DiagLogLevel, diag } from "@opentelemetry/api";
import type { SpanProcessor } from "@opentelemetry/sdk-trace-base";
import { createOtlpExporters } from "./otlp-exporters.js";
import { startSdkProviders } from "./sdk-providers.js";
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
  spanProcessors?: SpanProcessor[] | undefined;
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
 * Starts OpenTelemetry for an application: the SDK's providers exporting traces, metrics and log records
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
  pipelines.spanProcessors.push(...(options.spanProcessors ?? []));
  const providers = startSdkProviders(pipelines, serviceName, env);
  const started = [providers.tracerProvider, providers.meterProvider, providers.loggerProvider];

  // Every processor of each provider: the OTLP batches, the console ones and the option's.
  const forceFlush = async () => {
    await Promise.all(started.map((provider) => provider?.forceFlush()));
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
        .then(() => Promise.all(started.map((provider) => provider?.shutdown())))
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
