import { diag } from "@opentelemetry/api";

/** The three signals, named as in their OTLP/HTTP paths (`/v1/traces`, ...). */
export type Signal = "traces" | "metrics" | "logs";
/** The OTLP/HTTP encodings `startTelemetry` can send (`grpc` is not one of them). */
export type OtlpProtocol = "http/protobuf" | "http/json";
export type ExporterKind = "otlp" | "console";

export interface SignalSettings {
  /** Where the signal goes; empty when `OTEL_<SIGNAL>_EXPORTER=none`. */
  exporters: ExporterKind[];
  protocol: OtlpProtocol;
  /**
   * Whether a variable named `http/protobuf`: a missing protobuf exporter is then an error,
   * while the default falls back to `http/json`.
   */
  protocolRequested: boolean;
  /** The full export URL, `/v1/<signal>` included. */
  url: string;
}

export interface BatchSettings {
  maxQueueSize: number;
  maxExportBatchSize: number;
  scheduledDelayMillis: number;
  exportTimeoutMillis: number | undefined;
}

/** The log batch processor's settings; `undefined` leaves the SDK's default. */
export type LogBatchSettings = { [K in keyof BatchSettings]: number | undefined };

export interface TelemetrySettings {
  traces: SignalSettings;
  metrics: SignalSettings;
  logs: SignalSettings;
  batch: BatchSettings;
  logBatch: LogBatchSettings;
  metricExportIntervalMs: number;
}

/** The options of `startTelemetry` that a variable may also set (the option wins). */
export interface ExportOptions {
  /**
   * OTLP/HTTP base URL; `/v1/traces`, `/v1/metrics` and `/v1/logs` are appended. A per-signal
   * variable (`OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`, ...) still wins for its signal.
   * @defaultValue `OTEL_EXPORTER_OTLP_ENDPOINT`, else `"http://localhost:4318"`
   */
  endpoint?: string | undefined;
  /** Export the GenAI metrics too (false wins over `OTEL_METRICS_EXPORTER`). @defaultValue `true` */
  metrics?: boolean | undefined;
  /** @defaultValue `OTEL_METRIC_EXPORT_INTERVAL`, else `60_000` */
  metricExportIntervalMs?: number | undefined;
  /** @defaultValue `OTEL_BSP_MAX_QUEUE_SIZE`, else {@link DEFAULT_MAX_QUEUE_SIZE} */
  maxQueueSize?: number | undefined;
  /** @defaultValue `OTEL_BSP_MAX_EXPORT_BATCH_SIZE`, else {@link DEFAULT_MAX_EXPORT_BATCH_SIZE} */
  maxExportBatchSize?: number | undefined;
  /** @defaultValue `OTEL_BSP_SCHEDULE_DELAY`, else {@link DEFAULT_SCHEDULED_DELAY_MS} */
  scheduledDelayMillis?: number | undefined;
  /** How long one span export may take. @defaultValue `OTEL_BSP_EXPORT_TIMEOUT`, else `30_000` */
  exportTimeoutMillis?: number | undefined;
  /**
   * Export over OTLP/HTTP. False keeps only `spanProcessors` and the console exporters (the CLI
   * does so when no collector answers). @defaultValue `true`
   */
  otlp?: boolean | undefined;
}

/** Where an OTLP/HTTP collector listens by default (the port in `docker-compose.yml`). */
export const DEFAULT_OTLP_ENDPOINT = "http://localhost:4318";
/**
 * Spans the batch processor holds before it drops any: room for a burst of a few thousand
 * calls (the SDK's default, 2048, is close to the edge for a burst of 1,000 calls with
 * their child spans).
 */
export const DEFAULT_MAX_QUEUE_SIZE = 16_384;
export const DEFAULT_MAX_EXPORT_BATCH_SIZE = 1_024;
export const DEFAULT_SCHEDULED_DELAY_MS = 1_000;
/** The specification's default for `OTEL_METRIC_EXPORT_INTERVAL`. */
export const DEFAULT_METRIC_EXPORT_INTERVAL_MS = 60_000;

const SIGNAL_NAMES: Record<Signal, string> = {
  traces: "TRACES",
  metrics: "METRICS",
  logs: "LOGS",
};

/**
 * What `startTelemetry` does, from its options and the standard variables of the
 * specification (https://opentelemetry.io/docs/specs/otel/configuration/sdk-environment-variables/).
 * An option wins over its variable; an invalid variable is ignored with a `diag` warning.
 */
