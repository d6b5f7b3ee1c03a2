/**
 * What OpenRouter sends: the JSON shapes of the chat completions wire, kept apart from the
 * public types the caller sees (`types.ts`). Everything is optional or nullable because real
 * streams omit, repeat and null fields freely (see `OPENROUTER_WIRE.md`).
 */

import type { GeneratedImage } from "./types.js";

export interface WireToolCallDelta {
  index?: number;
  id?: string | null;
  type?: string | null;
  function?: { name?: string | null; arguments?: string | null } | null;
}

/** One fragment of `delta.reasoning_details[]`; fragments of a block share `type` and `index`. */
export interface WireReasoningDetail {
  type: string;
  index?: number;
  id?: string | null;
  format?: string | null;
  text?: string | null;
  summary?: string | null;
  data?: string | null;
  signature?: string | null;
  [field: string]: unknown;
}

export interface WireDelta {
  role?: string | null;
  content?: string | null;
  reasoning?: string | null;
  reasoning_details?: WireReasoningDetail[] | null;
  tool_calls?: WireToolCallDelta[] | null;
  refusal?: string | null;
  /** URL citations (web search), each whole. */
  annotations?: Array<Record<string, unknown>> | null;
  /** Generated images, each whole in one chunk (a data URL of megabytes). */
  images?: GeneratedImage[] | null;
}

export interface WireChoice {
  index?: number;
  delta?: WireDelta | null;
  /** Present on non-streaming responses instead of `delta`. */
  message?: WireMessage | null;
  finish_reason?: string | null;
  native_finish_reason?: string | null;
  /** An error inside the choice (DeepInfra and others), with `finish_reason: "error"`. */
  error?: WireError | string | null;
}

export interface WireMessage {
  role?: string;
  content?: string | null;
  reasoning?: string | null;
  reasoning_details?: WireReasoningDetail[] | null;
  tool_calls?: Array<{
    id?: string | null;
    type?: string;
    function?: { name?: string | null; arguments?: string | null };
  }> | null;
  refusal?: string | null;
  annotations?: Array<Record<string, unknown>> | null;
  images?: GeneratedImage[] | null;
}

export interface WireUsage {
  prompt_tokens?: number;
  completion_tokens?: number;
  total_tokens?: number;
  cost?: number | null;
  is_byok?: boolean;
  prompt_tokens_details?: {
    cached_tokens?: number | null;
    cache_write_tokens?: number | null;
    audio_tokens?: number | null;
    video_tokens?: number | null;
  } | null;
  completion_tokens_details?: {
    reasoning_tokens?: number | null;
    audio_tokens?: number | null;
    image_tokens?: number | null;
    accepted_prediction_tokens?: number | null;
    rejected_prediction_tokens?: number | null;
  } | null;
  cost_details?: { upstream_inference_cost?: number | null; [field: string]: unknown } | null;
  server_tool_use_details?: Record<string, unknown> | null;
  /** The older name of `server_tool_use_details`, still in the docs. */
  server_tool_use?: Record<string, unknown> | null;
}

/**
 * The `error` object of an HTTP error body or of a mid-stream error chunk, in every shape of
 * OPENROUTER_WIRE.md R2.1 (read by `transport/read-wire-error.ts`).
 */
export interface WireError {
  code?: number | string | null;
  message?: string | null;
  metadata?: Record<string, unknown> | null;
  /** OpenAI-style classifier, the only one when `code` is null. */
  type?: string | null;
  /** Availability errors: `error_type`, `http_status`, `availability {...}` instead of `code`. */
  error_type?: string | null;
  http_status?: number | null;
  availability?: Record<string, unknown> | null;
  [field: string]: unknown;
}

/** A streamed `chat.completion.chunk`, or (with `message` choices) a whole completion. */
export interface WireChunk {
  id?: string;
  model?: string;
  provider?: string;
  object?: string;
  created?: number;
  choices?: WireChoice[] | null;
  usage?: WireUsage | null;
  /** A bare error event has only this (and `user_id`); a string is tolerated too. */
  error?: WireError | string | null;
  user_id?: string;
  service_tier?: string | null;
  /** Routing record on the final chunk (request header `X-OpenRouter-Metadata: enabled`). */
  openrouter_metadata?: Record<string, unknown> | null;
  /** A leading debug chunk (`choices: []`) with `echo_upstream_body`. */
  debug?: Record<string, unknown> | null;
}
