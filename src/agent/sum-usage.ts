import type { ChatResponse, Usage } from "../types.js";

type Counter = { [Key in keyof Usage]-?: Usage[Key] extends number ? Key : never }[keyof Usage];
type OptionalCounter = {
  [Key in keyof Usage]-?: NonNullable<Usage[Key]> extends number ? Key : never;
}[Exclude<keyof Usage, Counter>];

const OPTIONAL_COUNTERS: readonly OptionalCounter[] = [
  "cachedInputTokens",
  "cacheWriteInputTokens",
  "reasoningTokens",
  "cost",
  "upstreamCost",
  "audioInputTokens",
  "audioOutputTokens",
  "imageOutputTokens",
  "acceptedPredictionTokens",
  "rejectedPredictionTokens",
];

/**
 * Sums the usage of every step. A field no step reported stays undefined (a cost of 0 is a
 * value, not an absence).
 */
export function sumUsage(steps: readonly ChatResponse[]): Usage {
  const total: Usage = {
    inputTokens: 0,
    outputTokens: 0,
    totalTokens: 0,
    cachedInputTokens: undefined,
    cacheWriteInputTokens: undefined,
    reasoningTokens: undefined,
    cost: undefined,
  };
  for (const { usage } of steps) {
    if (usage === undefined) continue;
    total.inputTokens += usage.inputTokens;
    total.outputTokens += usage.outputTokens;
    total.totalTokens += usage.totalTokens;
    for (const key of OPTIONAL_COUNTERS) {
      const value = usage[key];
      if (value !== undefined) total[key] = (total[key] ?? 0) + value;
    }
  }
  return total;
}
