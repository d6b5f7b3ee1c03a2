import type { Dispatcher } from "undici";
import { describeThrown } from "../describe-thrown.js";
import { APIError, ConnectionError, OpenRouterError, TimeoutError } from "../errors.js";
import type { ChatResponse } from "../types.js";
import { HttpExchange } from "./http-exchange.js";
import { readAPIError } from "./read-api-error.js";
import type { RequestStop } from "./request-stop.js";
import { computeRetryDelay } from "./retry-policy.js";

export interface SendRequestOptions {
  method: "GET" | "POST";
  url: string;
  /** All headers, the Authorization header included; never copied into an error. */
  headers: Record<string, string>;
  body?: string | undefined;
  /** Undici's `headersTimeout` and `bodyTimeout` (between two network reads of the body). */
  timeoutMs: number;
  maxRetries: number;
  /** Stops the request (an abort, or its owner closing it): it then throws the stop's reason. */
  stop: RequestStop;
  dispatcher: Dispatcher | undefined;
  /** Called before each retry, with the 1-based attempt that follows and the delay. */
  onRetry?: ((attempt: number, delayMs: number, error: Error) => void) | undefined;
  /**
   * The wait before asking again after `error` (`attempt` counts from 0), or undefined to give
   * up: {@link chatRetryDelay} unless the request has a policy of its own.
   */
  retryDelay?: ((error: RequestError, attempt: number) => number | undefined) | undefined;
}

/** What a request that got no 2xx answer fails with. */
export type RequestError = APIError | ConnectionError | TimeoutError;

/**
 * Sends the request and returns the first 2xx response, asking again as `retryDelay` says, up
 * to `maxRetries` times. Without `read` the body is left unread (a stream's, read by its
 * consumer: nothing after the first byte is ever asked again); with it, the body is read inside
 * the loop, so that a socket that drops mid-body is asked again like one that drops before it
 * (`read`'s own errors, a ParseError say, are not). A stop ends it at once with the stop's reason,
 * during a request, a body or a wait.
 */
export async function sendRequest(options: SendRequestOptions): Promise<HttpExchange>;
export async function sendRequest<T>(
  options: SendRequestOptions,
  read: (response: HttpExchange) => Promise<T>,
): Promise<T>;
export async function sendRequest<T>(
  options: SendRequestOptions,
  read?: (response: HttpExchange) => Promise<T>,
): Promise<T | HttpExchange> {
  const { stop, maxRetries } = options;
  const description = `${options.method} ${options.url}`;
  const retryDelay = options.retryDelay ?? chatRetryDelay;
  for (let attempt = 0; ; attempt++) {
    if (stop.stopped) throw stop.reason;
    let error: RequestError;
    const { exchange, head } = HttpExchange.send(options);
    stop.onStop = () => exchange.abort(stop.reason);
    try {
      const response = await head;
      if (response.statusCode >= 200 && response.statusCode < 300)
        return read === undefined ? response : await read(response);
      error = await readAPIError(response, description);
      if (stop.stopped) throw stop.reason; // stopped while the error body was read
    } catch (cause) {
      if (stop.stopped) throw stop.reason;
      if (cause instanceof OpenRouterError) throw cause; // `read`'s verdict on the body
      error = toTransportError(cause, description, options.timeoutMs, undefined);
    } finally {
      // A stream's body is read later, by its owner, which aborts the exchange itself.
      stop.onStop = undefined;
    }
    const delay = attempt < maxRetries ? retryDelay(error, attempt) : undefined;
    if (delay === undefined) throw error;
    options.onRetry?.(attempt + 1, delay, error);
    await wait(delay, stop);
  }
}

/** Waits `ms` before asking again; a stop ends the wait at once, with its reason. */
function wait(ms: number, stop: RequestStop): Promise<void> {
  // Stopped already, by `onRetry` say.
  if (stop.stopped) return Promise.reject(stop.reason);
  return new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      stop.onStop = undefined;
      resolve();
    }, ms);
    stop.onStop = () => {
      clearTimeout(timer);
      reject(stop.reason);
    };
  });
}

/**
 * A chat completion's policy: 408, 429, 5xx and connection failures, which all happen before
 * the first byte of a stream (nothing after it is ever retried: the caller has seen output);
 * the server's own word (`availability.retryable`) first. Not a timeout: the model may still
 * be working on the request.
 */
export function chatRetryDelay(error: RequestError, attempt: number): number | undefined {
  const retryable =
    error instanceof APIError ? error.isRetryable : error instanceof ConnectionError;
  if (!retryable) return undefined;
  return computeRetryDelay(attempt, error instanceof APIError ? error.retryAfter : undefined);
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
