export { ChunkHistogram } from "./chunk-histogram.js";
export type { SpanExportStats } from "./span-export-counters.js";
export {
  DEFAULT_SERVICE_NAME,
  startTelemetry,
  type Telemetry,
  type TelemetryOptions,
} from "./start-telemetry.js";
export {
  DEFAULT_MAX_EXPORT_BATCH_SIZE,
  DEFAULT_MAX_QUEUE_SIZE,
  DEFAULT_METRIC_EXPORT_INTERVAL_MS,
  DEFAULT_OTLP_ENDPOINT,
  DEFAULT_SCHEDULED_DELAY_MS,
  type ExportOptions,
} from "./telemetry-settings.js";
