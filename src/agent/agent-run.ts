import type { Context } from "@opentelemetry/api";
import { partialOf } from "../errors.js";
import { startAgentRun } from "../telemetry/agent-telemetry.js";
import type { ChatMessage, ChatResponse, ToolMessage } from "../types.js";
import { type AgentConfig, stepRequest } from "./agent-config.js";
import { historyCallIds, toAssistantMessage } from "./agent-history.js";
import {
  executeToolCall,
  type SettledToolCall,
  type ToolCallJob,
  unexpectedFailure,
} from "./execute-tool-call.js";
import { type RunGenerator, runIterator, StepEvents } from "./run-iterator.js";
import { sumUsage } from "./sum-usage.js";
import { TaskPool } from "./task-pool.js";
import type { AgentEvent, AgentResult, AgentRunOptions, AgentStopReason } from "./types.js";

/** Everything a run needs; built by `Agent.stream()`. */
export interface AgentRunInit {
  config: AgentConfig;
  /** The input as a history (a string input is one user message). */
  input: ChatMessage[];
  options: AgentRunOptions;
  /** The context active when the run was created: parent of the agent span. */
  parentContext: Context;
}

const noop = () => {};

/**
 * One run of an agent: an async iterable of {@link AgentEvent}s that can be consumed once, and
 * {@link AgentRun.result}. The run starts when iteration starts (or when `result` is awaited
 * without iterating). Every exit (the answer, the step limit, a consumer's `break`, an abort, a
 * step's error, a tool's error under `onToolError: "throw"`) ends every span once, stops the
 * running tools and settles `result` once; `result` never causes an unhandled rejection on its
 * own.
 */
export class AgentRun implements AsyncIterable<AgentEvent> {
  readonly #init: AgentRunInit;
  #iterated = false;
  #drainScheduled = false;
  readonly #result: Promise<AgentResult>;
  #resolve!: (result: AgentResult) => void;
  #reject!: (error: unknown) => void;

