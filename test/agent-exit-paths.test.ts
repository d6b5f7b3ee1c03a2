import { SpanStatusCode, type Tracer } from "@opentelemetry/api";
import type { ReadableSpan } from "@opentelemetry/sdk-trace-base";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { TaskPool } from "../src/agent/task-pool.js";
import {
  type AgentOptions,
  APIError,
  ParseError,
  StreamError,
  ToolError,
  tool,
} from "../src/index.js";
import { buildChatEvents, type MockReplies, replyPerStep } from "../src/testing/index.js";
import { answer, callTools, collectRun, gate } from "./helpers/agent.js";
import { serve } from "./helpers/server.js";
import { createSpanLedger, endedOnce } from "./helpers/span-ledger.js";

const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => unhandled.push(reason);
beforeAll(() => {
  process.on("unhandledRejection", onUnhandled);
});
afterAll(() => {
  process.off("unhandledRejection", onUnhandled);
});
afterEach(async () => {
  // Let any stray rejection reach the process before looking.
  await settle();
  expect(unhandled).toEqual([]);
});

/** Two turns of the event loop: what settles after a run's promise has settled. */
async function settle(): Promise<void> {
  await new Promise((resolve) => setImmediate(resolve));
  await new Promise((resolve) => setImmediate(resolve));
}

const words = (n: number) => Array.from({ length: n }, (_, i) => `w${i} `);
const AGENT = "invoke_agent exit-bot";

const fast = tool({ parameters: { type: "object" }, execute: () => "fast result" });

/** A tool that runs until its signal aborts, then rejects with the reason. */
function untilAborted(started = gate(), stopped = gate<unknown>()) {
  return {
    started,
    stopped,
    tool: tool({
      parameters: { type: "object" },
      execute: (_args, { signal }) =>
        new Promise((_resolve, reject) => {
          started.open();
          signal.addEventListener("abort", () => {
            stopped.open(signal.reason);
            reject(signal.reason);
          });
        }),
    }),
  };
}

async function agentOn(replies: MockReplies, options: Partial<AgentOptions> = {}) {
  const ledger = createSpanLedger();
  const { client, server } = await serve(replies, {
    tracerProvider: ledger.tracerProvider,
    maxRetries: 0,
  });
  const agent = client.agent({
    name: "exit-bot",
    model: "openai/gpt-4o-mini",
    tools: { fast },
    ...options,
  });
  return { agent, server, ledger };
}

function expectNoError(spans: readonly ReadableSpan[]): void {
  expect(spans.filter((span) => span.status.code === SpanStatusCode.ERROR)).toEqual([]);
}

