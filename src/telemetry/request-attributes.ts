import type { Attributes } from "@opentelemetry/api";
import type { ChatRequest } from "../types.js";
import {
  ATTR_GEN_AI_CONVERSATION_ID,
  ATTR_GEN_AI_OPERATION_NAME,
  ATTR_GEN_AI_OUTPUT_TYPE,
  ATTR_GEN_AI_PROVIDER_NAME,
  ATTR_GEN_AI_REQUEST_CHOICE_COUNT,
  ATTR_GEN_AI_REQUEST_FREQUENCY_PENALTY,
  ATTR_GEN_AI_REQUEST_MAX_TOKENS,
  ATTR_GEN_AI_REQUEST_MODEL,
  ATTR_GEN_AI_REQUEST_PRESENCE_PENALTY,
  ATTR_GEN_AI_REQUEST_SEED,
  ATTR_GEN_AI_REQUEST_STOP_SEQUENCES,
  ATTR_GEN_AI_REQUEST_STREAM,
  ATTR_GEN_AI_REQUEST_TEMPERATURE,
  ATTR_GEN_AI_REQUEST_TOP_K,
  ATTR_GEN_AI_REQUEST_TOP_P,
  ATTR_SERVER_ADDRESS,
  ATTR_SERVER_PORT,
  OPERATION_CHAT,
  PROVIDER_OPENROUTER,
  type Semconv,
} from "./semconv.js";

/** Where requests go, as `server.address` and `server.port` report it. */
export interface ServerEndpoint {
  address: string;
  port: number;
}

const NUMERIC_REQUEST_ATTRIBUTES = [
  ["temperature", ATTR_GEN_AI_REQUEST_TEMPERATURE],
  ["top_p", ATTR_GEN_AI_REQUEST_TOP_P],
  ["frequency_penalty", ATTR_GEN_AI_REQUEST_FREQUENCY_PENALTY],
  ["presence_penalty", ATTR_GEN_AI_REQUEST_PRESENCE_PENALTY],
  ["seed", ATTR_GEN_AI_REQUEST_SEED],
  ["n", ATTR_GEN_AI_REQUEST_CHOICE_COUNT],
] as const;

/** The attributes known before the request is sent, given to `startSpan` so samplers see them. */
export function buildRequestAttributes(
  request: ChatRequest,
  streaming: boolean,
  server: ServerEndpoint,
  semconv: Semconv,
): Attributes {
  const attributes: Attributes = {
    [ATTR_GEN_AI_OPERATION_NAME]: OPERATION_CHAT,
    [ATTR_GEN_AI_PROVIDER_NAME]: PROVIDER_OPENROUTER,
    [ATTR_GEN_AI_REQUEST_MODEL]: request.model,
    [ATTR_GEN_AI_REQUEST_STREAM]: streaming,
    [ATTR_SERVER_ADDRESS]: server.address,
    [ATTR_SERVER_PORT]: server.port,
  };
  for (const [field, attribute] of NUMERIC_REQUEST_ATTRIBUTES) {
    const value = request[field];
    if (typeof value === "number") attributes[attribute] = value; // 0 is a value, not absence
  }
  const topK = request.top_k;
  if (typeof topK === "number") {
    // Latest records an integer; a fractional top_k is not a decoding top_k there.
    if (!semconv.topKAsInteger) attributes[ATTR_GEN_AI_REQUEST_TOP_K] = topK;
    else if (Number.isInteger(topK)) attributes[ATTR_GEN_AI_REQUEST_TOP_K] = topK;
  }
  const effort = request.reasoning?.effort;
  if (semconv.requestReasoningLevel !== undefined && typeof effort === "string")
    attributes[semconv.requestReasoningLevel] = effort;
  const maxTokens = request.max_tokens ?? request.max_completion_tokens;
  if (typeof maxTokens === "number") attributes[ATTR_GEN_AI_REQUEST_MAX_TOKENS] = maxTokens;
  const stop = request.stop;
  if (typeof stop === "string") attributes[ATTR_GEN_AI_REQUEST_STOP_SEQUENCES] = [stop];
  else if (Array.isArray(stop)) attributes[ATTR_GEN_AI_REQUEST_STOP_SEQUENCES] = stop;
  // Only what the caller set: a conversation id is never made up (genai changelog 219).
  if (typeof request.session_id === "string" && request.session_id !== "")
    attributes[ATTR_GEN_AI_CONVERSATION_ID] = request.session_id;
  const format = request.response_format?.type;
  if (format === "json_object" || format === "json_schema")
    attributes[ATTR_GEN_AI_OUTPUT_TYPE] = "json";
  return attributes;
}