  /** Made by `agent.stream()`. */
  private constructor(init: AgentRunInit) {
    this.#init = init;
    this.#result = new Promise<AgentResult>((resolve, reject) => {
      this.#resolve = resolve;
      this.#reject = reject;
    });
    // The caller may only iterate: its error must not also surface as an unhandled rejection.
    this.#result.catch(noop);
  }

  /** @internal The agent's factory: the constructor's parameters are not part of the API. */
  static create(init: AgentRunInit): AgentRun {
    return new AgentRun(init);
  }

  /**
   * The result, also the payload of the `final` event. Awaiting it without iterating runs the
   * agent in the background; the run can then no longer be iterated. Rejects with the step's
   * or the tool's error, with the signal's reason on an abort, and with an `AbortError` when
   * the consumer stopped reading early.
   */
  get result(): Promise<AgentResult> {
    if (!this.#iterated && !this.#drainScheduled) {
      this.#drainScheduled = true;
      // Give a caller who reads `result` before starting a for-await loop the chance to do so.
      queueMicrotask(() => {
        if (!this.#iterated) void this.#drain();
      });
    }
    return this.#result;
  }

  [Symbol.asyncIterator](): AsyncIterator<AgentEvent> {
    if (this.#iterated) {
      throw new TypeError("An AgentRun can be consumed once: it is already being read");
    }
    this.#iterated = true;
    const run = runIterator(this.#run());
    let started = false;
    // A generator ended before its first `next()` never runs its body, `finally` included: the
    // result is settled here instead (nothing was sent, no span was started).
    const endUnstarted = (reason: unknown) => {
      if (!started) {
        started = true;
        this.#reject(reason);
      }
    };
    return {
      next: () => {
        started = true;
        return run.next();
      },
      return: (value?: unknown) => {
        endUnstarted(consumerStopped());
        return run.return(value);
      },
      throw: (error?: unknown) => {
        endUnstarted(error);
        return run.throw(error);
      },
    };
  }

  async #drain(): Promise<void> {
    try {
      for await (const _ of this) {
        // The events are folded into the result; nothing to do with them here.
      }
    } catch {
      // The same error rejects `result`, where this caller looks.
    }
  }

  async *#run(): RunGenerator {
    const { config, options, input } = this.#init;
    const signal = options.signal;
    const messages = [...input];
    const steps: ChatResponse[] = [];
    const { context: runContext, telemetry } = startAgentRun(
      config.telemetry,
      config,
      input,
      options.conversationId,
      this.#init.parentContext,
      options.span,
    );
    let settled = false;
    let tools: AbortController | undefined;
    let pool: TaskPool<[number, SettledToolCall]> | undefined;
    // No queued call starts once the run is ending; the running ones see their signal abort.
    const stopTools = (reason: unknown) => {
      pool?.stop();
      tools?.abort(reason);
    };
    const onAbort = () => stopTools(signal?.reason);
    signal?.addEventListener("abort", onAbort, { once: true });
    try {
      let stopReason: AgentStopReason | undefined;
      for (let step = 1; stopReason === undefined; step++) {
        yield { type: "step_start", step };
        const request = stepRequest(config, messages, options.conversationId);
        // The step's chat span is a child of the agent's, tagged with the step.
        const stream = config.stream(request, signal, telemetry?.stepContext(step) ?? runContext);
        // Its events go to the consumer without passing through this generator.
        yield new StepEvents(stream[Symbol.asyncIterator]());
        const response = await stream.response;
        steps.push(response);
        yield { type: "step_finish", step, response };
        stopReason = stopReasonOf(response);
        if (stopReason !== undefined) {
          messages.push(toAssistantMessage(response, undefined));
          break;
        }
        const callIds = historyCallIds(response.toolCalls, step);
        messages.push(toAssistantMessage(response, callIds));

        signal?.throwIfAborted(); // aborted while the consumer held step_finish
        tools = new AbortController();
        const toolSignal = tools.signal;
        const jobs = response.toolCalls.map(
          (call, position): ToolCallJob => ({
            call,
            historyId: callIds[position]!,
            step,
            tools: config.tools,
            signal: toolSignal,
            runContext,
            telemetry,
          }),
        );
        const toolMessages = new Array<ToolMessage>(jobs.length);
        pool = new TaskPool(
          jobs.length,
          config.toolConcurrency,
          (position) =>
            executeToolCall(jobs[position]!).then((settledCall): [number, SettledToolCall] => [
              position,
              settledCall,
            ]),
          (position, cause): [number, SettledToolCall] => [
            position,
            unexpectedFailure(jobs[position]!, cause),
          ],
        );
        for (;;) {
          const next = await untilAborted(pool.take(), signal);
          if (next === undefined) break;
          const [position, settledCall] = next;
          if (settledCall.error?.kind === "execute" && config.onToolError === "throw") {
            // Stop the siblings and let them settle before the run fails.
            stopTools(settledCall.error);
            while ((await untilAborted(pool.take(), signal)) !== undefined) {}
            throw settledCall.error;
          }
          toolMessages[position] = settledCall.message;
          yield settledCall.event;
        }
        // In call order, whatever order the calls finished in.
        messages.push(...toolMessages);
        if (step === config.maxSteps) stopReason = "max_steps";
      }
      const result: AgentResult = {
        text: steps.at(-1)?.text ?? "",
        messages,
        steps,
        usage: sumUsage(steps),
        stopReason,
      };
      // Settled before `final` is handed out: a consumer may break as soon as it sees it.
      settled = true;
      telemetry?.end({ kind: "completed", steps, usage: result.usage, stopReason });
      this.#resolve(result);
      yield { type: "final", result };
    } catch (error) {
      settled = true;
      stopTools(error);
      // The failed step's chat span has the usage its error carried: the agent counts it too.
      const failedStep = partialOf(error);
      const usage = sumUsage(failedStep === undefined ? steps : [...steps, failedStep]);
      const aborted = signal?.aborted === true && error === signal.reason;
      telemetry?.end(
        aborted
          ? { kind: "cancelled", by: "abort", steps, usage }
          : { kind: "failed", error, steps, usage },
      );
      this.#reject(error);
      throw error;
    } finally {
      signal?.removeEventListener("abort", onAbort);
      if (!settled) {
        // The consumer broke out of its loop (or called `return()`): stop everything now.
        const reason = consumerStopped();
        stopTools(reason);
        telemetry?.end({ kind: "cancelled", by: "consumer", steps, usage: sumUsage(steps) });
        this.#reject(reason);
      }
    }
  }
}

function consumerStopped(): DOMException {
  return new DOMException("The consumer stopped reading before the run finished", "AbortError");
}

/**
 * Why the run stops after this step, or undefined when its tool calls are to be run: only
 * after `tool_calls`, `stop` or no finish reason (OPENROUTER_WIRE.md: some providers stream
 * calls and end with `stop` or nothing).
 */
function stopReasonOf(response: ChatResponse): AgentStopReason | undefined {
  const finishReason = response.finishReason;
  // Calls cut by the token limit may be cut mid-arguments: nothing of them is run.
  if (finishReason === "length") return "length";
  if (finishReason === "content_filter") return "content_filter";
  if (response.toolCalls.length === 0) return "completed";
  const runsTools =
    finishReason === "tool_calls" ||
    finishReason === "stop" ||
    finishReason === null ||
    finishReason === undefined;
  // Any other reason did not ask for the calls: the model's turn is over, and so is the run.
  return runsTools ? undefined : "completed";
}

/** The promise, or the signal's reason as soon as it aborts. */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (signal === undefined) return promise;
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener("abort", onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener("abort", onAbort);
        reject(error);
      },
    );
  });
}
