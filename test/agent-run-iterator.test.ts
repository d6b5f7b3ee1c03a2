import { SpanStatusCode } from "@opentelemetry/api";
import { describe, expect, it } from "vitest";
import type { AgentEvent, AgentOptions } from "../src/index.js";
import { tool } from "../src/index.js";
import { buildChatEvents, type MockReplies, replyPerStep } from "../src/testing/index.js";
import { callTools, collectRun } from "./helpers/agent.js";
import { serve } from "./helpers/server.js";
import { createSpanLedger, endedOnce } from "./helpers/span-ledger.js";

// A step's chat events reach the consumer straight from the chat stream, not through the run's
// generator: these pin down that the iterator still behaves as the generator did.

const AGENT = "invoke_agent iter-bot";
const words = (n: number) => Array.from({ length: n }, (_, i) => `w${i} `);
const fast = tool({ parameters: { type: "object" }, execute: () => "fast result" });
const twoSteps = () =>
  replyPerStep(callTools([["fast", {}]]), { events: buildChatEvents({ text: words(50) }) });

async function agentOn(replies: MockReplies, options: Partial<AgentOptions> = {}) {
  const ledger = createSpanLedger();
  const { client, server } = await serve(replies, {
    tracerProvider: ledger.tracerProvider,
    maxRetries: 0,
  });
  const agent = client.agent({ name: "iter-bot", model: "m", tools: { fast }, ...options });
  return { agent, server, ledger };
}

/** Reads the iterator up to the `count`-th text event of step `step`. */
async function readToText(iterator: AsyncIterator<AgentEvent>, step: number, count: number) {
  let current = 0;
  let texts = 0;
  for (;;) {
    const next = await iterator.next();
    if (next.done === true) throw new Error("the run ended first");
    if (next.value.type === "step_start") current = next.value.step;
    if (current === step && next.value.type === "text" && ++texts === count) return;
  }
}

describe("the run's iterator", () => {
  it("next() called again before the last one settled: every event, in order, once", async () => {
    const sequential = await agentOn(twoSteps());
    const expected = (await collectRun(sequential.agent.stream("go"))).events;

    const { agent, ledger } = await agentOn(twoSteps());
    const iterator = agent.stream("go")[Symbol.asyncIterator]();
    // All at once, across steps, tool results and the end of the run.
    const results = await Promise.all(
      Array.from({ length: expected.length + 3 }, () => iterator.next()),
    );
    const events = results.filter((result) => result.done !== true).map((result) => result.value);
    const strip = (event: AgentEvent) =>
      event.type === "tool_result" ? { ...event, durationMs: 0 } : event;
    expect(events.map((event) => event.type)).toEqual(expected.map((event) => event.type));
    expect(JSON.stringify(events.map(strip).slice(0, -2))).toBe(
      JSON.stringify(expected.map(strip).slice(0, -2)),
    );
    expect(results.slice(expected.length).every((result) => result.done === true)).toBe(true);
    expect(ledger.endCounts()).toEqual(
      endedOnce(AGENT, "chat_streaming", "execute_tool fast", "chat_streaming"),
    );
  });

  it("return() mid-step: the step's socket closes, its span ends before the agent's", async () => {
    const { agent, server, ledger } = await agentOn(twoSteps());
    const run = agent.stream("go");
    const iterator = run[Symbol.asyncIterator]();
    await readToText(iterator, 2, 3);
    await expect(iterator.return!()).resolves.toEqual({ done: true, value: undefined });
    await expect(server.requests[1]!.closed).resolves.toBe(true);
    await expect(run.result).rejects.toMatchObject({ name: "AbortError" });
    // Nothing more comes out once returned.
    await expect(iterator.next()).resolves.toEqual({ done: true, value: undefined });
    expect(ledger.spans().map((span) => span.name)).toEqual([
      "chat_streaming",
      "execute_tool fast",
      "chat_streaming",
      AGENT,
    ]);
    expect(ledger.spans()[2]!.attributes["openrouter.cancelled"]).toBe("consumer");
    expect(ledger.span(AGENT).attributes["openrouter.cancelled"]).toBe("consumer");
  });

  it("throw() mid-step: the step's stream closes, the run fails with the caller's error", async () => {
    const { agent, server, ledger } = await agentOn(twoSteps());
    const run = agent.stream("go");
    const iterator = run[Symbol.asyncIterator]();
    await readToText(iterator, 2, 1);
    const mine = new Error("the caller's");
    await expect(iterator.throw!(mine)).rejects.toBe(mine);
    await expect(run.result).rejects.toBe(mine);
    await expect(server.requests[1]!.closed).resolves.toBe(true);
    expect(ledger.endCounts()).toEqual(
      endedOnce(AGENT, "chat_streaming", "execute_tool fast", "chat_streaming"),
    );
    expect(ledger.spans().at(-1)?.name).toBe(AGENT);
    expect(ledger.span(AGENT).status).toMatchObject({ code: SpanStatusCode.ERROR });
    expect(ledger.spans()[2]!.attributes["openrouter.cancelled"]).toBe("consumer");
  });

  it("return() while a next() is pending: it waits its turn, then ends the run", async () => {
    const { agent, ledger } = await agentOn(twoSteps());
    const run = agent.stream("go");
    const iterator = run[Symbol.asyncIterator]();
    const first = iterator.next();
    const returned = iterator.return!();
    await expect(first).resolves.toMatchObject({ done: false, value: { type: "step_start" } });
    await expect(returned).resolves.toMatchObject({ done: true });
    await expect(run.result).rejects.toMatchObject({ name: "AbortError" });
    expect(ledger.endCounts()).toEqual(endedOnce(AGENT));
  });
});
