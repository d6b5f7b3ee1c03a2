import type { Attributes } from "@opentelemetry/api";
import type { ChatResponse, Usage } from "../types.js";
import {
  ATTR_ERROR_TYPE,
  ATTR_GEN_AI_RESPONSE_FINISH_REASONS,
  ATTR_GEN_AI_RESPONSE_ID,
  ATTR_GEN_AI_RESPONSE_MODEL,
  ATTR_GEN_AI_RESPONSE_TIME_TO_FIRST_CHUNK,
  ATTR_GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS,
  ATTR_GEN_AI_USAGE_INPUT_TOKENS,
  ATTR_GEN_AI_USAGE_OUTPUT_TOKENS,
  ATTR_GEN_AI_USAGE_REASONING_OUTPUT_TOKENS,
  ATTR_OPENROUTER_CANCELLED,
  ATTR_OPENROUTER_NATIVE_FINISH_REASON,
  ATTR_OPENROUTER_PROVIDER,
  ATTR_OPENROUTER_USAGE_COST,
  type Semconv,
} from "./semconv.js";

/** The attributes known once a call has ended, for its span and its details event. */
export function buildResponseAttributes(
  ended: {
    response: ChatResponse;
    finishReason: string | undefined;
    /** Seconds, when any output arrived. */
    timeToFirstChunk: number | undefined;
    cancelledBy: "consumer" | "abort" | undefined;
    errorType: string | undefined;
  },
  semconv: Semconv,
): Attributes {
  const { response, finishReason } = ended;
  const attributes: Attributes = {};
  if (response.id) attributes[ATTR_GEN_AI_RESPONSE_ID] = response.id;
  if (response.model) attributes[ATTR_GEN_AI_RESPONSE_MODEL] = response.model;
  if (finishReason !== undefined) attributes[ATTR_GEN_AI_RESPONSE_FINISH_REASONS] = [finishReason];
  if (ended.timeToFirstChunk !== undefined)
    attributes[ATTR_GEN_AI_RESPONSE_TIME_TO_FIRST_CHUNK] = ended.timeToFirstChunk;
  if (response.provider) attributes[ATTR_OPENROUTER_PROVIDER] = response.provider;
  if (response.nativeFinishReason)
    attributes[ATTR_OPENROUTER_NATIVE_FINISH_REASON] = response.nativeFinishReason;
  if (response.usage !== undefined) addUsageAttributes(attributes, response.usage, semconv);
  if (ended.cancelledBy !== undefined) attributes[ATTR_OPENROUTER_CANCELLED] = ended.cancelledBy;
  if (ended.errorType !== undefined) attributes[ATTR_ERROR_TYPE] = ended.errorType;
  return attributes;
}

/**
 * The usage attributes of a chat span in the given version: totals always, each breakdown under
 * its version's name (none where the version has no name for it), zeros left out only where the
 * version says so.
 */
function addUsageAttributes(attributes: Attributes, usage: Usage, semconv: Semconv): void {
  attributes[ATTR_GEN_AI_USAGE_INPUT_TOKENS] = usage.inputTokens;
  attributes[ATTR_GEN_AI_USAGE_OUTPUT_TOKENS] = usage.outputTokens;
  const omitZero = semconv.omitZeroBreakdowns;
  breakdown(
    attributes,
    ATTR_GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS,
    usage.cachedInputTokens,
    omitZero,
  );
  breakdown(attributes, semconv.cacheWriteInputTokens, usage.cacheWriteInputTokens, omitZero);
  breakdown(attributes, ATTR_GEN_AI_USAGE_REASONING_OUTPUT_TOKENS, usage.reasoningTokens, omitZero);
  breakdown(attributes, semconv.audioInputTokens, usage.audioInputTokens, omitZero);
  breakdown(attributes, semconv.imageOutputTokens, usage.imageOutputTokens, omitZero);
  breakdown(attributes, semconv.audioOutputTokens, usage.audioOutputTokens, omitZero);
  if (usage.cost !== undefined) attributes[ATTR_OPENROUTER_USAGE_COST] = usage.cost;
}

function breakdown(
  attributes: Attributes,
  name: string | undefined,
  value: number | undefined,
  omitZero: boolean,
): void {
  if (name === undefined || value === undefined) return;
  if (value === 0 && omitZero) return;
  attributes[name] = value;
}
