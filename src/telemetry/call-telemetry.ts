import {
  type Attributes,
  type Context,
  diag,
  type Span,
  SpanKind,
  trace,
} from "@opentelemetry/api";
import type { ChatRequest, ChatResponse } from "../types.js";
import { getAgentStep } from "./agent-step.js";
import { type CallInput, snapshotInput, toCallContent } from "./call-content.js";
import type { ChunkTimer } from "./chunk-timing.js";
import { describeErrorType, isErrorReason, recordSpanError } from "./describe-error-type.js";
import {
  type EventAttributes,
  type EventLogger,
  emitDetailsEvent,
  getEventLogger,
} from "./details-event.js";
import { type GenAIMetrics, getGenAIMetrics, recordTokenUsage } from "./gen-ai-metrics.js";
import {
  addContentEventAttributes,
  applyContentHook,
  contentSpanAttributes,
  type GenAIContent,
} from "./genai-content.js";
import { getOuterInference, markHandedOver } from "./outer-inference.js";
import { buildRequestAttributes } from "./request-attributes.js";
import { buildResponseAttributes } from "./response-attributes.js";
import {
  ATTR_ERROR_TYPE,
  ATTR_GEN_AI_OPERATION_NAME,
  ATTR_GEN_AI_PROVIDER_NAME,
  ATTR_GEN_AI_REQUEST_MODEL,
  ATTR_GEN_AI_RESPONSE_MODEL,
  ATTR_OPENROUTER_AGENT_STEP,
  ATTR_OPENROUTER_RETRY_ATTEMPT,
  ATTR_OPENROUTER_RETRY_DELAY_MS,
  ATTR_SERVER_ADDRESS,
  ATTR_SERVER_PORT,
  EVENT_RETRY,
  OPERATION_CHAT,
  PROVIDER_OPENROUTER,
  SPAN_NAME_COMPLETE,
  SPAN_NAME_STREAMING,
} from "./semconv.js";
import { hasOutput, toSemconvFinishReason } from "./semconv-messages.js";
import type { TelemetrySettings } from "./telemetry-settings.js";

export type { TelemetrySettings } from "./telemetry-settings.js";

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
  let started: Span | undefined;
  try {
    const attributes = buildRequestAttributes(
      request,
      streaming,
      settings.server,
      settings.semconv,
    );
    const outer = handedSpan === undefined ? getOuterInference(parentContext) : undefined;
    if (outer !== undefined)
      return deferToOuter(settings, request, attributes, outer.span, parentContext);
    const agentStep = getAgentStep(parentContext);
    if (agentStep !== undefined) attributes[ATTR_OPENROUTER_AGENT_STEP] = agentStep.step;
    let span: Span;
    if (handedSpan !== undefined) {
      span = handedSpan;
      markHandedOver(span);
      if (span.isRecording()) span.setAttributes(attributes);
    } else {
      span = started = settings.tracer.startSpan(
        streaming ? SPAN_NAME_STREAMING : SPAN_NAME_COMPLETE,
        { kind: SpanKind.CLIENT, attributes },
        parentContext,
      );
    }
    agentStep?.onSpan(span);
    const context = trace.setSpan(parentContext, span);
    const recording = span.isRecording();
    const metrics = getGenAIMetrics(settings.meterProvider, settings.semconv);
    const events = settings.capture?.emitEvent
      ? getEventLogger(settings.loggerProvider)
      : undefined;
    // A content hook runs whatever capture and sampling say (the conventions' upload pattern).
    const hook = settings.onContent !== undefined;
    if (!recording && metrics === undefined && events === undefined && !hook)
      return { context, telemetry: undefined };
    const spanContent = recording && settings.captureContent;
    const eventContent = events !== undefined && settings.capture?.eventContent === true;
    const telemetry = new CallTelemetry({
      span,
      context,
      recording,
      ownsSpan: handedSpan === undefined,
      deferred: false,
      metrics,
      events,
      settings,
      request,
      requestAttributes: attributes,
      // A copy of the list: a caller appending to its history meanwhile changes nothing here.
      input: spanContent || eventContent || hook ? snapshotInput(request) : undefined,
      spanContent,
      eventContent,
    });
    return { context, telemetry };
  } catch (error) {
    diag.error("openrouter-otel: starting the span failed", error);
    started?.end(); // no recorder will: a span of ours ends on every path
    return { context: parentContext, telemetry: undefined };
  }
}

/**
 * Another instrumentation traces this call: no span, metrics or event of ours; the outer span,
 * when there is one, receives the call's attributes.
 */
function deferToOuter(
  settings: TelemetrySettings,
  request: ChatRequest,
  attributes: Attributes,
  outer: Span | undefined,
  parentContext: Context,
): StartedCall {
  if (outer === undefined || !outer.isRecording())
    return { context: parentContext, telemetry: undefined };
  outer.setAttributes(attributes);
  const telemetry = new CallTelemetry({
    span: outer,
    context: parentContext,
    recording: true,
    ownsSpan: false,
    deferred: true,
    metrics: undefined,
    events: undefined,
    settings,
    request,
    requestAttributes: attributes,
    input: undefined,
    spanContent: false,
    eventContent: false,
  });
  return { context: parentContext, telemetry };
}

/**
 * Records one call into its span and the GenAI metrics. Never throws into the caller: a
 * failure to record goes to OpenTelemetry's `diag`.
 */
