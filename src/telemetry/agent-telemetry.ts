import {
  type Attributes,
  type Context,
  diag,
  type Link,
  type Span,
  SpanKind,
  trace,
} from "@opentelemetry/api";
import type { ChatMessage, ChatResponse, ToolCall, ToolDefinition, Usage } from "../types.js";
import { withAgentStep } from "./agent-step.js";
import { toCallContent } from "./call-content.js";
import type { TelemetrySettings } from "./call-telemetry.js";
import { describeErrorType, recordSpanError } from "./describe-error-type.js";
import { type GenAIMetrics, getGenAIMetrics } from "./gen-ai-metrics.js";
import { applyContentHook, contentSpanAttributes } from "./genai-content.js";
import { clearOuterInference } from "./outer-inference.js";
import {
  ATTR_ERROR_TYPE,
  ATTR_GEN_AI_AGENT_DESCRIPTION,
  ATTR_GEN_AI_AGENT_NAME,
  ATTR_GEN_AI_CONVERSATION_ID,
  ATTR_GEN_AI_OPERATION_NAME,
  ATTR_GEN_AI_PROVIDER_NAME,
  ATTR_GEN_AI_REQUEST_MODEL,
  ATTR_GEN_AI_RESPONSE_FINISH_REASONS,
  ATTR_GEN_AI_TOOL_CALL_ID,
  ATTR_GEN_AI_TOOL_DESCRIPTION,
  ATTR_GEN_AI_TOOL_NAME,
  ATTR_GEN_AI_TOOL_TYPE,
  ATTR_GEN_AI_USAGE_INPUT_TOKENS,
  ATTR_GEN_AI_USAGE_OUTPUT_TOKENS,
  ATTR_OPENROUTER_AGENT_COST,
  ATTR_OPENROUTER_AGENT_STEP,
  ATTR_OPENROUTER_AGENT_STEPS,
  ATTR_OPENROUTER_AGENT_STOP_REASON,
  ATTR_OPENROUTER_CANCELLED,
  agentSpanName,
  OPERATION_EXECUTE_TOOL,
  OPERATION_INVOKE_AGENT,
  PROVIDER_OPENROUTER,
  TOOL_TYPE_FUNCTION,
  toolSpanName,
} from "./semconv.js";
import { toSemconvFinishReason } from "./semconv-messages.js";
import { ToolCallTelemetry } from "./tool-call-telemetry.js";

/** What the telemetry of a run needs to know about its agent. */
export interface AgentDescription {
  name: string;
  description: string | undefined;
  model: string;
  system: string | undefined;
  toolDefinitions: readonly ToolDefinition[];
}

/** How a run ended, reported once. `steps` are the responses of the steps that finished. */
export type AgentOutcome =
  | { kind: "completed"; steps: readonly ChatResponse[]; usage: Usage; stopReason: string }
  | { kind: "failed"; error: unknown; steps: readonly ChatResponse[]; usage: Usage }
  | {
      kind: "cancelled";
      by: "consumer" | "abort";
      steps: readonly ChatResponse[];
      usage: Usage;
    };

export interface StartedAgentRun {
  /** The context the run's chat calls and tools run in: the agent span's when there is one. */
  context: Context;
  /** Undefined when nothing records: the run then builds and serializes nothing for telemetry. */
  telemetry: AgentTelemetry | undefined;
}

/**
 * Starts the `invoke_agent {name}` span (INTERNAL, a child of the context active when the run
 * was created), or adopts the caller's span. Never throws.
 */
export function startAgentRun(
  settings: TelemetrySettings,
  agent: AgentDescription,
  input: readonly ChatMessage[],
  conversationId: string | undefined,
  parentContext: Context,
  handedSpan: Span | undefined,
): StartedAgentRun {
  let started: Span | undefined;
  try {
    const attributes: Attributes = {
      [ATTR_GEN_AI_OPERATION_NAME]: OPERATION_INVOKE_AGENT,
      [ATTR_GEN_AI_PROVIDER_NAME]: PROVIDER_OPENROUTER,
      [ATTR_GEN_AI_AGENT_NAME]: agent.name,
      [ATTR_GEN_AI_REQUEST_MODEL]: agent.model,
    };
    if (agent.description !== undefined)
      attributes[ATTR_GEN_AI_AGENT_DESCRIPTION] = agent.description;
    if (conversationId !== undefined) attributes[ATTR_GEN_AI_CONVERSATION_ID] = conversationId;
    if (handedSpan === undefined)
      started = settings.tracer.startSpan(
        agentSpanName(agent.name),
        { kind: SpanKind.INTERNAL, attributes },
        parentContext,
      );
    const span = handedSpan ?? (started as Span);
    const recording = span.isRecording();
    if (handedSpan !== undefined && recording) span.setAttributes(attributes);
    const context = clearOuterInference(trace.setSpan(parentContext, span));
    const metrics = getGenAIMetrics(settings.meterProvider, settings.semconv);
    // A content hook runs whatever capture and sampling say (the conventions' upload pattern).
    const hook = settings.onContent !== undefined;
    if (!recording && metrics === undefined && !hook) return { context, telemetry: undefined };
    const telemetry = new AgentTelemetry({
      span,
      // Content is built once, at the end; a copy of the list, as the caller's may grow meanwhile.
      input: (recording && settings.captureContent) || hook ? input.slice() : undefined,
      ownsSpan: handedSpan === undefined,
      context,
      metrics,
      settings,
      agent,
    });
    return { context, telemetry };
  } catch (error) {
    diag.error("openrouter-otel: starting the agent span failed", error);
    started?.end(); // no recorder will: a span of ours ends on every path
    return { context: clearOuterInference(parentContext), telemetry: undefined };
  }
}

