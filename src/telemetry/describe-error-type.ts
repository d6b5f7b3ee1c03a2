import { type Span, SpanStatusCode } from "@opentelemetry/api";
import { describeThrown } from "../describe-thrown.js";
import { APIError, ServerError } from "../errors.js";

/**
 * `error.type` of a failed call: what the server said, the most specific first (its `code`,
 * then the OpenAI-style `type`, then OpenRouter's `error_type`), else the HTTP error status of
 * an {@link APIError}, else the error's class name (`TimeoutError`); `_OTHER` when nothing is known.
 */
export function describeErrorType(error: unknown): string {
  if (error instanceof ServerError) {
    const said = error.code ?? error.type ?? error.errorType;
    if (said !== undefined) return String(said);
    // A 200 (an error body, or a body that is not a stream) names no failure: the class does.
    if (error instanceof APIError && error.status >= 400) return String(error.status);
  }
  if (error instanceof Error && error.name) return error.name;
  return "_OTHER";
}

/** An abort's reason counts as an error unless it is the plain `AbortError` of `abort()`. */
export function isErrorReason(reason: unknown): boolean {
  return reason instanceof Error && reason.name !== "AbortError";
}

/** A failed span's exception event and ERROR status, whatever was thrown. */
export function recordSpanError(span: Span, error: unknown): void {
  const message = describeThrown(error);
  span.recordException(error instanceof Error ? error : message);
  span.setStatus({ code: SpanStatusCode.ERROR, message });
}
