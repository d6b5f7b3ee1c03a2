import { InvalidRequestError } from "../errors.js";
import type { ChatMessage, ChatRequest } from "../types.js";

/**
 * The request body as sent: `system` becomes the first message, every other field passes
 * through under its wire name. A value JSON cannot carry (a BigInt, a cycle) is the caller's
 * error, reported before anything is sent.
 */
export function serializeChatRequest(request: ChatRequest, stream: boolean): string {
  const { system, ...rest } = request;
  const messages: ChatMessage[] =
    system === undefined
      ? request.messages
      : [{ role: "system", content: system }, ...request.messages];
  try {
    return JSON.stringify({ ...rest, messages, stream });
  } catch (cause) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    throw new InvalidRequestError(
      findUnserializableField(request),
      `cannot be serialized to JSON (${reason})`,
    );
  }
}

/** On the error path only: which top-level field JSON.stringify chokes on. */
function findUnserializableField(request: ChatRequest): string {
  for (const [key, value] of Object.entries(request)) {
    try {
      JSON.stringify(value);
    } catch {
      return key;
    }
  }
  return "request";
}
