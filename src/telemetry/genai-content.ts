import { type Attributes, diag, type Span } from "@opentelemetry/api";
import { describeThrown } from "../describe-thrown.js";
import type { JsonValue } from "../types.js";
import { type ContentLimits, toLimitedAttributes } from "./content-limits.js";
import type { EventAttributes } from "./details-event.js";
import type { SemconvVersion } from "./semconv.js";
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

/** Span attributes hold strings: each value as its JSON, within the limits. */
export function contentSpanAttributes(
  content: GenAIContent,
  limits: ContentLimits | undefined,
  /** Written into this object (and returned) when given. */
  into?: Attributes,
): Attributes {
  const values: Array<readonly [string, unknown]> = [];
  for (const [field, attribute] of CONTENT_ATTRIBUTES) {
    const value = content[field];
    if (value !== undefined) values.push([attribute, value]);
  }
  return toLimitedAttributes(values, limits, into);
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

/** What a content hook is told about the content it receives. */
export interface ContentInfo {
  /** `chat` (one model call), `invoke_agent` (one agent run) or `execute_tool` (one tool call). */
  operation: "chat" | "invoke_agent" | "execute_tool";
  /** The span the content is for: a hook may add its own attributes (a reference, say). */
  span: Span;
  /** The conventions' version emitted. */
  semconv: SemconvVersion;
}

/**
 * Sees the content of each call, agent run and tool call once, before anything is serialized,
 * and returns what to record: the same object (changed or not), another one (references to
 * where it was uploaded, say), or `null`/`undefined` to record no content. Synchronous.
 */
export type ContentHook = (
  content: GenAIContent,
  info: ContentInfo,
) => GenAIContent | null | undefined;

/** Runs the hook; a hook that throws (or returns a promise) drops the content, and says why. */
export function applyContentHook(
  hook: ContentHook | undefined,
  content: GenAIContent,
  info: ContentInfo,
): GenAIContent | undefined {
  if (hook === undefined) return content;
  try {
    const result = hook(content, info);
    if (result === null || result === undefined) return undefined;
    if (typeof (result as { then?: unknown }).then === "function")
      throw new TypeError("it returned a promise; it must return the content synchronously");
    return result;
  } catch (error) {
    const reason = describeThrown(error);
    diag.warn(
      `openrouter-otel: onContent failed, the ${info.operation} content is dropped: ${reason}`,
    );
    return undefined;
  }
}
