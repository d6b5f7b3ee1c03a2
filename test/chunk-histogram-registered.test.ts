import { metrics as metricsApi } from "@opentelemetry/api";
import { OTLPMetricExporter } from "@opentelemetry/exporter-metrics-otlp-proto";
import {
  AggregationTemporality,
  DataPointType,
  InMemoryMetricExporter,
  MeterProvider,
  type MetricReader,
  PeriodicExportingMetricReader,
} from "@opentelemetry/sdk-metrics";
import { NodeSDK } from "@opentelemetry/sdk-node";
import { describe, expect, it, vi } from "vitest";
import { ChunkHistogram } from "../src/telemetry/bootstrap/index.js";
import { buildChatEvents } from "../src/testing/index.js";
import { collect } from "./helpers/collect.js";
import type { ReceivedMetric } from "./helpers/otlp-decode.js";
import { HELLO, serve } from "./helpers/server.js";
import { useTelemetryBootstrapTests } from "./helpers/telemetry-bootstrap.js";

const bootstrap = useTelemetryBootstrapTests();
const PER_CHUNK = "gen_ai.client.operation.time_per_output_chunk";
const HOUR = 3_600_000;

/** A server answering 40 text chunks, and one call to it through the given (or global) provider. */
async function chunkServer(meterProvider?: MeterProvider): Promise<() => Promise<unknown>> {
  const { client } = await serve(
    { events: buildChatEvents({ text: Array(40).fill("a ") }) },
    meterProvider === undefined ? {} : { meterProvider },
  );
  return () => collect(client.chat.stream(HELLO));
}

/** NodeSDK as a service starts it, exporting metrics only, over OTLP/HTTP protobuf. */
function startNodeSdk(reader: MetricReader): NodeSDK {
  process.env.OTEL_TRACES_EXPORTER = "none";
  process.env.OTEL_LOGS_EXPORTER = "none";
  const sdk = new NodeSDK({ metricReaders: [reader] });
  sdk.start();
  return sdk;
}

function otlpReader(
  metricProducers?: ConstructorParameters<
    typeof PeriodicExportingMetricReader
  >[0]["metricProducers"],
) {
  return new PeriodicExportingMetricReader({
    exporter: new OTLPMetricExporter({ url: `${bootstrap.receiver.endpoint}/v1/metrics` }),
    exportIntervalMillis: HOUR,
    ...(metricProducers === undefined ? {} : { metricProducers }),
  });
}

const perChunk = (metrics: ReceivedMetric[]) => metrics.filter((m) => m.name === PER_CHUNK);

/** Counts the SDK's `Histogram.record` calls (and still makes them). */
function spyOnSdkRecord(provider: {
  getMeter(name: string): ReturnType<MeterProvider["getMeter"]>;
}) {
  const probe = provider.getMeter("probe").createHistogram("probe");
  return vi.spyOn(Object.getPrototypeOf(probe) as { record: () => void }, "record");
}

