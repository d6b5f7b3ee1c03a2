import type { Context } from "@opentelemetry/api";
import { InvalidRequestError } from "../errors.js";
import { TOOL_NAME } from "../request/validate-chat-request.js";
import type { ChatStream } from "../stream/chat-stream.js";
import type { AgentDescription } from "../telemetry/agent-telemetry.js";
import type { TelemetrySettings } from "../telemetry/call-telemetry.js";
import type { ChatMessage, ChatParameters, ChatRequest, ToolDefinition } from "../types.js";
import { isTool, type Tool } from "./tool.js";
import type { AgentOptions } from "./types.js";

export const DEFAULT_MAX_STEPS = 10;
export const DEFAULT_TOOL_CONCURRENCY = 8;

/** `chat.stream()` with the step's chat span parented explicitly (no context manager needed). */
export type StepStream = (
  request: ChatRequest,
  signal: AbortSignal | undefined,
  parentContext: Context,
) => ChatStream;

/** An agent's options, checked and resolved once, when the agent is made. */
export interface AgentConfig extends AgentDescription {
  /** The request fields applied to every step. */
  parameters: ChatParameters;
  /** The tools as sent on every step. */
  toolDefinitions: ToolDefinition[];
  tools: ReadonlyMap<string, Tool>;
  maxSteps: number;
  toolConcurrency: number;
  onToolError: "feed-back" | "throw";
  stream: StepStream;
  telemetry: TelemetrySettings;
}

/** Checks the options (an `InvalidRequestError` naming the field) and resolves the defaults. */
export function resolveAgentConfig(
  options: AgentOptions,
  stream: StepStream,
  telemetry: TelemetrySettings,
): AgentConfig {
  if (typeof options !== "object" || options === null) {
    throw new InvalidRequestError("agent", "options must be an object with a name and a model");
  }
  const {
    name,
    description,
    model,
    system,
    tools: toolsOption,
    maxSteps,
    toolConcurrency,
    onToolError,
    ...parameters
  } = options;
  if (typeof name !== "string" || name.trim() === "") {
    throw new InvalidRequestError("name", 'must be a non-empty string (e.g. "weather-bot")');
  }
  if (typeof model !== "string" || model.trim() === "") {
    throw new InvalidRequestError(
      "model",
      'must be a non-empty string (e.g. "openai/gpt-4o-mini")',
    );
  }
  if (system !== undefined && typeof system !== "string") {
    throw new InvalidRequestError("system", "must be a string");
  }
  if (description !== undefined && typeof description !== "string") {
    throw new InvalidRequestError("description", "must be a string");
  }
  if (onToolError !== undefined && onToolError !== "feed-back" && onToolError !== "throw") {
    throw new InvalidRequestError(
      "onToolError",
      `must be "feed-back" or "throw" (got ${JSON.stringify(onToolError)})`,
    );
  }
  const tools = resolveTools(toolsOption);
  return {
    name,
    description,
    model,
    system,
    parameters,
    tools,
    toolDefinitions: [...tools].map(([toolName, tool]) => toToolDefinition(toolName, tool)),
    maxSteps: positiveInteger("maxSteps", maxSteps, DEFAULT_MAX_STEPS),
    toolConcurrency: positiveInteger("toolConcurrency", toolConcurrency, DEFAULT_TOOL_CONCURRENCY),
    onToolError: onToolError ?? "feed-back",
    stream,
    telemetry,
  };
}

function resolveTools(tools: AgentOptions["tools"]): Map<string, Tool> {
  const result = new Map<string, Tool>();
  if (tools === undefined) return result;
  if (typeof tools !== "object" || tools === null || Array.isArray(tools)) {
    throw new InvalidRequestError(
      "tools",
      "must be an object of tools by name: { name: tool({...}) }",
    );
  }
  // Own keys only: a model asking for "constructor" must find no tool, not Object's.
  for (const [name, value] of Object.entries(tools)) {
    if (!TOOL_NAME.test(name)) {
      throw new InvalidRequestError(
        `tools.${name}`,
        "must be named with 1-64 letters, digits, _ or -",
      );
    }
    if (!isTool(value)) {
      throw new InvalidRequestError(
        `tools.${name}`,
        "must be made with tool({ parameters, execute })",
      );
    }
    result.set(name, value as Tool);
  }
  return result;
}

function toToolDefinition(name: string, tool: Tool): ToolDefinition {
  const definition: ToolDefinition = {
    type: "function",
    function: { name, parameters: tool.parameters as Record<string, unknown> },
  };
  if (tool.description !== undefined) definition.function.description = tool.description;
  if (tool.strict !== undefined) definition.function.strict = tool.strict;
  return definition;
}

function positiveInteger(field: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < 1) {
    throw new InvalidRequestError(field, `must be a whole number >= 1 (got ${String(value)})`);
  }
  return value;
}

/**
 * The request of a step: the agent's fields, its system prompt and tools, and the history. The
 * first step's is checked when the run is made (`agent.stream()`); later ones differ from it
 * only by the messages the loop itself appended, and are sent unchecked.
 */
export function stepRequest(
  config: AgentConfig,
  messages: readonly ChatMessage[],
  conversationId: string | undefined,
): ChatRequest {
  const request: ChatRequest = {
    ...config.parameters,
    model: config.model,
    messages: [...messages],
  };
  if (config.system !== undefined) request.system = config.system;
  if (config.toolDefinitions.length > 0) request.tools = config.toolDefinitions;
  if (conversationId !== undefined) request.session_id = conversationId;
  return request;
}
