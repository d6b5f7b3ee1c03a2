import { describeThrown } from "../describe-thrown.js";
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
    const reason = describeThrown(cause);
    throw new InvalidRequestError(
      findUnserializableField(request),
      `cannot be serialized to JSON (${reason})`,
    );
  }
}

/** Where OpenRouter's Broadcast puts its own spans: our trace, under our chat span. */
interface TraceIds {
  trace_id: string;
  parent_span_id: string;
}

/**
 * The body with `trace: {trace_id, parent_span_id}` added (OPENROUTER_WIRE.md R2.9); keys the
 * caller set in `trace` win. `body` is what {@link serializeChatRequest} made of `request`:
 * when the caller set no `trace`, the field is appended to it rather than serializing again.
 */
export function addTraceIds(
  body: string,
  request: ChatRequest,
  stream: boolean,
  ids: TraceIds,
): string {
  const own = request.trace;
  if (own === undefined) return `${body.slice(0, -1)},"trace":${JSON.stringify(ids)}}`;
  if (typeof own !== "object" || own === null || Array.isArray(own)) return body;
  // A key set to `undefined` is not sent, so it must not erase ours either: that would send a
  // `parent_span_id` without its `trace_id`.
  const trace: Record<string, unknown> = { ...ids };
  for (const [key, value] of Object.entries(own)) if (value !== undefined) trace[key] = value;
  return serializeChatRequest({ ...request, trace }, stream);
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
