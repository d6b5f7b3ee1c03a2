import { hrTime } from "@opentelemetry/core";
import { emptyResource } from "@opentelemetry/resources";
import * as sdk from "@opentelemetry/sdk-metrics";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  ChunkHistogramProducer,
  chunkHistogramSink,
} from "../src/telemetry/bootstrap/chunk-histogram-producer.js";
import type { ChunkHistogramDescriptor } from "../src/telemetry/chunk-timing.js";
import { DURATION_BUCKETS } from "../src/telemetry/semconv.js";

/** A reader the test collects from by hand, with the temporality it is given. */
class HandReader extends sdk.MetricReader {
  constructor(temporality: sdk.AggregationTemporality) {
    super({ aggregationTemporalitySelector: () => temporality });
  }
  protected async onForceFlush(): Promise<void> {}
  protected async onShutdown(): Promise<void> {}
}

const DESCRIPTOR: ChunkHistogramDescriptor = {
  name: "gen_ai.client.operation.time_per_output_chunk",
  description: "Time between consecutive chunks of output, after the first",
  unit: "s",
  boundaries: DURATION_BUCKETS,
};
const ATTRIBUTE_SETS = [
  { "gen_ai.operation.name": "chat", "gen_ai.request.model": "a", "server.port": 443 },
  { "gen_ai.request.model": "a", "server.port": 443, "gen_ai.operation.name": "chat" }, // same set
  { "gen_ai.operation.name": "chat", "gen_ai.request.model": "b" },
  {},
];

/** Durations in seconds, the boundaries themselves, and what the SDK refuses (NaN, negative). */
const value = fc.oneof(
  fc.double({ min: 0, max: 200, noNaN: true }),
  fc.constantFrom(...DURATION_BUCKETS, 0, Number.NaN, -0.5, Number.POSITIVE_INFINITY),
);
const record = fc.record({ set: fc.nat({ max: ATTRIBUTE_SETS.length - 1 }), value });
/** Records in collection intervals: each inner list is followed by one collection. */
const intervals = fc.array(fc.array(record, { maxLength: 40 }), { minLength: 1, maxLength: 4 });

/** What must agree: everything but the timestamps (and a sum's last bits), points in order. */
function comparable(result: sdk.CollectionResult) {
  return result.resourceMetrics.scopeMetrics
    .flatMap((scope) => scope.metrics.map((metric) => ({ scope: scope.scope, metric })))
    .map(({ scope, metric }) => ({
      scope: { name: scope.name, version: scope.version },
      name: metric.descriptor.name,
      description: metric.descriptor.description,
      unit: metric.descriptor.unit,
      valueType: metric.descriptor.valueType,
      temporality: metric.aggregationTemporality,
      dataPointType: metric.dataPointType,
      points: metric.dataPoints
        .map((point) => {
          const value = point.value as sdk.Histogram;
          // The SDK adds each interval's sum to the running one (a + (b + c)), we add as we go
          // ((a + b) + c): the same sum up to rounding.
          const sum = value.sum === undefined ? undefined : Number(value.sum.toPrecision(12));
          return { attributes: point.attributes, value: { ...value, sum } };
        })
        .sort((a, b) =>
          JSON.stringify(Object.entries(a.attributes).sort()).localeCompare(
            JSON.stringify(Object.entries(b.attributes).sort()),
          ),
        ),
    }));
}

describe("the chunk histogram startTelemetry() aggregates itself", () => {
  for (const temporality of [
    sdk.AggregationTemporality.CUMULATIVE,
    sdk.AggregationTemporality.DELTA,
  ]) {
    const label = temporality === sdk.AggregationTemporality.DELTA ? "delta" : "cumulative";
    it(`exports what the SDK's histogram would (${label}): buckets, count, sum, min, max, attributes`, async () => {
      await fc.assert(
        fc.asyncProperty(intervals, async (batches) => {
          const reader = new HandReader(temporality);
          const provider = new sdk.MeterProvider({ readers: [reader] });
          const histogram = provider.getMeter("openrouter-otel").createHistogram(DESCRIPTOR.name, {
            description: DESCRIPTOR.description,
            unit: DESCRIPTOR.unit,
            advice: { explicitBucketBoundaries: DURATION_BUCKETS },
          });
          // Two readers' producers behind one sink, as with OTLP and the console together.
          const ours = new ChunkHistogramProducer(
            sdk,
            temporality,
            () => hrTime(),
            emptyResource(),
          );
          const other = new ChunkHistogramProducer(
            sdk,
            temporality,
            () => hrTime(),
            emptyResource(),
          );
          const sink = chunkHistogramSink([ours, other]);
          for (const batch of batches) {
            for (const { set, value } of batch) {
              const attributes = ATTRIBUTE_SETS[set]!;
              histogram.record(value, attributes);
              sink.series(DESCRIPTOR, attributes).record(value);
            }
            const expected = comparable(await reader.collect());
            const actual = comparable(await ours.collect());
            // The SDK names its own scope; ours is the package's. The rest is the same.
            expect(actual.map(({ scope: _, ...rest }) => rest)).toEqual(
              expected.map(({ scope: _, ...rest }) => rest),
            );
            expect(comparable(await other.collect())).toEqual(actual);
          }
          await provider.shutdown();
        }),
        { numRuns: 150 },
      );
    });
  }

  it("stamps cumulative points from the series' first record, delta points from the last collection", async () => {
    let now = 1_000;
    const at = (): [number, number] => [now, 0];
    for (const temporality of [
      sdk.AggregationTemporality.CUMULATIVE,
      sdk.AggregationTemporality.DELTA,
    ]) {
      now = 1_000;
      const producer = new ChunkHistogramProducer(sdk, temporality, at, emptyResource());
      const series = producer.series(DESCRIPTOR, { a: 1 });
      series.record(0.5);
      now = 1_010;
      const first = (await producer.collect()).resourceMetrics.scopeMetrics[0]!.metrics[0]!;
      series.record(0.5);
      now = 1_020;
      const second = (await producer.collect()).resourceMetrics.scopeMetrics[0]!.metrics[0]!;
      expect(first.dataPoints[0]).toMatchObject({ startTime: [1_000, 0], endTime: [1_010, 0] });
      const delta = temporality === sdk.AggregationTemporality.DELTA;
      expect(second.dataPoints[0]).toMatchObject({
        startTime: delta ? [1_010, 0] : [1_000, 0],
        endTime: [1_020, 0],
        value: { count: delta ? 1 : 2 },
      });
      // Delta: an interval with no record exports no point, and then no metric at all.
      now = 1_030;
      const third = (await producer.collect()).resourceMetrics.scopeMetrics;
      expect(third.length).toBe(delta ? 0 : 1);
    }
  });

  it("folds series past the SDK's cardinality limit into the overflow series", async () => {
    const producer = new ChunkHistogramProducer(
      sdk,
      sdk.AggregationTemporality.CUMULATIVE,
      () => hrTime(),
      emptyResource(),
    );
    for (let i = 0; i < 2_100; i++) producer.series(DESCRIPTOR, { i }).record(0.001);
    const points = (await producer.collect()).resourceMetrics.scopeMetrics[0]!.metrics[0]!
      .dataPoints;
    expect(points).toHaveLength(2_000);
    const overflow = points.find((point) => point.attributes["otel.metric.overflow"] === true);
    expect(overflow?.value).toMatchObject({ count: 2_100 - 1_999 });
  });
});
