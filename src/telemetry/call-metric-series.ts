import type { Attributes, Histogram, MeterProvider } from "@opentelemetry/api";
import {
  type ChunkHistogramDescriptor,
  type ChunkTimer,
  chunkHistogramSinkOf,
  chunkTimerFactory,
  sdkTimer,
} from "./chunk-timing.js";
import type { ServerEndpoint } from "./request-attributes.js";
import {
  ATTR_ERROR_TYPE,
  ATTR_GEN_AI_OPERATION_NAME,
  ATTR_GEN_AI_PROVIDER_NAME,
  ATTR_GEN_AI_REQUEST_MODEL,
  ATTR_GEN_AI_RESPONSE_MODEL,
  ATTR_GEN_AI_TOKEN_TYPE,
  ATTR_SERVER_ADDRESS,
  ATTR_SERVER_PORT,
  OPERATION_CHAT,
  PROVIDER_OPENROUTER,
} from "./semconv.js";

/**
 * The histograms of a chat call, for one attribute set (server, requested and answering model,
 * error type). The SDK's `Histogram.record` hashes the attribute set on every record (sorts its
 * keys, `JSON.stringify`, a map lookup): four of them per call cost as much as the rest of
 * the call's metrics. A call's set repeats from call to call, so the series are looked up by a
 * cheap key and each record is constant work when the package aggregates them (see
 * {@link CallHistograms}); with the SDK's instruments, each record is the SDK's, the attribute
 * sets built once.
 */
export interface CallSeries {
  /** The set itself: the proposed token counters take it (`recordTokenUsage`). */
  readonly attributes: Attributes;
  readonly operationDuration: ChunkTimer;
  readonly timeToFirstChunk: ChunkTimer;
  /** Undefined in a version that replaced the token histogram with counters. */
  readonly inputTokens: ChunkTimer | undefined;
  readonly outputTokens: ChunkTimer | undefined;
  /** Recorded per chunk, looked up at the first chunk: its set never has `error.type`. */
  readonly timePerOutputChunk: ChunkTimer;
}

/** The descriptors of a chat call's histograms, by the conventions' version. */
export interface CallHistogramDescriptors {
  operationDuration: ChunkHistogramDescriptor;
  timeToFirstChunk: ChunkHistogramDescriptor;
  tokenUsage: ChunkHistogramDescriptor | undefined;
  timePerOutputChunk: ChunkHistogramDescriptor;
}

/** More distinct sets than this, and the lookups start over (the aggregation keeps its series). */
const MAX_CACHED_SETS = 1_000;

/**
 * A chat call's histograms for one meter provider: the package's aggregation when the
 * provider has it for the call's histograms (`startTelemetry()`'s), else the SDK's instruments
 * (the per-chunk one still the package's under a `ChunkHistogram`).
 */
export class CallHistograms {
  readonly #byServer = new WeakMap<ServerEndpoint, Map<string, CallSeries>>();
  readonly #make: (attributes: Attributes) => CallSeries;

  constructor(
    provider: MeterProvider,
    descriptors: CallHistogramDescriptors,
    histogram: (descriptor: ChunkHistogramDescriptor) => Histogram,
  ) {
    const sink = chunkHistogramSinkOf(provider);
    // The SDK's per-chunk instrument is made only when the provider has no sink of its own.
    const perChunk = chunkTimerFactory(provider, descriptors.timePerOutputChunk, () =>
      histogram(descriptors.timePerOutputChunk),
    );
    // One way to a series for the three recorded at the end: the sink's, or the SDK's
    // instrument (made now, as the client always made them, so a View sees it at once).
    let timer: (descriptor: ChunkHistogramDescriptor, attributes: Attributes) => ChunkTimer;
    if (sink?.callHistograms)
      timer = (descriptor, attributes) => sink.series(descriptor, attributes);
    else {
      const instruments = new Map<ChunkHistogramDescriptor, Histogram>();
      for (const descriptor of [descriptors.operationDuration, descriptors.timeToFirstChunk])
        instruments.set(descriptor, histogram(descriptor));
      if (descriptors.tokenUsage)
        instruments.set(descriptors.tokenUsage, histogram(descriptors.tokenUsage));
      timer = (descriptor, attributes) =>
        sdkTimer(instruments.get(descriptor) as Histogram, attributes);
    }
    const { operationDuration, timeToFirstChunk, tokenUsage } = descriptors;
    this.#make = (attributes) => ({
      attributes,
      operationDuration: timer(operationDuration, attributes),
      timeToFirstChunk: timer(timeToFirstChunk, attributes),
      inputTokens: tokenUsage && timer(tokenUsage, tokenAttributes(attributes, "input")),
      outputTokens: tokenUsage && timer(tokenUsage, tokenAttributes(attributes, "output")),
      timePerOutputChunk: perChunk(attributes),
    });
  }

  /** The series of a call's attribute set; `responseModel` "" is a response without a model. */
  series(
    server: ServerEndpoint,
    requestModel: string,
    responseModel: string,
    errorType: string | undefined,
  ): CallSeries {
    let sets = this.#byServer.get(server);
    if (sets === undefined) {
      sets = new Map();
      this.#byServer.set(server, sets);
    }
    // Length-prefixed, so that no two sets share a key whatever the model names hold.
    const key = `${requestModel.length}:${requestModel}${responseModel.length}:${responseModel}${errorType === undefined ? "" : `!${errorType}`}`;
    let series = sets.get(key);
    if (series === undefined) {
      if (sets.size >= MAX_CACHED_SETS) sets.clear();
      series = this.#make(callAttributes(server, requestModel, responseModel, errorType));
      sets.set(key, series);
    }
    return series;
  }
}

/** The attribute set of a call's metrics, as the conventions list them. */
function callAttributes(
  server: ServerEndpoint,
  requestModel: string,
  responseModel: string,
  errorType: string | undefined,
): Attributes {
  const attributes: Attributes = {
    [ATTR_GEN_AI_OPERATION_NAME]: OPERATION_CHAT,
    [ATTR_GEN_AI_PROVIDER_NAME]: PROVIDER_OPENROUTER,
    [ATTR_GEN_AI_REQUEST_MODEL]: requestModel,
    [ATTR_SERVER_ADDRESS]: server.address,
    [ATTR_SERVER_PORT]: server.port,
  };
  if (responseModel) attributes[ATTR_GEN_AI_RESPONSE_MODEL] = responseModel;
  if (errorType !== undefined) attributes[ATTR_ERROR_TYPE] = errorType;
  return attributes;
}

function tokenAttributes(attributes: Attributes, type: "input" | "output"): Attributes {
  return { ...attributes, [ATTR_GEN_AI_TOKEN_TYPE]: type };
}
