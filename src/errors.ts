import type { ChatResponse, ToolCall } from "./types.js";

const ERROR_MARK = Symbol.for("openrouter-otel.error");

/**
 * The base of every error this SDK throws on purpose. Messages carry what the server said,
 * the method and URL, never a header or the API key.
 */
export class OpenRouterError extends Error {
  /** @internal Lets {@link isOpenRouterError} recognise errors from another installed copy. */
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

/** The server answered with a non-2xx status (or a 2xx that is not a stream). */
export class APIError extends OpenRouterError {
  /** HTTP status. */
  readonly status: number;
  /** `error.code` from the body (often the status again), or `error.error_type`. */
  readonly code: number | string | undefined;
  /** `error.metadata` from the body: `provider_name`, `raw`, `reasons`, ... */
  readonly metadata: Record<string, unknown> | undefined;
  /** Seconds the server asked us to wait (`Retry-After`, seconds or HTTP date). */
  readonly retryAfter: number | undefined;
  /** The response body when it was not the JSON error shape (HTML, text), cut to 2 KiB. */
  readonly body: string | undefined;

  constructor(init: {
    status: number;
    message: string;
    code?: number | string | undefined;
    metadata?: Record<string, unknown> | undefined;
    retryAfter?: number | undefined;
    body?: string | undefined;
  }) {
    super(init.message);
    this.status = init.status;
    this.code = init.code;
    this.metadata = init.metadata;
    this.retryAfter = init.retryAfter;
    this.body = init.body;
  }

  /** Whether sending the same request again may succeed (408, 429, 5xx). */
  get isRetryable(): boolean {
    return isRetryableStatus(this.status);
  }
}

/** The HTTP statuses worth retrying before the first byte of a stream. */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}

/** The server sent an `error` chunk after the stream had started (HTTP status stays 200). */
export class StreamError extends OpenRouterError {
  readonly code: number | string | undefined;
  readonly metadata: Record<string, unknown> | undefined;
  /** What arrived before the error, usage included when the error chunk carried it. */
  readonly partial: ChatResponse;

  constructor(init: {
    message: string;
    code: number | string | undefined;
    metadata: Record<string, unknown> | undefined;
    partial: ChatResponse;
  }) {
    super(init.message);
    this.code = init.code;
    this.metadata = init.metadata;
    this.partial = init.partial;
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

  constructor(message: string, options: { data: string; cause?: unknown }) {
    super(message, options);
    this.data = options.data.slice(0, 200);
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
