import {
  type Attributes,
  type Context,
  diag,
  type Span,
  SpanKind,
  trace,
} from "@opentelemetry/api";
import type { ChatRequest } from "../types.js";
import { getAgentStep } from "./agent-step.js";
import { snapshotInput } from "./call-content.js";
import { CallTelemetry } from "./call-telemetry.js";
import { getEventLogger } from "./details-event.js";
import { getGenAIMetrics } from "./gen-ai-metrics.js";
import { getOuterInference, markHandedOver } from "./outer-inference.js";
import { buildRequestAttributes } from "./request-attributes.js";
import { ATTR_OPENROUTER_AGENT_STEP, SPAN_NAME_COMPLETE, SPAN_NAME_STREAMING } from "./semconv.js";
import type { TelemetrySettings } from "./telemetry-settings.js";

/**
 * What starting a call gives the stream: where to run the HTTP work, and the recorder. A class
 * instance, not an object literal, so that V8 never pretenures it: the stream holds it while its
 * request is on its way, and a pretenured dead one would keep the recorder, and all it reaches,
 * alive through every scavenge until a full collection (see `StreamIterator`).
 */
export class StartedCall {
  /** The context the HTTP work runs in: the span's when there is one. */
  readonly context: Context;
  /** Undefined when nothing records (no recording span, no meter): the stream skips every hook. */
  readonly telemetry: CallTelemetry | undefined;

  constructor(context: Context, telemetry: CallTelemetry | undefined) {
    this.context = context;
    this.telemetry = telemetry;
  }
}

/**
 * Starts the span (or adopts the caller's) and the clock of one call. When the span is not
 * recording and no meter is registered, returns no recorder at all: nothing is measured,
 * built or serialized for nobody.
 */
export function startCall(
  settings: TelemetrySettings,
  request: ChatRequest,
  streaming: boolean,
  parentContext: Context,
  handedSpan: Span | undefined,
): StartedCall {
  let started: Span | undefined;
  try {
    const attributes = buildRequestAttributes(
      request,
      streaming,
      settings.server,
      settings.semconv,
    );
    const outer = handedSpan === undefined ? getOuterInference(parentContext) : undefined;
    if (outer !== undefined)
      return deferToOuter(settings, request, attributes, outer.span, parentContext);
    const agentStep = getAgentStep(parentContext);
    if (agentStep !== undefined) attributes[ATTR_OPENROUTER_AGENT_STEP] = agentStep.step;
    let span: Span;
    if (handedSpan !== undefined) {
      span = handedSpan;
      markHandedOver(span);
      if (span.isRecording()) span.setAttributes(attributes);
    } else {
      span = started = settings.tracer.startSpan(
        streaming ? SPAN_NAME_STREAMING : SPAN_NAME_COMPLETE,
        { kind: SpanKind.CLIENT, attributes },
        parentContext,
      );
    }
    agentStep?.onSpan(span);
    const context = trace.setSpan(parentContext, span);
    const recording = span.isRecording();
    const metrics = getGenAIMetrics(settings.meterProvider, settings.semconv);
    const events = settings.capture?.emitEvent
      ? getEventLogger(settings.loggerProvider)
      : undefined;
    // A content hook runs whatever capture and sampling say (the conventions' upload pattern).
    const hook = settings.onContent !== undefined;
    if (!recording && metrics === undefined && events === undefined && !hook)
      return new StartedCall(context, undefined);
    const spanContent = recording && settings.captureContent;
    const eventContent = events !== undefined && settings.capture?.eventContent === true;
    const telemetry = new CallTelemetry({
      span,
      context,
      recording,
      ownsSpan: handedSpan === undefined,
      deferred: false,
      metrics,
      events,
      settings,
      request,
      requestAttributes: attributes,
      // A copy of the list: a caller appending to its history meanwhile changes nothing here.
      input: spanContent || eventContent || hook ? snapshotInput(request) : undefined,
      spanContent,
      eventContent,
    });
    return new StartedCall(context, telemetry);
  } catch (error) {
    diag.error("openrouter-otel: starting the span failed", error);
    started?.end(); // no recorder will: a span of ours ends on every path
    return new StartedCall(parentContext, undefined);
  }
}

/**
 * Another instrumentation traces this call: no span, metrics or event of ours; the outer span,
 * when there is one, receives the call's attributes.
 */
function deferToOuter(
  settings: TelemetrySettings,
  request: ChatRequest,
  attributes: Attributes,
  outer: Span | undefined,
  parentContext: Context,
): StartedCall {
  if (outer === undefined || !outer.isRecording()) return new StartedCall(parentContext, undefined);
  outer.setAttributes(attributes);
  const telemetry = new CallTelemetry({
    span: outer,
    context: parentContext,
    recording: true,
    ownsSpan: false,
    deferred: true,
    metrics: undefined,
    events: undefined,
    settings,
    request,
    requestAttributes: attributes,
    input: undefined,
    spanContent: false,
    eventContent: false,
  });
  return new StartedCall(parentContext, telemetry);
}
