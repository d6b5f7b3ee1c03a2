import { diag } from "@opentelemetry/api";
import type { LogRecordExporter } from "@opentelemetry/sdk-logs";
import type { PushMetricExporter } from "@opentelemetry/sdk-metrics";
import type { SpanExporter } from "@opentelemetry/sdk-trace-base";
import { installCommand, loadOptionalPeer, missingPeerError } from "./load-optional-peer.js";
import type {
  OtlpProtocol,
  Signal,
  SignalSettings,
  TelemetrySettings,
} from "./telemetry-settings.js";

/** The exporter each signal needs. */
export interface OtlpExporters {
  traces: SpanExporter | undefined;
  metrics: PushMetricExporter | undefined;
  logs: LogRecordExporter | undefined;
}

type ExporterClass<S extends Signal> = new (config: {
  url: string;
}) => NonNullable<OtlpExporters[S]>;

/** The optional peer that exports each signal in each encoding, and its exporter class. */
const EXPORTER_PACKAGES: Record<Signal, Record<OtlpProtocol, string> & { className: string }> = {
  traces: {
    "http/protobuf": "@opentelemetry/exporter-trace-otlp-proto",
    "http/json": "@opentelemetry/exporter-trace-otlp-http",
    className: "OTLPTraceExporter",
  },
  metrics: {
    "http/protobuf": "@opentelemetry/exporter-metrics-otlp-proto",
    "http/json": "@opentelemetry/exporter-metrics-otlp-http",
    className: "OTLPMetricExporter",
  },
  logs: {
    "http/protobuf": "@opentelemetry/exporter-logs-otlp-proto",
    "http/json": "@opentelemetry/exporter-logs-otlp-http",
    className: "OTLPLogExporter",
  },
};

/**
 * The OTLP exporter of every signal that exports over OTLP. The default encoding,
 * `http/protobuf`, falls back to `http/json` (with one `diag` warning) when its package is not
 * installed; an encoding a variable asked for must be installed, or this throws and says which
 * package to add. Logs without any exporter package are skipped with a warning, so that an
 * application set up before the logs pipeline keeps starting.
 */
export function createOtlpExporters(settings: TelemetrySettings): OtlpExporters {
  const fellBack: string[] = [];
  const create = <S extends Signal>(signal: S): NonNullable<OtlpExporters[S]> | undefined => {
    const signalSettings: SignalSettings = settings[signal];
    if (!signalSettings.exporters.includes("otlp")) return undefined;
    const packages = EXPORTER_PACKAGES[signal];
    let protocol = signalSettings.protocol;
    let Exporter = loadExporterClass<S>(packages[protocol], packages.className);
    if (Exporter === undefined && !signalSettings.protocolRequested) {
      fellBack.push(packages[protocol]);
      protocol = "http/json";
      Exporter = loadExporterClass<S>(packages[protocol], packages.className);
    }
    if (Exporter !== undefined) return new Exporter({ url: signalSettings.url });
    const missing = `${signal} over ${protocol} need ${packages[protocol]}: ${installCommand(packages[protocol])}`;
    if (signal === "logs" && !signalSettings.protocolRequested) {
      diag.warn(`openrouter-otel: logs are not exported: ${missing}`);
      return undefined;
    }
    throw missingPeerError(`openrouter-otel: ${missing} (or set OTEL_EXPORTER_OTLP_PROTOCOL)`);
  };
  const exporters: OtlpExporters = {
    traces: create("traces"),
    metrics: create("metrics"),
    logs: create("logs"),
  };
  if (fellBack.length > 0) {
    diag.warn(
      "openrouter-otel: exporting over http/json, not http/protobuf (the specification's " +
        `default), because ${fellBack.join(", ")} ${fellBack.length > 1 ? "are" : "is"} not ` +
        "installed; install it, or set OTEL_EXPORTER_OTLP_PROTOCOL=http/json to silence this",
    );
  }
  return exporters;
}

/** The exporters are optional peers, each loaded only when its signal and encoding are in use. */
function loadExporterClass<S extends Signal>(
  packageName: string,
  className: string,
): ExporterClass<S> | undefined {
  return loadOptionalPeer<Record<string, ExporterClass<S>>>(packageName)?.[className];
}
