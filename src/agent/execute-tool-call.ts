import { context } from "@opentelemetry/api";
import { describeThrown } from "../describe-thrown.js";
import { ToolError } from "../errors.js";
import type { AgentTelemetry } from "../telemetry/agent-telemetry.js";
import type { ToolCall, ToolMessage } from "../types.js";
import { toErrorContent, toResultContent, toToolMessage } from "./agent-history.js";
import type { Tool } from "./tool.js";
import { type CheckedArguments, checkArguments } from "./tool-arguments.js";
import type { ToolErrorEvent, ToolResultEvent } from "./types.js";

/** One call to run, with what it runs against. */
export interface ToolCallJob {
  call: ToolCall;
  /** The id the call goes by in the history (unique in its step): its tool message names it. */
  historyId: string;
  step: number;
  tools: ReadonlyMap<string, Tool>;
  /** Aborts when the run stops early, or when a sibling threw under `onToolError: "throw"`. */
  signal: AbortSignal;
  /** The run's context (the agent span's): a call without a span still runs under the agent. */
  runContext: Parameters<typeof context.with>[0];
  telemetry: AgentTelemetry | undefined;
}

/** A settled call: the event to hand out and the tool message for the history. */
export interface SettledToolCall {
  event: ToolResultEvent | ToolErrorEvent;
  message: ToolMessage;
  /** Set when the call failed. */
  error: ToolError | undefined;
}

/**
 * Runs one call: finds the tool, checks the arguments, runs `execute` in the call's span
 * context, and turns the outcome into an event and a tool message. Never rejects: a failure is
 * reported in the result (and fed back to the model as `{"error": ...}`). A call whose signal
 * has aborted (the run stopped) is not run: no span, no `execute`.
 */
export async function executeToolCall(job: ToolCallJob): Promise<SettledToolCall> {
  const { call, step } = job;
  if (job.signal.aborted) return notRun(job);
  const tool = job.tools.get(call.name);
  const span = job.telemetry?.startTool(call, step, tool?.description);
  const startedAt = performance.now();
  const fail = (error: ToolError, why: string): SettledToolCall => {
    // A call that fails once its signal has aborted was stopped, not broken.
    span?.end(job.signal.aborted ? { kind: "cancelled", by: "abort" } : { kind: "failed", error });
    return failed(job, error, why);
  };
  if (tool === undefined) {
    const known = [...job.tools.keys()].join(", ") || "none";
    const why = `unknown tool "${call.name}"; the tools are: ${known}`;
    return fail(
      new ToolError({
        message: `The model called an ${why} (step ${step})`,
        kind: "unknown_tool",
        toolCall: call,
        step,
      }),
      why,
    );
  }
  // A schema that throws or answers oddly refuses the call, as invalid arguments would.
  const args = await checkArguments(tool, call).catch(
    (error: unknown): CheckedArguments => ({
      ok: false,
      problem: `the arguments could not be validated: ${describeThrown(error)}`,
    }),
  );
  if (!args.ok) {
    return fail(
      new ToolError({
        message: `Tool "${call.name}" (step ${step}): ${args.problem}`,
        kind: "invalid_arguments",
        toolCall: call,
        step,
      }),
      args.problem,
    );
  }
  // Checking the arguments may have awaited a schema while the run stopped.
  if (job.signal.aborted) {
    span?.end({ kind: "cancelled", by: "abort" });
    return notRun(job);
  }
  let result: unknown;
  let content: string;
  try {
    const toolContext = { signal: job.signal, toolCallId: call.id, step };
    result = await context.with(span?.context ?? job.runContext, () =>
      tool.execute(args.value as never, toolContext),
    );
    content = toResultContent(result);
  } catch (cause) {
    const why = describeThrown(cause);
    return fail(
      new ToolError({
        message: `Tool "${call.name}" failed (step ${step}): ${why}`,
        kind: "execute",
        toolCall: call,
        step,
        cause,
      }),
      why,
    );
  }
  const durationMs = performance.now() - startedAt;
  span?.end({ kind: "completed", result, content });
  return {
    event: { type: "tool_result", step, toolCall: call, result, durationMs },
    message: toToolMessage(job.historyId, content),
    error: undefined,
  };
}

/**
 * A call that failed in a way `executeToolCall` did not foresee (it rejected): reported like a
 * throwing tool, so that the run goes on, or fails where the caller looks.
 */
export function unexpectedFailure(job: ToolCallJob, cause: unknown): SettledToolCall {
  const why = describeThrown(cause);
  const error = new ToolError({
    message: `Tool "${job.call.name}" failed (step ${job.step}): ${why}`,
    kind: "execute",
    toolCall: job.call,
    step: job.step,
    cause,
  });
  return failed(job, error, why);
}

/** A call the run stopped before it ran: its result is not read (the run is ending). */
function notRun(job: ToolCallJob): SettledToolCall {
  const why = "not run: the run had stopped";
  const error = new ToolError({
    message: `Tool "${job.call.name}" (step ${job.step}): ${why}`,
    kind: "execute",
    toolCall: job.call,
    step: job.step,
    cause: job.signal.reason,
  });
  return failed(job, error, why);
}

function failed(job: ToolCallJob, error: ToolError, why: string): SettledToolCall {
  return {
    event: { type: "tool_error", step: job.step, toolCall: job.call, error },
    message: toToolMessage(job.historyId, toErrorContent(why)),
    error,
  };
}
