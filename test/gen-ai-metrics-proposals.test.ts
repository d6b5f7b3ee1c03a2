import { describe, expect, it } from "vitest";
import { getGenAIMetrics, recordTokenUsage } from "../src/telemetry/gen-ai-metrics.js";
import { SEMCONV_TABLE, type Semconv, semconvOf } from "../src/telemetry/semconv.js";
import type { Usage } from "../src/types.js";
import { createTestTelemetry } from "./helpers/telemetry.js";

/** Latest as it will read once every open metric proposal of the table has merged. */
function latestWithMergedProposals(): Semconv {
  const merged: Record<string, unknown> = { ...semconvOf("latest") };
  for (const [key, row] of Object.entries(SEMCONV_TABLE))
    if ("proposal" in row && key.startsWith("metric")) merged[key] = row.proposal.value;
  merged.tokenModality = SEMCONV_TABLE.tokenModality.proposal?.value;
  return merged as Semconv;
}

const usage: Usage = {
  inputTokens: 100,
  outputTokens: 40,
  totalTokens: 140,
  cachedInputTokens: 60,
  cacheWriteInputTokens: 0,
  reasoningTokens: 10,
  cost: 0.001,
  audioInputTokens: 30,
  imageOutputTokens: 25,
};
const server = { address: "openrouter.ai", port: 443 };

describe("metric names come from the conventions' table", () => {
  it("today: the v1.41.1 names in both versions, the token histogram, no counters", async () => {
    for (const version of ["v1.41.1", "latest"] as const) {
      const telemetry = createTestTelemetry();
      const metrics = getGenAIMetrics(telemetry.meterProvider, semconvOf(version))!;
      const series = metrics.call.series(server, "m", "m", undefined);
      series.operationDuration.record(1.5);
      recordTokenUsage(metrics, usage, series);
      const names = (await telemetry.metrics()).map((metric) => metric.descriptor.name);
      expect(names.sort()).toEqual([
        "gen_ai.client.operation.duration",
        "gen_ai.client.token.usage",
      ]);
    }
  });

  it("once a proposal is marked merged, its names are emitted: counters by modality, no histogram", async () => {
    const telemetry = createTestTelemetry();
    const metrics = getGenAIMetrics(telemetry.meterProvider, latestWithMergedProposals())!;
    const series = metrics.call.series(server, "m", "m", undefined);
    series.operationDuration.record(1.5);
    recordTokenUsage(metrics, usage, series);
    const exported = await telemetry.metrics();
    const points = (name: string) =>
      Object.fromEntries(
        (exported.find((metric) => metric.descriptor.name === name)?.dataPoints ?? []).map(
          (point) => [String(point.attributes["gen_ai.token.modality"]), point.value],
        ),
      );
    expect(exported.map((metric) => metric.descriptor.name).sort()).toEqual([
      "gen_ai.client.inference.duration",
      "gen_ai.client.inference.usage.cache_read.input_tokens",
      "gen_ai.client.inference.usage.input_tokens",
      "gen_ai.client.inference.usage.output_tokens",
      "gen_ai.client.inference.usage.reasoning.output_tokens",
    ]);
    expect(points("gen_ai.client.inference.usage.input_tokens")).toEqual({ text: 70, audio: 30 });
    expect(points("gen_ai.client.inference.usage.output_tokens")).toEqual({ text: 15, image: 25 });
    expect(points("gen_ai.client.inference.usage.cache_read.input_tokens")).toEqual({ text: 60 });
  });

  it("a meter provider that throws costs the metrics, not the call", () => {
    const broken = {
      getMeter(): never {
        throw new Error("broken provider");
      },
    };
    expect(getGenAIMetrics(broken, semconvOf("v1.41.1"))).toBeUndefined();
  });
});
