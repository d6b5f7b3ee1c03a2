import { type Attributes, type HrTime, ValueType } from "@opentelemetry/api";
import type { Resource } from "@opentelemetry/resources";
import type {
  AggregationTemporality,
  CollectionResult,
  HistogramMetricData,
  MetricDescriptor,
  MetricProducer,
  MetricReader,
} from "@opentelemetry/sdk-metrics";
import { INSTRUMENTATION_NAME, VERSION } from "../../version.js";
import type { ChunkHistogramDescriptor, ChunkHistogramSink, ChunkTimer } from "../chunk-timing.js";

type SdkMetrics = typeof import("@opentelemetry/sdk-metrics");

const OVERFLOW: Attributes = { "otel.metric.overflow": true };

/** What a producer takes from the reader it feeds, as the SDK's own storage does. */
interface ReaderChoices {
  temporality: AggregationTemporality;
  /** Distinct attribute sets per collection interval, the overflow series included. */
  cardinalityLimit: number;
}

/**
 * `time_per_output_chunk` aggregated here rather than by the SDK's `Histogram.record`, which
 * hashes the attribute set on every chunk: a call records into its series directly. For
 * `startTelemetry()`'s provider the call's other histograms too (duration, time to first
 * chunk, token usage: `call-metric-series.ts`). Handed to
 * a reader as a `MetricProducer` (the specification's bridge for metrics aggregated outside
 * the SDK; `metricProducers` is marked experimental in the JS SDK), it exports what the SDK's
 * explicit-bucket histogram would, as `chunk-histogram-producer.property.test.ts` checks side
 * by side: buckets, count, sum, min and max, attributes, the reader's temporality and
 * cardinality limit (per collection interval, with the overflow series), start times (delta:
 * the last collection for a series reported in it, else its first record), `Date.now()` as
 * the clock. One per reader: each has its own temporality and, for delta, its own interval.
 * Attribute sets are kept for the life of the process, as the SDK's cumulative storage keeps
 * them (its delta storage forgets a set once reported; here a set with no record in an
 * interval is kept but not reported): a call's sets are few (server, models, and an error
 * type for the failed calls), each with a cell per histogram.
 */
export class ChunkHistogramProducer implements MetricProducer {
  readonly #streams = new Map<string, HistogramStream>();
  readonly #sdk: SdkMetrics;
  readonly #resource: Resource;
  readonly #now: () => HrTime;
  #choices: ReaderChoices | undefined;

  /**
   * `resource` is not exported: the reader keeps its own, and only takes the scope's metrics.
   * `now` is the SDK's metrics clock, `Date.now()`, unless a test sets it.
   */
  constructor(sdk: SdkMetrics, resource: Resource, now = () => sdkNow(Date.now())) {
    this.#sdk = sdk;
    this.#resource = resource;
    this.#now = now;
  }

