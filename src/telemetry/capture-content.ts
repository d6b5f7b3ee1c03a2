import { diag } from "@opentelemetry/api";

/** The variable the GenAI conventions define for content capture. */
export const CAPTURE_CONTENT_ENV = "OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT";
/** Whether the details event is emitted at all (opentelemetry-python-genai's variable). */
export const EMIT_EVENT_ENV = "OTEL_INSTRUMENTATION_GENAI_EMIT_EVENT";

/** Where content goes: nowhere, span attributes, the details event, or both. */
export type CaptureMode = "NO_CONTENT" | "SPAN_ONLY" | "EVENT_ONLY" | "SPAN_AND_EVENT";
const MODES: readonly string[] = ["NO_CONTENT", "SPAN_ONLY", "EVENT_ONLY", "SPAN_AND_EVENT"];

/** What a client records, resolved once at construction. */
export interface CapturePolicy {
  /** Content as span attributes. */
  spanContent: boolean;
  /** The event `gen_ai.client.inference.operation.details` is emitted. */
  emitEvent: boolean;
  /** Content inside that event. */
  eventContent: boolean;
}

/**
 * The client options win over the variables. The mode: `true`/`false` (the older boolean form)
 * mean `SPAN_ONLY`/`NO_CONTENT`; unset means `SPAN_ONLY`, this project's deviation from the
 * conventions' "off by default"; an unknown value means `NO_CONTENT`. The event: an explicit value wins; unset, it follows the mode
 * (`EVENT_ONLY` and `SPAN_AND_EVENT` emit it).
 */
export function resolveCapturePolicy(
  captureOption: boolean | CaptureMode | undefined,
  emitEventOption: boolean | undefined,
  env: NodeJS.ProcessEnv = process.env,
): CapturePolicy {
  const mode = toMode(captureOption) ?? modeFromEnv(env[CAPTURE_CONTENT_ENV]) ?? "SPAN_ONLY";
  const contentInEvent = mode === "EVENT_ONLY" || mode === "SPAN_AND_EVENT";
  const emitEvent = emitEventOption ?? booleanFromEnv(env[EMIT_EVENT_ENV]) ?? contentInEvent;
  return {
    spanContent: mode === "SPAN_ONLY" || mode === "SPAN_AND_EVENT",
    emitEvent,
    eventContent: emitEvent && contentInEvent,
  };
}

/** Checks the client option (an `InvalidRequestError` names a wrong one). */
export function isCaptureOption(value: unknown): value is boolean | CaptureMode | undefined {
  return value === undefined || typeof value === "boolean" || MODES.includes(value as string);
}

function toMode(value: boolean | CaptureMode | undefined): CaptureMode | undefined {
  if (value === undefined) return undefined;
  if (typeof value === "boolean") return value ? "SPAN_ONLY" : "NO_CONTENT";
  return value;
}

function modeFromEnv(raw: string | undefined): CaptureMode | undefined {
  const value = raw?.trim().toUpperCase();
  if (value === undefined || value === "") return undefined;
  if (value === "TRUE" || value === "1") return "SPAN_ONLY";
  if (value === "FALSE" || value === "0") return "NO_CONTENT";
  if (MODES.includes(value)) return value as CaptureMode;
  // A privacy switch fails closed: "off" or a typo of NO_CONTENT must not mean content on spans
  // (opentelemetry-python-genai falls back to NO_CONTENT as well).
  diag.warn(
    `openrouter-otel: ${CAPTURE_CONTENT_ENV}=${raw} is not a known value; using NO_CONTENT`,
  );
  return "NO_CONTENT";
}

/**
 * The specification's booleans: unset or empty is no value; anything but `true` or `false`
 * (case-insensitive) is false, with a warning.
 */
function booleanFromEnv(raw: string | undefined): boolean | undefined {
  const value = raw?.trim().toLowerCase();
  if (value === undefined || value === "") return undefined;
  if (value === "true") return true;
  if (value !== "false")
    diag.warn(`openrouter-otel: ${EMIT_EVENT_ENV}=${raw} is not true or false; using false`);
  return false;
}