describe("a consumer that stops reading", () => {
  it("break during a running tool: the tool's signal aborts, every span ends once, no ERROR", async () => {
    const hangs = untilAborted();
    const { agent, server, ledger } = await agentOn(
      replyPerStep(
        callTools([
          ["hangs", {}],
          ["fast", {}],
        ]),
        answer("never"),
      ),
      { tools: { fast, hangs: hangs.tool } },
    );
    const run = agent.stream("go");
    for await (const event of run) {
      if (event.type === "tool_result") break; // `fast` settled; `hangs` still runs
    }
    const reason = await hangs.stopped.promise;
    expect(reason).toMatchObject({ name: "AbortError" });
    await expect(run.result).rejects.toMatchObject({ name: "AbortError" });
    await settle(); // the stopped tool reports after its run has ended
    // Nothing was in flight: step 1's response had ended, and no step 2 was sent.
    expect(server.requests).toHaveLength(1);
    await expect(server.requests[0]!.closed).resolves.toBe(false);
    expect(ledger.endCounts()).toEqual(
      endedOnce(AGENT, "chat_streaming", "execute_tool hangs", "execute_tool fast"),
    );
    expectNoError(ledger.spans());
    expect(ledger.span(AGENT).attributes["openrouter.cancelled"]).toBe("consumer");
    expect(ledger.span("execute_tool hangs").attributes["openrouter.cancelled"]).toBe("consumer");
    expect(ledger.span("execute_tool fast").attributes["openrouter.cancelled"]).toBeUndefined();
  });

  it("break with calls still queued (toolConcurrency 1): the queued call never runs, every span ended before result", async () => {
    const hangs = untilAborted();
    const charged: boolean[] = [];
    const { agent, ledger } = await agentOn(
      replyPerStep(
        callTools([
          ["fast", {}],
          ["hangs", {}],
          ["charge_card", {}],
        ]),
        answer("never"),
      ),
      {
        toolConcurrency: 1,
        tools: {
          fast,
          hangs: hangs.tool,
          charge_card: tool({
            parameters: { type: "object" },
            execute: (_args, { signal }) => {
              charged.push(signal.aborted);
              return "charged";
            },
          }),
        },
      },
    );
    const run = agent.stream("go");
    const countsAtSettle = run.result.catch(() => ledger.endCounts());
    for await (const event of run) {
      if (event.type === "tool_result") break; // `fast` settled, `hangs` runs, `charge_card` waits
    }
    await expect(run.result).rejects.toMatchObject({ name: "AbortError" });
    const expected = endedOnce(AGENT, "chat_streaming", "execute_tool fast", "execute_tool hangs");
    expect(await countsAtSettle).toEqual(expected);
    await hangs.stopped.promise;
    await settle(); // the stopped tool settles after the run: nothing may start then
    expect(charged).toEqual([]);
    expect(ledger.endCounts()).toEqual(expected);
    expectNoError(ledger.spans());
  });

  it("break mid-stream in step 2: the socket closes at once, every span ends once", async () => {
    const { agent, server, ledger } = await agentOn(
      replyPerStep(callTools([["fast", {}]]), {
        events: buildChatEvents({ text: words(500) }),
        delayMs: 2,
      }),
    );
    const run = agent.stream("go");
    let step = 0;
    let texts = 0;
    for await (const event of run) {
      if (event.type === "step_start") step = event.step;
      if (step === 2 && event.type === "text" && ++texts === 3) break;
    }
    await expect(server.requests[1]!.closed).resolves.toBe(true);
    await expect(run.result).rejects.toMatchObject({ name: "AbortError" });
    expect(ledger.endCounts()).toEqual(
      endedOnce(AGENT, "chat_streaming", "execute_tool fast", "chat_streaming"),
    );
    expectNoError(ledger.spans());
    expect(ledger.span(AGENT).attributes).toMatchObject({
      "openrouter.cancelled": "consumer",
      "openrouter.agent.steps": 2,
    });
    const step2 = ledger.spans().find((span) => span.attributes["openrouter.agent.step"] === 2);
    expect(step2?.name).toBe("chat_streaming");
    expect(step2?.attributes["openrouter.cancelled"]).toBe("consumer");
    // No context manager here: the steps and tools are children of the agent span all the same.
    const agentId = ledger.span(AGENT).spanContext().spanId;
    for (const span of ledger.spans().filter((span) => span.name !== AGENT)) {
      expect(span.parentSpanContext?.spanId).toBe(agentId);
    }
  });

  it("break on the final event: the result stands", async () => {
    const { agent, ledger } = await agentOn(
      replyPerStep(callTools([["fast", {}]]), answer("done")),
    );
    const run = agent.stream("go");
    for await (const event of run) if (event.type === "final") break;
    await expect(run.result).resolves.toMatchObject({ text: "done", stopReason: "completed" });
    expect(ledger.span(AGENT).attributes["openrouter.cancelled"]).toBeUndefined();
    expect(ledger.endCounts()).toEqual(
      endedOnce(AGENT, "chat_streaming", "execute_tool fast", "chat_streaming"),
    );
  });

  it("break with a handed span: the SDK still never ends it", async () => {
    const { agent, ledger } = await agentOn(answer("never"));
    const mine = ledger.tracerProvider.getTracer("test").startSpan("my turn");
    const run = agent.stream("go", { span: mine });
    for await (const event of run) if (event.type === "step_start") break;
    await expect(run.result).rejects.toMatchObject({ name: "AbortError" });
    expect(ledger.endCounts()).toEqual(["my turn: 0"]);
    mine.end();
    expect(ledger.span("my turn").attributes["openrouter.cancelled"]).toBe("consumer");
  });

  it("return() or throw() before next(): result rejects at once, nothing is sent, no span", async () => {
    const { agent, server, ledger } = await agentOn(answer("never"));
    const returned = agent.stream("go");
    await returned[Symbol.asyncIterator]().return?.();
    const thrown = agent.stream("go");
    const mine = new Error("the caller's");
    await expect(thrown[Symbol.asyncIterator]().throw?.(mine)).rejects.toBe(mine);
    const state = (promise: Promise<unknown>) =>
      Promise.race([
        promise.then(
          () => "resolved",
          (error: unknown) => error,
        ),
        settle().then(() => "pending"),
      ]);
    expect(await state(returned.result)).toMatchObject({ name: "AbortError" });
    expect(await state(thrown.result)).toBe(mine);
    expect(server.requests).toHaveLength(0);
    expect(ledger.endCounts()).toEqual([]);
  });

  it("return() before the first event ends the run without sending anything", async () => {
    const { agent, server, ledger } = await agentOn(answer("never"));
    const run = agent.stream("go");
    const iterator = run[Symbol.asyncIterator]();
    await expect(iterator.next()).resolves.toMatchObject({ value: { type: "step_start" } });
    await iterator.return?.();
    await expect(run.result).rejects.toMatchObject({ name: "AbortError" });
    expect(server.requests).toHaveLength(0);
    expect(ledger.endCounts()).toEqual(endedOnce(AGENT));
  });
});

