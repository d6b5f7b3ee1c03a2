import { APIError, StreamError } from "../errors.js";

/**
 * `error.type` of a failed call: the HTTP status (`"429"`), the code of a mid-stream error
 * chunk, or the error's class name (`TimeoutError`); `_OTHER` when nothing better is known.
 */
export function describeErrorType(error: unknown): string {
  if (error instanceof APIError) return String(error.status);
  if (error instanceof StreamError && error.code !== undefined) return String(error.code);
  if (error instanceof Error && error.name) return error.name;
  return "_OTHER";
}

/** An abort's reason counts as an error unless it is the plain `AbortError` of `abort()`. */
export function isErrorReason(reason: unknown): boolean {
  return reason instanceof Error && reason.name !== "AbortError";
}
