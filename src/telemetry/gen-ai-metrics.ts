import {
  createNoopMeter,
  type Histogram,
  type Meter,
  type MeterProvider,
  metrics,
} from "@opentelemetry/api";
import { INSTRUMENTATION_NAME, VERSION } from "../version.js";
import {
  AGENT_DURATION_BUCKETS,
  CALL_COUNT_BUCKETS,
  DURATION_BUCKETS,
  METRIC_EXECUTE_TOOL_DURATION,
  METRIC_INVOKE_AGENT_DURATION,
  METRIC_INVOKE_AGENT_INFERENCE_CALLS,
  METRIC_INVOKE_AGENT_TOOL_CALLS,
  METRIC_OPERATION_DURATION,
  METRIC_TIME_PER_OUTPUT_CHUNK,
  METRIC_TIME_TO_FIRST_CHUNK,
  METRIC_TOKEN_USAGE,
  TOKEN_BUCKETS,
} from "./semconv.js";

/** The GenAI histograms of one meter: the four of a chat call, the four of an agent run. */
export interface GenAIMetrics {
  operationDuration: Histogram;
  tokenUsage: Histogram;
  timeToFirstChunk: Histogram;
  timePerOutputChunk: Histogram;
  invokeAgentDuration: Histogram;
  executeToolDuration: Histogram;
  invokeAgentInferenceCalls: Histogram;
  invokeAgentToolCalls: Histogram;
}

/** The metrics API hands out this meter's class when no provider is registered. */
const NoopMeter = createNoopMeter().constructor;
const instrumentsByMeter = new WeakMap<Meter, GenAIMetrics>();

/**
 * The instruments of the given (or global) meter provider, or undefined when it is a no-op,
 * so that nothing is timed per chunk for nobody. Looked up per call because the global
 * provider may be registered after the client was created; instruments are made once a meter.
 */
export function getGenAIMetrics(provider: MeterProvider | undefined): GenAIMetrics | undefined {
  const meter = (provider ?? metrics.getMeterProvider()).getMeter(INSTRUMENTATION_NAME, VERSION);
  if (meter instanceof NoopMeter) return undefined;
  let instruments = instrumentsByMeter.get(meter);
  if (instruments === undefined) {
    instruments = createInstruments(meter);
    instrumentsByMeter.set(meter, instruments);
  }
  return instruments;
}

function createInstruments(meter: Meter): GenAIMetrics {
  const seconds = (name: string, description: string, buckets = DURATION_BUCKETS) =>
    meter.createHistogram(name, {
      description,
      unit: "s",
      advice: { explicitBucketBoundaries: buckets },
    });
  const callCount = (name: string, description: string, unit: string) =>
    meter.createHistogram(name, {
      description,
      unit,
      advice: { explicitBucketBoundaries: CALL_COUNT_BUCKETS },
    });
  return {
    operationDuration: seconds(METRIC_OPERATION_DURATION, "GenAI operation duration"),
    tokenUsage: meter.createHistogram(METRIC_TOKEN_USAGE, {
      description: "Number of input and output tokens used",
      unit: "{token}",
      advice: { explicitBucketBoundaries: TOKEN_BUCKETS },
    }),
    timeToFirstChunk: seconds(
      METRIC_TIME_TO_FIRST_CHUNK,
      "Time from the request to the first chunk of output",
    ),
    timePerOutputChunk: seconds(
      METRIC_TIME_PER_OUTPUT_CHUNK,
      "Time between consecutive chunks of output, after the first",
    ),
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