describe("an abort", () => {
  it("during a tool: the run rejects with the signal's reason, the tool's signal aborts, spans cancelled", async () => {
    const hangs = untilAborted();
    const { agent, ledger } = await agentOn(replyPerStep(callTools([["hangs", {}]])), {
      tools: { hangs: hangs.tool },
    });
    const controller = new AbortController();
    const run = agent.stream("go", { signal: controller.signal });
    const consumed = collectRun(run);
    await hangs.started.promise;
    controller.abort();
    const { events, error } = await consumed;
    expect(error).toBe(controller.signal.reason);
    await expect(run.result).rejects.toBe(controller.signal.reason);
    await expect(hangs.stopped.promise).resolves.toBe(controller.signal.reason);
    expect(events.map((event) => event.type)).not.toContain("tool_error");
    await settle();
    expect(ledger.endCounts()).toEqual(endedOnce(AGENT, "chat_streaming", "execute_tool hangs"));
    expectNoError(ledger.spans());
    expect(ledger.span(AGENT).attributes["openrouter.cancelled"]).toBe("abort");
    expect(ledger.span("execute_tool hangs").attributes["openrouter.cancelled"]).toBe("abort");
  });

  it("with calls still queued (toolConcurrency 1): the queued call never runs, every span ended before result", async () => {
    const hangs = untilAborted();
    const charged: boolean[] = [];
    const { agent, ledger } = await agentOn(
      replyPerStep(
        callTools([
          ["hangs", {}],
          ["charge_card", {}],
        ]),
      ),
      {
        toolConcurrency: 1,
        tools: {
          hangs: hangs.tool,
          charge_card: tool({
            parameters: { type: "object" },
            execute: (_args, { signal }) => {
              charged.push(signal.aborted);
              return "charged";
            },
          }),
        },
      },
    );
    const controller = new AbortController();
    const run = agent.stream("go", { signal: controller.signal });
    const countsAtSettle = run.result.catch(() => ledger.endCounts());
    const consumed = collectRun(run);
    await hangs.started.promise;
    controller.abort();
    const { events, error } = await consumed;
    expect(error).toBe(controller.signal.reason);
    const expected = endedOnce(AGENT, "chat_streaming", "execute_tool hangs");
    expect(await countsAtSettle).toEqual(expected);
    await hangs.stopped.promise;
    await settle();
    expect(charged).toEqual([]);
    expect(events.map((event) => event.type)).not.toContain("tool_result");
    expect(ledger.endCounts()).toEqual(expected);
    expectNoError(ledger.spans());
  });

  it("with an Error as its reason: cancelled, not an error, on the agent and tool spans", async () => {
    for (const reason of [
      new Error("shutting down"),
      new DOMException("The operation timed out.", "TimeoutError"), // AbortSignal.timeout()'s
    ]) {
      const hangs = untilAborted();
      const { agent, ledger } = await agentOn(replyPerStep(callTools([["hangs", {}]])), {
        tools: { hangs: hangs.tool },
      });
      const controller = new AbortController();
      const run = agent.stream("go", { signal: controller.signal });
      const consumed = collectRun(run);
      await hangs.started.promise;
      controller.abort(reason);
      expect((await consumed).error).toBe(reason);
      await expect(run.result).rejects.toBe(reason);
      expect(ledger.endCounts()).toEqual(endedOnce(AGENT, "chat_streaming", "execute_tool hangs"));
      for (const name of [AGENT, "execute_tool hangs"]) {
        const span = ledger.span(name);
        expect(span.status.code).not.toBe(SpanStatusCode.ERROR);
        expect(span.attributes["error.type"]).toBeUndefined();
        expect(span.attributes["openrouter.cancelled"]).toBe("abort");
      }
    }
  });

  it("mid-stream in step 2: the socket closes, the run rejects with the reason", async () => {
    const { agent, server, ledger } = await agentOn(
      replyPerStep(callTools([["fast", {}]]), {
        events: buildChatEvents({ text: words(500) }),
        delayMs: 2,
      }),
    );
    const controller = new AbortController();
    const reason = new DOMException("the user left", "AbortError");
    const run = agent.stream("go", { signal: controller.signal });
    let step = 0;
    let texts = 0;
    const consumed = (async () => {
      for await (const event of run) {
        if (event.type === "step_start") step = event.step;
        if (step === 2 && event.type === "text" && ++texts === 2) controller.abort(reason);
      }
    })();
    await expect(consumed).rejects.toBe(reason);
    await expect(run.result).rejects.toBe(reason);
    expect(texts).toBe(2); // nothing handed over after the abort
    await expect(server.requests[1]!.closed).resolves.toBe(true);
    expect(ledger.endCounts()).toEqual(
      endedOnce(AGENT, "chat_streaming", "execute_tool fast", "chat_streaming"),
    );
    expectNoError(ledger.spans());
    expect(ledger.span(AGENT).attributes["openrouter.cancelled"]).toBe("abort");
  });

  it("before the run starts: nothing is sent", async () => {
    const { agent, server, ledger } = await agentOn(answer("never"));
    const controller = new AbortController();
    controller.abort(new Error("shutting down"));
    const { error } = await collectRun(agent.stream("go", { signal: controller.signal }));
    expect(error).toBe(controller.signal.reason);
    expect(server.requests).toHaveLength(0);
    expect(ledger.endCounts().every((count) => count.endsWith(": 1"))).toBe(true);
  });
});

