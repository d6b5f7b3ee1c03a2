import type { Attributes } from "@opentelemetry/api";
import type { Usage } from "../types.js";
import {
  ATTR_GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS,
  ATTR_GEN_AI_USAGE_INPUT_TOKENS,
  ATTR_GEN_AI_USAGE_OUTPUT_TOKENS,
  ATTR_GEN_AI_USAGE_REASONING_OUTPUT_TOKENS,
  ATTR_OPENROUTER_USAGE_COST,
  type Semconv,
} from "./semconv.js";

/**
 * The usage attributes of a chat span in the given version: totals always, each breakdown under
 * its version's name (none where the version has no name for it), zeros left out only where the
 * version says so.
 */
export function addUsageAttributes(attributes: Attributes, usage: Usage, semconv: Semconv): void {
  attributes[ATTR_GEN_AI_USAGE_INPUT_TOKENS] = usage.inputTokens;
  attributes[ATTR_GEN_AI_USAGE_OUTPUT_TOKENS] = usage.outputTokens;
  const breakdown = (name: string | undefined, value: number | undefined) => {
    if (name === undefined || value === undefined) return;
    if (value === 0 && semconv.omitZeroBreakdowns) return;
    attributes[name] = value;
  };
  breakdown(ATTR_GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS, usage.cachedInputTokens);
  breakdown(semconv.cacheWriteInputTokens, usage.cacheWriteInputTokens);
  breakdown(ATTR_GEN_AI_USAGE_REASONING_OUTPUT_TOKENS, usage.reasoningTokens);
  breakdown(semconv.audioInputTokens, usage.audioInputTokens);
  breakdown(semconv.imageOutputTokens, usage.imageOutputTokens);
  breakdown(semconv.audioOutputTokens, usage.audioOutputTokens);
  if (usage.cost !== undefined) attributes[ATTR_OPENROUTER_USAGE_COST] = usage.cost;
}