/**
 * Records one agent run: its span, the step and tool spans' place under it, and the agent
 * metrics. Never throws into the caller; ends every span it started exactly once.
 */
export class AgentTelemetry {
  readonly #span: Span;
  readonly #recording: boolean;
  readonly #ownsSpan: boolean;
  readonly #context: Context;
  readonly #metrics: GenAIMetrics | undefined;
  readonly #settings: TelemetrySettings;
  readonly #agent: AgentDescription;
  readonly #input: readonly ChatMessage[] | undefined;
  readonly #startedAt = performance.now();
  /** The chat span of each step, for the links of the tool spans it requested. */
  readonly #chatSpans = new Map<number, Span>();
  /** Tool spans not ended yet: a cancelled run ends them. */
  readonly #openTools = new Set<ToolCallTelemetry>();
  #inferenceCalls = 0;
  #toolCalls = 0;
  #ended = false;

  constructor(init: {
    span: Span;
    ownsSpan: boolean;
    context: Context;
    metrics: GenAIMetrics | undefined;
    settings: TelemetrySettings;
    agent: AgentDescription;
    input: readonly ChatMessage[] | undefined;
  }) {
    this.#span = init.span;
    this.#recording = init.span.isRecording();
    this.#ownsSpan = init.ownsSpan;
    this.#context = init.context;
    this.#metrics = init.metrics;
    this.#settings = init.settings;
    this.#agent = init.agent;
    this.#input = init.input;
  }