describe("a step that fails", () => {
  async function failsAtStep2(reply: MockReplies) {
    const { agent, ledger } = await agentOn(
      replyPerStep(callTools([["fast", {}]]), reply as never),
    );
    const run = agent.stream("go");
    const { events, error } = await collectRun(run);
    await expect(run.result).rejects.toBe(error);
    expect(ledger.endCounts()).toEqual(
      endedOnce(AGENT, "chat_streaming", "execute_tool fast", "chat_streaming"),
    );
    return { events, error, ledger };
  }

  it("an error chunk mid-stream: the run rejects with the StreamError after every span ended", async () => {
    const events = buildChatEvents({ text: ["Hi"] }).slice(0, 1);
    events.push({
      id: "gen-mock-1",
      choices: [],
      error: { code: "server_error", message: "Upstream died" },
    });
    const { error, events: got, ledger } = await failsAtStep2({ events });
    expect(error).toBeInstanceOf(StreamError);
    expect(error).toMatchObject({ code: "server_error", partial: { text: "Hi" } });
    expect(got.at(-1)).toEqual({ type: "text", text: "Hi" });
    const agentSpan = ledger.span(AGENT);
    expect(agentSpan.status.code).toBe(SpanStatusCode.ERROR);
    expect(agentSpan.attributes["error.type"]).toBe("server_error");
    expect(agentSpan.attributes["openrouter.agent.steps"]).toBe(2);
  });

  const USAGE_100 = { prompt_tokens: 100, completion_tokens: 50, total_tokens: 150, cost: 0.5 };
  it.each([
    [
      "an error chunk with usage",
      [
        {
          id: "gen-mock-1",
          choices: [],
          error: { code: "server_error", message: "Upstream died" },
          usage: USAGE_100,
        },
      ],
      StreamError,
    ],
    [
      "bad JSON after the usage chunk",
      [{ id: "gen-mock-1", choices: [], usage: USAGE_100 }, "{not json"],
      ParseError,
    ],
  ])(
    "%s: the agent span counts the failed step's tokens and cost as its chat span did",
    async (_case, tail, errorClass) => {
      const events: unknown[] = [...buildChatEvents({ text: ["Hi"] }).slice(0, 1), ...tail];
      const { agent, ledger } = await agentOn(
        replyPerStep(
          callTools([["fast", {}]], {
            usage: { prompt_tokens: 10, completion_tokens: 5, cost: 0.25 },
          }),
          { events },
        ),
      );
      await expect(agent.run("go")).rejects.toBeInstanceOf(errorClass);
      const chats = ledger.spans().filter((span) => span.name === "chat_streaming");
      const sum = (key: string) =>
        chats.reduce((total, span) => total + (span.attributes[key] as number), 0);
      expect(chats[1]!.attributes["gen_ai.usage.input_tokens"]).toBe(100);
      expect(ledger.span(AGENT).attributes).toMatchObject({
        "gen_ai.usage.input_tokens": sum("gen_ai.usage.input_tokens"),
        "gen_ai.usage.output_tokens": sum("gen_ai.usage.output_tokens"),
        "openrouter.agent.cost": sum("openrouter.usage.cost"),
      });
      expect(ledger.span(AGENT).attributes["gen_ai.usage.input_tokens"]).toBe(110);
    },
  );

  it("an HTTP error: the run rejects with the APIError after every span ended", async () => {
    const { error, ledger } = await failsAtStep2({
      status: 400,
      json: { error: { code: 400, message: "messages[2] is not a valid tool message" } },
    });
    expect(error).toBeInstanceOf(APIError);
    expect(error).toMatchObject({ status: 400 });
    const agentSpan = ledger.span(AGENT);
    expect(agentSpan.status.code).toBe(SpanStatusCode.ERROR);
    expect(agentSpan.attributes["error.type"]).toBe("400");
    expect(agentSpan.attributes["gen_ai.response.finish_reasons"]).toEqual(["error"]);
  });
});

