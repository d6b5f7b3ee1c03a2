import type { Usage } from "../types.js";
import type { WireUsage } from "../wire.js";

/**
 * Maps the wire's usage object to {@link Usage}; fields the server left out stay undefined,
 * and a zero (a response-cache hit reports every counter as 0) stays a zero.
 */
export function toUsage(usage: WireUsage): Usage {
  const inputTokens = usage.prompt_tokens ?? 0;
  const outputTokens = usage.completion_tokens ?? 0;
  const prompt = usage.prompt_tokens_details;
  const completion = usage.completion_tokens_details;
  return {
    inputTokens,
    outputTokens,
    totalTokens: usage.total_tokens ?? inputTokens + outputTokens,
    cachedInputTokens: prompt?.cached_tokens ?? undefined,
    cacheWriteInputTokens: prompt?.cache_write_tokens ?? undefined,
    reasoningTokens: completion?.reasoning_tokens ?? undefined,
    cost: usage.cost ?? undefined,
    upstreamCost: usage.cost_details?.upstream_inference_cost ?? undefined,
    isByok: usage.is_byok ?? undefined,
    audioInputTokens: prompt?.audio_tokens ?? undefined,
    audioOutputTokens: completion?.audio_tokens ?? undefined,
    imageOutputTokens: completion?.image_tokens ?? undefined,
    acceptedPredictionTokens: completion?.accepted_prediction_tokens ?? undefined,
    rejectedPredictionTokens: completion?.rejected_prediction_tokens ?? undefined,
    serverToolUse: usage.server_tool_use_details ?? usage.server_tool_use ?? undefined,
  };
}
