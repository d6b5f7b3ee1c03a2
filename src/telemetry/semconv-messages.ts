/**
 * Pure conversions from the wire's messages to the GenAI conventions' message JSON (the
 * `gen_ai.*.messages` schemas), with every text cut to `maxChars` inside its part.
 */
import type {
  ChatMessage,
  ChatResponse,
  ContentPart,
  FinishReason,
  JsonValue,
  ServerToolDefinition,
  TextPart,
  ToolDefinition,
} from "../types.js";
import { truncateText } from "./truncate-text.js";

export type SemconvPart = { type: string; [field: string]: JsonValue | undefined };
export interface SemconvMessage {
  role: string;
  parts: SemconvPart[];
  finish_reason?: string;
}

export function toSystemInstructions(system: string, maxChars: number): SemconvPart[] {
  return [{ type: "text", content: truncateText(system, maxChars) }];
}

export function toInputMessages(
  messages: readonly ChatMessage[],
  maxChars: number,
): SemconvMessage[] {
  return messages.map((message) => toInputMessage(message, maxChars));
}

function toInputMessage(message: ChatMessage, maxChars: number): SemconvMessage {
  switch (message.role) {
    case "system":
    case "developer":
    case "user":
      return {
        role: message.role === "developer" ? "system" : message.role,
        parts: toParts(message.content, maxChars),
      };
    case "assistant": {
      const parts: SemconvPart[] = [];
      if (message.reasoning)
        parts.push({ type: "reasoning", content: truncateText(message.reasoning, maxChars) });
      if (message.content) parts.push(...toParts(message.content, maxChars));
      for (const call of message.tool_calls ?? []) {
        parts.push(toToolCallPart(call.id, call.function.name, call.function.arguments, maxChars));
      }
      return { role: "assistant", parts };
    }
    case "tool":
      return {
        role: "tool",
        parts: [
          {
            type: "tool_call_response",
            id: message.tool_call_id,
            response:
              typeof message.content === "string"
                ? truncateText(message.content, maxChars)
                : message.content.map((part) => truncateText(part.text, maxChars)).join(""),
          },
        ],
      };
    default:
      return assertNever(message);
  }
}

function toParts(
  content: string | readonly ContentPart[] | readonly TextPart[],
  maxChars: number,
): SemconvPart[] {
  if (typeof content === "string")
    return [{ type: "text", content: truncateText(content, maxChars) }];
  return content.map((part) => toPart(part, maxChars));
}

function toPart(part: ContentPart, maxChars: number): SemconvPart {
  switch (part.type) {
    case "text":
      return { type: "text", content: truncateText(part.text, maxChars) };
    case "image_url":
      return toMediaPart("image", part.image_url.url, maxChars);
    case "input_audio":
      return {
        type: "blob",
        modality: "audio",
        mime_type: `audio/${part.input_audio.format}`,
        content: truncateText(part.input_audio.data, maxChars),
      };
    case "file":
      if (part.file.file_data) return toMediaPart("document", part.file.file_data, maxChars);
      if (part.file.file_id)
        return { type: "file", modality: "document", file_id: part.file.file_id };
      return { type: "file", modality: "document" };
    default:
      return { type: (part as { type: string }).type };
  }
}

/** A `data:` URL is inline data (a blob part); any other URL is a reference (a uri part). */
function toMediaPart(modality: string, url: string, maxChars: number): SemconvPart {
  const match = /^data:([^;,]+)?(?:;[^,]*)?,/.exec(url);
  if (match) {
    return {
      type: "blob",
      modality,
      mime_type: match[1] ?? null,
      content: truncateText(url.slice(match[0].length), maxChars),
    };
  }
  return { type: "uri", modality, uri: truncateText(url, maxChars) };
}

function toToolCallPart(
  id: string,
  name: string,
  argumentsText: string,
  maxChars: number,
): SemconvPart {
  return { type: "tool_call", id, name, arguments: parseArguments(argumentsText, maxChars) };
}

/** Arguments as parsed JSON; when too long (or not JSON), the text itself, cut. */
function parseArguments(argumentsText: string, maxChars: number): JsonValue {
  if (argumentsText.length > maxChars) return truncateText(argumentsText, maxChars);
  if (argumentsText.trim() === "") return {};
  try {
    return JSON.parse(argumentsText) as JsonValue;
  } catch {
    return argumentsText;
  }
}

/** The wire says `tool_calls` where the conventions say `tool_call`. */
export function toSemconvFinishReason(reason: FinishReason | null): string {
  if (reason === null) return "error";
  return reason === "tool_calls" ? "tool_call" : reason;
}

/** `finishReason` undefined: left out (latest reports it in `gen_ai.response.finish_reasons`). */
/** Whether a response holds anything `toOutputMessages` would record (a failed call's partial). */
export function hasOutput(response: ChatResponse): boolean {
  return (
    response.text !== "" ||
    response.reasoning !== "" ||
    response.refusal !== "" ||
    response.images.length > 0 ||
    response.toolCalls.length > 0
  );
}

export function toOutputMessages(
  response: ChatResponse,
  finishReason: string | undefined,
  maxChars: number,
): SemconvMessage[] {
  const parts: SemconvPart[] = [];
  if (response.reasoning)
    parts.push({ type: "reasoning", content: truncateText(response.reasoning, maxChars) });
  if (response.text) parts.push({ type: "text", content: truncateText(response.text, maxChars) });
  // No refusal part in the conventions: a generic part, which their schema allows.
  if (response.refusal)
    parts.push({ type: "refusal", content: truncateText(response.refusal, maxChars) });
  for (const call of response.toolCalls) {
    parts.push(toToolCallPart(call.id, call.name, call.argumentsText, maxChars));
  }
  // Generated images (megabytes of data URL) reach the span only here, with content capture
  // on, and cut like text.
  for (const image of response.images) {
    const url = image.image_url?.url;
    if (typeof url === "string") parts.push(toMediaPart("image", url, maxChars));
  }
  const message: SemconvMessage = { role: "assistant", parts };
  if (finishReason !== undefined) message.finish_reason = finishReason;
  return [message];
}

export function toToolDefinitions(
  tools: readonly (ToolDefinition | ServerToolDefinition)[],
  maxChars: number,
  /** Copy the parameter schemas: false only when the parts are serialized at once. */
  copySchemas = true,
): SemconvPart[] {
  return tools.map((tool) => {
    // A server tool has no function: its type names it (`openrouter:web_search`).
    if (tool.type !== "function") return { type: tool.type, name: tool.type };
    const definition: SemconvPart = { type: tool.type, name: tool.function.name };
    if (tool.function.description !== undefined) {
      definition.description = truncateText(tool.function.description, maxChars);
    }
    const parameters = tool.function.parameters;
    if (parameters !== undefined) {
      // A copy, as it is sent: a content hook editing it in place must not change the next request.
      definition.parameters = copySchemas
        ? (JSON.parse(JSON.stringify(parameters)) as JsonValue)
        : (parameters as JsonValue);
    }
    return definition;
  });
}

function assertNever(value: never): never {
  throw new Error(`Unexpected message: ${JSON.stringify(value)}`);
}