describe('onToolError "throw"', () => {
  it("aborts the siblings, rejects with the ToolError, ends each span once with its status", async () => {
    const waits = untilAborted();
    const { agent, ledger } = await agentOn(
      replyPerStep(
        callTools([
          ["waits", {}],
          ["throws", {}],
        ]),
      ),
      {
        onToolError: "throw",
        tools: {
          waits: waits.tool,
          throws: tool({
            parameters: { type: "object" },
            execute: async () => {
              await waits.started.promise;
              throw new RangeError("bad state");
            },
          }),
        },
      },
    );
    const run = agent.stream("go");
    const { error } = await collectRun(run);
    expect(error).toBeInstanceOf(ToolError);
    expect((error as ToolError).cause).toBeInstanceOf(RangeError);
    await expect(waits.stopped.promise).resolves.toBe(error);
    await expect(run.result).rejects.toBe(error);
    expect(ledger.endCounts()).toEqual(
      endedOnce(AGENT, "chat_streaming", "execute_tool waits", "execute_tool throws"),
    );
    expect(ledger.span("execute_tool throws")).toMatchObject({
      status: { code: SpanStatusCode.ERROR },
      attributes: { "error.type": "RangeError" },
    });
    const sibling = ledger.span("execute_tool waits");
    expect(sibling.status.code).not.toBe(SpanStatusCode.ERROR);
    expect(sibling.attributes["openrouter.cancelled"]).toBe("abort");
    expect(ledger.span(AGENT)).toMatchObject({
      status: { code: SpanStatusCode.ERROR },
      attributes: { "error.type": "ToolError" },
    });
  });
});

