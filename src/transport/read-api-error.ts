import type { Dispatcher } from "undici";
import { APIError } from "../errors.js";
import type { WireError } from "../wire.js";
import { readBodyText } from "./read-body-text.js";
import { parseRetryAfter } from "./retry-policy.js";

/** Error bodies are small; anything past this is dropped rather than buffered. */
export const MAX_ERROR_BODY_BYTES = 64 * 1024;
/** How much of a non-JSON body (an HTML error page, say) an APIError keeps. */
export const MAX_ERROR_BODY_CHARS = 2048;

/**
 * Reads a non-2xx response into an {@link APIError} with what the server said: OpenRouter's
 * `{"error": {code, message, metadata}}`, the availability shape (`error_type`,
 * `availability.retry_after`), or a plain text/HTML body.
 */
export async function readAPIError(
  response: Dispatcher.ResponseData,
  description: string,
): Promise<APIError> {
  const status = response.statusCode;
  let text = "";
  try {
    text = await readBodyText(response.body, MAX_ERROR_BODY_BYTES);
  } catch {
    // The status is what matters; a body cut short adds nothing we could rely on.
  }
  const error = parseErrorBody(text);
  const retryAfter =
    parseRetryAfter(response.headers["retry-after"]) ?? readAvailabilityRetryAfter(error);
  if (error !== undefined) {
    const { code, message, metadata, ...rest } = error;
    const extra = Object.keys(rest).length > 0 ? rest : undefined;
    return new APIError({
      status,
      message: `${description} failed with status ${status}: ${message || "no message"}`,
      code: code ?? (typeof rest.error_type === "string" ? rest.error_type : undefined),
      metadata: metadata ?? extra,
      retryAfter,
    });
  }
  const snippet = text.trim().slice(0, MAX_ERROR_BODY_CHARS);
  return new APIError({
    status,
    message: `${description} failed with status ${status}${snippet ? `: ${snippet.slice(0, 200)}` : " and an empty body"}`,
    retryAfter,
    body: snippet || undefined,
  });
}

/** The `error` object of a JSON body, or undefined when the body is not that shape. */
function parseErrorBody(text: string): WireError | undefined {
  if (text === "") return undefined;
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof json !== "object" || json === null) return undefined;
  const error = (json as { error?: unknown }).error;
  if (typeof error === "object" && error !== null) return error as WireError;
  if (typeof error === "string") return { message: error };
  return undefined;
}

function readAvailabilityRetryAfter(error: WireError | undefined): number | undefined {
  const availability = error?.availability as { retry_after?: unknown } | undefined;
  const value = availability?.retry_after;
  return typeof value === "number" && Number.isFinite(value) ? value : undefined;
}
