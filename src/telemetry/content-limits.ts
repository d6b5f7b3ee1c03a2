import { type Attributes, diag } from "@opentelemetry/api";
import { fitJson } from "./fit-json.js";
import { ATTR_OPENROUTER_CONTENT_DROPPED } from "./semconv.js";

/** The SDK's attribute length limits (the span one wins), as the OpenTelemetry spec names them. */
export const SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT_ENV = "OTEL_SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT";
export const ATTRIBUTE_VALUE_LENGTH_LIMIT_ENV = "OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT";

/** Size limits of the content attributes of one span, in characters. */
export interface ContentLimits {
  /** Each content attribute: fitted under it, still valid JSON. Undefined: no limit. */
  attributeChars: number | undefined;
  /** All content attributes of one span together: the largest are dropped first. */
  spanChars: number | undefined;
}

/**
 * The option, or the SDK's limit variables, so that the SDK never cuts JSON. An option above the
 * SDK's limit cannot win: the SDK would cut the JSON there, so the smaller of the two holds.
 */
export function resolveContentLimits(
  options: {
    maxContentAttributeChars?: number | undefined;
    maxSpanContentChars?: number | undefined;
  },
  env: NodeJS.ProcessEnv = process.env,
): ContentLimits {
  const sdkLimit =
    limitFromEnv(env, SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT_ENV) ??
    limitFromEnv(env, ATTRIBUTE_VALUE_LENGTH_LIMIT_ENV);
  const option = options.maxContentAttributeChars;
  return {
    attributeChars:
      option === undefined || sdkLimit === undefined
        ? (option ?? sdkLimit)
        : Math.min(option, sdkLimit),
    spanChars: options.maxSpanContentChars,
  };
}

function limitFromEnv(env: NodeJS.ProcessEnv, name: string): number | undefined {
  const raw = env[name]?.trim();
  if (raw === undefined || raw === "") return undefined;
  const value = Number(raw);
  if (Number.isInteger(value) && value >= 0) return value;
  diag.warn(`openrouter-otel: ${name}=${raw} is not a whole number >= 0; ignored`);
  return undefined;
}

/**
 * The content attributes of one span as JSON strings, each fitted under the attribute limit;
 * then, while the span's total is over its budget, the largest is dropped and named in
 * `openrouter.content.dropped`. A value that cannot be serialized is dropped, and `diag` says so.
 */
export function toLimitedAttributes(
  values: ReadonlyArray<readonly [attribute: string, value: unknown]>,
  limits: ContentLimits | undefined,
  /** Written into this object (and returned) when given. */
  into: Attributes = {},
): Attributes {
  const chars = limits?.attributeChars;
  const budget = limits?.spanChars;
  let dropped: string[] | undefined;
  const drop = (attribute: string) => {
    if (dropped === undefined) dropped = [attribute];
    else dropped.push(attribute);
  };
  if (budget === undefined) {
    // Nothing to weigh against a budget: each JSON straight in, no list built per call.
    for (const [attribute, value] of values) {
      const json = serialize(attribute, value, chars);
      if (json === undefined) drop(attribute);
      else into[attribute] = json;
    }
  } else {
    const serialized: Array<[string, string]> = [];
    for (const [attribute, value] of values) {
      const json = serialize(attribute, value, chars);
      if (json === undefined) drop(attribute);
      else serialized.push([attribute, json]);
    }
    let total = serialized.reduce((sum, [, json]) => sum + json.length, 0);
    serialized.sort((a, b) => b[1].length - a[1].length);
    while (total > budget && serialized.length > 0) {
      const [attribute, json] = serialized.shift() as [string, string];
      total -= json.length;
      drop(attribute);
    }
    for (const [attribute, json] of serialized) into[attribute] = json;
  }
  if (dropped !== undefined) into[ATTR_OPENROUTER_CONTENT_DROPPED] = dropped;
  return into;
}

/** The value's JSON, fitted under `chars`; undefined (and `diag` says why) when it has none. */
function serialize(
  attribute: string,
  value: unknown,
  chars: number | undefined,
): string | undefined {
  try {
    return chars === undefined ? JSON.stringify(value) : fitJson(value, chars);
  } catch (error) {
    diag.warn(`openrouter-otel: ${attribute} cannot be serialized; dropped: ${String(error)}`);
    return undefined;
  }
}
