import type { MeterProvider } from "@opentelemetry/api";
import type { MetricProducer, MetricReader } from "@opentelemetry/sdk-metrics";
import { madeSdkChunkHistogram, registerChunkHistogramSink } from "../chunk-timing.js";
import { ChunkHistogramProducer, chunkHistogramSink } from "./chunk-histogram-producer.js";
import { loadSdkPackage } from "./sdk-packages.js";

/**
 * `gen_ai.client.operation.time_per_output_chunk` aggregated by this package for a meter
 * provider you build (NodeSDK's, or your own `MeterProvider`), as `startTelemetry()` does for
 * its own: each call finds its series once and records every chunk with constant work, instead
 * of one SDK `Histogram.record` per chunk, which hashes the attribute set every time. Each
 * reader receives the histogram through a `MetricProducer` and exports it as the SDK would.
 *
 * Make each metric reader through {@link ChunkHistogram.reader}, give the readers to the meter
 * provider, then {@link ChunkHistogram.register} that provider before the first call:
 *
 * ```ts
 * const chunkHistogram = new ChunkHistogram();
 * const reader = chunkHistogram.reader(
 *   (metricProducers) => new PeriodicExportingMetricReader({ exporter, metricProducers }),
 * );
 * new NodeSDK({ metricReaders: [reader] }).start();
 * chunkHistogram.register(metrics.getMeterProvider());
 * ```
 */
export class ChunkHistogram {
  readonly #producers: ChunkHistogramProducer[] = [];
  #registered = false;

  /**
   * Makes one metric reader with `build`, which must hand the producers it is given to the
   * reader (`metricProducers`, beside any of yours). Returns the reader.
   */
  reader<R extends MetricReader>(build: (metricProducers: MetricProducer[]) => R): R {
    if (this.#registered) {
      throw new Error(
        "ChunkHistogram.reader(): make every reader before register(); a reader made after it would miss the histogram",
      );
    }
    const sdk = loadSdkPackage("@opentelemetry/sdk-metrics", "ChunkHistogram");
    const { emptyResource } = loadSdkPackage("@opentelemetry/resources", "ChunkHistogram");
    const producer = new ChunkHistogramProducer(sdk, emptyResource());
    const reader = build([producer]);
    // The reader's temporality and cardinality limit, as the SDK's storage takes them.
    producer.bind(reader);
    this.#producers.push(producer);
    return reader;
  }

  /**
   * Makes the clients that record into `provider` (the global one, or a client's
   * `meterProvider`) use this aggregation. Call it once, after the readers are made and before
   * the first call: a provider that already recorded the histogram through the SDK keeps doing
   * so, and this throws rather than export the metric twice.
   */
  register(provider: MeterProvider): void {
    if (this.#producers.length === 0) {
      throw new Error("ChunkHistogram.register(): no reader was made with reader() yet");
    }
    if (this.#registered) throw new Error("ChunkHistogram.register(): already registered");
    if (madeSdkChunkHistogram(provider)) {
      throw new Error(
        "ChunkHistogram.register(): this meter provider already records time_per_output_chunk through the SDK (a call came first); register it before the first call",
      );
    }
    this.#registered = true;
    registerChunkHistogramSink(provider, chunkHistogramSink(this.#producers));
  }
}
