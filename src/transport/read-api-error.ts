import { APIError } from "../errors.js";
import type { HttpExchange } from "./http-exchange.js";
import { readWireError } from "./read-wire-error.js";
import { parseRetryAfter } from "./retry-policy.js";

/** Error bodies are small; anything past this is dropped rather than buffered. */
const MAX_ERROR_BODY_BYTES = 64 * 1024;
/** How much of a non-JSON body (an HTML error page, say) an APIError keeps. */
const MAX_ERROR_BODY_CHARS = 2048;

/**
 * Reads a non-2xx response into an {@link APIError} with what the server said: OpenRouter's
 * `{"error": {code, message, metadata}}`, the availability shape (`error_type`,
 * `availability.retry_after`), or a plain text/HTML body.
 */
export async function readAPIError(response: HttpExchange, description: string): Promise<APIError> {
  const status = response.statusCode;
  const text = await readErrorText(response);
  const headerRetryAfter = parseRetryAfter(response.headers["retry-after"]);
  const error = parseErrorBody(text);
  if (error !== undefined) {
    const fields = readWireError(error, headerRetryAfter);
    return new APIError({
      ...fields,
      status,
      message: `${description} failed with status ${status}: ${fields.message}`,
    });
  }
  const snippet = text.trim().slice(0, MAX_ERROR_BODY_CHARS);
  return new APIError({
    status,
    message: `${description} failed with status ${status}${snippet ? `: ${snippet.slice(0, 200)}` : " and an empty body"}`,
    retryAfter: headerRetryAfter,
    body: snippet || undefined,
  });
}

/** A 2xx answer that is neither an event stream nor JSON (an HTML page from a proxy, say). */
export async function readUnexpectedBody(
  response: HttpExchange,
  description: string,
  contentType: string,
): Promise<APIError> {
  const text = await readErrorText(response);
  return new APIError({
    status: response.statusCode,
    message: `${description} answered with ${contentType} instead of an event stream`,
    body: text.slice(0, MAX_ERROR_BODY_CHARS) || undefined,
  });
}

/** An error body, bounded; empty when it breaks off (the status is what matters then). */
function readErrorText(response: HttpExchange): Promise<string> {
  return response.text(MAX_ERROR_BODY_BYTES).catch(() => "");
}

/** The `error` object of a JSON body, or undefined when the body is not that shape. */
function parseErrorBody(text: string): unknown {
  if (text === "") return undefined;
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof json !== "object" || json === null) return undefined;
  const error = (json as { error?: unknown }).error;
  return (typeof error === "object" && error !== null) || typeof error === "string"
    ? error
    : undefined;
}
