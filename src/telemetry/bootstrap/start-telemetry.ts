import {
  DiagConsoleLogger,
  DiagLogLevel,
  diag,
  type ProxyTracerProvider,
  trace,
} from "@opentelemetry/api";
import { OTLPMetricExporter } from "@opentelemetry/exporter-metrics-otlp-http";
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-http";
import { metrics, NodeSDK, tracing } from "@opentelemetry/sdk-node";
import {
  CountingSpanExporter,
  CountingSpanProcessor,
  type SpanExportStats,
} from "./span-export-counters.js";

/** Where an OTLP/HTTP collector listens by default (the port in `docker-compose.yml`). */
export const DEFAULT_OTLP_ENDPOINT = "http://localhost:4318";
/** `service.name` when neither the options nor the variables name the service. */
export const DEFAULT_SERVICE_NAME = "openrouter-otel-app";
/**
 * Spans the batch processor holds before it drops any: room for a burst of a few thousand
 * calls (the SDK's default, 2048, is close to the edge for a burst of 1,000 calls with
 * their child spans).
 */
export const DEFAULT_MAX_QUEUE_SIZE = 16_384;
export const DEFAULT_MAX_EXPORT_BATCH_SIZE = 1_024;
export const DEFAULT_SCHEDULED_DELAY_MS = 1_000;

export interface TelemetryOptions {
  /**
   * @defaultValue `OTEL_SERVICE_NAME`, else `service.name` in `OTEL_RESOURCE_ATTRIBUTES`, else
   * `"openrouter-otel-app"`
   */
  serviceName?: string | undefined;
  /**
   * OTLP/HTTP base URL; `/v1/traces` and `/v1/metrics` are appended.
   * @defaultValue `OTEL_EXPORTER_OTLP_ENDPOINT`, else `"http://localhost:4318"`
   */
  endpoint?: string | undefined;
  /** Export the GenAI metrics too. @defaultValue `true` */
  metrics?: boolean | undefined;
  /** @defaultValue `60_000` */
  metricExportIntervalMs?: number | undefined;
  /** @defaultValue {@link DEFAULT_MAX_QUEUE_SIZE} */
  maxQueueSize?: number | undefined;
  /** @defaultValue {@link DEFAULT_MAX_EXPORT_BATCH_SIZE} */
  maxExportBatchSize?: number | undefined;
  /** @defaultValue {@link DEFAULT_SCHEDULED_DELAY_MS} */
  scheduledDelayMillis?: number | undefined;
  /**
   * Export over OTLP/HTTP. False keeps only `spanProcessors` (the CLI does so when no
   * collector answers). @defaultValue `true`
   */
  otlp?: boolean | undefined;
  /** More span processors (an in-memory exporter for tests, a console one for debugging). */
  spanProcessors?: tracing.SpanProcessor[] | undefined;
  /**
   * Level of OpenTelemetry's own diagnostics (export failures, dropped spans) on the console.
   * @defaultValue `OTEL_LOG_LEVEL`, else `"warn"`
   */
  diagLogLevel?: "none" | "error" | "warn" | "info" | "debug" | undefined;
}

export interface Telemetry {
  /** Exports what is buffered now. */
  forceFlush(): Promise<void>;
  /** Flushes every buffered span and metric, then stops; reports any loss through `diag`. */
  shutdown(): Promise<SpanExportStats>;
  /** The counts so far. */
  stats(): SpanExportStats;
  /** False when `OTEL_SDK_DISABLED=true`: nothing was started. */
  readonly enabled: boolean;
}

/**
 * Starts OpenTelemetry for an application: a NodeSDK exporting traces (and metrics) over
 * OTLP/HTTP, configured by the standard variables (`OTEL_SERVICE_NAME`,
 * `OTEL_EXPORTER_OTLP_ENDPOINT`, `OTEL_RESOURCE_ATTRIBUTES`, `OTEL_SDK_DISABLED`, ...).
 * Call it before creating clients, and `await telemetry.shutdown()` before exiting.
 */
export function startTelemetry(options: TelemetryOptions = {}): Telemetry {
  const env = process.env;
  const disabled = env.OTEL_SDK_DISABLED?.trim().toLowerCase() === "true";
  const counts: SpanExportStats = { ended: 0, exported: 0, failed: 0, dropped: 0 };
  const stats = (): SpanExportStats => ({
    ...counts,
    dropped: Math.max(0, counts.ended - counts.exported - counts.failed),
  });
  if (disabled) {
    return { enabled: false, forceFlush: async () => {}, shutdown: async () => stats(), stats };
  }
  setDiagLogger(options.diagLogLevel ?? env.OTEL_LOG_LEVEL ?? "warn");

  const endpoint = (
    options.endpoint ??
    env.OTEL_EXPORTER_OTLP_ENDPOINT ??
    DEFAULT_OTLP_ENDPOINT
  ).replace(/\/+$/, "");
  const traceExporter = new CountingSpanExporter(
    new OTLPTraceExporter({
      url: env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ?? `${endpoint}/v1/traces`,
    }),
    counts,
  );
  const batch = new tracing.BatchSpanProcessor(traceExporter, {
    maxQueueSize: options.maxQueueSize ?? DEFAULT_MAX_QUEUE_SIZE,
    maxExportBatchSize: options.maxExportBatchSize ?? DEFAULT_MAX_EXPORT_BATCH_SIZE,
    scheduledDelayMillis: options.scheduledDelayMillis ?? DEFAULT_SCHEDULED_DELAY_MS,
  });
  const otlp = options.otlp !== false;
  const metricReaders =
    options.metrics === false || !otlp
      ? []
      : [
          new metrics.PeriodicExportingMetricReader({
            exporter: new OTLPMetricExporter({
              url: env.OTEL_EXPORTER_OTLP_METRICS_ENDPOINT ?? `${endpoint}/v1/metrics`,
            }),
            exportIntervalMillis: options.metricExportIntervalMs ?? 60_000,
          }),
        ];
  // The default only where nothing names the service (OTEL_RESOURCE_ATTRIBUTES may).
  const serviceName =
    options.serviceName ??
    env.OTEL_SERVICE_NAME ??
    (/(^|,)\s*service\.name=/.test(env.OTEL_RESOURCE_ATTRIBUTES ?? "")
      ? undefined
      : DEFAULT_SERVICE_NAME);
  const sdk = new NodeSDK({
    // Applied after the resource detectors, so the option wins over OTEL_SERVICE_NAME.
    ...(serviceName === undefined ? {} : { serviceName }),
    spanProcessors: [
      ...(otlp ? [new CountingSpanProcessor(batch, counts)] : []),
      ...(options.spanProcessors ?? []),
    ],
    metricReaders,
    instrumentations: [],
  });
  sdk.start();

  let shutdown: Promise<SpanExportStats> | undefined;
  return {
    enabled: true,
    stats,
    async forceFlush() {
      // Every processor of the provider NodeSDK registered, not only the OTLP batch.
      const provider = trace.getTracerProvider() as ProxyTracerProvider;
      await (provider.getDelegate() as { forceFlush?: () => Promise<void> }).forceFlush?.();
    },
    shutdown() {
      shutdown ??= sdk.shutdown().then(
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
