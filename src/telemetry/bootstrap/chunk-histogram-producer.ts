import { type Attributes, type HrTime, ValueType } from "@opentelemetry/api";
import type { Resource } from "@opentelemetry/resources";
import type {
  AggregationTemporality,
  CollectionResult,
  HistogramMetricData,
  MetricProducer,
} from "@opentelemetry/sdk-metrics";
import { INSTRUMENTATION_NAME, VERSION } from "../../version.js";
import type { ChunkHistogramDescriptor, ChunkHistogramSink, ChunkTimer } from "../chunk-timing.js";

type SdkMetrics = typeof import("@opentelemetry/sdk-metrics");

/** The SDK's default cardinality limit: series past it fold into one overflow series. */
const CARDINALITY_LIMIT = 2000;
const OVERFLOW: Attributes = { "otel.metric.overflow": true };
const OVERFLOW_KEY = "overflow"; // never the key of a set: those are JSON arrays

/**
 * `time_per_output_chunk` aggregated here rather than by the SDK's `Histogram.record`, which
 * hashes the attribute set on every chunk: a call records into its series directly. Handed to
 * the reader as a `MetricProducer` (the specification's bridge for metrics aggregated outside
 * the SDK), it exports what the SDK's explicit-bucket histogram would: the same buckets, count,
 * sum, min and max, attributes, temporality (the exporter's choice), overflow series and start
 * times; `chunk-histogram-producer.test.ts` holds the two side by side. One per reader: each
 * has its own temporality and, for delta, its own interval.
 */
export class ChunkHistogramProducer implements MetricProducer {
  readonly #streams = new Map<string, HistogramStream>();
  readonly #temporality: AggregationTemporality;
  readonly #sdk: SdkMetrics;
  readonly #now: () => HrTime;
  readonly #resource: Resource;

  /** `resource` is not exported: the reader keeps its own, and only takes the scope's metrics. */
  constructor(
    sdk: SdkMetrics,
    temporality: AggregationTemporality,
    now: () => HrTime,
    resource: Resource,
  ) {
    this.#sdk = sdk;
    this.#temporality = temporality;
    this.#now = now;
    this.#resource = resource;
  }

  series(descriptor: ChunkHistogramDescriptor, attributes: Attributes): ChunkTimer {
    let stream = this.#streams.get(descriptor.name);
    if (stream === undefined) {
      stream = new HistogramStream(descriptor);
      this.#streams.set(descriptor.name, stream);
    }
    return stream.series(attributes, this.#now);
  }

  async collect(): Promise<CollectionResult> {
    const endTime = this.#now();
    const delta = this.#temporality === this.#sdk.AggregationTemporality.DELTA;
    const metrics: HistogramMetricData[] = [];
    for (const stream of this.#streams.values()) {
      const dataPoints = stream.collect(endTime, delta);
      if (dataPoints.length === 0) continue;
      const { name, description, unit } = stream.descriptor;
      metrics.push({
        descriptor: { name, description, unit, valueType: ValueType.DOUBLE },
        aggregationTemporality: this.#temporality,
        dataPointType: this.#sdk.DataPointType.HISTOGRAM,
        dataPoints,
      });
    }
    return {
      resourceMetrics: {
        resource: this.#resource,
        scopeMetrics:
          metrics.length === 0
            ? []
            : [{ scope: { name: INSTRUMENTATION_NAME, version: VERSION }, metrics }],
      },
      errors: [],
    };
  }
}

/** The series of one histogram, by attribute set. */
class HistogramStream {
  readonly descriptor: ChunkHistogramDescriptor;
  readonly #cells = new Map<string, HistogramCell>();

  constructor(descriptor: ChunkHistogramDescriptor) {
    this.descriptor = descriptor;
  }

  series(attributes: Attributes, now: () => HrTime): HistogramCell {
    let key = hashAttributes(attributes);
    let cell = this.#cells.get(key);
    if (cell !== undefined) return cell;
    // The SDK's rule: past the limit, new sets fold into one series (which itself fits).
    if (this.#cells.size >= CARDINALITY_LIMIT - 1) {
      key = OVERFLOW_KEY;
      attributes = OVERFLOW;
      cell = this.#cells.get(key);
      if (cell !== undefined) return cell;
    }
    cell = new HistogramCell(attributes, this.descriptor.boundaries, now());
    this.#cells.set(key, cell);
    return cell;
  }

  collect(endTime: HrTime, delta: boolean) {
    const points = [];
    for (const cell of this.#cells.values()) {
      if (!cell.touched) continue;
      points.push({
        startTime: cell.startTime,
        endTime,
        attributes: cell.attributes,
        value: {
          buckets: { boundaries: [...this.descriptor.boundaries], counts: [...cell.counts] },
          count: cell.count,
          sum: cell.sum,
          ...(cell.count > 0 && { min: cell.min, max: cell.max }),
        },
      });
      // Delta: the next interval starts now; a call still streaming keeps its cell.
      if (delta) cell.reset(endTime);
    }
    return points;
  }
}

/** One attribute set's histogram: constant work per record. */
class HistogramCell implements ChunkTimer {
  readonly attributes: Attributes;
  readonly #boundaries: readonly number[];
  startTime: HrTime;
  counts: number[];
  /** Recorded into since the last collection (delta) or ever (cumulative), NaN included. */
  touched = false;
  count = 0;
  sum = 0;
  min = Number.POSITIVE_INFINITY;
  max = Number.NEGATIVE_INFINITY;

  constructor(attributes: Attributes, boundaries: readonly number[], startTime: HrTime) {
    this.attributes = attributes;
    this.#boundaries = boundaries;
    this.startTime = startTime;
    this.counts = new Array<number>(boundaries.length + 1).fill(0);
  }

  record(value: number): void {
    // As the SDK's histogram: a negative value is refused, NaN makes the series but counts
    // nowhere. Neither is a time between two chunks, but the two exports must agree.
    if (value < 0) return;
    this.touched = true;
    if (Number.isNaN(value)) return;
    this.count += 1;
    this.sum += value;
    if (value < this.min) this.min = value;
    if (value > this.max) this.max = value;
    // Bucket i holds (boundaries[i-1], boundaries[i]]; chunks mostly land in the first.
    const boundaries = this.#boundaries;
    let i = 0;
    while (i < boundaries.length && value > (boundaries[i] as number)) i++;
    this.counts[i] = (this.counts[i] as number) + 1;
  }

  reset(startTime: HrTime): void {
    this.startTime = startTime;
    this.touched = false;
    this.counts.fill(0);
    this.count = 0;
    this.sum = 0;
    this.min = Number.POSITIVE_INFINITY;
    this.max = Number.NEGATIVE_INFINITY;
  }
}

/** The SDK's key for an attribute set: the sorted entries as JSON. */
function hashAttributes(attributes: Attributes): string {
  const keys = Object.keys(attributes).sort();
  return JSON.stringify(keys.map((key) => [key, attributes[key]]));
}

/** The sink of one meter provider: every reader's producer records each value. */
export function chunkHistogramSink(
  producers: readonly ChunkHistogramProducer[],
): ChunkHistogramSink {
  return {
    series(descriptor, attributes) {
      const timers = producers.map((producer) => producer.series(descriptor, attributes));
      if (timers.length === 1) return timers[0] as ChunkTimer;
      return {
        record(seconds) {
          for (const timer of timers) timer.record(seconds);
        },
      };
    },
  };
}