  /** Takes the temporality and cardinality limit of the reader this producer was given to. */
  bind(reader: MetricReader): this {
    const type = this.#sdk.InstrumentType.HISTOGRAM;
    this.#choices = {
      temporality: reader.selectAggregationTemporality(type),
      cardinalityLimit: reader.selectCardinalityLimit(type),
    };
    return this;
  }

  series(descriptor: ChunkHistogramDescriptor, attributes: Attributes): ChunkTimer {
    let stream = this.#streams.get(descriptor.name);
    if (stream === undefined) {
      stream = new HistogramStream(this.#sdk, descriptor, this.#readerChoices(), this.#now);
      this.#streams.set(descriptor.name, stream);
    }
    return stream.series(attributes);
  }

  async collect(): Promise<CollectionResult> {
    const endTime = this.#now();
    const { temporality } = this.#readerChoices();
    const metrics: HistogramMetricData[] = [];
    for (const stream of this.#streams.values()) {
      const dataPoints = stream.collect(endTime);
      if (dataPoints.length === 0) continue;
      metrics.push({
        descriptor: stream.metricDescriptor,
        aggregationTemporality: temporality,
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

  #readerChoices(): ReaderChoices {
    if (this.#choices === undefined) throw new Error("ChunkHistogramProducer: bind() it first");
    return this.#choices;
  }
}

/** The series of one histogram, by attribute set, and its collection interval. */
class HistogramStream {
  readonly metricDescriptor: MetricDescriptor;
  readonly boundaries: readonly number[];
  readonly delta: boolean;
  readonly now: () => HrTime;
  readonly #cells = new Map<string, HistogramCell>();
  readonly #limit: number;
  #overflow: HistogramCell | undefined;
  /** Series recorded into in the current interval: the cardinality limit counts these. */
  #active = 0;

  constructor(
    sdk: SdkMetrics,
    descriptor: ChunkHistogramDescriptor,
    choices: ReaderChoices,
    now: () => HrTime,
  ) {
    const { name, description, unit, boundaries } = descriptor;
    // The SDK exports its instrument descriptor: the console exporter prints all of it.
    this.metricDescriptor = {
      name,
      description,
      unit,
      valueType: ValueType.DOUBLE,
      type: sdk.InstrumentType.HISTOGRAM,
      advice: { explicitBucketBoundaries: [...boundaries] },
    } as MetricDescriptor;
    this.boundaries = boundaries;
    this.delta = choices.temporality === sdk.AggregationTemporality.DELTA;
    this.#limit = choices.cardinalityLimit;
    this.now = now;
  }

  series(attributes: Attributes): HistogramCell {
    const key = hashAttributes(attributes);
    let cell = this.#cells.get(key);
    if (cell === undefined) {
      cell = new HistogramCell(this, attributes);
      this.#cells.set(key, cell);
    }
    return cell;
  }

  /**
   * The first record of a series in an interval: the SDK's rule, a new series once the
   * interval holds `limit - 1` of them goes to the overflow series instead.
   */
  admit(cell: HistogramCell): boolean {
    if (this.#active >= this.#limit - 1 && cell !== this.#overflow) return false;
    this.#active++;
    return true;
  }

  get overflow(): HistogramCell {
    this.#overflow ??= new HistogramCell(this, OVERFLOW);
    return this.#overflow;
  }

  collect(endTime: HrTime) {
    const points = [];
    const cells = this.#overflow ? [...this.#cells.values(), this.#overflow] : this.#cells.values();
    for (const cell of cells) {
      const point = cell.collect(endTime);
      if (point !== undefined) points.push(point);
    }
    this.#active = 0;
    return points;
  }
}

/** One attribute set's histogram: constant work per record. */
class HistogramCell implements ChunkTimer {
  readonly #stream: HistogramStream;
  readonly #attributes: Attributes;
  readonly #counts: number[];
  #count = 0;
  #sum = 0;
  #min = Number.POSITIVE_INFINITY;
  #max = Number.NEGATIVE_INFINITY;
  #startTime: HrTime | undefined;
  /** Recorded into in the current interval (NaN included: it makes the series, as in the SDK). */
  #active = false;
  /** Delta: exported at the last collection, so the next interval starts there. */
  #reported = false;

  constructor(stream: HistogramStream, attributes: Attributes) {
    this.#stream = stream;
    this.#attributes = attributes;
    this.#counts = new Array<number>(stream.boundaries.length + 1).fill(0);
  }

  /** `count` observations of `value`, exactly as `count` records of it would be. */
  record(value: number, count = 1): void {
    // As the SDK's histogram: what is not a number (a server's token count sent as a string)
    // or is negative is refused before it makes a series. Never a time between two chunks,
    // but the two exports must agree.
    if (typeof value !== "number" || value < 0 || !(count >= 1)) return;
    if (!this.#active && !this.#activate()) {
      this.#stream.overflow.record(value, count);
      return;
    }
    if (Number.isNaN(value)) return;
    this.#count += count;
    // Added one at a time, as the SDK would: `value * count` can round differently. The
    // common repeated value, a zero gap between the chunks of one read, adds nothing.
    if (value !== 0) for (let k = 0; k < count; k++) this.#sum += value;
    if (value < this.#min) this.#min = value;
    if (value > this.#max) this.#max = value;
    // Bucket i holds (boundaries[i-1], boundaries[i]]; chunks mostly land in the first.
    const boundaries = this.#stream.boundaries;
    let i = 0;
    while (i < boundaries.length && value > (boundaries[i] as number)) i++;
    this.#counts[i] = (this.#counts[i] as number) + count;
  }

  /** The point to export, if any; then the next interval begins. */
  collect(endTime: HrTime) {
    const delta = this.#stream.delta;
    const exported = delta ? this.#active : this.#startTime !== undefined;
    this.#active = false;
    this.#reported = exported;
    if (!exported) return undefined;
    const point = {
      startTime: this.#startTime as HrTime,
      endTime,
      attributes: this.#attributes,
      value: {
        buckets: { boundaries: [...this.#stream.boundaries], counts: [...this.#counts] },
        count: this.#count,
        sum: this.#sum,
        ...(this.#count > 0 && { min: this.#min, max: this.#max }),
      },
    };
    if (delta) {
      this.#startTime = endTime;
      this.#counts.fill(0);
      this.#count = 0;
      this.#sum = 0;
      this.#min = Number.POSITIVE_INFINITY;
      this.#max = Number.NEGATIVE_INFINITY;
    }
    return point;
  }

  #activate(): boolean {
    if (!this.#stream.admit(this)) return false;
    this.#active = true;
    // Cumulative: the first record ever. Delta: the last collection if it reported this
    // series (set there), else this first record of the interval.
    if (this.#startTime === undefined || (this.#stream.delta && !this.#reported))
      this.#startTime = this.#stream.now();
    return true;
  }
}

/** `core.millisToHrTime`, without loading core for it. */
function sdkNow(epochMillis: number): HrTime {
  const seconds = Math.trunc(epochMillis / 1000);
  return [seconds, Math.round((epochMillis % 1000) * 1_000_000)];
}

/** The SDK's key for an attribute set: the sorted entries as JSON. */
function hashAttributes(attributes: Attributes): string {
  const keys = Object.keys(attributes).sort();
  return JSON.stringify(keys.map((key) => [key, attributes[key]]));
}

/** The sink of one meter provider: every reader's producer records each value. */
export function chunkHistogramSink(
  producers: readonly ChunkHistogramProducer[],
  callHistograms: boolean,
): ChunkHistogramSink {
  return {
    callHistograms,
    series(descriptor, attributes) {
      const timers = producers.map((producer) => producer.series(descriptor, attributes));
      if (timers.length === 1) return timers[0] as ChunkTimer;
      return {
        record(value, count) {
          for (const timer of timers) timer.record(value, count);
        },
      };
    },
  };
}
