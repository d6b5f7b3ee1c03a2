import type { HistogramMetricData } from "@opentelemetry/sdk-metrics";
import { describe, expect, it } from "vitest";
import { DURATION_BUCKETS, TOKEN_BUCKETS } from "../src/telemetry/semconv.js";
import { buildChatEvents } from "../src/testing/index.js";
import { collect } from "./helpers/collect.js";
import { HELLO, serve } from "./helpers/server.js";
import { createTestTelemetry } from "./helpers/telemetry.js";

async function metricsOf(replies: Parameters<typeof serve>[0], options = {}) {
  const telemetry = createTestTelemetry();
  const { client, server } = await serve(replies, {
    meterProvider: telemetry.meterProvider,
    ...options,
  });
  await collect(client.chat.stream(HELLO));
  const metrics = await telemetry.metrics();
  const byName = (name: string) =>
    metrics.find((metric) => metric.descriptor.name === name) as HistogramMetricData | undefined;
  return { byName, server };
}

describe("the four GenAI client metrics", () => {
  it("are recorded with their attributes, units and bucket advice", async () => {
    const text = ["a", "b", "c", "d", "e"];
    const { byName, server } = await metricsOf({
      events: buildChatEvents({ text, usage: { prompt_tokens: 7, completion_tokens: 5 } }),
    });
    const common = {
      "gen_ai.operation.name": "chat",
      "gen_ai.provider.name": "openrouter",
      "gen_ai.request.model": HELLO.model,
      "gen_ai.response.model": "openai/gpt-4o-mini",
      "server.address": "127.0.0.1",
      "server.port": server.port,
    };

    const duration = byName("gen_ai.client.operation.duration");
    expect(duration?.descriptor.unit).toBe("s");
    expect(duration?.dataPoints).toHaveLength(1);
    expect(duration?.dataPoints[0]?.attributes).toEqual(common);
    expect(duration?.dataPoints[0]?.value.buckets.boundaries).toEqual(DURATION_BUCKETS);

    const tokens = byName("gen_ai.client.token.usage");
    expect(tokens?.descriptor.unit).toBe("{token}");
    const byType = Object.fromEntries(
      (tokens?.dataPoints ?? []).map((point) => [
        point.attributes["gen_ai.token.type"],
        point.value.sum,
      ]),
    );
    expect(byType).toEqual({ input: 7, output: 5 });
    expect(tokens?.dataPoints[0]?.value.buckets.boundaries).toEqual(TOKEN_BUCKETS);

    const firstChunk = byName("gen_ai.client.operation.time_to_first_chunk");
    expect(firstChunk?.dataPoints[0]?.value.count).toBe(1);
    expect(firstChunk?.dataPoints[0]?.attributes).toEqual(common);

    // One record per output chunk after the first.
    const perChunk = byName("gen_ai.client.operation.time_per_output_chunk");
    expect(perChunk?.dataPoints[0]?.value.count).toBe(text.length - 1);
  });

  it("the duration of a failed call carries error.type", async () => {
    const { byName } = await metricsOf(
      { status: 503, json: { error: { code: 503, message: "x" } } },
      { maxRetries: 0 },
    );
    expect(
      byName("gen_ai.client.operation.duration")?.dataPoints[0]?.attributes["error.type"],
    ).toBe("503");
    expect(byName("gen_ai.client.token.usage")).toBeUndefined();
  });
});
