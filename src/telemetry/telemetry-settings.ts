import type { MeterProvider, Tracer } from "@opentelemetry/api";
import type { CapturePolicy } from "./capture-content.js";
import type { ContentLimits } from "./content-limits.js";
import type { EventLoggerProvider } from "./details-event.js";
import type { ContentHook } from "./genai-content.js";
import type { ServerEndpoint } from "./request-attributes.js";
import type { Semconv } from "./semconv.js";

/** A client's telemetry settings, resolved once at construction. */
export interface TelemetrySettings {
  tracer: Tracer;
  /** Undefined: the global meter provider, looked up per call. */
  meterProvider: MeterProvider | undefined;
  /** Content as span attributes. */
  captureContent: boolean;
  /** Where content goes and whether the details event is emitted; span content as above. */
  capture?: Omit<CapturePolicy, "spanContent"> | undefined;
  /** Undefined: the global logger provider, when one is registered. */
  loggerProvider?: EventLoggerProvider | undefined;
  /** Sees all content before it is serialized: may redact, drop or replace it. */
  onContent?: ContentHook | undefined;
  maxContentChars: number;
  /** Undefined: no limit on the size of content attributes. */
  contentLimits?: ContentLimits | undefined;
  server: ServerEndpoint;
  /** The names and rules of the conventions' version emitted. */
  semconv: Semconv;
}