describe("ChunkHistogram: the package's per-chunk aggregation for a meter provider of yours", () => {
  it("under NodeSDK: exported once, a count per chunk after the first, no SDK record per chunk", async () => {
    const chunkHistogram = new ChunkHistogram();
    const sdk = startNodeSdk(chunkHistogram.reader((producers) => otlpReader(producers)));
    chunkHistogram.register(metricsApi.getMeterProvider());
    const record = spyOnSdkRecord(metricsApi.getMeterProvider());
    const call = await chunkServer();
    await call();
    // Duration, time to first chunk, input and output tokens: four, whatever the chunks.
    expect(record).toHaveBeenCalledTimes(4);
    record.mockRestore();
    await call();
    await sdk.shutdown();
    const [metric, ...others] = perChunk(bootstrap.receiver.metrics);
    expect(others).toEqual([]);
    const [point, ...morePoints] = metric?.histogram?.points ?? [];
    expect(morePoints).toEqual([]);
    expect(point?.count).toBe(2 * 39);
    expect(point?.bucketCounts.reduce((a, b) => a + b, 0)).toBe(2 * 39);
    expect(point?.attributes).toMatchObject({ "gen_ai.request.model": HELLO.model });
  });

  it("without it, NodeSDK's provider gets one SDK record per chunk: the same count", async () => {
    const sdk = startNodeSdk(otlpReader());
    const record = spyOnSdkRecord(metricsApi.getMeterProvider());
    const call = await chunkServer();
    await call();
    expect(record).toHaveBeenCalledTimes(4 + 39);
    record.mockRestore();
    await call();
    await sdk.shutdown();
    const [metric, ...others] = perChunk(bootstrap.receiver.metrics);
    expect(others).toEqual([]);
    expect(metric?.histogram?.points.map((point) => point.count)).toEqual([2 * 39]);
  });

  it("feeds each reader in its own temporality, for a client's own meter provider", async () => {
    const chunkHistogram = new ChunkHistogram();
    const delta = new InMemoryMetricExporter(AggregationTemporality.DELTA);
    const cumulative = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
    const readers = [delta, cumulative].map((exporter) =>
      chunkHistogram.reader(
        (metricProducers) =>
          new PeriodicExportingMetricReader({
            exporter,
            exportIntervalMillis: HOUR,
            metricProducers,
          }),
      ),
    );
    const provider = new MeterProvider({ readers });
    chunkHistogram.register(provider);
    const record = spyOnSdkRecord(provider);
    const call = await chunkServer(provider);
    await call();
    expect(record).toHaveBeenCalledTimes(4); // the client's provider, not the global one
    record.mockRestore();
    await provider.forceFlush();
    await call();
    await provider.forceFlush();
    const counts = (exporter: InMemoryMetricExporter) =>
      exporter
        .getMetrics()
        .flatMap((resource) => resource.scopeMetrics)
        .flatMap((scope) => scope.metrics)
        .filter((metric) => metric.descriptor.name === PER_CHUNK)
        .map((metric) => {
          expect(metric.dataPointType).toBe(DataPointType.HISTOGRAM);
          return metric.dataPoints.map((point) => (point.value as { count: number }).count);
        });
    expect(counts(delta)).toEqual([[39], [39]]);
    expect(counts(cumulative)).toEqual([[39], [2 * 39]]);
    await provider.shutdown();
  });

  it("says what is wrong when it is wired in the wrong order", async () => {
    const histogramReader = (histogram: ChunkHistogram) =>
      histogram.reader((metricProducers) => otlpReader(metricProducers));
    expect(() => new ChunkHistogram().register(new MeterProvider())).toThrow(/no reader was made/);

    // A reader that would never export the histogram.
    expect(() => new ChunkHistogram().reader(() => otlpReader())).toThrow(
      /built without the metricProducers/,
    );

    // NodeSDK not started yet: the API's no-op provider, which no client would record into.
    const early = new ChunkHistogram();
    histogramReader(early);
    expect(() => early.register(metricsApi.getMeterProvider())).toThrow(/after sdk\.start\(\)/);

    const twice = new ChunkHistogram();
    const provider = new MeterProvider({ readers: [histogramReader(twice)] });
    twice.register(provider);
    expect(() => twice.register(provider)).toThrow(/already registered/);
    expect(() => histogramReader(twice)).toThrow(/before register\(\)/);

    // A second aggregation on the same provider would leave the first one's readers without it.
    const second = new ChunkHistogram();
    histogramReader(second);
    expect(() => second.register(provider)).toThrow(/already has the package's aggregation/);

    // A provider that already recorded the histogram through the SDK would export it twice.
    const used = new MeterProvider({ readers: [otlpReader()] });
    const call = await chunkServer(used);
    await call();
    const late = new ChunkHistogram();
    histogramReader(late);
    expect(() => late.register(used)).toThrow(/already records time_per_output_chunk/);
    await Promise.all([provider.shutdown(), used.shutdown()]);
  });
});
