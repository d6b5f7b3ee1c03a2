import { type Attributes, type Context, diag, type Span, SpanStatusCode } from "@opentelemetry/api";
import type { ToolError } from "../errors.js";
import type { ToolCall } from "../types.js";
import type { TelemetrySettings } from "./call-telemetry.js";
import type { GenAIMetrics } from "./gen-ai-metrics.js";
import { applyContentHook, contentSpanAttributes, type GenAIContent } from "./genai-content.js";
import {
  ATTR_ERROR_TYPE,
  ATTR_GEN_AI_AGENT_NAME,
  ATTR_GEN_AI_TOOL_CALL_ARGUMENTS,
  ATTR_GEN_AI_TOOL_CALL_RESULT,
  ATTR_GEN_AI_TOOL_NAME,
  ATTR_GEN_AI_TOOL_TYPE,
  ATTR_OPENROUTER_CANCELLED,
  OPERATION_EXECUTE_TOOL,
  TOOL_TYPE_FUNCTION,
} from "./semconv.js";
import { toToolArgumentsJson, toToolResultJson } from "./tool-call-content.js";

/** How a tool call ended, reported once. */
export type ToolCallOutcome =
  | { kind: "completed"; result: unknown; content: string }
  | { kind: "failed"; error: ToolError }
  | { kind: "cancelled"; by: "consumer" | "abort" };

/**
 * Records one tool call into its `execute_tool` span and `gen_ai.execute_tool.duration`. Never
 * throws into the caller; ends its span exactly once, whichever of the tool and the run's
 * cancellation reports first.
 */
export class ToolCallTelemetry {
  /** The span's context: `execute` runs in it, so the spans a tool makes nest under its span. */
  readonly context: Context;
  readonly #span: Span;
  readonly #recording: boolean;
  readonly #metrics: GenAIMetrics | undefined;
  readonly #settings: TelemetrySettings;
  readonly #agentName: string;
  readonly #toolName: string;
  readonly #call: ToolCall;
  readonly #startedAt = performance.now();
  readonly #onEnd: (telemetry: ToolCallTelemetry) => void;
  #ended = false;

  constructor(init: {
    span: Span;
    context: Context;
    call: ToolCall;
    metrics: GenAIMetrics | undefined;
    settings: TelemetrySettings;
    agentName: string;
    onEnd: (telemetry: ToolCallTelemetry) => void;
  }) {
    this.#span = init.span;
    this.context = init.context;
    this.#recording = init.span.isRecording();
    this.#metrics = init.metrics;
    this.#settings = init.settings;
    this.#agentName = init.agentName;
    this.#toolName = init.call.name;
    this.#onEnd = init.onEnd;
    this.#call = init.call;
  }

  end(outcome: ToolCallOutcome): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#onEnd(this);
    try {
      const errorType = outcome.kind === "failed" ? toolErrorType(outcome.error) : undefined;
      if (this.#recording) this.#recordSpan(outcome, errorType);
      // A content hook runs whatever capture and sampling say (the conventions' upload pattern).
      if ((this.#recording && this.#settings.captureContent) || this.#settings.onContent)
        this.#recordContent(outcome);
      this.#metrics?.executeToolDuration.record(
        (performance.now() - this.#startedAt) / 1000,
        this.#metricAttributes(errorType),
      );
    } catch (error) {
      diag.error("openrouter-otel: recording the tool call failed", error);
    } finally {
      this.#span.end();
    }
  }

  #recordSpan(outcome: ToolCallOutcome, errorType: string | undefined): void {
    const span = this.#span;
    switch (outcome.kind) {
      case "completed":
        break;
      case "failed": {
        const error = outcome.error;
        span.setAttribute(ATTR_ERROR_TYPE, errorType ?? error.kind);
        span.recordException(error);
        span.setStatus({ code: SpanStatusCode.ERROR, message: error.message });
        break;
      }
      case "cancelled":
        span.setAttribute(ATTR_OPENROUTER_CANCELLED, outcome.by);
        break;
    }
  }

  /** Arguments, and the result on success; through the content hook when there is one. */
  #recordContent(outcome: ToolCallOutcome): void {
    try {
      this.#buildContent(outcome);
    } catch (error) {
      diag.error("openrouter-otel: recording the tool call content failed", error);
    }
  }

  #buildContent(outcome: ToolCallOutcome): void {
    const settings = this.#settings;
    const record = this.#recording && settings.captureContent;
    const maxChars = settings.maxContentChars;
    const argumentsJson = toToolArgumentsJson(this.#call, maxChars);
    const resultJson =
      outcome.kind === "completed"
        ? toToolResultJson(outcome.result, outcome.content, maxChars)
        : undefined;
    // Strings as they are, unless a hook or a limit needs the values.
    if (settings.onContent === undefined && settings.contentLimits === undefined) {
      this.#span.setAttribute(ATTR_GEN_AI_TOOL_CALL_ARGUMENTS, argumentsJson);
      if (resultJson !== undefined)
        this.#span.setAttribute(ATTR_GEN_AI_TOOL_CALL_RESULT, resultJson);
      return;
    }
    const content = applyContentHook(
      settings.onContent,
      {
        toolCallArguments: JSON.parse(argumentsJson) as GenAIContent["toolCallArguments"],
        toolCallResult:
          resultJson === undefined
            ? undefined
            : (JSON.parse(resultJson) as GenAIContent["toolCallResult"]),
      },
      { operation: OPERATION_EXECUTE_TOOL, span: this.#span, semconv: settings.semconv.version },
    );
    if (content !== undefined && record)
      this.#span.setAttributes(contentSpanAttributes(content, settings.contentLimits));
  }

  #metricAttributes(errorType: string | undefined): Attributes {
    const attributes: Attributes = {
      [ATTR_GEN_AI_TOOL_NAME]: this.#toolName,
      [ATTR_GEN_AI_TOOL_TYPE]: TOOL_TYPE_FUNCTION,
      [ATTR_GEN_AI_AGENT_NAME]: this.#agentName,
    };
    if (errorType !== undefined) attributes[ATTR_ERROR_TYPE] = errorType;
    return attributes;
  }
}

/** `unknown_tool`, `invalid_arguments`, or the class of what `execute` threw. */
function toolErrorType(error: ToolError): string {
  if (error.kind !== "execute") return error.kind;
  const cause = error.cause;
  return cause instanceof Error && cause.name ? cause.name : "_OTHER";
}
