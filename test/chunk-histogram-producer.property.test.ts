import { emptyResource } from "@opentelemetry/resources";
import * as sdk from "@opentelemetry/sdk-metrics";
import fc from "fast-check";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import {
  ChunkHistogramProducer,
  chunkHistogramSink,
} from "../src/telemetry/bootstrap/chunk-histogram-producer.js";
import type { ChunkHistogramDescriptor } from "../src/telemetry/chunk-timing.js";
import { DURATION_BUCKETS } from "../src/telemetry/semconv.js";

const { AggregationTemporality } = sdk;

/** A reader the test collects from by hand, with the temporality and limit it is given. */
class HandReader extends sdk.MetricReader {
  constructor(
    temporality: sdk.AggregationTemporality,
    cardinalityLimit: number,
    metricProducers: sdk.MetricProducer[] = [],
  ) {
    super({
      aggregationTemporalitySelector: () => temporality,
      cardinalitySelector: () => cardinalityLimit,
      metricProducers,
    });
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
  { "gen_ai.operation.name": "chat", "gen_ai.request.model": "c" },
  {},
];

/**
 * Durations in seconds, the boundaries themselves, and what the SDK refuses: NaN, negative, and
 * what is not a number (a server's token count sent as a string).
 */
const value = fc.oneof(
  fc.double({ min: 0, max: 200, noNaN: true }),
  fc.constantFrom(...DURATION_BUCKETS, 0, Number.NaN, -0.5, Number.POSITIVE_INFINITY),
  fc.constant("12" as unknown as number),
);
/**
 * A record, some milliseconds after the one before it (the clock both sides read), of `times`
 * observations: ours in one call (the chunks of one read), the SDK's one call each.
 */
const record = fc.record({
  set: fc.nat({ max: ATTRIBUTE_SETS.length - 1 }),
  value,
  after: fc.nat({ max: 3 }),
  times: fc.oneof(fc.constant(1), fc.integer({ min: 2, max: 300 })),
});
/** Records in collection intervals: each inner list is followed by one collection. */
const intervals = fc.array(fc.array(record, { maxLength: 30 }), { minLength: 1, maxLength: 5 });

/** The SDK rounds a cumulative sum as a + (b + c), we as (a + b) + c: equal up to rounding. */
function closeSums(actual: unknown, expected: unknown): boolean | undefined {
  if (typeof actual !== "number" || typeof expected !== "number") return undefined;
  if (actual === expected) return true;
  return Math.abs(actual - expected) <= 1e-9 * Math.max(1, Math.abs(expected));
}

/** What must agree: everything but the scope (the SDK's is the test's), points in order. */
function comparable(result: sdk.CollectionResult) {
  return result.resourceMetrics.scopeMetrics
    .flatMap((scope) => scope.metrics)
    .map((metric) => ({
      descriptor: metric.descriptor,
      temporality: metric.aggregationTemporality,
      dataPointType: metric.dataPointType,
      points: [...metric.dataPoints].sort((a, b) =>
        JSON.stringify(Object.entries(a.attributes).sort()).localeCompare(
          JSON.stringify(Object.entries(b.attributes).sort()),
        ),
      ),
    }));
}

beforeEach(() => {
  // Both sides read Date.now(): the test moves it, so the timestamps can be compared exactly.
  vi.useFakeTimers({ toFake: ["Date"], now: 1_760_000_000_000 });
});
afterEach(() => {
  vi.useRealTimers();
});

describe("the chunk histogram the package aggregates itself (startTelemetry(), ChunkHistogram)", () => {
  const temporalities = [AggregationTemporality.CUMULATIVE, AggregationTemporality.DELTA];
  for (const temporality of temporalities) {
    const label = temporality === AggregationTemporality.DELTA ? "delta" : "cumulative";
    it(`exports what the SDK's histogram would (${label}): values, attributes, times, overflow`, async () => {
      expect.addEqualityTesters([closeSums]);
      await fc.assert(
        fc.asyncProperty(intervals, fc.constantFrom(2, 3, 2000), async (batches, limit) => {
          const reader = new HandReader(temporality, limit);
          const provider = new sdk.MeterProvider({ readers: [reader] });
          const histogram = provider.getMeter("openrouter-otel").createHistogram(DESCRIPTOR.name, {
            description: DESCRIPTOR.description,
            unit: DESCRIPTOR.unit,
            advice: { explicitBucketBoundaries: DURATION_BUCKETS },
          });
          // Two readers' producers behind one sink, as with OTLP and the console together.
          const ours = new ChunkHistogramProducer(sdk, emptyResource());
          const other = new ChunkHistogramProducer(sdk, emptyResource());
          ours.bind(new HandReader(temporality, limit, [ours]));
          other.bind(new HandReader(temporality, limit, [other]));
          const sink = chunkHistogramSink([ours, other], false);
          // A call looks its series up once: one timer per set, reused across intervals.
          const timers = new Map<number, ReturnType<typeof sink.series>>();
          for (const batch of batches) {
            for (const { set, value, after, times } of batch) {
              vi.advanceTimersByTime(after);
              const attributes = ATTRIBUTE_SETS[set]!;
              for (let i = 0; i < times; i++) histogram.record(value, attributes);
              if (!timers.has(set)) timers.set(set, sink.series(DESCRIPTOR, attributes));
              timers.get(set)!.record(value, times);
            }
            vi.advanceTimersByTime(1);
            const expected = comparable(await reader.collect());
            const actual = comparable(await ours.collect());
            expect(actual).toEqual(expected);
            expect(comparable(await other.collect())).toEqual(actual);
          }
          await provider.shutdown();
        }),
        { numRuns: 150 },
      );
    });
  }

  it("exports under the package's scope, and nothing for an interval without a record", async () => {
    const producer = new ChunkHistogramProducer(sdk, emptyResource());
    producer.bind(new HandReader(AggregationTemporality.DELTA, 2000, [producer]));
    producer.series(DESCRIPTOR, { a: 1 }).record(0.5);
    const first = await producer.collect();
    expect(first.resourceMetrics.scopeMetrics.map((scope) => scope.scope.name)).toEqual([
      "openrouter-otel",
    ]);
    expect((await producer.collect()).resourceMetrics.scopeMetrics).toEqual([]);
  });

  it("refuses a series before it is bound to a reader (it would not know the temporality)", () => {
    const producer = new ChunkHistogramProducer(sdk, emptyResource());
    expect(() => producer.series(DESCRIPTOR, {})).toThrow(/bind/);
  });
});
