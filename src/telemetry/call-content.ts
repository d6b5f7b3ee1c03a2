import type { ChatMessage, ChatRequest, ChatResponse, ToolDefinition } from "../types.js";
import type { GenAIContent } from "./genai-content.js";
import {
  toInputMessages,
  toOutputMessages,
  toSystemInstructions,
  toToolDefinitions,
} from "./semconv-messages.js";
import type { TelemetrySettings } from "./telemetry-settings.js";

/** The request's content, kept until the call ends: content is built and recorded once. */
export interface CallInput {
  system: string | undefined;
  messages: readonly ChatMessage[];
  tools: ChatRequest["tools"] | readonly ToolDefinition[] | undefined;
}

/** A copy of the list: a caller appending to its history meanwhile changes nothing here. */
export function snapshotInput(request: ChatRequest): CallInput {
  return { system: request.system, messages: request.messages.slice(), tools: request.tools };
}

/** The content of one call in the conventions' form, built once for the span and the event. */
export function toCallContent(
  input: CallInput,
  settings: TelemetrySettings,
  /** No response: no output messages (a call that produced nothing, a run with no answer). */
  output: { response: ChatResponse | undefined; finishReason: string },
  /**
   * Whether something may hold or edit the content after it is built (a hook, an event carrying
   * content, exported later): the tool schemas are then copied. Content serialized at once for
   * the span (limits included: fitting builds new values) needs no copy.
   */
  kept: boolean,
): GenAIContent {
  const maxChars = settings.maxContentChars;
  const content: GenAIContent = {
    systemInstructions:
      input.system === undefined ? undefined : toSystemInstructions(input.system, maxChars),
    inputMessages: toInputMessages(input.messages, maxChars),
    toolDefinitions:
      input.tools === undefined || input.tools.length === 0
        ? undefined
        : toToolDefinitions(input.tools, maxChars, kept),
  };
  if (output.response !== undefined) {
    content.outputMessages = toOutputMessages(
      output.response,
      settings.semconv.outputMessageFinishReason ? output.finishReason : undefined,
      maxChars,
    );
  }
  return content;
}