export class CallTelemetry {
  readonly #span: Span;
  readonly #context: Context;
  readonly #recording: boolean;
  readonly #ownsSpan: boolean;
  /** The span is another instrumentation's: attributes only, no status or exception. */
  readonly #deferred: boolean;
  readonly #metrics: GenAIMetrics | undefined;
  readonly #events: EventLogger | undefined;
  readonly #settings: TelemetrySettings;
  readonly #requestModel: string;
  readonly #requestAttributes: Attributes;
  readonly #input: CallInput | undefined;
  readonly #spanContent: boolean;
  readonly #eventContent: boolean;
  readonly #startedAt = performance.now();
  #firstChunkAt = 0;
  #lastChunkAt = 0;
  #chunkTimer: ChunkTimer | undefined;
  #ended = false;

  constructor(init: {
    span: Span;
    context: Context;
    recording: boolean;
    ownsSpan: boolean;
    deferred: boolean;
    metrics: GenAIMetrics | undefined;
    events: EventLogger | undefined;
    settings: TelemetrySettings;
    request: ChatRequest;
    requestAttributes: Attributes;
    input: CallInput | undefined;
    spanContent: boolean;
    eventContent: boolean;
  }) {
    this.#span = init.span;
    this.#context = init.context;
    this.#recording = init.recording;
    this.#ownsSpan = init.ownsSpan;
    this.#deferred = init.deferred;
    this.#metrics = init.metrics;
    this.#events = init.events;
    this.#settings = init.settings;
    this.#requestModel = init.request.model;
    this.#requestAttributes = init.requestAttributes;
    this.#input = init.input;
    this.#spanContent = init.spanContent;
    this.#eventContent = init.eventContent;
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
    // The attribute set is fixed from here on: the series is looked up once per call.
    this.#chunkTimer ??= metrics.timePerOutputChunk(
      this.#metricAttributes(responseModel, undefined),
    );
    this.#chunkTimer.record((arrivedAt - this.#lastChunkAt) / 1000);
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
        // The output was cut: an abort says so; a consumer break does in latest (genai#363).
        else if (outcome.by === "abort" || this.#settings.semconv.missingFinishReasonIsError)
          finishReason = "error";
        break;
      default:
        assertNever(outcome);
    }
    const errorType = error === undefined ? undefined : describeErrorType(error);
    const content =
      this.#input === undefined
        ? undefined
        : this.#buildContent(
            this.#input,
            outcome.kind === "completed" || hasOutput(response) ? response : undefined,
            // Without a finish reason the consumer broke off: say so, not claim an error.
            finishReason ?? "cancelled",
          );
    if (this.#recording || this.#events !== undefined) {
      const attributes = buildResponseAttributes(
        {
          response,
          finishReason,
          timeToFirstChunk:
            this.#firstChunkAt === 0 ? undefined : (this.#firstChunkAt - this.#startedAt) / 1000,
          cancelledBy: outcome.kind === "cancelled" ? outcome.by : undefined,
          errorType,
        },
        this.#settings.semconv,
      );
      if (this.#recording) this.#recordSpan(attributes, content, error, errorType);
      if (this.#events !== undefined) this.#emitEvent(this.#events, attributes, content);
    }
    if (this.#metrics !== undefined)
      this.#recordMetrics(this.#metrics, response, errorType, endedAt);
  }

  /**
   * The call's content, through the hook when there is one; undefined when building it failed
   * (said through `diag`), so that the span's status, attributes and the metrics still land.
   */
  #buildContent(
    input: CallInput,
    response: ChatResponse | undefined,
    finishReason: string,
  ): GenAIContent | undefined {
    try {
      return applyContentHook(
        this.#settings.onContent,
        toCallContent(
          input,
          this.#settings,
          { response, finishReason },
          this.#settings.onContent !== undefined || this.#eventContent,
        ),
        { operation: OPERATION_CHAT, span: this.#span, semconv: this.#settings.semconv.version },
      );
    } catch (error) {
      diag.error("openrouter-otel: building the call's content failed, it is dropped", error);
      return undefined;
    }
  }

  #recordSpan(
    attributes: Attributes,
    content: GenAIContent | undefined,
    error: unknown,
    errorType: string | undefined,
  ): void {
    const span = this.#span;
    if (errorType !== undefined && !this.#deferred) {
      recordSpanError(span, error);
    }
    if (content !== undefined && this.#spanContent) {
      // One call into the span for both sets; the event, when there is one, reads `attributes`.
      const all = this.#events === undefined ? attributes : { ...attributes };
      span.setAttributes(contentSpanAttributes(content, this.#settings.contentLimits, all));
    } else span.setAttributes(attributes);
  }

  /** The details event: the call's whole attribute set, and the content when capture allows. */
  #emitEvent(logger: EventLogger, attributes: Attributes, content: GenAIContent | undefined): void {
    const record: EventAttributes = { ...this.#requestAttributes, ...attributes };
    if (content !== undefined && this.#eventContent) addContentEventAttributes(record, content);
    emitDetailsEvent(logger, record, this.#context);
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
    if (response.usage !== undefined) recordTokenUsage(metrics, response.usage, attributes);
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

function assertNever(value: never): never {
  throw new Error(`Unexpected outcome: ${JSON.stringify(value)}`);
}
