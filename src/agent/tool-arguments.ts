import { isJsonObject } from "../is-json-object.js";
import type { ToolCall } from "../types.js";
import type { StandardSchemaV1 } from "./standard-schema.js";
import type { Tool } from "./tool.js";

/** How much of a bad arguments text the model is shown again. */
const MAX_ECHOED_CHARS = 200;

export type CheckedArguments = { ok: true; value: unknown } | { ok: false; problem: string };

/**
 * The arguments `execute` gets. A Standard Schema validates (and may transform) them; a plain
 * JSON Schema is not a validator here, but an object schema still needs a JSON object with its
 * `required` properties (a full check would need a JSON Schema validator at run time).
 */
export async function checkArguments(tool: Tool, call: ToolCall): Promise<CheckedArguments> {
  const args = call.arguments;
  if (args === undefined) {
    const text = call.argumentsText;
    const shown = text.length > MAX_ECHOED_CHARS ? `${text.slice(0, MAX_ECHOED_CHARS)}…` : text;
    return { ok: false, problem: `the arguments are not valid JSON: ${shown}` };
  }
  // A function call's arguments are an object, whatever the schema says: anything else goes
  // back in the history as `{}`, so running the tool with it would contradict the history.
  if (!isJsonObject(args)) return { ok: false, problem: "the arguments must be a JSON object" };
  if (tool.schema !== undefined) return validate(tool.schema, args);
  const parameters = tool.parameters;
  if (parameters.type !== "object") return { ok: true, value: args };
  const required = Array.isArray(parameters.required) ? parameters.required : [];
  const missing = required.filter((name) => typeof name === "string" && !Object.hasOwn(args, name));
  if (missing.length > 0) {
    return { ok: false, problem: `missing required argument(s): ${missing.join(", ")}` };
  }
  return { ok: true, value: args };
}

/** A schema that throws, or answers with what no schema answers, rejects: see executeToolCall. */
async function validate(schema: StandardSchemaV1, args: unknown): Promise<CheckedArguments> {
  const result = await schema["~standard"].validate(args);
  if (result.issues === undefined) return { ok: true, value: result.value };
  return { ok: false, problem: `invalid arguments: ${describeIssues(result.issues)}` };
}

function describeIssues(issues: ReadonlyArray<StandardSchemaV1.Issue>): string {
  return issues
    .map((issue) => {
      const path = (issue.path ?? [])
        .map((segment) =>
          String(typeof segment === "object" && segment !== null ? segment.key : segment),
        )
        .join(".");
      return path === "" ? issue.message : `${path}: ${issue.message}`;
    })
    .join("; ");
}
