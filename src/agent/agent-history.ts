/**
 * The messages an agent adds to the history: the assistant message of each step, as the model
 * must see it again, and one tool message per call.
 */

import { isJsonObject } from "../is-json-object.js";
import type { AssistantMessage, ChatResponse, ToolCall, ToolMessage } from "../types.js";

/**
 * The ids the calls of one step go by in the history, in call order: the model's own, or, when
 * it sent none or one an earlier call of the step already uses (Gemini sends `call_0` twice,
 * OPENROUTER_WIRE.md R2.7), `call_{step}_{index}`: each tool message must name the one call it
 * answers, and the assistant message and the tool message must agree.
 */
export function historyCallIds(calls: readonly ToolCall[], step: number): string[] {
  const used = new Set<string>();
  return calls.map((call) => {
    let id = call.id === "" || used.has(call.id) ? `call_${step}_${call.index}` : call.id;
    while (used.has(id)) id = `${id}_`;
    used.add(id);
    return id;
  });
}

/**
 * The step's assistant message. `reasoning_details` go back exactly as received (merged,
 * signatures and encrypted blocks kept): thinking models refuse a tool turn without them.
 * `callIds` (from {@link historyCallIds}) is undefined when the run stops at this step without
 * running its calls.
 */
export function toAssistantMessage(
  response: ChatResponse,
  callIds: readonly string[] | undefined,
): AssistantMessage {
  const toolCalls = callIds === undefined ? [] : response.toolCalls;
  const message: AssistantMessage = {
    role: "assistant",
    content: response.text === "" && toolCalls.length > 0 ? null : response.text,
  };
  if (toolCalls.length > 0) {
    message.tool_calls = toolCalls.map((call, i) => ({
      id: callIds?.[i] ?? "",
      type: "function",
      function: {
        name: call.name,
        // Providers parse these back into objects: arguments that are not a JSON object (not
        // JSON, empty, a list, a string) would fail the whole next request, so they go back as
        // `{}` (the tool message says what was wrong).
        arguments:
          isJsonObject(call.arguments) && call.argumentsText.trimStart().startsWith("{")
            ? call.argumentsText
            : "{}",
      },
    }));
  }
  if (response.reasoningDetails.length > 0) message.reasoning_details = response.reasoningDetails;
  else if (response.reasoning !== "") message.reasoning = response.reasoning;
  return message;
}

export function toToolMessage(callId: string, content: string): ToolMessage {
  return { role: "tool", tool_call_id: callId, content };
}

/** What the model is told when a call fails: `{"error": "<why>"}`. */
export function toErrorContent(why: string): string {
  return JSON.stringify({ error: why });
}

/** A result as the model gets it: a string as is, anything else as its JSON (`null` for nothing). */
export function toResultContent(result: unknown): string {
  if (typeof result === "string") return result;
  return JSON.stringify(result) ?? "null";
}
