import type { Attributes, Histogram, MeterProvider } from "@opentelemetry/api";
import { VERSION } from "../version.js";

/**
 * `time_per_output_chunk` is the one metric recorded per chunk, and the SDK's
 * `Histogram.record` hashes its attribute set on every call: about 1 µs a chunk, as much as
 * reading the chunk costs. A call's attribute set is fixed once its first chunk is in, so the
 * call looks its series up once and records into it with constant work. A meter provider
 * started by `startTelemetry()` aggregates the histogram itself (see
 * `bootstrap/chunk-histogram-producer.ts`), and the call's other histograms with it (see
 * `call-metric-series.ts`); so does one a `ChunkHistogram` was registered for
 * (`bootstrap/chunk-histogram.ts`), for this histogram only; any other provider gets
 * `Histogram.record`.
 */

/** One histogram series: a call's time between two chunks of output, or another of its values. */
export interface ChunkTimer {
  /** `count` observations of `value` (one unless given): the chunks of one network read. */
  record(value: number, count?: number): void;
}

/** A series of the SDK's instrument: one `record` per observation. */
export function sdkTimer(instrument: Histogram, attributes: Attributes): ChunkTimer {
  return {
    record(value, count = 1) {
      for (let i = 0; i < count; i++) instrument.record(value, attributes);
    },
  };
}

/** The histogram as the conventions define it: what a sink must export. */
export interface ChunkHistogramDescriptor {
  name: string;
  description: string;
  unit: string;
  boundaries: readonly number[];
}

/** A meter provider's own aggregation of the chunk histogram. */
export interface ChunkHistogramSink {
  /** The series of one attribute set, looked up once per call. */
  series(descriptor: ChunkHistogramDescriptor, attributes: Attributes): ChunkTimer;
  /**
   * Whether the call's other histograms (duration, time to first chunk, token usage) are
   * aggregated here too: for `startTelemetry()`'s provider, which takes no View that the SDK
   * would apply to them (see `call-metric-series.ts`).
   */
  readonly callHistograms?: boolean | undefined;
}

/**
 * The sinks by meter provider, shared by every installed copy of this version: a second copy
 * using `startTelemetry()`'s provider must find its sink, not make an SDK histogram of the same
 * name and scope beside it. The keys also name the sink's protocol (`/2`: counted records and
 * the call's histograms), so that a build of the same version from before it shares nothing.
 */
const REGISTRY = Symbol.for(`openrouter-otel.chunk-histogram-sinks@${VERSION}/2`);
/** The providers that made the SDK's histogram instead: a sink registered later would double it. */
const SDK_MADE = Symbol.for(`openrouter-otel.chunk-histogram-sdk@${VERSION}/2`);
const shared = globalThis as {
  [REGISTRY]?: WeakMap<MeterProvider, ChunkHistogramSink>;
  [SDK_MADE]?: WeakSet<MeterProvider>;
};
shared[REGISTRY] ??= new WeakMap();
shared[SDK_MADE] ??= new WeakSet();
const sinks = shared[REGISTRY];
const sdkMade = shared[SDK_MADE];

/** Called by `ChunkHistogram.register()` (and so by `startTelemetry()`) for its provider. */
export function registerChunkHistogramSink(provider: MeterProvider, sink: ChunkHistogramSink) {
  sinks.set(provider, sink);
}

/** This provider's sink (`startTelemetry()`'s, or a `ChunkHistogram`'s), if it has one. */
export function chunkHistogramSinkOf(provider: MeterProvider): ChunkHistogramSink | undefined {
  return sinks.get(provider);
}

/** Whether a client already made the SDK's histogram for this provider. */
export function madeSdkChunkHistogram(provider: MeterProvider): boolean {
  return sdkMade.has(provider);
}

/** Makes the timer of one call: the provider's sink, else the SDK's histogram. */
export type ChunkTimerFactory = (attributes: Attributes) => ChunkTimer;

export function chunkTimerFactory(
  provider: MeterProvider,
  descriptor: ChunkHistogramDescriptor,
  histogram: () => Histogram,
): ChunkTimerFactory {
  const sink = sinks.get(provider);
  if (sink !== undefined) return (attributes) => sink.series(descriptor, attributes);
  const instrument = histogram();
  sdkMade.add(provider);
  return (attributes) => sdkTimer(instrument, attributes);
}