export function resolveTelemetrySettings(
  options: ExportOptions,
  env: NodeJS.ProcessEnv,
): TelemetrySettings {
  const read = (name: string): string | undefined => env[name]?.trim() || undefined;
  const base = (options.endpoint ?? read("OTEL_EXPORTER_OTLP_ENDPOINT") ?? DEFAULT_OTLP_ENDPOINT)
    .trim()
    .replace(/\/+$/, "");
  const signal = (name: Signal): SignalSettings => {
    const upper = SIGNAL_NAMES[name];
    const protocol = readProtocol(
      read(`OTEL_EXPORTER_OTLP_${upper}_PROTOCOL`) ?? read("OTEL_EXPORTER_OTLP_PROTOCOL"),
    );
    let exporters = readExporters(`OTEL_${upper}_EXPORTER`, read(`OTEL_${upper}_EXPORTER`));
    if (options.otlp === false) exporters = exporters.filter((kind) => kind !== "otlp");
    if (name === "metrics" && options.metrics === false) exporters = [];
    return {
      exporters,
      ...protocol,
      // The per-signal endpoint is used as it is; the base one gets the signal's path.
      url: read(`OTEL_EXPORTER_OTLP_${upper}_ENDPOINT`) ?? `${base}/v1/${name}`,
    };
  };
  const number = (name: string, minimum: 0 | 1) => readNumber(name, read(name), minimum);
  const maxQueueSize =
    options.maxQueueSize ?? number("OTEL_BSP_MAX_QUEUE_SIZE", 1) ?? DEFAULT_MAX_QUEUE_SIZE;
  return {
    traces: signal("traces"),
    metrics: signal("metrics"),
    logs: signal("logs"),
    batch: {
      maxQueueSize,
      // The default batch never exceeds a smaller queue (the SDK would warn and clamp it).
      maxExportBatchSize:
        options.maxExportBatchSize ??
        number("OTEL_BSP_MAX_EXPORT_BATCH_SIZE", 1) ??
        Math.min(DEFAULT_MAX_EXPORT_BATCH_SIZE, maxQueueSize),
      scheduledDelayMillis:
        options.scheduledDelayMillis ??
        number("OTEL_BSP_SCHEDULE_DELAY", 0) ??
        DEFAULT_SCHEDULED_DELAY_MS,
      exportTimeoutMillis: options.exportTimeoutMillis ?? number("OTEL_BSP_EXPORT_TIMEOUT", 0),
    },
    logBatch: {
      maxQueueSize: number("OTEL_BLRP_MAX_QUEUE_SIZE", 1),
      maxExportBatchSize: number("OTEL_BLRP_MAX_EXPORT_BATCH_SIZE", 1),
      scheduledDelayMillis: number("OTEL_BLRP_SCHEDULE_DELAY", 0),
      exportTimeoutMillis: number("OTEL_BLRP_EXPORT_TIMEOUT", 0),
    },
    metricExportIntervalMs:
      options.metricExportIntervalMs ??
      number("OTEL_METRIC_EXPORT_INTERVAL", 1) ??
      DEFAULT_METRIC_EXPORT_INTERVAL_MS,
  };
}

function readProtocol(
  value: string | undefined,
): Pick<SignalSettings, "protocol" | "protocolRequested"> {
  const protocol = value?.toLowerCase();
  if (protocol === "http/json" || protocol === "http/protobuf")
    return { protocol, protocolRequested: true };
  if (protocol !== undefined) {
    diag.warn(
      `openrouter-otel: OTLP protocol "${value}" is not supported by startTelemetry ` +
        "(http/protobuf or http/json); using http/protobuf",
    );
  }
  return { protocol: "http/protobuf", protocolRequested: false };
}

/** The items of a comma-separated variable, trimmed, empty ones dropped; unset is none. */
export function readList(value: string | undefined): string[] {
  if (value === undefined) return [];
  return value
    .split(",")
    .map((item) => item.trim())
    .filter((item) => item !== "");
}

/** A comma-separated list; unset means `otlp`, `none` means nothing. */
function readExporters(name: string, value: string | undefined): ExporterKind[] {
  if (value === undefined) return ["otlp"];
  const kinds = new Set<ExporterKind>();
  const names = readList(value).map((item) => item.toLowerCase());
  if (names.includes("none")) {
    if (names.some((item) => item !== "none")) {
      diag.warn(`openrouter-otel: ${name}="${value}" contains none: nothing is exported`);
    }
    return [];
  }
  for (const item of names) {
    if (item === "otlp" || item === "console") kinds.add(item);
    else diag.warn(`openrouter-otel: ${name}: unsupported exporter "${item}"`);
  }
  return [...kinds];
}

function readNumber(name: string, value: string | undefined, minimum: 0 | 1): number | undefined {
  if (value === undefined) return undefined;
  const number = Number(value);
  if (Number.isInteger(number) && number >= minimum) return number;
  diag.warn(`openrouter-otel: ignoring ${name}="${value}": expected an integer >= ${minimum}`);
  return undefined;
}
