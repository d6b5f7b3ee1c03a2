import type { Span } from "@opentelemetry/api";
import type { ToolError } from "../errors.js";
import type {
  ChatEvent,
  ChatMessage,
  ChatParameters,
  ChatResponse,
  FinalEvent,
  ToolCall,
  Usage,
} from "../types.js";
import type { Tool } from "./tool.js";

/** `client.agent(options)`: the agent's own settings, plus request fields for every step. */
export interface AgentOptions extends ChatParameters {
  /** The agent's name: `gen_ai.agent.name`, and the span `invoke_agent {name}`. */
  name: string;
  /** What the agent is for: `gen_ai.agent.description`. Not sent to the model. */
  description?: string;
  /** The model of every step. */
  model: string;
  /** Sent as the first message of every step, with role `system`. */
  system?: string;
  /** The tools the model may call, by the name it calls them. */
  tools?: Record<string, Tool<never>>;
  /**
   * Chat calls per run. The last step's tools still run; then the run ends with
   * `stopReason: "max_steps"`.
   * @defaultValue `10`
   */
  maxSteps?: number;
  /**
   * How many calls of one step run at once; `1` runs them one by one, in call order.
   * @defaultValue `8`
   */
  toolConcurrency?: number;
  /**
   * What a throwing `execute` does: `"feed-back"` sends `{"error": message}` to the model and
   * goes on; `"throw"` aborts the step's other calls and rejects the run with a `ToolError`.
   * Unknown tools and invalid arguments are always fed back.
   * @defaultValue `"feed-back"`
   */
  onToolError?: "feed-back" | "throw";
}

/** The options of one run. */
export interface AgentRunOptions {
  /** Aborting stops the run: the request in flight closes, running tools see their signal abort. */
  signal?: AbortSignal | undefined;
  /**
   * Record the agent's attributes into this span instead of starting `invoke_agent`; chat and
   * tool spans become its children. The SDK never ends a span you hand over.
   */
  span?: Span | undefined;
  /**
   * The conversation this run belongs to: sent as `session_id` on every step (OpenRouter then
   * keeps the conversation on one upstream provider) and recorded as `gen_ai.conversation.id`.
   */
  conversationId?: string | undefined;
}

/**
 * Why a run ended without an error: the model answered without calling a tool, the step limit
 * was reached, or the last step was cut by the token limit or by a content filter.
 */
export type AgentStopReason = "completed" | "max_steps" | "length" | "content_filter";

export interface AgentResult {
  /** The last step's text. */
  text: string;
  /**
   * The whole history: the input, every assistant message (with its `tool_calls` and
   * `reasoning_details` as received), every tool message; ready to continue the conversation.
   */
  messages: ChatMessage[];
  /** The response of each step. */
  steps: ChatResponse[];
  /** Sums over the steps; cost included when the server reported it. */
  usage: Usage;
  stopReason: AgentStopReason;
}

export interface StepStartEvent {
  type: "step_start";
  /** 1-based. */
  step: number;
}
export interface StepFinishEvent {
  type: "step_finish";
  step: number;
  response: ChatResponse;
}
export interface ToolResultEvent {
  type: "tool_result";
  step: number;
  toolCall: ToolCall;
  /** What `execute` returned. */
  result: unknown;
  durationMs: number;
}
export interface ToolErrorEvent {
  type: "tool_error";
  step: number;
  toolCall: ToolCall;
  error: ToolError;
}
export interface AgentFinalEvent {
  type: "final";
  result: AgentResult;
}

/**
 * What a run yields, per step: `step_start`, the step's own chat events (as `chat.stream()`
 * yields them, but its `final`), `step_finish`, then one `tool_result` or `tool_error` per
 * requested call as each settles; last, `final`.
 */
export type AgentEvent =
  | StepStartEvent
  | Exclude<ChatEvent, FinalEvent>
  | StepFinishEvent
  | ToolResultEvent
  | ToolErrorEvent
  | AgentFinalEvent;
