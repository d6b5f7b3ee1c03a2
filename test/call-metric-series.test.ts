import { describe, expect, it } from "vitest";
import { getGenAIMetrics } from "../src/telemetry/gen-ai-metrics.js";
import { semconvOf } from "../src/telemetry/semconv.js";
import { createTestTelemetry } from "./helpers/telemetry.js";

const server = { address: "openrouter.ai", port: 443 };

describe("a call's metric series, found by a short key", () => {
  const call = () =>
    getGenAIMetrics(createTestTelemetry().meterProvider, semconvOf("v1.41.1"))!.call;

  it("is the same series for the same set, another for any field that differs", () => {
    const series = call();
    const ok = series.series(server, "a/m", "a/m-1", undefined);
    expect(series.series(server, "a/m", "a/m-1", undefined)).toBe(ok);
    // Names that would run together unprefixed, an error type, no response model, a server.
    const others = [
      series.series(server, "a/m", "a/m-1", "500"),
      series.series(server, "a/m", "", undefined),
      series.series(server, "a/ma", "/m-1", undefined),
      series.series(server, "a/m0:", "a/m-1", undefined),
      series.series({ address: "openrouter.ai", port: 8443 }, "a/m", "a/m-1", undefined),
    ];
    expect(new Set([ok, ...others]).size).toBe(others.length + 1);
    expect(others[0]?.attributes).toMatchObject({ "error.type": "500" });
    expect(others[1]?.attributes).not.toHaveProperty("gen_ai.response.model");
  });

  it("still gives each set its own attributes after the lookups start over", () => {
    const series = call();
    for (let i = 0; i < 2_500; i++) {
      const found = series.series(server, "a/m", `model-${i}`, undefined);
      expect(found.attributes["gen_ai.response.model"]).toBe(`model-${i}`);
    }
    expect(series.series(server, "a/m", "model-7", undefined).attributes).toMatchObject({
      "gen_ai.request.model": "a/m",
      "gen_ai.response.model": "model-7",
      "server.port": 443,
    });
  });
});
