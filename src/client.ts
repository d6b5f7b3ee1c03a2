import {
  type Context,
  context,
  type MeterProvider,
  type Span,
  type TracerProvider,
  trace,
} from "@opentelemetry/api";
import type { Dispatcher } from "undici";
import { Agent } from "./agent/agent.js";
import type { AgentOptions } from "./agent/types.js";
import { InvalidRequestError, OpenRouterError } from "./errors.js";
import { Generations, type GenerationsConnection } from "./generations.js";
import { addTraceIds, serializeChatRequest } from "./request/serialize-chat-request.js";
import { validateChatRequest } from "./request/validate-chat-request.js";
import { ChatStream } from "./stream/chat-stream.js";
import { startCall, type TelemetrySettings } from "./telemetry/call-telemetry.js";
import {
  type CaptureMode,
  isCaptureOption,
  resolveCapturePolicy,
} from "./telemetry/capture-content.js";
import { type ContentLimits, resolveContentLimits } from "./telemetry/content-limits.js";
import { type EventLoggerProvider, loadLogsApi } from "./telemetry/details-event.js";
import type { ContentHook } from "./telemetry/genai-content.js";
import { resolveSemconvVersion, type SemconvVersion, semconvOf } from "./telemetry/semconv.js";
import { DEFAULT_MAX_CONTENT_CHARS } from "./telemetry/truncate-text.js";
import type { ChatRequest, ChatResponse } from "./types.js";
import { INSTRUMENTATION_NAME, VERSION } from "./version.js";

export const DEFAULT_BASE_URL = "https://openrouter.ai/api/v1";
export const DEFAULT_TIMEOUT_MS = 60_000;
export const DEFAULT_MAX_RETRIES = 2;

export interface OpenRouterOptions {
  /**
   * OpenRouter API key, sent as `Authorization: Bearer`. Never appears in errors, logs or spans.
   * @defaultValue `process.env.OPENROUTER_API_KEY`
   */
  apiKey?: string | undefined;
  /** @defaultValue `"https://openrouter.ai/api/v1"` */
  baseURL?: string | undefined;
  /** Your app's URL, sent as `HTTP-Referer` for OpenRouter's app attribution. */
  appUrl?: string | undefined;
  /** Your app's name, sent as `X-OpenRouter-Title`. */
  appTitle?: string | undefined;
  /** Extra request headers. They are never recorded in telemetry. */
  headers?: Record<string, string> | undefined;
  /**
   * Idle timeout in milliseconds: no byte for this long, while waiting for the headers or
   * between two reads of the stream, fails the call with a `TimeoutError`. undici checks it
   * on a clock of about half a second, so the error can come up to a second late.
   * @defaultValue `60_000`
   */
  timeoutMs?: number | undefined;
  /**
   * Retries of 408, 429, 5xx and connection failures, before the first byte only.
   * @defaultValue `2`
   */
  maxRetries?: number | undefined;
  /** @defaultValue the global tracer provider */
  tracerProvider?: TracerProvider | undefined;
  /** @defaultValue the global meter provider */
  meterProvider?: MeterProvider | undefined;
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
   * `OTEL_SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT` and `OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT`.
   * @defaultValue those variables, else no limit
   */
  maxContentAttributeChars?: number | undefined;
  /**
   * All content attributes of one span together, in characters: over it, the largest are
   * dropped first and named in `openrouter.content.dropped`.
   * @defaultValue no limit
   */
  maxSpanContentChars?: number | undefined;
  /** An undici dispatcher (an `Agent` or `Pool`) for connection settings or a proxy. */
  dispatcher?: Dispatcher | undefined;
  /**
   * Join OpenRouter's own traces (Broadcast) to ours: when the call's span is recording, the
   * request gains `trace: {trace_id, parent_span_id}` (our trace id, the id of our chat span),
   * so that OpenRouter's generation span nests under it in a backend that receives both. Keys
   * the request sets in `trace` win. Off by default: it changes the body, which OpenRouter's
   * response cache keys on (every call becomes a miss), and hands trace ids to OpenRouter.
   * @defaultValue `false`
   */
  propagateTrace?: boolean | undefined;
}

export interface ChatCallOptions {
  /** Aborting rejects the call with the signal's reason and closes the socket at once. */
  signal?: AbortSignal | undefined;
  /**
   * Record into this span (an agent's turn span, say) instead of starting one. The SDK sets
   * the same attributes on it and leaves ending it to you.
   */
  span?: Span | undefined;
}

