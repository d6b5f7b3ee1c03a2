import { APIError, type ConnectionError, StreamError, type TimeoutError } from "../errors.js";
import { readWireError, type WireErrorFields } from "../transport/read-wire-error.js";
import { toTransportError } from "../transport/send-request.js";
import type { ChatAccumulator } from "./chat-accumulator.js";

/**
 * Whether the answer folded so far failed: an `error` object arrived (on a chunk, in its
 * choice, or alone), or the finish reason is `error`, which may be the only signal.
 */
export function hasAnswerError(accumulator: ChatAccumulator): boolean {
  return accumulator.error !== undefined || accumulator.finishReason === "error";
}

/**
 * A stream's failure, with what arrived before it; `cause` is what ended the stream after the
 * server had said it failed (a `finish_reason: "error"` followed by a dropped socket).
 */
export function toStreamError(accumulator: ChatAccumulator, cause?: unknown): StreamError {
  const fields = fieldsOf(accumulator);
  const code = fields.code;
  return new StreamError({
    ...fields,
    message: `The stream failed${code === undefined ? "" : ` with code ${code}`}: ${fields.message}`,
    partial: accumulator.snapshot(),
    cause,
  });
}

/**
 * The body failed under us (a dropped socket, a stall): a transport error with what arrived.
 * If the server had already said the answer failed (`finish_reason: "error"`, no error object),
 * that is the failure and the socket's end only its cause.
 */
export function toBodyFailure(
  accumulator: ChatAccumulator,
  error: unknown,
  description: string,
  timeoutMs: number,
): StreamError | ConnectionError | TimeoutError {
  if (accumulator.finishReason === "error") return toStreamError(accumulator, error);
  return toTransportError(error, description, timeoutMs, accumulator.snapshot());
}

/** A non-streaming answer's failure (a 2xx with an error body, or an error next to content). */
export function toAnswerAPIError(
  accumulator: ChatAccumulator,
  httpStatus: number,
  description: string,
): APIError {
  const fields = fieldsOf(accumulator);
  return new APIError({
    ...fields,
    status: fields.status ?? httpStatus,
    message: `${description} answered ${httpStatus} with an error: ${fields.message}`,
    partial: accumulator.snapshot(),
  });
}

/** What the error says; the provider, when the error object does not name it, from its chunk. */
function fieldsOf(accumulator: ChatAccumulator): WireErrorFields {
  const fields = readWireError(errorObjectOf(accumulator), undefined);
  fields.providerName ??= accumulator.errorProvider;
  return fields;
}

/** The error object, or for a bare `finish_reason: "error"` one naming the native reason. */
function errorObjectOf(accumulator: ChatAccumulator): unknown {
  if (accumulator.error !== undefined) return accumulator.error;
  const native = accumulator.nativeFinishReason;
  const detail = native === null || native === "error" ? "" : ` (native ${native})`;
  return { message: `the answer ended with finish_reason error${detail}` };
}
