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
import { nonNegativeInteger, positiveNumber } from "./check-option.js";
import { InvalidRequestError, OpenRouterError } from "./errors.js";
import { Generations, type GenerationsConnection } from "./generations.js";
import { addTraceIds, serializeChatRequest } from "./request/serialize-chat-request.js";
import { validateChatRequest } from "./request/validate-chat-request.js";
import { ChatStream } from "./stream/chat-stream.js";
import type { TelemetrySettings } from "./telemetry/call-telemetry.js";
import { type ContentOptions, resolveContentOptions } from "./telemetry/content-options.js";
import { startCall } from "./telemetry/start-call.js";
import type { ChatRequest, ChatResponse } from "./types.js";
import { INSTRUMENTATION_NAME, VERSION } from "./version.js";

export const DEFAULT_BASE_URL = "https://openrouter.ai/api/v1";
export const DEFAULT_TIMEOUT_MS = 60_000;
export const DEFAULT_MAX_RETRIES = 2;

export interface OpenRouterOptions extends ContentOptions {
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
    this.generations = Generations.create(connectionOf(this.chat));
  }

  /**
   * An agent: a model with tools run in a loop, each run traced as one `invoke_agent` span
   * with its chat and tool spans. The options are checked now (`InvalidRequestError`).
   */
  agent(options: AgentOptions): Agent {
    const chat = this.chat;
    return Agent.create(
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
  readonly #url: string;
  /** Every header of a call, built once (undefined without an API key). */
  readonly #callHeaders:
    | { json: Record<string, string>; stream: Record<string, string> }
    | undefined;
  readonly #timeoutMs: number;
  readonly #maxRetries: number;
  readonly #dispatcher: Dispatcher | undefined;
  readonly #telemetry: TelemetrySettings;
  readonly #propagateTrace: boolean;

  static {
    telemetrySettingsOf = (chat) => chat.#telemetry;
    // An agent checked its first step's request when the run was made.
    streamIn = (chat, request, options, parentContext) =>
      chat.#createStream(request, options, true, parentContext);
    connectionOf = (chat) => ({
      baseURL: chat.#url.slice(0, -"/chat/completions".length),
      jsonHeaders: chat.#callHeaders?.json,
      timeoutMs: chat.#timeoutMs,
      dispatcher: chat.#dispatcher,
    });
  }

  constructor(options: OpenRouterOptions) {
    const apiKey = options.apiKey ?? process.env.OPENROUTER_API_KEY;
    const baseURL = parseBaseURL(options.baseURL ?? DEFAULT_BASE_URL);
    this.#url = `${baseURL.href.replace(/\/+$/, "")}/chat/completions`;
    this.#timeoutMs = positiveNumber("timeoutMs", options.timeoutMs, DEFAULT_TIMEOUT_MS);
    this.#maxRetries = nonNegativeInteger("maxRetries", options.maxRetries, DEFAULT_MAX_RETRIES);
    this.#dispatcher = options.dispatcher;
    this.#propagateTrace = options.propagateTrace === true;
    const headers = {
      "content-type": "application/json",
      "user-agent": `${INSTRUMENTATION_NAME}/${VERSION}`,
      ...(options.appUrl ? { "http-referer": headerValue("appUrl", options.appUrl) } : {}),
      ...(options.appTitle
        ? { "x-openrouter-title": headerValue("appTitle", options.appTitle) }
        : {}),
      ...checkHeaders(options.headers),
    };
    const withAccept = (accept: string) => ({
      ...headers,
      accept,
      authorization: `Bearer ${apiKey}`,
    });
    this.#callHeaders =
      apiKey === undefined || apiKey === ""
        ? undefined
        : { json: withAccept("application/json"), stream: withAccept("text/event-stream") };
    this.#telemetry = {
      tracer: (options.tracerProvider ?? trace).getTracer(INSTRUMENTATION_NAME, VERSION),
      meterProvider: options.meterProvider,
      ...resolveContentOptions(options),
      server: {
        address: baseURL.hostname,
        port: baseURL.port ? Number(baseURL.port) : baseURL.protocol === "http:" ? 80 : 443,
      },
    };
  }

  /**
   * Streams a chat completion. The request is validated now (an `InvalidRequestError` is
   * thrown here) and sent when iteration starts; the active context is captured now.
   */
  stream(request: ChatRequest, options: ChatCallOptions = {}): ChatStream {
    validateChatRequest(request);
    return this.#createStream(request, options, true);
  }

  /** A one-shot (non-streaming) chat completion, with the same response and telemetry. */
  async complete(request: ChatRequest, options: ChatCallOptions = {}): Promise<ChatResponse> {
    validateChatRequest(request);
    return this.#createStream(request, options, false).response;
  }

  #createStream(
    request: ChatRequest,
    options: ChatCallOptions,
    streaming: boolean,
    parentContext: Context = context.active(),
  ): ChatStream {
    const body = serializeChatRequest(request, streaming);
    const callHeaders = this.#callHeaders;
    if (callHeaders === undefined) {
      throw new OpenRouterError(
        "No API key: pass `apiKey` to `new OpenRouter()` or set OPENROUTER_API_KEY",
      );
    }
    const settings = this.#telemetry;
    const span = options.span;
    return ChatStream.create({
      send: {
        method: "POST",
        url: this.#url,
        headers: streaming ? callHeaders.stream : callHeaders.json,
        body,
        timeoutMs: this.#timeoutMs,
        maxRetries: this.#maxRetries,
        dispatcher: this.#dispatcher,
      },
      signal: options.signal,
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
