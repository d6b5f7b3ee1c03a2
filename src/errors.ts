import type { ChatResponse, ToolCall } from "./types.js";

const ERROR_MARK = Symbol.for("openrouter-otel.error");

/**
 * The base of every error this SDK throws on purpose. Messages carry what the server said,
 * the method and URL, never a header or the API key.
 */
export class OpenRouterError extends Error {
  /** The brand that lets {@link isOpenRouterError} recognise errors from another installed copy. */
  readonly [ERROR_MARK] = true;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** True for any {@link OpenRouterError}, even one thrown by a second copy of this package. */
export function isOpenRouterError(value: unknown): value is OpenRouterError {
  return typeof value === "object" && value !== null && ERROR_MARK in value;
}

/** What the server said about a failure, in every shape it says it (see `read-wire-error.ts`). */
export interface ServerErrorInit {
  message: string;
  code?: number | string | undefined;
  type?: string | undefined;
  errorType?: string | undefined;
  providerName?: string | undefined;
  metadata?: Record<string, unknown> | undefined;
  availability?: Record<string, unknown> | undefined;
  retryable?: boolean | undefined;
  retryAfter?: number | undefined;
  /** What ended the call after the server had reported the failure (the socket closing, say). */
  cause?: unknown;
}

/**
 * The base of the errors the server reported (before the stream, in its body, or inside it):
 * the fields a caller needs to decide what to do next.
 */
export abstract class ServerError extends OpenRouterError {
  /**
   * `error.code` as sent (a status such as `429`, or a string such as `"server_error"`); for
   * an availability error without one, `availability.code`, else `error_type`.
   */
  readonly code: number | string | undefined;
  /** The OpenAI-style `error.type` (`"server_error"`), when sent. */
  readonly type: string | undefined;
  /** OpenRouter's `error_type` (`rate_limit_exceeded`, `provider_unavailable`, ...). */
  readonly errorType: string | undefined;
  /** The upstream provider that failed (`metadata.provider_name`, or `error.provider`). */
  readonly providerName: string | undefined;
  /** `error.metadata` as sent: `provider_name`, `raw`, `reasons`, `headers`, ... */
  readonly metadata: Record<string, unknown> | undefined;
  /** `error.availability` as sent: `code`, `retryable`, `fallback_models`, ... */
  readonly availability: Record<string, unknown> | undefined;
  /**
   * Seconds the server asked us to wait: the `Retry-After` header, `availability.retry_after`,
   * or the time left until `metadata.headers["X-RateLimit-Reset"]` (epoch milliseconds).
   */
  readonly retryAfter: number | undefined;
  readonly #retryable: boolean | undefined;

  constructor(init: ServerErrorInit) {
    super(init.message, init.cause === undefined ? undefined : { cause: init.cause });
    this.code = init.code;
    this.type = init.type;
    this.errorType = init.errorType;
    this.providerName = init.providerName;
    this.metadata = init.metadata;
    this.availability = init.availability;
    this.retryAfter = init.retryAfter;
    this.#retryable = init.retryable;
  }

  /**
   * Whether sending the same request again may succeed: the server's own word first
   * (`availability.retryable`, then `metadata.raw.retryable`), else the error status, else the
   * `error_type`, else an OpenAI-style `server_error` (as `type` or `code`).
   */
  get isRetryable(): boolean {
    if (this.#retryable !== undefined) return this.#retryable;
    const status = this.statusForRetry;
    // A 2xx (an error body sent with 200) says nothing about the failure: read the rest.
    if (status !== undefined && status >= 400) return isRetryableStatus(status);
    if (this.errorType !== undefined) return TRANSIENT_ERROR_TYPES.has(this.errorType);
    // The OpenAI-style classifier, as `type` (with `code: null`) or as a string `code`.
    return this.type === "server_error" || this.code === "server_error";
  }

  /** The HTTP status the retry decision falls back on (a subclass's own). */
  protected abstract get statusForRetry(): number | undefined;
}

/** OpenRouter's `error_type`s that name a transient condition. */
const TRANSIENT_ERROR_TYPES = new Set([
  "rate_limit_exceeded",
  "provider_unavailable",
  "provider_overloaded",
  "timeout",
  "server",
]);

/**
 * The server answered with a non-2xx status, or a non-streaming answer (a 2xx) whose body is
 * an error, or a 2xx that is not a stream.
 */
export class APIError extends ServerError {
  /** HTTP status; for an error body sent with a 2xx, its numeric `code` when it has one. */
  readonly status: number;
  /** The response body when it was not the JSON error shape (HTML, text), cut to 2 KiB. */
  readonly body: string | undefined;
  /** What a non-streaming answer held next to its error (`choices[0].message`). */
  readonly partial: ChatResponse | undefined;

