import { type Attributes, type Context, diag, type Span } from "@opentelemetry/api";
import type { ChatRequest, ChatResponse } from "../types.js";
import { type CallInput, toCallContent } from "./call-content.js";
import type { ChunkTimer } from "./chunk-timing.js";
import { describeErrorType, isErrorReason, recordSpanError } from "./describe-error-type.js";
import { type EventAttributes, type EventLogger, emitDetailsEvent } from "./details-event.js";
import { type GenAIMetrics, recordTokenUsage } from "./gen-ai-metrics.js";
import {
  addContentEventAttributes,
  applyContentHook,
  contentSpanAttributes,
  type GenAIContent,
} from "./genai-content.js";
import { buildResponseAttributes } from "./response-attributes.js";
import {
  ATTR_ERROR_TYPE,
  ATTR_OPENROUTER_RETRY_ATTEMPT,
  ATTR_OPENROUTER_RETRY_DELAY_MS,
  EVENT_RETRY,
  OPERATION_CHAT,
} from "./semconv.js";
import { hasOutput, toSemconvFinishReason } from "./semconv-messages.js";
import type { TelemetrySettings } from "./telemetry-settings.js";

export type { TelemetrySettings } from "./telemetry-settings.js";

/** How a call ended, as the stream reports it (exactly once). */
export type CallOutcome =
  | { kind: "completed"; response: ChatResponse }
  | { kind: "failed"; error: unknown; partial: ChatResponse }
  | { kind: "cancelled"; by: "consumer" | "abort"; reason?: unknown; partial: ChatResponse };

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
  /** Output chunks after the first of the current network read: zero gaps, not yet recorded. */
  #sameRead = 0;
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
    this.#chunkTimer ??= this.#series(metrics, responseModel, undefined).timePerOutputChunk;
    if (arrivedAt === this.#lastChunkAt) {
      // Another chunk of the same read: counted, recorded with the rest of the read's.
      this.#sameRead++;
      return;
    }
    this.#chunkTimer.record((arrivedAt - this.#lastChunkAt) / 1000);
    this.#lastChunkAt = arrivedAt;
  }

  /**
   * A network read has been fed: its chunks after the first came with it, a gap of zero each,
   * recorded as one observation counted that many times (the chunks of one read are hundreds
   * on a fast stream). Called before anything else can run, so every chunk lands in the
   * collection interval it arrived in, as one record per chunk would.
   */
  onReadEnd(): void {
    const count = this.#sameRead;
    if (count === 0) return;
    this.#sameRead = 0;
    this.#chunkTimer?.record(0, count);
  }

  /** Ends the call: idempotent, and the span (when ours) ends even if recording fails. */
  end(outcome: CallOutcome): void {
    if (this.#ended) return;
    this.#ended = true;
    try {
      this.onReadEnd(); // a call that ends inside a read (its last chunks, an error chunk)
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
    const series = this.#series(metrics, response.model, errorType);
    series.operationDuration.record((endedAt - this.#startedAt) / 1000);
    if (this.#firstChunkAt !== 0)
      series.timeToFirstChunk.record((this.#firstChunkAt - this.#startedAt) / 1000);
    if (response.usage !== undefined) recordTokenUsage(metrics, response.usage, series);
  }

  #series(metrics: GenAIMetrics, responseModel: string, errorType: string | undefined) {
    return metrics.call.series(this.#settings.server, this.#requestModel, responseModel, errorType);
  }
}

function assertNever(value: never): never {
  throw new Error(`Unexpected outcome: ${JSON.stringify(value)}`);
}
