import {
  type Counter,
  createNoopMeter,
  diag,
  type Histogram,
  type Meter,
  type MeterProvider,
  metrics,
} from "@opentelemetry/api";
import type { Usage } from "../types.js";
import { INSTRUMENTATION_NAME, VERSION } from "../version.js";
import { CallHistograms, type CallSeries } from "./call-metric-series.js";
import type { ChunkHistogramDescriptor } from "./chunk-timing.js";
import {
  AGENT_DURATION_BUCKETS,
  CALL_COUNT_BUCKETS,
  DURATION_BUCKETS,
  METRIC_EXECUTE_TOOL_DURATION,
  METRIC_INVOKE_AGENT_DURATION,
  METRIC_INVOKE_AGENT_INFERENCE_CALLS,
  METRIC_INVOKE_AGENT_TOOL_CALLS,
  type Semconv,
  type SemconvVersion,
  TOKEN_BUCKETS,
} from "./semconv.js";

/**
 * The proposed token counters (one per kind, with `gen_ai.token.modality`), each made only
 * when the conventions' version emits it: none today, see `SEMCONV_TABLE`.
 */
export interface TokenCounters {
  /** The modality attribute's name in the version that has the counters. */
  modality: string;
  input: Counter | undefined;
  output: Counter | undefined;
  cacheReadInput: Counter | undefined;
  cacheWriteInput: Counter | undefined;
  reasoningOutput: Counter | undefined;
}

/** The GenAI histograms of one meter: the four of a chat call, the four of an agent run. */
export interface GenAIMetrics {
  /** A chat call's four histograms, by attribute set (see `call-metric-series.ts`). */
  call: CallHistograms;
  tokenCounters: TokenCounters;
  invokeAgentDuration: Histogram;
  executeToolDuration: Histogram;
  invokeAgentInferenceCalls: Histogram;
  invokeAgentToolCalls: Histogram;
}

/** The metrics API hands out this meter's class when no provider is registered. */
const NoopMeter = createNoopMeter().constructor;
const instrumentsByMeter = new WeakMap<Meter, Map<SemconvVersion, GenAIMetrics>>();

/**
 * The instruments of the given (or global) meter provider, named by the conventions' version,
 * or undefined when it is a no-op, so that nothing is timed per chunk for nobody. Looked up per
 * call because the global provider may be registered after the client was created; instruments
 * are made once per meter and version. A provider that throws costs the metrics, not the call.
 */
export function getGenAIMetrics(
  provider: MeterProvider | undefined,
  semconv: Semconv,
): GenAIMetrics | undefined {
  try {
    const meterProvider = provider ?? metrics.getMeterProvider();
    const meter = meterProvider.getMeter(INSTRUMENTATION_NAME, VERSION);
    if (meter instanceof NoopMeter) return undefined;
    let byVersion = instrumentsByMeter.get(meter);
    if (byVersion === undefined) {
      byVersion = new Map();
      instrumentsByMeter.set(meter, byVersion);
    }
    let instruments = byVersion.get(semconv.version);
    if (instruments === undefined) {
      instruments = createInstruments(meterProvider, meter, semconv);
      byVersion.set(semconv.version, instruments);
    }
    return instruments;
  } catch (error) {
    diag.warn("openrouter-otel: the meter provider failed; no GenAI metrics for this call", error);
    return undefined;
  }
}

