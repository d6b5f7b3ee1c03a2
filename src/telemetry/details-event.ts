import { type Context, diag } from "@opentelemetry/api";
import { INSTRUMENTATION_NAME, VERSION } from "../version.js";
import { loadOptionalPeer } from "./bootstrap/load-optional-peer.js";
import { EVENT_INFERENCE_DETAILS } from "./semconv.js";

/**
 * What this SDK needs of an OpenTelemetry Logs API logger provider. Structural, so that the
 * package's types do not depend on `@opentelemetry/api-logs`: its `LoggerProvider` fits.
 */
export interface EventLoggerProvider {
  getLogger(name: string, version?: string): EventLogger;
}
export interface EventLogger {
  emit(record: { eventName?: string; attributes?: EventAttributes; context?: Context }): void;
}
/** Log attributes may be structured (maps and arrays), unlike span attributes. */
export type EventAttributes = Record<string, unknown>;

type LogsApi = typeof import("@opentelemetry/api-logs");
/** Undefined: not loaded yet; null: not installed. */
let logsApi: LogsApi | null | undefined;

/**
 * Loads `@opentelemetry/api-logs`, an optional peer, once per process: only clients that may
 * emit the event call this, so nobody else pays for it. Synchronously, so that a call made right
 * after the client (a script's one call) already finds the registered logger provider.
 */
export function loadLogsApi(): void {
  if (logsApi !== undefined) return;
  try {
    logsApi = loadOptionalPeer<LogsApi>("@opentelemetry/api-logs") ?? null;
  } catch (error) {
    logsApi = null;
    diag.warn("openrouter-otel: @opentelemetry/api-logs failed to load; no details event", error);
  }
  if (logsApi === null)
    diag.debug("openrouter-otel: @opentelemetry/api-logs is not installed; no details event");
}

const loggers = new WeakMap<EventLoggerProvider, EventLogger>();

/**
 * The logger of the given provider, or of the global one when a provider is registered there.
 * Looked up per call, as the global provider may be registered after the client was made.
 */
export function getEventLogger(provider: EventLoggerProvider | undefined): EventLogger | undefined {
  const source = provider ?? registeredGlobalProvider();
  if (source === undefined) return undefined;
  let logger = loggers.get(source);
  if (logger === undefined) {
    try {
      logger = source.getLogger(INSTRUMENTATION_NAME, VERSION);
    } catch (error) {
      diag.error("openrouter-otel: the logger provider failed; no details event", error);
      return undefined;
    }
    loggers.set(source, logger);
  }
  return logger;
}

function registeredGlobalProvider(): EventLoggerProvider | undefined {
  if (!logsApi) return undefined;
  const provider = logsApi.logs.getLoggerProvider();
  // Without a registered provider the API hands out its own proxy, which records nothing.
  const proxy = (logsApi.logs as unknown as { _proxyLoggerProvider?: unknown })
    ._proxyLoggerProvider;
  return provider === proxy ? undefined : provider;
}

/** Emits `gen_ai.client.inference.operation.details` in the span's context; never throws. */
export function emitDetailsEvent(
  logger: EventLogger,
  attributes: EventAttributes,
  spanContext: Context,
): void {
  try {
    logger.emit({ eventName: EVENT_INFERENCE_DETAILS, attributes, context: spanContext });
  } catch (error) {
    diag.error("openrouter-otel: emitting the details event failed", error);
  }
}
