import { setTimeout as sleep } from "node:timers/promises";
import { type Dispatcher, request } from "undici";
import { describeThrown } from "../describe-thrown.js";
import { APIError, ConnectionError, TimeoutError } from "../errors.js";
import type { ChatResponse } from "../types.js";
import { readAPIError } from "./read-api-error.js";
import { computeRetryDelay } from "./retry-policy.js";

export interface SendChatRequestOptions {
  url: string;
  /** All headers, the Authorization header included; never copied into an error. */
  headers: Record<string, string>;
  body: string;
  /** Idle timeout: for the response headers, then between two reads of the body. */
  timeoutMs: number;
  maxRetries: number;
  signal: AbortSignal | undefined;
  dispatcher: Dispatcher | undefined;
  /** Called before each retry, with the 1-based attempt that follows and the delay. */
  onRetry: ((attempt: number, delayMs: number, error: Error) => void) | undefined;
}

/**
 * Sends the request and returns the first 2xx response with its body unread. Retries 408,
 * 429, 5xx and connection failures, which all happen before the first byte of a stream;
 * nothing after that point is ever retried (the caller has already seen output).
 */
export async function sendChatRequest(
  options: SendChatRequestOptions,
): Promise<Dispatcher.ResponseData> {
  const { signal, maxRetries } = options;
  const description = `POST ${options.url}`;
  for (let attempt = 0; ; attempt++) {
    let error: APIError | ConnectionError | TimeoutError;
    try {
      const response = await request(options.url, {
        method: "POST",
        headers: options.headers,
        body: options.body,
        signal,
        headersTimeout: options.timeoutMs,
        bodyTimeout: options.timeoutMs,
        ...(options.dispatcher ? { dispatcher: options.dispatcher } : {}),
      });
      if (response.statusCode >= 200 && response.statusCode < 300) return response;
      error = await readAPIError(response, description);
      if (signal?.aborted) throw signal.reason; // aborted while the error body was read
    } catch (cause) {
      if (signal?.aborted) throw signal.reason;
      error = toTransportError(cause, description, options.timeoutMs, undefined);
    }
    const delay =
      attempt < maxRetries && isRetryable(error)
        ? computeRetryDelay(attempt, error instanceof APIError ? error.retryAfter : undefined)
        : undefined;
    if (delay === undefined) throw error;
    options.onRetry?.(attempt + 1, delay, error);
    try {
      await sleep(delay, undefined, signal ? { signal } : undefined);
    } catch {
      throw signal?.reason;
    }
  }
}

/** The server's own word (`availability.retryable`) first, else the status. */
function isRetryable(error: Error): boolean {
  if (error instanceof APIError) return error.isRetryable;
  return error instanceof ConnectionError;
}

const TIMEOUT_CODES = new Set([
  "UND_ERR_HEADERS_TIMEOUT",
  "UND_ERR_BODY_TIMEOUT",
  "UND_ERR_CONNECT_TIMEOUT",
]);

/**
 * Wraps what undici or the socket threw. Undici's messages carry no header, so the cause is
 * kept as is for debugging.
 */
export function toTransportError(
  cause: unknown,
  description: string,
  timeoutMs: number,
  partial: ChatResponse | undefined,
): ConnectionError | TimeoutError {
  const code = (cause as { code?: unknown } | null)?.code;
  if (typeof code === "string" && TIMEOUT_CODES.has(code)) {
    return new TimeoutError(`${description}: no data received for ${timeoutMs} ms`, {
      timeoutMs,
      cause,
      partial,
    });
  }
  const reason = describeThrown(cause);
  const what = partial === undefined ? "failed" : "closed before the stream finished";
  return new ConnectionError(`${description}: connection ${what} (${reason})`, {
    cause,
    partial,
  });
}
