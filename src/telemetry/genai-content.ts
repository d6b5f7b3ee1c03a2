import type { Attributes } from "@opentelemetry/api";
import type { JsonValue } from "../types.js";
import type { EventAttributes } from "./details-event.js";
import {
  ATTR_GEN_AI_INPUT_MESSAGES,
  ATTR_GEN_AI_OUTPUT_MESSAGES,
  ATTR_GEN_AI_SYSTEM_INSTRUCTIONS,
  ATTR_GEN_AI_TOOL_CALL_ARGUMENTS,
  ATTR_GEN_AI_TOOL_CALL_RESULT,
  ATTR_GEN_AI_TOOL_DEFINITIONS,
} from "./semconv.js";
import type { SemconvMessage, SemconvPart } from "./semconv-messages.js";

/**
 * The content of one chat call, agent run or tool call, in the conventions' structured form
 * (the `gen_ai.*` message JSON), before anything is serialized. Texts are already cut at
 * `maxContentChars`.
 */
export interface GenAIContent {
  /** `gen_ai.system_instructions` */
  systemInstructions?: SemconvPart[] | undefined;
  /** `gen_ai.input.messages` */
  inputMessages?: SemconvMessage[] | undefined;
  /** `gen_ai.output.messages` */
  outputMessages?: SemconvMessage[] | undefined;
  /** `gen_ai.tool.definitions` */
  toolDefinitions?: SemconvPart[] | undefined;
  /** `gen_ai.tool.call.arguments` (tool spans) */
  toolCallArguments?: { [key: string]: JsonValue } | undefined;
  /** `gen_ai.tool.call.result` (tool spans, on success) */
  toolCallResult?: { [key: string]: JsonValue } | undefined;
}

/** Each field's attribute, in the order they are recorded. */
export const CONTENT_ATTRIBUTES: ReadonlyArray<readonly [keyof GenAIContent, string]> = [
  ["systemInstructions", ATTR_GEN_AI_SYSTEM_INSTRUCTIONS],
  ["inputMessages", ATTR_GEN_AI_INPUT_MESSAGES],
  ["outputMessages", ATTR_GEN_AI_OUTPUT_MESSAGES],
  ["toolDefinitions", ATTR_GEN_AI_TOOL_DEFINITIONS],
  ["toolCallArguments", ATTR_GEN_AI_TOOL_CALL_ARGUMENTS],
  ["toolCallResult", ATTR_GEN_AI_TOOL_CALL_RESULT],
];

/** Span attributes hold strings: each value as its JSON. */
export function contentSpanAttributes(content: GenAIContent): Attributes {
  const attributes: Attributes = {};
  for (const [field, attribute] of CONTENT_ATTRIBUTES) {
    const value = content[field];
    if (value !== undefined) attributes[attribute] = JSON.stringify(value);
  }
  return attributes;
}

/** Events carry the content structured, as the conventions require there. */
export function addContentEventAttributes(
  attributes: EventAttributes,
  content: GenAIContent,
): void {
  for (const [field, attribute] of CONTENT_ATTRIBUTES) {
    const value = content[field];
    if (value !== undefined) attributes[attribute] = value;
  }
}
