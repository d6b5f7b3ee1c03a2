import { context, diag, metrics, trace } from "@opentelemetry/api";
import type { LoggerProvider, LogRecordLimits } from "@opentelemetry/sdk-logs";
import type { MeterProvider } from "@opentelemetry/sdk-metrics";
import type { BasicTracerProvider } from "@opentelemetry/sdk-trace-base";
import { getGenAIMetrics } from "../gen-ai-metrics.js";
import { resolveSemconvVersion, semconvOf } from "../semconv.js";
import { registerPropagators } from "./propagators.js";
import { loadSdkPackage } from "./sdk-packages.js";
import { buildResource } from "./sdk-resource.js";
import type { SignalPipelines } from "./signal-pipelines.js";

type Core = typeof import("@opentelemetry/core");

/** The providers `startTelemetry` registered, each only when its signal has a pipeline. */
export interface SdkProviders {
  tracerProvider: BasicTracerProvider | undefined;
  meterProvider: MeterProvider | undefined;
  loggerProvider: LoggerProvider | undefined;
}

/**
 * Does what `new NodeSDK({...}).start()` did with our pipelines and no instrumentations: the
 * AsyncLocalStorage context manager, the propagators, and a provider per signal that has
 * somewhere to send it, registered globally. The sampler and the span limits come from the
 * variables (`OTEL_TRACES_SAMPLER`, `OTEL_SPAN_*_LIMIT`), read by the trace SDK itself.
 */
export function startSdkProviders(
  pipelines: SignalPipelines,
  serviceName: string | undefined,
  env: NodeJS.ProcessEnv,
): SdkProviders {
  const core = loadSdkPackage("@opentelemetry/core", "startTelemetry()");
  const { AsyncLocalStorageContextManager } = loadSdkPackage(
    "@opentelemetry/context-async-hooks",
    "startTelemetry()",
  );
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  registerPropagators(env.OTEL_PROPAGATORS);
  const resource = buildResource(serviceName, env);
  // The SDK's own metrics (spans started, queue sizes), opt-in while experimental, as in NodeSDK.
  const sdkMetricsEnabled = core.getBooleanFromEnv("OTEL_NODE_EXPERIMENTAL_SDK_METRICS");

  let meterProvider: MeterProvider | undefined;
  if (pipelines.metricReaders.length > 0) {
    const { MeterProvider } = loadSdkPackage("@opentelemetry/sdk-metrics", "exporting metrics");
    meterProvider = new MeterProvider({
      resource,
      readers: pipelines.metricReaders,
      sdkMetricsEnabled,
    });
    pipelines.chunkHistogram?.register(meterProvider);
    metrics.setGlobalMeterProvider(meterProvider);
    // The GenAI instruments of the conventions' version the variables choose, made now: made by
    // the first call instead, they add to that call's CPU (1.1 to 1.5 ms on Node 24).
    getGenAIMetrics(meterProvider, semconvOf(resolveSemconvVersion(undefined, env)));
  }
  const selfObservation = sdkMetricsEnabled && meterProvider ? { meterProvider } : {};

  let tracerProvider: BasicTracerProvider | undefined;
  if (pipelines.spanProcessors.length > 0) {
    const { BasicTracerProvider } = loadSdkPackage("@opentelemetry/sdk-trace-base", "tracing");
    tracerProvider = new BasicTracerProvider({
      resource,
      spanProcessors: pipelines.spanProcessors,
      ...selfObservation,
    });
    trace.setGlobalTracerProvider(tracerProvider);
  }

  // None without a log exporter: the Logs API stays a no-op, so emitting an event costs nothing.
  let loggerProvider: LoggerProvider | undefined;
  if (pipelines.logRecordProcessors.length > 0) {
    const { LoggerProvider } = loadSdkPackage("@opentelemetry/sdk-logs", "exporting logs");
    const { logs } = loadSdkPackage("@opentelemetry/api-logs", "exporting logs");
    loggerProvider = new LoggerProvider({
      resource,
      processors: pipelines.logRecordProcessors,
      logRecordLimits: logRecordLimits(core),
      ...selfObservation,
    });
    logs.setGlobalLoggerProvider(loggerProvider);
  }
  return { tracerProvider, meterProvider, loggerProvider };
}

/** The limits NodeSDK read from the variables (the logs SDK reads none itself). */
function logRecordLimits(core: Core): LogRecordLimits {
  const limits: LogRecordLimits = {};
  const count =
    positiveNumber(core, "OTEL_LOGRECORD_ATTRIBUTE_COUNT_LIMIT") ??
    positiveNumber(core, "OTEL_ATTRIBUTE_COUNT_LIMIT");
  const length =
    positiveNumber(core, "OTEL_LOGRECORD_ATTRIBUTE_VALUE_LENGTH_LIMIT") ??
    positiveNumber(core, "OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT");
  if (count !== undefined) limits.attributeCountLimit = count;
  if (length !== undefined) limits.attributeValueLengthLimit = length;
  return limits;
}

/** A number variable above 0, as NodeSDK read the log record limits (else the SDK's default). */
function positiveNumber(core: Core, name: string): number | undefined {
  const value = core.getNumberFromEnv(name);
  if (value === undefined || value > 0) return value;
  diag.warn(`${name} (${value}) is invalid, expected number greater than 0, using default.`);
  return undefined;
}
