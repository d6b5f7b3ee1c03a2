import {
  type Attributes,
  type Context,
  diag,
  type MeterProvider,
  type Span,
  SpanKind,
  SpanStatusCode,
  type Tracer,
  trace,
} from "@opentelemetry/api";
import type { ChatRequest, ChatResponse } from "../types.js";
import { getAgentStep } from "./agent-step.js";
import { describeErrorType, isErrorReason } from "./describe-error-type.js";
import { type GenAIMetrics, getGenAIMetrics } from "./gen-ai-metrics.js";
import { buildRequestAttributes, type ServerEndpoint } from "./request-attributes.js";
import {
  ATTR_ERROR_TYPE,
  ATTR_GEN_AI_INPUT_MESSAGES,
  ATTR_GEN_AI_OPERATION_NAME,
  ATTR_GEN_AI_OUTPUT_MESSAGES,
  ATTR_GEN_AI_PROVIDER_NAME,
  ATTR_GEN_AI_REQUEST_MODEL,
  ATTR_GEN_AI_RESPONSE_FINISH_REASONS,
  ATTR_GEN_AI_RESPONSE_ID,
  ATTR_GEN_AI_RESPONSE_MODEL,
  ATTR_GEN_AI_RESPONSE_TIME_TO_FIRST_CHUNK,
  ATTR_GEN_AI_SYSTEM_INSTRUCTIONS,
  ATTR_GEN_AI_TOKEN_TYPE,
  ATTR_GEN_AI_TOOL_DEFINITIONS,
  ATTR_OPENROUTER_AGENT_STEP,
  ATTR_OPENROUTER_CANCELLED,
  ATTR_OPENROUTER_NATIVE_FINISH_REASON,
  ATTR_OPENROUTER_PROVIDER,
  ATTR_OPENROUTER_RETRY_ATTEMPT,
  ATTR_OPENROUTER_RETRY_DELAY_MS,
  ATTR_SERVER_ADDRESS,
  ATTR_SERVER_PORT,
  EVENT_RETRY,
  OPERATION_CHAT,
  PROVIDER_OPENROUTER,
  type Semconv,
  SPAN_NAME_COMPLETE,
  SPAN_NAME_STREAMING,
} from "./semconv.js";
import {
  toInputMessages,
  toOutputMessages,
  toSemconvFinishReason,
  toSystemInstructions,
  toToolDefinitions,
} from "./semconv-messages.js";
import { addUsageAttributes } from "./usage-attributes.js";

/** A client's telemetry settings, resolved once at construction. */
export interface TelemetrySettings {
  tracer: Tracer;
  /** Undefined: the global meter provider, looked up per call. */
  meterProvider: MeterProvider | undefined;
  captureContent: boolean;
  maxContentChars: number;
  server: ServerEndpoint;
  /** The names and rules of the conventions' version emitted. */
  semconv: Semconv;
}

/** How a call ended, as the stream reports it (exactly once). */
export type CallOutcome =
  | { kind: "completed"; response: ChatResponse }
  | { kind: "failed"; error: unknown; partial: ChatResponse }
  | { kind: "cancelled"; by: "consumer" | "abort"; reason?: unknown; partial: ChatResponse };

export interface StartedCall {
  /** The context the HTTP work runs in: the span's when there is one. */
  context: Context;
  /** Undefined when nothing records (no recording span, no meter): the stream skips every hook. */
  telemetry: CallTelemetry | undefined;
}

/**
 * Starts the span (or adopts the caller's) and the clock of one call. When the span is not
 * recording and no meter is registered, returns no recorder at all: nothing is measured,
 * built or serialized for nobody.
 */
export function startCall(
  settings: TelemetrySettings,
  request: ChatRequest,
  streaming: boolean,
  parentContext: Context,
  handedSpan: Span | undefined,
): StartedCall {
  try {
    const attributes = buildRequestAttributes(
      request,
      streaming,
      settings.server,
      settings.semconv,
    );
    const agentStep = getAgentStep(parentContext);
    if (agentStep !== undefined) attributes[ATTR_OPENROUTER_AGENT_STEP] = agentStep.step;
    let span: Span;
    if (handedSpan !== undefined) {
      span = handedSpan;
      if (span.isRecording()) span.setAttributes(attributes);
    } else {
      span = settings.tracer.startSpan(
        streaming ? SPAN_NAME_STREAMING : SPAN_NAME_COMPLETE,
        { kind: SpanKind.CLIENT, attributes },
        parentContext,
      );
    }
    agentStep?.onSpan(span);
    const context = trace.setSpan(parentContext, span);
    const recording = span.isRecording();
    const metrics = getGenAIMetrics(settings.meterProvider);
    if (!recording && metrics === undefined) return { context, telemetry: undefined };
    if (recording && settings.captureContent) recordInput(span, request, settings.maxContentChars);
    const telemetry = new CallTelemetry(
      span,
      recording,
      handedSpan === undefined,
      metrics,
      settings,
      request.model,
    );
    return { context, telemetry };
  } catch (error) {
    diag.error("openrouter-otel: starting the span failed", error);
    return { context: parentContext, telemetry: undefined };
  }
}

