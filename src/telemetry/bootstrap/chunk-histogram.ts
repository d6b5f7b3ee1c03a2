import { createNoopMeter, type MeterProvider } from "@opentelemetry/api";
import type { MetricProducer, MetricReader } from "@opentelemetry/sdk-metrics";
import { INSTRUMENTATION_NAME, VERSION } from "../../version.js";
import {
  chunkHistogramSinkOf,
  madeSdkChunkHistogram,
  registerChunkHistogramSink,
} from "../chunk-timing.js";
import { ChunkHistogramProducer, chunkHistogramSink } from "./chunk-histogram-producer.js";
import { loadSdkPackage } from "./sdk-packages.js";

/** What the metrics API hands out when no meter provider is registered. */
const NoopMeter = createNoopMeter().constructor;

/** `startTelemetry()`'s own: they aggregate the call's other histograms too. */
const withCallHistograms = new WeakSet<ChunkHistogram>();

/**
 * Makes `chunkHistogram` aggregate the chat call's other histograms as well (duration, time to
 * first chunk, token usage), one series lookup per call instead of one SDK hash per record.
 * Only for a provider no View can reach, since Views would not apply to them: `startTelemetry()`'s.
 * Not exported from the package.
 */
export function aggregateCallHistogramsToo(chunkHistogram: ChunkHistogram): ChunkHistogram {
  withCallHistograms.add(chunkHistogram);
  return chunkHistogram;
}

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
    // A reader built without the producer would never export the histogram, and registering
    // takes the SDK's instrument away: say so now. The SDK keeps its producers in a field that
    // is not public API; when it is not there, nothing is checked.
    const held = (reader as unknown as { _metricProducers?: unknown })._metricProducers;
    if (Array.isArray(held) && !held.includes(producer)) {
      throw new Error(
        "ChunkHistogram.reader(): the reader was built without the metricProducers it was given; pass them to it (beside any of yours)",
      );
    }
    // The reader's temporality and cardinality limit, as the SDK's storage takes them.
    producer.bind(reader);
    this.#producers.push(producer);
    return reader;
  }

  /**
   * Makes the clients that record into `provider` (the global one, or a client's
   * `meterProvider`) use this aggregation. `provider` must be the one holding the readers.
   * Call it once, after the readers are made and before the first call. Throws, rather than
   * lose the histogram or export it twice, when the provider is the API's no-op (NodeSDK not
   * started yet), already has an aggregation of the package (`startTelemetry()`'s, another
   * `ChunkHistogram`), or already recorded the histogram through the SDK.
   */
  register(provider: MeterProvider): void {
    if (this.#producers.length === 0) {
      throw new Error("ChunkHistogram.register(): no reader was made with reader() yet");
    }
    if (this.#registered) throw new Error("ChunkHistogram.register(): already registered");
    if (provider.getMeter(INSTRUMENTATION_NAME, VERSION) instanceof NoopMeter) {
      throw new Error(
        "ChunkHistogram.register(): this meter provider is a no-op; with NodeSDK, register metrics.getMeterProvider() after sdk.start()",
      );
    }
    if (chunkHistogramSinkOf(provider) !== undefined) {
      throw new Error(
        "ChunkHistogram.register(): this meter provider already has the package's aggregation (startTelemetry()'s, or another ChunkHistogram's)",
      );
    }
    if (madeSdkChunkHistogram(provider)) {
      throw new Error(
        "ChunkHistogram.register(): this meter provider already records time_per_output_chunk through the SDK (a call came first); register it before the first call",
      );
    }
    this.#registered = true;
    registerChunkHistogramSink(
      provider,
      chunkHistogramSink(this.#producers, withCallHistograms.has(this)),
    );
  }
}