/** The client. One instance per API key and base URL; it keeps no per-call state. */
export class OpenRouter {
  readonly chat: Chat;
  /** OpenRouter's records of past generations (`GET /generation`): cost, timing, providers. */
  readonly generations: Generations;

  constructor(options: OpenRouterOptions = {}) {
    this.chat = new Chat(options);
    this.generations = new Generations(connectionOf(this.chat));
  }

  /**
   * An agent: a model with tools run in a loop, each run traced as one `invoke_agent` span
   * with its chat and tool spans. The options are checked now (`InvalidRequestError`).
   */
  agent(options: AgentOptions): Agent {
    const chat = this.chat;
    return new Agent(
      options,
      (request, signal, parentContext) => streamIn(chat, request, { signal }, parentContext),
      telemetrySettingsOf(chat),
    );
  }
}

/** A client's telemetry settings, for the agents it makes (read through Chat's static block). */
let telemetrySettingsOf: (chat: Chat) => TelemetrySettings;
/**
 * `chat.stream()` under an explicit parent context: an agent's steps are children of its span
 * even when no context manager is registered (then `context.with()` changes nothing).
 */
let streamIn: (
  chat: Chat,
  request: ChatRequest,
  options: ChatCallOptions,
  parentContext: Context,
) => ChatStream;
/** A client's connection settings, for `client.generations` (read the same way). */
let connectionOf: (chat: Chat) => GenerationsConnection;

/** `client.chat`: streaming and one-shot chat completions. */
export class Chat {
  readonly #apiKey: string | undefined;
  readonly #url: string;
  readonly #headers: Record<string, string>;
  readonly #timeoutMs: number;
  readonly #maxRetries: number;
  readonly #dispatcher: Dispatcher | undefined;
  readonly #telemetry: TelemetrySettings;
  readonly #propagateTrace: boolean;

  static {
    telemetrySettingsOf = (chat) => chat.#telemetry;
    streamIn = (chat, request, options, parentContext) =>
      chat.#createStream(request, options, true, parentContext);
    connectionOf = (chat) => ({
      apiKey: chat.#apiKey,
      baseURL: chat.#url.slice(0, -"/chat/completions".length),
      headers: chat.#headers,
      timeoutMs: chat.#timeoutMs,
      dispatcher: chat.#dispatcher,
    });
  }

  constructor(options: OpenRouterOptions) {
    this.#apiKey = options.apiKey ?? process.env.OPENROUTER_API_KEY;
    const baseURL = parseBaseURL(options.baseURL ?? DEFAULT_BASE_URL);
    this.#url = `${baseURL.href.replace(/\/+$/, "")}/chat/completions`;
    this.#timeoutMs = positiveNumber("timeoutMs", options.timeoutMs, DEFAULT_TIMEOUT_MS);
    this.#maxRetries = nonNegativeInteger("maxRetries", options.maxRetries, DEFAULT_MAX_RETRIES);
    this.#dispatcher = options.dispatcher;
    this.#propagateTrace = options.propagateTrace === true;
    this.#headers = {
      "content-type": "application/json",
      "user-agent": `${INSTRUMENTATION_NAME}/${VERSION}`,
      ...(options.appUrl ? { "http-referer": headerValue("appUrl", options.appUrl) } : {}),
      ...(options.appTitle
        ? { "x-openrouter-title": headerValue("appTitle", options.appTitle) }
        : {}),
      ...checkHeaders(options.headers),
    };
    const capture = resolveCaptureSettings(options);
    this.#telemetry = {
      tracer: (options.tracerProvider ?? trace).getTracer(INSTRUMENTATION_NAME, VERSION),
      meterProvider: options.meterProvider,
      ...capture,
      maxContentChars: positiveNumber(
        "maxContentChars",
        options.maxContentChars,
        DEFAULT_MAX_CONTENT_CHARS,
      ),
      server: {
        address: baseURL.hostname,
        port: baseURL.port ? Number(baseURL.port) : baseURL.protocol === "http:" ? 80 : 443,
      },
      semconv: semconvOf(resolveSemconvVersion(semconvOption(options.semconv))),
      contentLimits: resolveLimits(options),
    };
  }

  /**
   * Streams a chat completion. The request is validated now (an `InvalidRequestError` is
   * thrown here) and sent when iteration starts; the active context is captured now.
   */
  stream(request: ChatRequest, options: ChatCallOptions = {}): ChatStream {
    return this.#createStream(request, options, true);
  }

  /** A one-shot (non-streaming) chat completion, with the same response and telemetry. */
  async complete(request: ChatRequest, options: ChatCallOptions = {}): Promise<ChatResponse> {
    return this.#createStream(request, options, false).response;
  }

  #createStream(
    request: ChatRequest,
    options: ChatCallOptions,
    streaming: boolean,
    parentContext: Context = context.active(),
  ): ChatStream {
    validateChatRequest(request);
    const body = serializeChatRequest(request, streaming);
    const apiKey = this.#apiKey;
    if (apiKey === undefined || apiKey === "") {
      throw new OpenRouterError(
        "No API key: pass `apiKey` to `new OpenRouter()` or set OPENROUTER_API_KEY",
      );
    }
    const settings = this.#telemetry;
    const span = options.span;
    return new ChatStream({
      send: {
        url: this.#url,
        headers: {
          ...this.#headers,
          accept: streaming ? "text/event-stream" : "application/json",
          authorization: `Bearer ${apiKey}`,
        },
        body,
        timeoutMs: this.#timeoutMs,
        maxRetries: this.#maxRetries,
        signal: options.signal,
        dispatcher: this.#dispatcher,
      },
      parentContext,
      startCall: (parentContext) => startCall(settings, request, streaming, parentContext, span),
      tracedBody: this.#propagateTrace
        ? (spanContext) =>
            addTraceIds(body, request, streaming, {
              trace_id: spanContext.traceId,
              parent_span_id: spanContext.spanId,
            })
        : undefined,
    });
  }
}