function createInstruments(provider: MeterProvider, meter: Meter, semconv: Semconv): GenAIMetrics {
  const histogram = ({ name, description, unit, boundaries }: ChunkHistogramDescriptor) =>
    meter.createHistogram(name, {
      description,
      unit,
      advice: { explicitBucketBoundaries: [...boundaries] },
    });
  const seconds = (name: string, description: string, boundaries = DURATION_BUCKETS) =>
    histogram({ ...durationSeconds(name, description), boundaries });
  const callCount = (name: string, description: string, unit: string) =>
    histogram({ name, description, unit, boundaries: CALL_COUNT_BUCKETS });
  const tokens = (name: string | undefined, description: string) =>
    name === undefined ? undefined : meter.createCounter(name, { description, unit: "{token}" });
  return {
    // The SDK's instruments are made only for the histograms the provider does not aggregate.
    call: new CallHistograms(
      provider,
      {
        operationDuration: durationSeconds(
          semconv.metricOperationDuration,
          "GenAI operation duration",
        ),
        timeToFirstChunk: durationSeconds(
          semconv.metricTimeToFirstChunk,
          "Time from the request to the first chunk of output",
        ),
        tokenUsage:
          semconv.metricTokenUsage === undefined
            ? undefined
            : {
                name: semconv.metricTokenUsage,
                description: "Number of input and output tokens used",
                unit: "{token}",
                boundaries: TOKEN_BUCKETS,
              },
        timePerOutputChunk: durationSeconds(
          semconv.metricTimePerOutputChunk,
          "Time between consecutive chunks of output, after the first",
        ),
      },
      histogram,
    ),
    tokenCounters: {
      modality: semconv.tokenModality ?? "gen_ai.token.modality",
      input: tokens(semconv.metricInputTokens, "Input tokens used"),
      output: tokens(semconv.metricOutputTokens, "Output tokens used"),
      cacheReadInput: tokens(semconv.metricCacheReadInputTokens, "Input tokens read from a cache"),
      cacheWriteInput: tokens(
        semconv.metricCacheWriteInputTokens,
        "Input tokens written to a cache",
      ),
      reasoningOutput: tokens(semconv.metricReasoningOutputTokens, "Output tokens spent reasoning"),
    },
    invokeAgentDuration: seconds(
      METRIC_INVOKE_AGENT_DURATION,
      "Duration of an agent run",
      AGENT_DURATION_BUCKETS,
    ),
    executeToolDuration: seconds(METRIC_EXECUTE_TOOL_DURATION, "Duration of a tool call"),
    invokeAgentInferenceCalls: callCount(
      METRIC_INVOKE_AGENT_INFERENCE_CALLS,
      "Inference calls an agent run made, failed ones included",
      "{inference_call}",
    ),
    invokeAgentToolCalls: callCount(
      METRIC_INVOKE_AGENT_TOOL_CALLS,
      "Client-side tool calls an agent run requested",
      "{tool_call}",
    ),
  };
}

/** A duration histogram's descriptor: seconds, in the conventions' buckets. */
function durationSeconds(name: string, description: string): ChunkHistogramDescriptor {
  return { name, description, unit: "s", boundaries: DURATION_BUCKETS };
}

/**
 * A call's tokens: the histogram by `gen_ai.token.type`, and the proposed counters by
 * `gen_ai.token.modality` when the version emits them (audio and image from the usage's
 * breakdowns, the rest counted as text).
 */
export function recordTokenUsage(metrics: GenAIMetrics, usage: Usage, series: CallSeries): void {
  series.inputTokens?.record(usage.inputTokens);
  series.outputTokens?.record(usage.outputTokens);
  const attributes = series.attributes;
  const counters = metrics.tokenCounters;
  const modality = counters.modality;
  const add = (counter: Counter | undefined, value: number | undefined, kind = "text") => {
    if (counter !== undefined && value !== undefined && value > 0)
      counter.add(value, { ...attributes, [modality]: kind });
  };
  const audioIn = usage.audioInputTokens ?? 0;
  add(counters.input, usage.inputTokens - audioIn);
  add(counters.input, audioIn, "audio");
  const audioOut = usage.audioOutputTokens ?? 0;
  const imageOut = usage.imageOutputTokens ?? 0;
  add(counters.output, usage.outputTokens - audioOut - imageOut);
  add(counters.output, audioOut, "audio");
  add(counters.output, imageOut, "image");
  add(counters.cacheReadInput, usage.cachedInputTokens);
  add(counters.cacheWriteInput, usage.cacheWriteInputTokens);
  add(counters.reasoningOutput, usage.reasoningTokens);
}
