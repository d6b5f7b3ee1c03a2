/**
 * `gen_ai.tool.call.arguments` and `gen_ai.tool.call.result`: the conventions expect objects
 * (the latest schemas say `type: object`). A JSON object is recorded as it is; a string holding
 * a JSON object is parsed back; any other value is wrapped as `{"value": ...}`. Strings inside
 * are cut at `maxChars`, so the attribute stays valid JSON.
 */

import { isJsonObject } from "../is-json-object.js";
import type { ToolCall } from "../types.js";
import { mapStrings, truncateText } from "./truncate-text.js";

/** Nesting deeper than this is replaced by the marker rather than walked. */
const MAX_DEPTH = 32;

/** The arguments of a call as a JSON object string; the streamed text when it already is one. */
export function toToolArgumentsJson(call: ToolCall, maxChars: number): string {
  const args = call.arguments;
  if (args === undefined) return wrap(truncateText(call.argumentsText, maxChars));
  // The text is reused only when it is the object itself: `""` (a call with no arguments) parses
  // as `{}` but is not a JSON object.
  const text = call.argumentsText;
  if (isJsonObject(args) && text.trimStart().startsWith("{") && text.length <= maxChars) {
    return text;
  }
  return toObjectJson(args, maxChars);
}

/**
 * The result of a call as a JSON object string. `content` is what was sent to the model (the
 * string itself, or the result's JSON), reused so that nothing is serialized twice.
 */
export function toToolResultJson(result: unknown, content: string, maxChars: number): string {
  if (typeof result === "string") {
    const parsed = parseObject(result);
    return parsed === undefined
      ? wrap(truncateText(result, maxChars))
      : toObjectJson(parsed, maxChars);
  }
  if (content.startsWith("{") && content.length <= maxChars) return content;
  // Through JSON first, so that toJSON, Dates and the like read as they were sent.
  return toObjectJson(JSON.parse(content) as unknown, maxChars);
}

function toObjectJson(value: unknown, maxChars: number): string {
  const cut = mapStrings(value, (text) => truncateText(text, maxChars), MAX_DEPTH);
  return isJsonObject(cut) ? JSON.stringify(cut) : wrap(cut);
}

function wrap(value: unknown): string {
  return JSON.stringify({ value });
}

function parseObject(text: string): Record<string, unknown> | undefined {
  const start = text.trimStart()[0];
  if (start !== "{") return undefined;
  try {
    const value = JSON.parse(text) as unknown;
    return isJsonObject(value) ? value : undefined;
  } catch {
    return undefined;
  }
}