  constructor(
    init: ServerErrorInit & {
      status: number;
      body?: string | undefined;
      partial?: ChatResponse | undefined;
    },
  ) {
    super(init);
    this.status = init.status;
    this.body = init.body;
    this.partial = init.partial;
  }

  protected get statusForRetry(): number {
    return this.status;
  }
}

/** The HTTP statuses worth retrying before the first byte of a stream. */
function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}

/**
 * The stream failed after it had started (HTTP status stays 200): an `error` on a chunk, in
 * its choice or alone, or a `finish_reason` of `error`.
 */
export class StreamError extends ServerError {
  /** The status the error names: a numeric `code`, or `http_status`. */
  readonly status: number | undefined;
  /** What arrived before the error, usage included when the error chunk carried it. */
  readonly partial: ChatResponse;

  constructor(init: ServerErrorInit & { status?: number | undefined; partial: ChatResponse }) {
    super(init);
    this.status = init.status;
    this.partial = init.partial;
  }

  protected get statusForRetry(): number | undefined {
    return this.status;
  }
}

/** The connection failed, or closed before the stream finished. */
export class ConnectionError extends OpenRouterError {
  /** What arrived before the connection was lost; `undefined` if nothing did. */
  readonly partial: ChatResponse | undefined;

  constructor(message: string, options: { cause?: unknown; partial?: ChatResponse | undefined }) {
    super(message, options);
    this.partial = options.partial;
  }
}

/** No byte arrived for `timeoutMs` (waiting for the headers or between two reads). */
export class TimeoutError extends OpenRouterError {
  readonly timeoutMs: number;
  readonly partial: ChatResponse | undefined;

  constructor(
    message: string,
    options: { timeoutMs: number; cause?: unknown; partial?: ChatResponse | undefined },
  ) {
    super(message, options);
    this.timeoutMs = options.timeoutMs;
    this.partial = options.partial;
  }
}

/** A data line was not JSON, or an event exceeded the size limit. */
export class ParseError extends OpenRouterError {
  /** The start of the offending data (at most 200 characters). */
  readonly data: string;
  /** In a stream: what arrived before the offending data (the events before it were delivered). */
  readonly partial: ChatResponse | undefined;

  constructor(
    message: string,
    options: { data: string; cause?: unknown; partial?: ChatResponse | undefined },
  ) {
    super(message, options);
    this.data = options.data.slice(0, 200);
    this.partial = options.partial;
  }
}

/** The caller's request or options are invalid; thrown before anything is sent. */
export class InvalidRequestError extends OpenRouterError {
  /** The offending field, as a path (`messages[2].role`). */
  readonly field: string;

  constructor(field: string, problem: string) {
    super(`${field} ${problem}`);
    this.field = field;
  }
}

/** Why a tool call did not produce a result. */
export type ToolErrorKind = "unknown_tool" | "invalid_arguments" | "execute";

/**
 * A tool call of an agent run failed: the model named a tool the agent does not have, sent
 * arguments that are not JSON or fail the tool's schema, or `execute` threw (then `cause` is
 * what it threw). The agent feeds these back to the model; with `onToolError: "throw"` an
 * `execute` failure rejects the run with this error.
 */
export class ToolError extends OpenRouterError {
  readonly kind: ToolErrorKind;
  /** The call as the model requested it. */
  readonly toolCall: ToolCall;
  /** The step (1-based) whose response requested the call. */
  readonly step: number;

  constructor(init: {
    message: string;
    kind: ToolErrorKind;
    toolCall: ToolCall;
    step: number;
    cause?: unknown;
  }) {
    super(init.message, init.cause === undefined ? undefined : { cause: init.cause });
    this.kind = init.kind;
    this.toolCall = init.toolCall;
    this.step = init.step;
  }
}

/**
 * What arrived of a call before it failed, when the error is one of the call's own (they carry
 * its snapshot: an APIError only for an error answered with a 2xx body); undefined for anything
 * else (an abort's reason).
 */
export function partialOf(error: unknown): ChatResponse | undefined {
  const fromStream =
    error instanceof APIError ||
    error instanceof StreamError ||
    error instanceof ConnectionError ||
    error instanceof TimeoutError ||
    error instanceof ParseError;
  return fromStream ? error.partial : undefined;
}
