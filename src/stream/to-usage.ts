import type { Usage } from "../types.js";
import type { WireUsage } from "../wire.js";

/** Maps the wire's usage object to {@link Usage}; fields the server left out stay undefined. */
export function toUsage(usage: WireUsage): Usage {
  const inputTokens = usage.prompt_tokens ?? 0;
  const outputTokens = usage.completion_tokens ?? 0;
  return {
    inputTokens,
    outputTokens,
    totalTokens: usage.total_tokens ?? inputTokens + outputTokens,
    cachedInputTokens: usage.prompt_tokens_details?.cached_tokens ?? undefined,
    cacheWriteInputTokens: usage.prompt_tokens_details?.cache_write_tokens ?? undefined,
    reasoningTokens: usage.completion_tokens_details?.reasoning_tokens ?? undefined,
    cost: usage.cost ?? undefined,
  };
}
