import { nonNegativeInteger, positiveNumber } from "../check-option.js";
import { InvalidRequestError } from "../errors.js";
import { type CaptureMode, isCaptureOption, resolveCapturePolicy } from "./capture-content.js";
import { resolveContentLimits } from "./content-limits.js";
import { type EventLoggerProvider, loadLogsApi } from "./details-event.js";
import type { ContentHook } from "./genai-content.js";
import { resolveSemconvVersion, type SemconvVersion, semconvOf } from "./semconv.js";
import type { TelemetrySettings } from "./telemetry-settings.js";
import { DEFAULT_MAX_CONTENT_CHARS } from "./truncate-text.js";

/** The client options that decide which conventions are emitted and what content goes where. */
export interface ContentOptions {
  /**
   * Where prompts and completions go: `"SPAN_ONLY"` (or `true`) as span attributes,
   * `"EVENT_ONLY"` in the event `gen_ai.client.inference.operation.details`, `"SPAN_AND_EVENT"`,
   * or `"NO_CONTENT"` (or `false`): nothing is serialized. Wins over
   * `OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT`.
   * @defaultValue that variable, else `"SPAN_ONLY"`
   */
  captureContent?: boolean | CaptureMode | undefined;
  /**
   * Emit the event `gen_ai.client.inference.operation.details` through the OpenTelemetry Logs
   * API (`@opentelemetry/api-logs`, an optional peer) when a logger provider is registered.
   * Wins over `OTEL_INSTRUMENTATION_GENAI_EMIT_EVENT`.
   * @defaultValue that variable, else `true` for the modes `EVENT_ONLY` and `SPAN_AND_EVENT`
   */
  emitEvent?: boolean | undefined;
  /** @defaultValue the global logger provider, when one is registered */
  loggerProvider?: EventLoggerProvider | undefined;
  /**
   * Sees the content of each chat call, agent run and tool call once, before anything is
   * serialized, wherever it goes (span, event). Return it changed (redacted), another object
   * (a reference to where you uploaded it), or `null`/`undefined` to record no content. If it
   * throws, that content is dropped, `diag` says why, and the call goes on.
   */
  onContent?: ContentHook | undefined;
  /**
   * The longest text kept in one captured message part; longer text is cut and marked
   * `…[truncated]`, inside the part, so the attribute stays valid JSON.
   * @defaultValue `16_384`
   */
  maxContentChars?: number | undefined;
  /**
   * The version of the GenAI conventions to emit: `"v1.41.1"` (the last released one) or
   * `"latest"` (every merged rule of the conventions' repository). Wins over
   * `OTEL_SEMCONV_STABILITY_OPT_IN`.
   * @defaultValue `"latest"` when that variable holds `gen_ai_latest_experimental`, else `"v1.41.1"`
   */
  semconv?: SemconvVersion | undefined;
  /**
   * The longest content attribute (`gen_ai.input.messages`, say), in characters: texts inside
   * are cut (then the oldest messages dropped) so that it still parses as JSON. Wins over
   * `OTEL_SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT` and `OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT` when smaller;
   * a larger value cannot, as the SDK would cut the JSON at their limit.
   * @defaultValue those variables, else no limit
   */
  maxContentAttributeChars?: number | undefined;
  /**
   * All content attributes of one span together, in characters: over it, the largest are
   * dropped first and named in `openrouter.content.dropped`.
   * @defaultValue no limit
   */
  maxSpanContentChars?: number | undefined;
}

/** The content settings of a client; a bad option is an `InvalidRequestError` naming it. */
export function resolveContentOptions(
  options: ContentOptions,
): Pick<
  TelemetrySettings,
  | "captureContent"
  | "capture"
  | "loggerProvider"
  | "onContent"
  | "maxContentChars"
  | "contentLimits"
  | "semconv"
> {
  if (!isCaptureOption(options.captureContent)) {
    throw new InvalidRequestError(
      "captureContent",
      `must be a boolean, "NO_CONTENT", "SPAN_ONLY", "EVENT_ONLY" or "SPAN_AND_EVENT" (got ${String(options.captureContent)})`,
    );
  }
  if (options.onContent !== undefined && typeof options.onContent !== "function")
    throw new InvalidRequestError("onContent", "must be a function");
  const semconv = options.semconv;
  if (semconv !== undefined && semconv !== "latest" && semconv !== "v1.41.1")
    throw new InvalidRequestError(
      "semconv",
      `must be "v1.41.1" or "latest" (got ${String(semconv)})`,
    );
  const { spanContent, ...capture } = resolveCapturePolicy(
    options.captureContent,
    options.emitEvent,
  );
  // Loaded now, so that the first call finds it; never for a client that emits no event.
  if (capture.emitEvent && options.loggerProvider === undefined) loadLogsApi();
  const limits = resolveContentLimits({
    maxContentAttributeChars: nonNegativeInteger(
      "maxContentAttributeChars",
      options.maxContentAttributeChars,
    ),
    maxSpanContentChars: nonNegativeInteger("maxSpanContentChars", options.maxSpanContentChars),
  });
  return {
    captureContent: spanContent,
    capture,
    loggerProvider: options.loggerProvider,
    onContent: options.onContent,
    maxContentChars: positiveNumber(
      "maxContentChars",
      options.maxContentChars,
      DEFAULT_MAX_CONTENT_CHARS,
    ),
    contentLimits:
      limits.attributeChars === undefined && limits.spanChars === undefined ? undefined : limits,
    semconv: semconvOf(resolveSemconvVersion(semconv)),
  };
}
