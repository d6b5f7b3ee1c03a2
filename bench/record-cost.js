/**
 * What one `time_per_output_chunk` observation costs in the OpenTelemetry SDK, and the
 * alternatives to one `record` per chunk: `node bench/record-cost.js` (any Node). A stream of
 * 20,000 chunks arriving in reads of 300, the SDK's meter provider with a reader, CPU time per
 * chunk, median of seven repetitions. `JSON.parse` of one chunk, the floor's own work, for scale.
 * Needs the build (`npm run build`): the package's own aggregation comes from dist/.
 */
import { emptyResource } from "@opentelemetry/resources";
import * as sdkMetrics from "@opentelemetry/sdk-metrics";
import { ChunkHistogramProducer } from "../dist/telemetry/bootstrap/chunk-histogram-producer.js";
import { DURATION_BUCKETS as BUCKETS } from "../dist/telemetry/semconv.js";
import { median } from "./summary.js";

const {
  AggregationTemporality,
  AggregationType,
  InMemoryMetricExporter,
  MeterProvider,
  PeriodicExportingMetricReader,
} = sdkMetrics;

const CHUNKS = 20_000;
const PER_READ = 300;
const STREAMS = 25;

function histogram(views = []) {
  const exporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
  const reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 3_600_000 });
  return new MeterProvider({ readers: [reader], views })
    .getMeter("bench")
    .createHistogram("gen_ai.client.operation.time_per_output_chunk", {
      unit: "s",
      advice: { explicitBucketBoundaries: BUCKETS },
    });
}
const attributes = () => ({
  "gen_ai.operation.name": "chat",
  "gen_ai.provider.name": "openrouter",
  "gen_ai.request.model": "bench/model",
  "server.address": "127.0.0.1",
  "server.port": 40_000,
  "gen_ai.response.model": "bench/model",
});
/** The read a chunk arrived in sets its time, as in the client: zero within a read. */
const arrivedAt = (chunk) => Math.floor(chunk / PER_READ) * 0.005;

const perChunk = histogram();
const dropped = histogram([
  {
    instrumentName: "gen_ai.client.operation.time_per_output_chunk",
    aggregation: { type: AggregationType.DROP },
  },
]);
const producer = new ChunkHistogramProducer(sdkMetrics, emptyResource());
producer.bind(
  new PeriodicExportingMetricReader({
    exporter: new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE),
    metricProducers: [producer],
  }),
);
const descriptor = {
  name: "gen_ai.client.operation.time_per_output_chunk",
  description: "Time between consecutive chunks of output, after the first",
  unit: "s",
  boundaries: BUCKETS,
};
const sample = JSON.stringify({
  id: "gen-bench",
  provider: "Bench",
  model: "bench/model",
  object: "chat.completion.chunk",
  created: 1_764_000_000,
  choices: [{ index: 0, delta: { role: "assistant", content: "tok " }, finish_reason: null }],
});

const variants = {
  "JSON.parse of one chunk (the floor's work, for scale)": () => {
    for (let i = 0; i < STREAMS * CHUNKS; i++) JSON.parse(sample);
  },
  "the package's own aggregation, series looked up once per stream, a read's zero gaps counted and recorded at once (startTelemetry)":
    () => {
      for (let s = 0; s < STREAMS; s++) {
        const series = producer.series(descriptor, attributes());
        let sameRead = 0;
        for (let i = 1; i < CHUNKS; i++) {
          const gap = arrivedAt(i) - arrivedAt(i - 1);
          if (gap === 0) sameRead++;
          else series.record(gap);
          if (i % PER_READ === PER_READ - 1 || i === CHUNKS - 1) {
            if (sameRead !== 0) series.record(0, sameRead);
            sameRead = 0;
          }
        }
      }
    },
  "the package's own aggregation, one record per chunk (as the client did before reads were counted)":
    () => {
      for (let s = 0; s < STREAMS; s++) {
        const series = producer.series(descriptor, attributes());
        for (let i = 1; i < CHUNKS; i++) series.record(arrivedAt(i) - arrivedAt(i - 1));
      }
    },
  "one SDK record per chunk, at arrival (any other meter provider)": () => {
    for (let s = 0; s < STREAMS; s++) {
      const attrs = attributes();
      for (let i = 1; i < CHUNKS; i++) perChunk.record(arrivedAt(i) - arrivedAt(i - 1), attrs);
    }
  },
  "one record per chunk, kept as runs and recorded at the end": () => {
    for (let s = 0; s < STREAMS; s++) {
      const attrs = attributes();
      const values = [];
      const counts = [];
      for (let i = 1; i < CHUNKS; i++) {
        const value = arrivedAt(i) - arrivedAt(i - 1);
        if (values.at(-1) === value) counts[counts.length - 1]++;
        else values.push(value) && counts.push(1);
      }
      for (let r = 0; r < values.length; r++)
        for (let n = counts[r]; n > 0; n--) perChunk.record(values[r], attrs);
    }
  },
  "one record per chunk, the instrument dropped by a View": () => {
    for (let s = 0; s < STREAMS; s++) {
      const attrs = attributes();
      for (let i = 1; i < CHUNKS; i++) dropped.record(arrivedAt(i) - arrivedAt(i - 1), attrs);
    }
  },
  "one record per chunk, no attributes (not the conventions)": () => {
    for (let s = 0; s < STREAMS; s++)
      for (let i = 1; i < CHUNKS; i++) perChunk.record(arrivedAt(i) - arrivedAt(i - 1));
  },
  "one record per network read (not the conventions: count is reads)": () => {
    for (let s = 0; s < STREAMS; s++) {
      const attrs = attributes();
      for (let i = 1; i < CHUNKS; i++) {
        const value = arrivedAt(i) - arrivedAt(i - 1);
        if (value !== 0) perChunk.record(value, attrs);
      }
    }
  },
};

process.stdout.write(`Node ${process.version}, CPU µs per chunk, median of 7\n`);
for (const [name, run] of Object.entries(variants)) {
  run();
  const times = [];
  for (let r = 0; r < 7; r++) {
    const before = process.cpuUsage();
    run();
    const used = process.cpuUsage(before);
    times.push((used.user + used.system) / (STREAMS * CHUNKS));
  }
  process.stdout.write(`${median(times).toFixed(3)}  ${name}\n`);
}