  /** The context to start step `step`'s chat call in: its span is tagged and remembered. */
  stepContext(step: number): Context {
    this.#inferenceCalls++;
    return withAgentStep(this.#context, {
      step,
      onSpan: (span) => this.#chatSpans.set(step, span),
    });
  }

  /**
   * Starts the `execute_tool` span of a call, linked to the chat span that requested it; never
   * throws: a tracer that fails leaves the call without a span (it still runs).
   */
  startTool(
    call: ToolCall,
    step: number,
    description: string | undefined,
  ): ToolCallTelemetry | undefined {
    try {
      return this.#startTool(call, step, description);
    } catch (error) {
      diag.error("openrouter-otel: starting the execute_tool span failed", error);
      return undefined;
    }
  }

  #startTool(call: ToolCall, step: number, description: string | undefined): ToolCallTelemetry {
    this.#toolCalls++;
    const attributes: Attributes = {
      [ATTR_GEN_AI_OPERATION_NAME]: OPERATION_EXECUTE_TOOL,
      [ATTR_GEN_AI_TOOL_NAME]: call.name,
      [ATTR_GEN_AI_TOOL_TYPE]: TOOL_TYPE_FUNCTION,
      [this.#settings.semconv.toolSpanAgentName]: this.#agent.name,
      [ATTR_OPENROUTER_AGENT_STEP]: step,
    };
    // Ids repeat and may be empty (OPENROUTER_WIRE.md R2.7): only the model's own, never ours.
    if (call.id !== "") attributes[ATTR_GEN_AI_TOOL_CALL_ID] = call.id;
    if (description !== undefined) attributes[ATTR_GEN_AI_TOOL_DESCRIPTION] = description;
    const requestedBy = this.#chatSpans.get(step)?.spanContext();
    const links: Link[] = requestedBy === undefined ? [] : [{ context: requestedBy }];
    const span = this.#settings.tracer.startSpan(
      toolSpanName(call.name),
      { kind: SpanKind.INTERNAL, attributes, links },
      this.#context,
    );
    let telemetry: ToolCallTelemetry;
    try {
      telemetry = new ToolCallTelemetry({
        span,
        context: trace.setSpan(this.#context, span),
        call,
        metrics: this.#metrics,
        settings: this.#settings,
        agentName: this.#agent.name,
        onEnd: (ended) => this.#openTools.delete(ended),
      });
    } catch (error) {
      span.end(); // started, and nobody else holds it: `startTool` reports the failure
      throw error;
    }
    this.#openTools.add(telemetry);
    return telemetry;
  }

  /** Ends the run: idempotent; tool spans still open end as cancelled first. */
  end(outcome: AgentOutcome): void {
    if (this.#ended) return;
    this.#ended = true;
    const by = outcome.kind === "cancelled" ? outcome.by : "abort";
    for (const tool of [...this.#openTools]) tool.end({ kind: "cancelled", by });
    try {
      // Cancelled is not an error, whatever the abort's reason (a TimeoutError, the caller's
      // Error): the run and its tools were stopped, as the tool spans say.
      const error = outcome.kind === "failed" ? outcome.error : undefined;
      const errorType = error === undefined ? undefined : describeErrorType(error);
      const output = finalAnswer(outcome);
      if (this.#recording) this.#recordSpan(outcome, output, error, errorType);
      // Metrics first: content that fails to serialize must not cost them.
      this.#recordMetrics(errorType);
      if (this.#input !== undefined) this.#recordContent(this.#input, output);
    } catch (error) {
      diag.error("openrouter-otel: recording the agent run failed", error);
    } finally {
      if (this.#ownsSpan) this.#span.end();
    }
  }

  #recordSpan(
    outcome: AgentOutcome,
    output: FinalAnswer | undefined,
    error: unknown,
    errorType: string | undefined,
  ): void {
    const { usage } = outcome;
    const attributes: Attributes = {
      [ATTR_GEN_AI_USAGE_INPUT_TOKENS]: usage.inputTokens,
      [ATTR_GEN_AI_USAGE_OUTPUT_TOKENS]: usage.outputTokens,
      [ATTR_OPENROUTER_AGENT_STEPS]: this.#inferenceCalls,
    };
    if (usage.cost !== undefined) attributes[ATTR_OPENROUTER_AGENT_COST] = usage.cost;
    if (outcome.kind === "completed" && output !== undefined) {
      attributes[ATTR_GEN_AI_RESPONSE_FINISH_REASONS] = [output.finishReason];
      attributes[ATTR_OPENROUTER_AGENT_STOP_REASON] = outcome.stopReason;
    } else if (outcome.kind === "failed") {
      attributes[ATTR_GEN_AI_RESPONSE_FINISH_REASONS] = ["error"];
    } else if (outcome.kind === "cancelled") {
      attributes[ATTR_OPENROUTER_CANCELLED] = outcome.by;
    }
    const span = this.#span;
    if (errorType !== undefined) {
      attributes[ATTR_ERROR_TYPE] = errorType;
      recordSpanError(span, error);
    }
    span.setAttributes(attributes);
  }

  /** The run's content: its input, instructions and tools, and the final answer when it has one. */
  #recordContent(input: readonly ChatMessage[], output: FinalAnswer | undefined): void {
    const settings = this.#settings;
    const agent = this.#agent;
    const content = applyContentHook(
      settings.onContent,
      toCallContent(
        { system: agent.system, messages: input, tools: agent.toolDefinitions },
        settings,
        {
          response: output?.response,
          finishReason: output?.finishReason ?? "stop",
        },
        // An agent run emits no event: only a hook may keep its content.
        settings.onContent !== undefined,
      ),
      { operation: OPERATION_INVOKE_AGENT, span: this.#span, semconv: settings.semconv.version },
    );
    if (content !== undefined && this.#recording && settings.captureContent)
      this.#span.setAttributes(contentSpanAttributes(content, settings.contentLimits));
  }

  #recordMetrics(errorType: string | undefined): void {
    const metrics = this.#metrics;
    if (metrics === undefined) return;
    const name = { [ATTR_GEN_AI_AGENT_NAME]: this.#agent.name };
    const attributes: Attributes = { ...name, [ATTR_GEN_AI_REQUEST_MODEL]: this.#agent.model };
    if (errorType !== undefined) attributes[ATTR_ERROR_TYPE] = errorType;
    metrics.invokeAgentDuration.record((performance.now() - this.#startedAt) / 1000, attributes);
    metrics.invokeAgentInferenceCalls.record(this.#inferenceCalls, name);
    metrics.invokeAgentToolCalls.record(this.#toolCalls, name);
  }
}

/** The last step's response of a completed run, with its finish reason in the conventions' form. */
interface FinalAnswer {
  response: ChatResponse;
  finishReason: string;
}

function finalAnswer(outcome: AgentOutcome): FinalAnswer | undefined {
  const last = outcome.steps.at(-1);
  if (outcome.kind !== "completed" || last === undefined) return undefined;
  return { response: last, finishReason: toSemconvFinishReason(last.finishReason ?? "stop") };
}
