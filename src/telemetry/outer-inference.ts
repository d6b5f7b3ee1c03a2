import {
  type Attributes,
  type Context,
  createContextKey,
  type Span,
  trace,
} from "@opentelemetry/api";
import { ATTR_GEN_AI_OPERATION_NAME } from "./semconv.js";

/**
 * Set by a framework (or found: see {@link getOuterInference}) when another GenAI
 * instrumentation already traces the model call this client is about to make. The conventions'
 * proposal for exactly this (genai#475) is a context key holding the inference in progress;
 * JavaScript has no shared key yet, so this is ours.
 */
const OUTER_INFERENCE_KEY = createContextKey("openrouter-otel outer GenAI inference");

interface OuterInference {
  /** The outer instrumentation's span, which receives this client's attributes. */
  span: Span | undefined;
}

/**
 * Marks `context` as one in which another instrumentation traces the model call: a chat call
 * made in it opens no span of its own and records no metrics and no event (they would count
 * the call twice). When `span` is given, the call's attributes (response, usage, provider) are
 * added to it; content, status and ending it stay with its owner.
 */
export function withOuterInference(context: Context, span?: Span): Context {
  const outer: OuterInference = { span };
  return context.setValue(OUTER_INFERENCE_KEY, outer);
}

/**
 * The context an agent run works in: agent runs legitimately nest (pygenai exempts them too), so
 * a mark set for the model call around the run does not reach its steps or its tools' own calls.
 */
export function clearOuterInference(context: Context): Context {
  return context.deleteValue(OUTER_INFERENCE_KEY);
}

/**
 * Spans handed over to a call (`{ span }`): they read `gen_ai.operation.name` `chat` because this
 * SDK wrote it there, not because another instrumentation traces a call made under them.
 */
const handedOver = new WeakSet<Span>();

export function markHandedOver(span: Span): void {
  handedOver.add(span);
}

/** Operations whose span is an inference: a call made under one is the same model call. */
const INFERENCE_OPERATIONS = new Set(["chat", "text_completion", "generate_content"]);

/**
 * The outer inference of a call: marked with {@link withOuterInference}, or an active span
 * whose `gen_ai.operation.name` is an inference (read where the SDK's spans expose their
 * attributes). Agent and tool spans are not inferences: a call under them is a call of its own.
 */
export function getOuterInference(context: Context): OuterInference | undefined {
  const marked = context.getValue(OUTER_INFERENCE_KEY) as OuterInference | undefined;
  if (marked !== undefined) return marked;
  const active = trace.getSpan(context);
  if (active === undefined || !active.isRecording() || handedOver.has(active)) return undefined;
  const operation = (active as { attributes?: Attributes }).attributes?.[
    ATTR_GEN_AI_OPERATION_NAME
  ];
  return typeof operation === "string" && INFERENCE_OPERATIONS.has(operation)
    ? { span: active }
    : undefined;
}
