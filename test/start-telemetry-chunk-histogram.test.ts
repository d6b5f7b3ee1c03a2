import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { metrics as metricsApi } from "@opentelemetry/api";
import { OTLPMetricExporter } from "@opentelemetry/exporter-metrics-otlp-proto";
import { MeterProvider, PeriodicExportingMetricReader } from "@opentelemetry/sdk-metrics";
import { describe, expect, it, vi } from "vitest";
import { OpenRouter } from "../src/index.js";
import { startTelemetry } from "../src/telemetry/bootstrap/index.js";
import { DURATION_BUCKETS, TOKEN_BUCKETS } from "../src/telemetry/semconv.js";
import { buildChatEvents, type MockServer, renderEvents } from "../src/testing/index.js";
import { gate } from "./helpers/agent.js";
import { collect } from "./helpers/collect.js";
import type { ReceivedMetric } from "./helpers/otlp-decode.js";
import { HELLO, serve } from "./helpers/server.js";
import { useTelemetryBootstrapTests } from "./helpers/telemetry-bootstrap.js";

const bootstrap = useTelemetryBootstrapTests();
const PER_CHUNK = "gen_ai.client.operation.time_per_output_chunk";
const DURATION = "gen_ai.client.operation.duration";
const FIRST_CHUNK = "gen_ai.client.operation.time_to_first_chunk";
const TOKENS = "gen_ai.client.token.usage";
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
      // The same attributes as the call's duration (aggregated by the package too).
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

  it("costs the SDK's Histogram.record nothing: every histogram of a call is the package's", async () => {
    const telemetry = startTelemetry({ endpoint: bootstrap.receiver.endpoint, ...HOUR });
    // The SDK's histogram class, as the bootstrap loaded it, counted (and still called).
    const probe = metricsApi.getMeterProvider().getMeter("probe").createHistogram("probe");
    const record = vi.spyOn(Object.getPrototypeOf(probe) as { record: () => void }, "record");
    const call = await chunkServer();
    await call();
    await call();
    // Not per chunk, and not per call either: duration, time to first chunk and tokens too.
    expect(record).not.toHaveBeenCalled();
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

describe("time_per_output_chunk, the chunks of one read counted at once", () => {
  it("puts every chunk in the collection interval it was read in", async () => {
    process.env.OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE = "delta";
    const telemetry = startTelemetry({ endpoint: bootstrap.receiver.endpoint, ...HOUR });
    // Three writes of ten chunks (the last with the end), each sent once the test has
    // collected what came before: the first read's rest is fed after its first event, the
    // later reads whole, and each read's zero gaps must be in before the next collection.
    const events = buildChatEvents({ text: Array(30).fill("a") });
    const gates = [gate(), gate()];
    const server = createServer(async (_request, response) => {
      response.writeHead(200, { "content-type": "text/event-stream" });
      response.write(renderEvents(events.slice(0, 10)));
      await gates[0]?.promise;
      response.write(renderEvents(events.slice(10, 20)));
      await gates[1]?.promise;
      response.end(renderEvents(events.slice(20)));
    });
    await new Promise<void>((listening) => server.listen(0, "127.0.0.1", listening));
    const { port } = server.address() as AddressInfo;
    try {
      const client = new OpenRouter({ apiKey: "k", baseURL: `http://127.0.0.1:${port}/api/v1` });
      const stream = client.chat.stream(HELLO)[Symbol.asyncIterator]();
      let text = "";
      for (const written of [10, 20]) {
        while (text.length < written) {
          const { value } = await stream.next();
          if (value?.type === "text") text += value.text;
        }
        await telemetry.forceFlush(); // one interval per write
        gates[written / 10 - 1]?.open();
      }
      while (!(await stream.next()).done);
      await telemetry.shutdown();
    } finally {
      server.close();
    }
    const counts = named(bootstrap.receiver.metrics, PER_CHUNK).map(
      (metric) => metric.histogram?.points[0]?.count,
    );
    // After the first chunk, the first write's nine others; then for each later write, the gap
    // before it and its nine others.
    expect(counts).toEqual([9, 10, 10]);
  });
});

describe("the call's other histograms under startTelemetry() (aggregated by the package)", () => {
  const CALL_HISTOGRAMS = [DURATION, FIRST_CHUNK, TOKENS];
  /**
   * Two answers with usage; one that fails mid-stream (the same models, with `error.type`); a
   * refusal (400: `error.type`, no response model).
   */
  const answered = buildChatEvents({ text: ["a ", "b "] });
  const replies = [
    {
      events: buildChatEvents({
        text: ["a ", "b "],
        usage: { prompt_tokens: 7, completion_tokens: 300 },
      }),
    },
    {
      events: buildChatEvents({
        text: ["c "],
        usage: { prompt_tokens: 9000, completion_tokens: 2 },
      }),
    },
    {
      events: [
        answered[0],
        {
          id: "gen-e",
          model: HELLO.model,
          choices: [
            {
              index: 0,
              delta: { content: "" },
              finish_reason: "error",
              error: { message: "Error processing stream", code: 502 },
            },
          ],
        },
        "[DONE]",
      ],
    },
    { status: 400, json: { error: { code: 400, message: "bad request" } } },
  ];
  /** A call per reply, through a client of this server, recording into the global or given provider. */
  async function callEach(server: MockServer, meterProvider?: MeterProvider) {
    const client = new OpenRouter({ apiKey: "k", baseURL: server.baseURL, meterProvider });
    for (let i = 0; i < replies.length; i++)
      await collect(client.chat.stream(HELLO)).catch(() => undefined);
  }
  /** What cannot differ between two processes: all but the times (and, for seconds, the values). */
  const comparable = (metrics: ReceivedMetric[]) =>
    metrics
      .filter((metric) => CALL_HISTOGRAMS.includes(metric.name))
      .map(({ name, description, unit, histogram }) => ({
        name,
        description,
        unit,
        temporality: histogram?.temporality,
        points: (histogram?.points ?? [])
          .map(({ attributes, count, sum, min, max, bucketCounts, explicitBounds }) => ({
            attributes,
            count,
            explicitBounds,
            counted: bucketCounts.reduce((a, b) => a + b),
            // Token counts are the server's; seconds differ from one run to the next.
            exact: name === TOKENS ? { sum, min, max, bucketCounts } : bucketCounts.length,
          }))
          .sort((a, b) => JSON.stringify(a.attributes).localeCompare(JSON.stringify(b.attributes))),
      }))
      .sort((a, b) => a.name.localeCompare(b.name));

  it("exports what the SDK's own instruments export for the same calls", async () => {
    const telemetry = startTelemetry({ endpoint: bootstrap.receiver.endpoint, ...HOUR });
    const record = vi.spyOn(
      Object.getPrototypeOf(metricsApi.getMeterProvider().getMeter("p").createHistogram("p")),
      "record",
    );
    // One server for both, so that the sets agree (`server.port`).
    const { server } = await serve((_request, index) => replies[index % replies.length]!);
    await callEach(server);
    expect(record).not.toHaveBeenCalled();
    record.mockRestore();
    await telemetry.forceFlush();
    const ours = comparable(bootstrap.receiver.metrics);
    await telemetry.shutdown();

    // A provider of the SDK's own, no aggregation of the package: the SDK's instruments.
    const receiver = await bootstrap.replaceReceiver();
    const sdkProvider = new MeterProvider({
      readers: [
        new PeriodicExportingMetricReader({
          exporter: new OTLPMetricExporter({ url: `${receiver.endpoint}/v1/metrics` }),
          exportIntervalMillis: HOUR.metricExportIntervalMs,
        }),
      ],
    });
    await callEach(server, sdkProvider);
    await sdkProvider.forceFlush();
    const sdks = comparable(receiver.metrics);
    await sdkProvider.shutdown();

    expect(ours.map((metric) => metric.name)).toEqual([DURATION, TOKENS, FIRST_CHUNK].sort());
    expect(ours).toEqual(sdks);
    // And as the conventions define them (both sides take these from one table).
    const byName = Object.fromEntries(ours.map((metric) => [metric.name, metric]));
    expect(byName[TOKENS]).toMatchObject({ unit: "{token}" });
    expect(byName[TOKENS]?.points[0]?.explicitBounds).toEqual(TOKEN_BUCKETS);
    expect(
      byName[TOKENS]?.points.map(
        ({ exact }) => typeof exact === "object" && [exact.sum, exact.min, exact.max],
      ),
    ).toEqual(
      expect.arrayContaining([
        [7 + 9000, 7, 9000],
        [300 + 2, 2, 300],
      ]),
    );
    for (const name of [DURATION, FIRST_CHUNK]) {
      expect(byName[name]).toMatchObject({ unit: "s" });
      expect(byName[name]?.points[0]?.explicitBounds).toEqual(DURATION_BUCKETS);
    }
    // The sets the client records: two calls answered, one failed after the model answered,
    // one refused before.
    expect(
      byName[DURATION]?.points.map(({ count, attributes }) => [
        count,
        attributes["gen_ai.response.model"],
        attributes["error.type"],
      ]),
    ).toEqual(
      expect.arrayContaining([
        [2, HELLO.model, undefined],
        [1, HELLO.model, expect.any(String)],
        [1, undefined, "400"],
      ]),
    );
  });
});
