/**
 * The messages an agent adds to the history: the assistant message of each step, as the model
 * must see it again, and one tool message per call.
 */
import type { AssistantMessage, ChatResponse, ToolCall, ToolMessage } from "../types.js";

/**
 * The id a call goes by in the history: the model's own, or, when it sent none, one made from
 * the step and the call's index (the tool message must name the call it answers).
 */
export function historyCallId(call: ToolCall, step: number): string {
  return call.id === "" ? `call_${step}_${call.index}` : call.id;
}

/**
 * The step's assistant message. `reasoning_details` go back exactly as received (merged,
 * signatures and encrypted blocks kept): thinking models refuse a tool turn without them.
 * `withToolCalls` is false when the run stops at this step without running its calls.
 */
export function toAssistantMessage(
  response: ChatResponse,
  step: number,
  withToolCalls: boolean,
): AssistantMessage {
  const toolCalls = withToolCalls ? response.toolCalls : [];
  const message: AssistantMessage = {
    role: "assistant",
    content: response.text === "" && toolCalls.length > 0 ? null : response.text,
  };
  if (toolCalls.length > 0) {
    message.tool_calls = toolCalls.map((call) => ({
      id: historyCallId(call, step),
      type: "function",
      function: {
        name: call.name,
        // Providers parse these back into objects: arguments that are not JSON would fail the
        // whole next request, so they go back as `{}` (the tool message says what was wrong).
        arguments:
          call.arguments === undefined || call.argumentsText.trim() === ""
            ? "{}"
            : call.argumentsText,
      },
    }));
  }
  if (response.reasoningDetails.length > 0) message.reasoning_details = response.reasoningDetails;
  else if (response.reasoning !== "") message.reasoning = response.reasoning;
  return message;
}

export function toToolMessage(call: ToolCall, step: number, content: string): ToolMessage {
  return { role: "tool", tool_call_id: historyCallId(call, step), content };
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