describe("what the loop did not foresee: the run goes on, nothing hangs or leaks", () => {
  it("a tool that throws a value String() cannot read: fed back, or the run rejects", async () => {
    const unreadable = Object.create(null) as object;
    const throwing = tool({
      parameters: { type: "object" },
      execute: () => {
        throw unreadable;
      },
    });
    const fedBack = await agentOn(replyPerStep(callTools([["throwing", {}]]), answer("ok")), {
      tools: { throwing },
    });
    const result = await fedBack.agent.run("go");
    expect(result.text).toBe("ok");
    expect(JSON.parse(result.messages.at(-2)!.content as string)).toEqual({
      error: "a value that cannot be shown as text (object)",
    });
    const thrown = await agentOn(replyPerStep(callTools([["throwing", {}]])), {
      tools: { throwing },
      onToolError: "throw",
    });
    const error = await thrown.agent.run("go").catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ToolError);
    expect((error as ToolError).cause).toBe(unreadable);
    expect(thrown.ledger.endCounts()).toEqual(
      endedOnce(AGENT, "chat_streaming", "execute_tool throwing"),
    );
  });

  it("a tracer that throws when a tool span starts: the tool runs without a span", async () => {
    const ledger = createSpanLedger();
    const real = ledger.tracerProvider.getTracer("real");
    const breaksOnTools: Tracer = {
      startSpan: (name, options, parent) => {
        if (name.startsWith("execute_tool")) throw new Error("tracer broke");
        return real.startSpan(name, options, parent);
      },
      startActiveSpan: real.startActiveSpan.bind(real) as Tracer["startActiveSpan"],
    };
    const { client } = await serve(replyPerStep(callTools([["fast", {}]]), answer("done")), {
      tracerProvider: { getTracer: () => breaksOnTools },
      maxRetries: 0,
    });
    const agent = client.agent({ name: "exit-bot", model: "openai/gpt-4o-mini", tools: { fast } });
    const result = await agent.run("go");
    expect(result.messages.at(-2)).toMatchObject({ role: "tool", content: "fast result" });
    expect(ledger.endCounts()).toEqual(endedOnce(AGENT, "chat_streaming", "chat_streaming"));
  });

  it("a task pool turns a task's rejection or throw into a result", async () => {
    const pool = new TaskPool(
      3,
      2,
      (index) => {
        if (index === 0) throw new Error("sync");
        return index === 1 ? Promise.reject(new Error("async")) : Promise.resolve("ok");
      },
      (index, error) => `${index}: ${(error as Error).message}`,
    );
    const taken = [];
    for (let next = await pool.take(); next !== undefined; next = await pool.take()) {
      taken.push(next);
    }
    expect(taken.sort()).toEqual(["0: sync", "1: async", "ok"]);
  });
});

describe("consuming a run", () => {
  it("a run is iterated once: a second iteration throws a TypeError", async () => {
    const { agent } = await agentOn(answer("ok"));
    const run = agent.stream("go");
    const iterator = run[Symbol.asyncIterator]();
    expect(() => run[Symbol.asyncIterator]()).toThrow(TypeError);
    const events = [];
    for (let next = await iterator.next(); !next.done; next = await iterator.next()) {
      events.push(next.value.type);
    }
    expect(events).toEqual(["step_start", "text", "step_finish", "final"]);
  });

  it("run.result alone drains the run; it can no longer be iterated", async () => {
    const { agent, server, ledger } = await agentOn(
      replyPerStep(callTools([["fast", {}]]), answer("done")),
    );
    const run = agent.stream("go");
    const result = await run.result;
    expect(result).toMatchObject({ text: "done", stopReason: "completed" });
    expect(server.requests).toHaveLength(2);
    expect(() => run[Symbol.asyncIterator]()).toThrow(TypeError);
    expect(ledger.endCounts()).toEqual(
      endedOnce(AGENT, "chat_streaming", "execute_tool fast", "chat_streaming"),
    );
  });

  it("reading result before a for-await loop still lets the loop read every event", async () => {
    const { agent } = await agentOn(answer("ok"));
    const run = agent.stream("go");
    const result = run.result;
    const { events } = await collectRun(run);
    expect(events.at(-1)).toEqual({ type: "final", result: await result });
  });

  it("agent.run() of a failing run rejects once, where the caller awaits", async () => {
    const { agent } = await agentOn({ status: 400, json: { error: { code: 400, message: "no" } } });
    await expect(agent.run("go")).rejects.toBeInstanceOf(APIError);
  });
});