function recordInput(span: Span, request: ChatRequest, maxChars: number): void {
  if (request.system !== undefined) {
    span.setAttribute(
      ATTR_GEN_AI_SYSTEM_INSTRUCTIONS,
      JSON.stringify(toSystemInstructions(request.system, maxChars)),
    );
  }
  span.setAttribute(
    ATTR_GEN_AI_INPUT_MESSAGES,
    JSON.stringify(toInputMessages(request.messages, maxChars)),
  );
  if (request.tools !== undefined && request.tools.length > 0) {
    span.setAttribute(
      ATTR_GEN_AI_TOOL_DEFINITIONS,
      JSON.stringify(toToolDefinitions(request.tools, maxChars)),
    );
  }
}

/**
 * Records one call into its span and the GenAI metrics. Never throws into the caller: a
 * failure to record goes to OpenTelemetry's `diag`.
 */
export class CallTelemetry {
  readonly #span: Span;
  readonly #recording: boolean;
  readonly #ownsSpan: boolean;
  readonly #metrics: GenAIMetrics | undefined;
  readonly #settings: TelemetrySettings;
  readonly #requestModel: string;
  readonly #startedAt = performance.now();
  #firstChunkAt = 0;
  #lastChunkAt = 0;
  #chunkAttributes: Attributes | undefined;
  #ended = false;

  constructor(
    span: Span,
    recording: boolean,
    ownsSpan: boolean,
    metrics: GenAIMetrics | undefined,
    settings: TelemetrySettings,
    requestModel: string,
  ) {
    this.#span = span;
    this.#recording = recording;
    this.#ownsSpan = ownsSpan;
    this.#metrics = metrics;
    this.#settings = settings;
    this.#requestModel = requestModel;
  }