function parseBaseURL(value: string): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new InvalidRequestError(
      "baseURL",
      `must be an absolute http(s) URL (got ${JSON.stringify(value)})`,
    );
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new InvalidRequestError("baseURL", `must use http or https (got ${url.protocol})`);
  }
  return url;
}

function resolveCaptureSettings(options: OpenRouterOptions) {
  if (!isCaptureOption(options.captureContent)) {
    throw new InvalidRequestError(
      "captureContent",
      `must be a boolean, "NO_CONTENT", "SPAN_ONLY", "EVENT_ONLY" or "SPAN_AND_EVENT" (got ${String(options.captureContent)})`,
    );
  }
  const { spanContent, ...capture } = resolveCapturePolicy(
    options.captureContent,
    options.emitEvent,
  );
  // Loaded now, so that the first call finds it; never for a client that emits no event.
  if (capture.emitEvent && options.loggerProvider === undefined) void loadLogsApi();
  if (options.onContent !== undefined && typeof options.onContent !== "function")
    throw new InvalidRequestError("onContent", "must be a function");
  return {
    captureContent: spanContent,
    capture,
    loggerProvider: options.loggerProvider,
    onContent: options.onContent,
  };
}

function resolveLimits(options: OpenRouterOptions): ContentLimits | undefined {
  const limits = resolveContentLimits({
    maxContentAttributeChars: wholeNumber(
      "maxContentAttributeChars",
      options.maxContentAttributeChars,
    ),
    maxSpanContentChars: wholeNumber("maxSpanContentChars", options.maxSpanContentChars),
  });
  return limits.attributeChars === undefined && limits.spanChars === undefined ? undefined : limits;
}

function wholeNumber(field: string, value: number | undefined): number | undefined {
  return value === undefined ? undefined : nonNegativeInteger(field, value, 0);
}

function semconvOption(value: SemconvVersion | undefined): SemconvVersion | undefined {
  if (value === undefined || value === "latest" || value === "v1.41.1") return value;
  throw new InvalidRequestError("semconv", `must be "v1.41.1" or "latest" (got ${String(value)})`);
}

function positiveNumber(field: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== "number" || !(value > 0)) {
    throw new InvalidRequestError(field, `must be a positive number (got ${String(value)})`);
  }
  return value;
}

function nonNegativeInteger(field: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < 0) {
    throw new InvalidRequestError(field, `must be a whole number >= 0 (got ${String(value)})`);
  }
  return value;
}

/** Extra headers, lower-cased, each checked now rather than failing every request later. */
function checkHeaders(headers: Record<string, string> | undefined): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name)) {
      throw new InvalidRequestError(
        `headers[${JSON.stringify(name)}]`,
        "is not a valid header name",
      );
    }
    result[name.toLowerCase()] = headerValue(`headers[${JSON.stringify(name)}]`, value);
  }
  return result;
}

function headerValue(field: string, value: string): string {
  if (typeof value !== "string" || /[\r\n\0]/.test(value)) {
    throw new InvalidRequestError(field, "must be a string without line breaks");
  }
  return value;
}
