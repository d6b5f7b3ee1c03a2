import { context } from "@opentelemetry/api";
import { InvalidRequestError } from "../errors.js";
import { validateChatRequest } from "../request/validate-chat-request.js";
import type { TelemetrySettings } from "../telemetry/call-telemetry.js";
import type { ChatMessage } from "../types.js";
import {
  type AgentConfig,
  resolveAgentConfig,
  type StepStream,
  stepRequest,
} from "./agent-config.js";
import { AgentRun } from "./agent-run.js";
import type { AgentOptions, AgentResult, AgentRunOptions } from "./types.js";

/**
 * A model with tools, run in a loop: each step streams a chat completion; the tools it calls
 * run (concurrently, up to `toolConcurrency`) and their results go back to the model, until it
 * answers without calling a tool or `maxSteps` is reached. Made by `client.agent(options)`;
 * keeps no per-run state, so one agent serves many concurrent runs.
 */
export class Agent {
  readonly name: string;
  readonly #config: AgentConfig;

  /** Made by `client.agent(options)`. */
  private constructor(options: AgentOptions, stream: StepStream, telemetry: TelemetrySettings) {
    this.#config = resolveAgentConfig(options, stream, telemetry);
    this.name = this.#config.name;
  }

  /** @internal The client's factory: the constructor's parameters are not part of the API. */
  static create(options: AgentOptions, stream: StepStream, telemetry: TelemetrySettings): Agent {
    return new Agent(options, stream, telemetry);
  }

  /**
   * Starts a run on `input` (one user message, or a history). The input is checked now (an
   * `InvalidRequestError` is thrown here); the run starts when iteration starts, as a child of
   * the context active now.
   */
  stream(input: string | ChatMessage[], options: AgentRunOptions = {}): AgentRun {
    const messages = toInputMessages(input);
    const { conversationId } = options;
    if (
      conversationId !== undefined &&
      (typeof conversationId !== "string" || conversationId === "")
    ) {
      throw new InvalidRequestError("conversationId", "must be a non-empty string");
    }
    const config = this.#config;
    // The first step's request, checked as the chat client would check it, before any send.
    validateChatRequest(stepRequest(config, messages, conversationId));
    return AgentRun.create({ config, input: messages, options, parentContext: context.active() });
  }

  /** Runs to the end: `stream(input, options).result`. */
  run(input: string | ChatMessage[], options: AgentRunOptions = {}): Promise<AgentResult> {
    return this.stream(input, options).result;
  }
}

function toInputMessages(input: string | ChatMessage[]): ChatMessage[] {
  if (typeof input === "string") {
    if (input === "")
      throw new InvalidRequestError("input", "must be a non-empty string or a list of messages");
    return [{ role: "user", content: input }];
  }
  if (!Array.isArray(input) || input.length === 0) {
    throw new InvalidRequestError("input", "must be a non-empty string or a list of messages");
  }
  return [...input];
}