  onRetry(attempt: number, delayMs: number, error: Error): void {
    if (!this.#recording) return;
    this.#span.addEvent(EVENT_RETRY, {
      [ATTR_OPENROUTER_RETRY_ATTEMPT]: attempt,
      [ATTR_OPENROUTER_RETRY_DELAY_MS]: Math.round(delayMs),
      [ATTR_ERROR_TYPE]: describeErrorType(error),
    });
  }

  /**
   * The per-chunk hook: constant work, and none at all after the first output chunk unless a
   * meter wants the time per chunk. `arrivedAt` is when the network read holding the chunk
   * arrived (`performance.now()`), so a slow consumer does not stretch the figures.
   */
  onChunk(hadOutput: boolean, responseModel: string, arrivedAt: number): void {
    if (!hadOutput) return;
    if (this.#firstChunkAt === 0) {
      this.#firstChunkAt = this.#lastChunkAt = arrivedAt;
      return;
    }
    const metrics = this.#metrics;
    if (metrics === undefined) return;
    this.#chunkAttributes ??= this.#metricAttributes(responseModel, undefined);
    metrics.timePerOutputChunk.record(
      (arrivedAt - this.#lastChunkAt) / 1000,
      this.#chunkAttributes,
    );
    this.#lastChunkAt = arrivedAt;
  }

  /** Ends the call: idempotent, and the span (when ours) ends even if recording fails. */
  end(outcome: CallOutcome): void {
    if (this.#ended) return;
    this.#ended = true;
    try {
      this.#record(outcome);
    } catch (error) {
      diag.error("openrouter-otel: recording the call failed", error);
    } finally {
      if (this.#ownsSpan) this.#span.end();
    }
  }

  #record(outcome: CallOutcome): void {
    const endedAt = performance.now();
    const response = outcome.kind === "completed" ? outcome.response : outcome.partial;
    let error: unknown;
    let finishReason: string | undefined;
    switch (outcome.kind) {
      case "completed":
        finishReason = toSemconvFinishReason(response.finishReason ?? "stop");
        break;
      case "failed":
        error = outcome.error;
        finishReason = "error";
        break;
      case "cancelled":
        // A deliberate cancel is not an error, unless the caller aborted with one.
        if (isErrorReason(outcome.reason)) error = outcome.reason;
        if (response.finishReason !== null)
          finishReason = toSemconvFinishReason(response.finishReason);
        else if (outcome.by === "abort") finishReason = "error"; // the output was cut
        break;
      default:
        assertNever(outcome);
    }
    const errorType = error === undefined ? undefined : describeErrorType(error);
    if (this.#recording) this.#recordSpan(outcome, response, finishReason, error, errorType);
    if (this.#metrics !== undefined)
      this.#recordMetrics(this.#metrics, response, errorType, endedAt);
  }

  #recordSpan(
    outcome: CallOutcome,
    response: ChatResponse,
    finishReason: string | undefined,
    error: unknown,
    errorType: string | undefined,
  ): void {
    const span = this.#span;
    const semconv = this.#settings.semconv;
    const attributes: Attributes = {};
    if (response.id) attributes[ATTR_GEN_AI_RESPONSE_ID] = response.id;
    if (response.model) attributes[ATTR_GEN_AI_RESPONSE_MODEL] = response.model;
    if (finishReason !== undefined)
      attributes[ATTR_GEN_AI_RESPONSE_FINISH_REASONS] = [finishReason];
    if (this.#firstChunkAt !== 0) {
      attributes[ATTR_GEN_AI_RESPONSE_TIME_TO_FIRST_CHUNK] =
        (this.#firstChunkAt - this.#startedAt) / 1000;
    }
    if (response.provider) attributes[ATTR_OPENROUTER_PROVIDER] = response.provider;
    if (response.nativeFinishReason)
      attributes[ATTR_OPENROUTER_NATIVE_FINISH_REASON] = response.nativeFinishReason;
    if (response.usage !== undefined) addUsageAttributes(attributes, response.usage, semconv);
    if (outcome.kind === "cancelled") attributes[ATTR_OPENROUTER_CANCELLED] = outcome.by;
    const settings = this.#settings;
    if (settings.captureContent && (outcome.kind === "completed" || hasOutput(response))) {
      attributes[ATTR_GEN_AI_OUTPUT_MESSAGES] = JSON.stringify(
        // Without a finish reason the consumer broke off: say so rather than claim an error.
        toOutputMessages(
          response,
          semconv.outputMessageFinishReason ? (finishReason ?? "cancelled") : undefined,
          settings.maxContentChars,
        ),
      );
    }
    if (errorType !== undefined) {
      attributes[ATTR_ERROR_TYPE] = errorType;
      span.recordException(error instanceof Error ? error : String(error));
      span.setStatus({
        code: SpanStatusCode.ERROR,
        message: error instanceof Error ? error.message : String(error),
      });
    }
    span.setAttributes(attributes);
  }

  #recordMetrics(
    metrics: GenAIMetrics,
    response: ChatResponse,
    errorType: string | undefined,
    endedAt: number,
  ): void {
    const attributes = this.#metricAttributes(response.model, errorType);
    metrics.operationDuration.record((endedAt - this.#startedAt) / 1000, attributes);
    if (this.#firstChunkAt !== 0) {
      metrics.timeToFirstChunk.record((this.#firstChunkAt - this.#startedAt) / 1000, attributes);
    }
    const usage = response.usage;
    if (usage !== undefined) {
      metrics.tokenUsage.record(usage.inputTokens, {
        ...attributes,
        [ATTR_GEN_AI_TOKEN_TYPE]: "input",
      });
      metrics.tokenUsage.record(usage.outputTokens, {
        ...attributes,
        [ATTR_GEN_AI_TOKEN_TYPE]: "output",
      });
    }
  }

  #metricAttributes(responseModel: string, errorType: string | undefined): Attributes {
    const settings = this.#settings;
    const attributes: Attributes = {
      [ATTR_GEN_AI_OPERATION_NAME]: OPERATION_CHAT,
      [ATTR_GEN_AI_PROVIDER_NAME]: PROVIDER_OPENROUTER,
      [ATTR_GEN_AI_REQUEST_MODEL]: this.#requestModel,
      [ATTR_SERVER_ADDRESS]: settings.server.address,
      [ATTR_SERVER_PORT]: settings.server.port,
    };
    if (responseModel) attributes[ATTR_GEN_AI_RESPONSE_MODEL] = responseModel;
    if (errorType !== undefined) attributes[ATTR_ERROR_TYPE] = errorType;
    return attributes;
  }
}

function hasOutput(response: ChatResponse): boolean {
  return response.text !== "" || response.reasoning !== "" || response.toolCalls.length > 0;
}

function assertNever(value: never): never {
  throw new Error(`Unexpected outcome: ${JSON.stringify(value)}`);
}
