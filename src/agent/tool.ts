import { InvalidRequestError } from "../errors.js";
import type { FromJsonSchema, JsonSchema } from "./json-schema-type.js";
import { isStandardSchema, type StandardSchemaV1 } from "./standard-schema.js";

/** What `execute` gets besides the arguments. */
export interface ToolContext {
  /**
   * Aborted when the run stops early (the consumer's `break`, the caller's abort) or, with
   * `onToolError: "throw"`, when a sibling call threw. Pass it on to `fetch` and the like.
   */
  signal: AbortSignal;
  /** The model's id for this call; `""` when it sent none. */
  toolCallId: string;
  /** The step (1-based) whose response requested the call. */
  step: number;
}

const TOOL_MARK = Symbol.for("openrouter-otel.tool");

/** A tool the agent can run, made by {@link tool}. */
export interface Tool<Args = unknown> {
  readonly [TOOL_MARK]: true;
  readonly description: string | undefined;
  /** The JSON Schema sent to the model as the function's `parameters`. */
  readonly parameters: JsonSchema;
  /** Sent as the function's `strict` flag when set. */
  readonly strict: boolean | undefined;
  /** The Standard Schema that validates (and may transform) the arguments, when one was given. */
  readonly schema: StandardSchemaV1 | undefined;
  readonly execute: (args: Args, context: ToolContext) => unknown;
}

interface ToolDefinitionBase {
  /** What the tool does, for the model (and `gen_ai.tool.description`). */
  description?: string | undefined;
  /** OpenAI's strict function calling. */
  strict?: boolean | undefined;
}

/**
 * Defines a tool. `parameters` is either a JSON Schema object, sent as is (`args` is then typed
 * from it for the common keywords; the arguments must be a JSON object with the `required`
 * properties), or a Standard Schema (zod 4, valibot, arktype, ...), which validates the
 * arguments before `execute` runs and types `args` exactly. A Standard Schema is sent as its
 * JSON Schema (`~standard.jsonSchema`); a library without that converter needs `jsonSchema`.
 * `execute` may return anything: a string is sent to the model as is, anything else as JSON.
 */
export function tool<const Schema extends StandardSchemaV1>(
  definition: ToolDefinitionBase & {
    parameters: Schema;
    /** The JSON Schema to send, for a Standard Schema library without a converter. */
    jsonSchema?: JsonSchema | undefined;
    execute: (args: StandardSchemaV1.InferOutput<Schema>, context: ToolContext) => unknown;
  },
): Tool<StandardSchemaV1.InferOutput<Schema>>;
export function tool<const Schema extends JsonSchema>(
  definition: ToolDefinitionBase & {
    parameters: Schema;
    execute: (args: FromJsonSchema<Schema>, context: ToolContext) => unknown;
  },
): Tool<FromJsonSchema<Schema>>;
export function tool(
  definition: ToolDefinitionBase & {
    parameters: JsonSchema | StandardSchemaV1;
    jsonSchema?: JsonSchema | undefined;
    execute: (args: never, context: ToolContext) => unknown;
  },
): Tool<unknown> {
  if (typeof definition !== "object" || definition === null) {
    throw new InvalidRequestError("tool", "must be {description, parameters, execute}");
  }
  const { description, strict, parameters, execute } = definition;
  if (typeof execute !== "function") {
    throw new InvalidRequestError("execute", "must be a function (args, context) => result");
  }
  if (description !== undefined && typeof description !== "string") {
    throw new InvalidRequestError("description", "must be a string");
  }
  const schema = isStandardSchema(parameters) ? parameters : undefined;
  const jsonSchema = schema ? toJsonSchema(schema, definition.jsonSchema) : parameters;
  if (typeof jsonSchema !== "object" || jsonSchema === null || Array.isArray(jsonSchema)) {
    throw new InvalidRequestError(
      "parameters",
      "must be a JSON Schema object or a Standard Schema (zod, valibot, arktype)",
    );
  }
  return {
    [TOOL_MARK]: true,
    description,
    parameters: jsonSchema as JsonSchema,
    strict,
    schema,
    execute: execute as (args: unknown, context: ToolContext) => unknown,
  };
}

export function isTool(value: unknown): value is Tool {
  return typeof value === "object" && value !== null && TOOL_MARK in value;
}

/** The JSON Schema of a Standard Schema's input, which is what the model must produce. */
function toJsonSchema(schema: StandardSchemaV1, given: JsonSchema | undefined): JsonSchema {
  if (given !== undefined) return given;
  const converter = schema["~standard"].jsonSchema;
  if (converter === undefined) {
    throw new InvalidRequestError(
      "parameters",
      `is a ${schema["~standard"].vendor} schema without a JSON Schema converter (~standard.jsonSchema): ` +
        "pass `jsonSchema` too, or use zod >= 4.2, arktype >= 2.1.28 or valibot's toStandardJsonSchema()",
    );
  }
  // Draft-07 is the dialect every provider behind OpenRouter reads; `$schema` only adds bytes
  // (and some providers refuse unknown keywords).
  const { $schema: _, ...jsonSchema } = converter.input({ target: "draft-07" });
  return jsonSchema;
}
