export type { SpanExportStats } from "./span-export-counters.js";
export {
  DEFAULT_MAX_EXPORT_BATCH_SIZE,
  DEFAULT_MAX_QUEUE_SIZE,
  DEFAULT_OTLP_ENDPOINT,
  DEFAULT_SCHEDULED_DELAY_MS,
  DEFAULT_SERVICE_NAME,
  startTelemetry,
  type Telemetry,
  type TelemetryOptions,
} from "./start-telemetry.js";
