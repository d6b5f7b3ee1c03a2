import { metrics as metricsApi } from "@opentelemetry/api";
import { describe, expect, it, vi } from "vitest";
import { startTelemetry } from "../src/telemetry/bootstrap/index.js";
import { DURATION_BUCKETS } from "../src/telemetry/semconv.js";
import { buildChatEvents } from "../src/testing/index.js";
import { collect } from "./helpers/collect.js";
import type { ReceivedMetric } from "./helpers/otlp-decode.js";
import { HELLO, serve } from "./helpers/server.js";
import { useTelemetryBootstrapTests } from "./helpers/telemetry-bootstrap.js";

const bootstrap = useTelemetryBootstrapTests();
const PER_CHUNK = "gen_ai.client.operation.time_per_output_chunk";
const DURATION = "gen_ai.client.operation.duration";
const HOUR = { metricExportIntervalMs: 3_600_000, scheduledDelayMillis: 3_600_000 };

/**
 * A server answering 40 text chunks, and a function making one call to it through the globally
 * registered providers: the same server, so that every call has the same attribute set.
 */
async function chunkServer(): Promise<() => Promise<unknown>> {
  const { client } = await serve({ events: buildChatEvents({ text: Array(40).fill("a ") }) });
  return () => collect(client.chat.stream(HELLO));
}

const named = (metrics: ReceivedMetric[], name: string) => metrics.filter((m) => m.name === name);

describe("time_per_output_chunk under startTelemetry() (aggregated by the package, not the SDK)", () => {
  for (const protocol of ["http/protobuf", "http/json"]) {
    it(`is exported once, with the call's attributes and one count per chunk after the first (${protocol})`, async () => {
      process.env.OTEL_EXPORTER_OTLP_PROTOCOL = protocol;
      const telemetry = startTelemetry({ endpoint: bootstrap.receiver.endpoint, ...HOUR });
      const call = await chunkServer();
      await call();
      await call();
      await telemetry.forceFlush();
      const metrics = [...bootstrap.receiver.metrics];
      await telemetry.shutdown();
      // One export; not also an empty SDK instrument of the same name.
      const [perChunk, ...others] = named(metrics, PER_CHUNK);
      expect(others).toEqual([]);
      expect(perChunk?.histogram?.temporality).toBe(2); // cumulative, the exporter's default
      const [point, ...morePoints] = perChunk?.histogram?.points ?? [];
      expect(morePoints).toEqual([]);
      expect(point?.count).toBe(2 * 39);
      expect(point?.bucketCounts.reduce((a, b) => a + b, 0)).toBe(2 * 39);
      expect(point?.explicitBounds).toEqual(DURATION_BUCKETS);
      // The same attributes as the call's duration, which the SDK aggregates.
      const duration = named(metrics, DURATION)[0]?.histogram?.points[0];
      expect(duration?.count).toBe(2);
      expect(point?.attributes).toEqual(duration?.attributes);
      expect(point?.attributes).toMatchObject({
        "gen_ai.operation.name": "chat",
        "gen_ai.provider.name": "openrouter",
        "gen_ai.request.model": HELLO.model,
      });
      expect(BigInt(point?.startTimeUnixNano ?? 0)).toBeGreaterThan(0n);
      expect(BigInt(point?.timeUnixNano ?? 0)).toBeGreaterThanOrEqual(
        BigInt(point?.startTimeUnixNano ?? 0),
      );
    });
  }

  it("costs the SDK's Histogram.record nothing per chunk: only the call's own records", async () => {
    const telemetry = startTelemetry({ endpoint: bootstrap.receiver.endpoint, ...HOUR });
    // The SDK's histogram class, as the bootstrap loaded it, counted (and still called).
    const probe = metricsApi.getMeterProvider().getMeter("probe").createHistogram("probe");
    const record = vi.spyOn(Object.getPrototypeOf(probe) as { record: () => void }, "record");
    const call = await chunkServer();
    await call();
    // Duration, time to first chunk, input and output tokens: four, whatever the chunks.
    expect(record).toHaveBeenCalledTimes(4);
    record.mockRestore();
    await telemetry.shutdown();
  });

  it("follows the exporter's temporality: delta exports each interval's chunks only", async () => {
    process.env.OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE = "delta";
    const telemetry = startTelemetry({ endpoint: bootstrap.receiver.endpoint, ...HOUR });
    const call = await chunkServer();
    await call();
    await telemetry.forceFlush();
    await call();
    await call();
    await telemetry.forceFlush();
    // A third interval with no call: no point.
    await telemetry.shutdown();
    const exports = named(bootstrap.receiver.metrics, PER_CHUNK);
    expect(exports.map((metric) => metric.histogram?.temporality)).toEqual([1, 1]);
    const [first, second] = exports.map((metric) => metric.histogram?.points[0]);
    expect([first?.count, second?.count]).toEqual([39, 2 * 39]);
    // The second interval starts where the first ended.
    expect(second?.startTimeUnixNano).toBe(first?.timeUnixNano);
  });
});
