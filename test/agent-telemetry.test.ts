import { context, type Span, SpanKind, SpanStatusCode, trace } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import type { HistogramMetricData } from "@opentelemetry/sdk-metrics";
import type { ReadableSpan } from "@opentelemetry/sdk-trace-base";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type AgentOptions, type ChatMessage, type OpenRouterOptions, tool } from "../src/index.js";
import { buildChatEvents, type MockReplies, replyPerStep } from "../src/testing/index.js";
import { answer, callTools, gate } from "./helpers/agent.js";
import { serve } from "./helpers/server.js";
import { createSpanLedger, endedOnce } from "./helpers/span-ledger.js";
import { contentAttribute, createTestTelemetry } from "./helpers/telemetry.js";

const contextManager = new AsyncLocalStorageContextManager();
beforeAll(() => {
  context.setGlobalContextManager(contextManager.enable());
});
afterAll(() => {
  context.disable();
});

const AGENT = "invoke_agent trace-bot";

/** Step 1 calls `lookup` twice in parallel, step 2 answers; each step with its own usage. */
const TWO_STEPS = replyPerStep(
  callTools(
    [
      ["lookup", { city: "Lisbon" }, "call_l"],
      ["lookup", { city: "Porto" }, "call_p"],
    ],
    { usage: { prompt_tokens: 10, completion_tokens: 5, cost: 0.001 } },
  ),
  answer("Lisbon 21, Porto 18.", {
    usage: { prompt_tokens: 30, completion_tokens: 7, cost: 0.002 },
  }),
);

async function tracedAgent(
  replies: MockReplies,
  options: Partial<AgentOptions> = {},
  clientOptions: OpenRouterOptions = {},
) {
  const telemetry = createTestTelemetry();
  const { client, server } = await serve(replies, {
    tracerProvider: telemetry.tracerProvider,
    meterProvider: telemetry.meterProvider,
    ...clientOptions,
  });
  const agent = client.agent({
    name: "trace-bot",
    model: "openai/gpt-4o-mini",
    tools: {
      lookup: tool({
        description: "Weather",
        parameters: { type: "object", properties: { city: { type: "string" } } },
        execute: ({ city }) => ({ city, temp: 21 }),
      }),
    },
    ...options,
  });
  const byName = (name: string) => telemetry.spans().filter((span) => span.name === name);
  return { agent, client, server, telemetry, byName };
}

const idOf = (span: ReadableSpan | Span) => span.spanContext().spanId;
const parentOf = (span: ReadableSpan) => span.parentSpanContext?.spanId;

/** Resolves once `count` callers have arrived: tools waiting on it are all running at once. */
function barrier(count: number) {
  const all = gate();
  let arrived = 0;
  return () => {
    if (++arrived === count) all.open();
    return all.promise;
  };
}

describe("the span tree", () => {
  it("invoke_agent under the active span; chat per step and execute_tool per call under it, linked", async () => {
    const bothRunning = barrier(2);
    // The test's tracer, from the provider made with the client below.
    let outerTracer = trace.getTracer("test");
    const { agent, client, byName, telemetry } = await tracedAgent(
      (request) => {
        const body = request.body as { model: string };
        if (body.model === "inner/model") return answer("inner answer");
        return TWO_STEPS(request);
      },
      {
        tools: {
          lookup: tool({
            parameters: { type: "object", properties: { city: { type: "string" } } },
            execute: async ({ city }) => {
              await bothRunning();
              // Created after both tools have interleaved: the context still is this call's.
              return outerTracer.startActiveSpan(`db ${city}`, async (span) => {
                await new Promise((resolve) => setImmediate(resolve));
                const inner = await client.chat.stream({
                  model: "inner/model",
                  messages: [{ role: "user", content: city ?? "" }],
                }).response;
                span.end();
                return inner.text;
              });
            },
          }),
        },
      },
    );
    outerTracer = telemetry.tracerProvider.getTracer("test");
    const result = await outerTracer.startActiveSpan("handle request", async (outer) => {
      const run = await agent.run("Weather?");
      outer.end();
      return run;
    });
    expect(result.stopReason).toBe("completed");

    const [outer] = byName("handle request");
    const [agentSpan] = byName(AGENT);
    expect(agentSpan?.kind).toBe(SpanKind.INTERNAL);
    expect(parentOf(agentSpan!)).toBe(idOf(outer!));
    const steps = byName("chat_streaming").filter((span) => parentOf(span) === idOf(agentSpan!));
    expect(steps.map((span) => span.attributes["openrouter.agent.step"])).toEqual([1, 2]);
    const tools = byName("execute_tool lookup");
    expect(tools).toHaveLength(2);
    for (const toolSpan of tools) {
      expect(toolSpan.kind).toBe(SpanKind.INTERNAL);
      expect(parentOf(toolSpan)).toBe(idOf(agentSpan!));
      expect(toolSpan.links.map((link) => link.context.spanId)).toEqual([idOf(steps[0]!)]);
      const city = toolSpan.attributes["gen_ai.tool.call.id"] === "call_l" ? "Lisbon" : "Porto";
      // Each tool's own span nests under its own execute_tool span, not its sibling's.
      const [db] = byName(`db ${city}`);
      expect(parentOf(db!)).toBe(idOf(toolSpan));
      // A chat call made inside a tool is a call of its own: under the db span, not a step.
      const inner = byName("chat_streaming").find((span) => parentOf(span) === idOf(db!));
      expect(inner?.attributes["openrouter.agent.step"]).toBeUndefined();
    }
    // Every span of the run is in the request's trace.
    const traceIds = new Set(telemetry.spans().map((span) => span.spanContext().traceId));
    expect(traceIds.size).toBe(1);
  });
});

describe("the agent span", () => {
  it("carries the agent, the steps, the stop reason, the summed tokens and cost (not as usage.cost)", async () => {
    const { agent, byName } = await tracedAgent(TWO_STEPS, { system: "Be brief." });
    await agent.run("Weather?", { conversationId: "conv-9" });
    const [agentSpan] = byName(AGENT);
    const steps = byName("chat_streaming");
    expect(steps).toHaveLength(2);
    const sum = (key: string) =>
      steps.reduce((total, span) => total + (span.attributes[key] as number), 0);
    expect(agentSpan?.status.code).toBe(SpanStatusCode.UNSET);
    expect(agentSpan?.attributes).toMatchObject({
      "gen_ai.operation.name": "invoke_agent",
      "gen_ai.provider.name": "openrouter",
      "gen_ai.agent.name": "trace-bot",
      "gen_ai.request.model": "openai/gpt-4o-mini",
      "gen_ai.conversation.id": "conv-9",
      "gen_ai.response.finish_reasons": ["stop"],
      "openrouter.agent.steps": 2,
      "openrouter.agent.stop_reason": "completed",
      "gen_ai.usage.input_tokens": sum("gen_ai.usage.input_tokens"),
      "gen_ai.usage.output_tokens": sum("gen_ai.usage.output_tokens"),
      "openrouter.agent.cost": sum("openrouter.usage.cost"),
    });
    expect(agentSpan?.attributes["gen_ai.usage.input_tokens"]).toBe(40);
    expect(agentSpan?.attributes["openrouter.agent.cost"]).toBeCloseTo(0.003, 12);
    expect(agentSpan?.attributes["openrouter.usage.cost"]).toBeUndefined();
    // Each step sent the id as session_id, and records it too.
    for (const step of steps) expect(step.attributes["gen_ai.conversation.id"]).toBe("conv-9");
    // With capture on: the instructions, the input, the tools and the answer, valid JSON each.
    expect(contentAttribute(agentSpan!, "gen_ai.system_instructions")).toEqual([
      { type: "text", content: "Be brief." },
    ]);
    expect(contentAttribute(agentSpan!, "gen_ai.input.messages")).toEqual([
      { role: "user", parts: [{ type: "text", content: "Weather?" }] },
    ]);
    expect(contentAttribute(agentSpan!, "gen_ai.tool.definitions")).toMatchObject([
      { type: "function", name: "lookup", description: "Weather" },
    ]);
    expect(contentAttribute(agentSpan!, "gen_ai.output.messages")).toEqual([
      {
        role: "assistant",
        parts: [{ type: "text", content: "Lisbon 21, Porto 18." }],
        finish_reason: "stop",
      },
    ]);
  });

  it("a handed span gets the agent's attributes and the run's children, and is never ended by the SDK", async () => {
    const ledger = createSpanLedger();
    const { client } = await serve(TWO_STEPS, { tracerProvider: ledger.tracerProvider });
    const agent = client.agent({
      name: "trace-bot",
      model: "openai/gpt-4o-mini",
      tools: { lookup: tool({ parameters: { type: "object" }, execute: () => "ok" }) },
    });
    const mine = ledger.tracerProvider.getTracer("test").startSpan("my turn");
    await agent.run("Weather?", { span: mine });
    expect(ledger.endCounts()).toEqual([
      "my turn: 0",
      ...endedOnce("chat_streaming", "execute_tool lookup", "execute_tool lookup"),
      "chat_streaming: 1",
    ]);
    mine.end();
    const turn = ledger.span("my turn");
    expect(turn.attributes).toMatchObject({
      "gen_ai.operation.name": "invoke_agent",
      "gen_ai.agent.name": "trace-bot",
      "openrouter.agent.steps": 2,
      "openrouter.agent.stop_reason": "completed",
      "gen_ai.usage.input_tokens": 40,
    });
    for (const span of ledger.spans().filter((span) => span !== turn)) {
      expect(parentOf(span)).toBe(idOf(turn));
    }
  });
});

describe("the tool spans", () => {
  it("arguments and results as objects, valid against the latest schemas, whatever the tool returns", async () => {
    const returns: Record<string, unknown> = {
      object: { city: "Lisbon", temp: 21 },
      json_string: '{"city":"Porto"}',
      text: "sunny",
      number: 21,
      list: [1, 2],
      nothing: undefined,
    };
    const tools = Object.fromEntries(
      Object.entries(returns).map(([name, value]) => [
        name,
        tool({ parameters: { type: "object" }, execute: () => value }),
      ]),
    );
    const { agent, byName } = await tracedAgent(
      replyPerStep(
        {
          events: buildChatEvents({
            toolCalls: [
              ...Object.keys(returns).map((name) => ({
                id: `call_${name}`,
                name,
                arguments: { city: "Lisbon", days: [1, 2] },
              })),
              { id: "call_bad", name: "text", argumentFragments: ['{"city": "Lis'] },
            ],
          }),
        },
        answer("ok"),
      ),
      { tools },
    );
    await agent.run("go");
    const recorded = (name: string, id = `call_${name}`) => {
      const span = byName(`execute_tool ${name}`).find(
        (candidate) => candidate.attributes["gen_ai.tool.call.id"] === id,
      )!;
      return {
        span,
        args: contentAttribute(span, "gen_ai.tool.call.arguments", "latest"),
        result:
          span.attributes["gen_ai.tool.call.result"] === undefined
            ? undefined
            : contentAttribute(span, "gen_ai.tool.call.result", "latest"),
      };
    };
    const args = { city: "Lisbon", days: [1, 2] };
    expect(recorded("object")).toMatchObject({ args, result: { city: "Lisbon", temp: 21 } });
    expect(recorded("json_string").result).toEqual({ city: "Porto" });
    expect(recorded("text").result).toEqual({ value: "sunny" });
    expect(recorded("number").result).toEqual({ value: 21 });
    expect(recorded("list").result).toEqual({ value: [1, 2] });
    expect(recorded("nothing").result).toEqual({ value: null });
    const bad = recorded("text", "call_bad");
    expect(bad.args).toEqual({ value: '{"city": "Lis' });
    expect(bad.result).toBeUndefined();
    expect(bad.span.attributes["error.type"]).toBe("invalid_arguments");
    expect(bad.span.attributes).toMatchObject({
      "gen_ai.tool.name": "text",
      "gen_ai.tool.type": "function",
      "gen_ai.agent.name": "trace-bot",
      "openrouter.agent.step": 1,
    });
  });

  it('a call with no arguments, streamed as "": gen_ai.tool.call.arguments is {} (a valid object)', async () => {
    const { agent, byName } = await tracedAgent(
      replyPerStep(
        {
          events: buildChatEvents({
            toolCalls: [
              { id: "call_empty", name: "now", argumentFragments: [""] },
              { id: "call_blank", name: "now", argumentFragments: [" "] },
            ],
          }),
        },
        answer("ok"),
      ),
      { tools: { now: tool({ parameters: { type: "object" }, execute: () => "12:00" }) } },
    );
    await agent.run("go");
    const spans = byName("execute_tool now");
    expect(spans).toHaveLength(2);
    for (const span of spans) {
      expect(span.status.code).not.toBe(SpanStatusCode.ERROR);
      expect(contentAttribute(span, "gen_ai.tool.call.arguments", "latest")).toEqual({});
    }
  });

  it("a failing call is ERROR with error.type: unknown_tool, invalid_arguments, the thrown class", async () => {
    const { agent, byName } = await tracedAgent(
      replyPerStep(
        callTools([
          ["teleport", {}, "c_unknown"],
          ["needs_city", {}, "c_invalid"],
          ["broken", {}, "c_throws"],
        ]),
        answer("Sorry."),
      ),
      {
        tools: {
          needs_city: tool({
            parameters: { type: "object", required: ["city"] },
            execute: () => "never",
          }),
          broken: tool({
            description: "Always breaks",
            parameters: { type: "object" },
            execute: () => {
              throw new RangeError("out of range");
            },
          }),
        },
      },
    );
    await agent.run("go");
    const failed = (name: string) => {
      const [span] = byName(`execute_tool ${name}`);
      expect(span?.status.code).toBe(SpanStatusCode.ERROR);
      expect(span?.attributes["gen_ai.tool.call.result"]).toBeUndefined();
      return span!;
    };
    expect(failed("teleport").attributes["error.type"]).toBe("unknown_tool");
    expect(failed("needs_city").attributes["error.type"]).toBe("invalid_arguments");
    const broken = failed("broken");
    expect(broken.attributes).toMatchObject({
      "error.type": "RangeError",
      "gen_ai.tool.description": "Always breaks",
    });
    expect(broken.events.map((event) => event.name)).toEqual(["exception"]);
    // Fed back, the run itself went on and succeeded.
    expect(byName(AGENT)[0]?.status.code).toBe(SpanStatusCode.UNSET);
  });
});

describe("the agent metrics", () => {
  it("records gen_ai.invoke_agent.duration and gen_ai.execute_tool.duration with the conventions' buckets", async () => {
    const { agent, telemetry } = await tracedAgent(TWO_STEPS);
    await agent.run("Weather?");
    const metrics = await telemetry.metrics();
    const histogram = (name: string) => {
      const metric = metrics.find((candidate) => candidate.descriptor.name === name);
      expect(metric, name).toBeDefined();
      expect(metric?.descriptor.unit).toBe("s");
      return metric as HistogramMetricData;
    };
    const agentDuration = histogram("gen_ai.invoke_agent.duration");
    expect(agentDuration.dataPoints).toHaveLength(1);
    expect(agentDuration.dataPoints[0]?.attributes).toEqual({
      "gen_ai.agent.name": "trace-bot",
      "gen_ai.request.model": "openai/gpt-4o-mini",
    });
    expect(agentDuration.dataPoints[0]?.value.count).toBe(1);
    expect(agentDuration.dataPoints[0]?.value.buckets.boundaries).toEqual([
      0.1, 0.2, 0.4, 0.8, 1.6, 3.2, 6.4, 12.8, 25.6, 51.2, 102.4, 204.8, 409.6,
    ]);
    const toolDuration = histogram("gen_ai.execute_tool.duration");
    expect(toolDuration.dataPoints).toHaveLength(1);
    expect(toolDuration.dataPoints[0]?.attributes).toEqual({
      "gen_ai.tool.name": "lookup",
      "gen_ai.tool.type": "function",
      "gen_ai.agent.name": "trace-bot",
    });
    expect(toolDuration.dataPoints[0]?.value.count).toBe(2);
    expect(toolDuration.dataPoints[0]?.value.buckets.boundaries).toEqual([
      0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92,
    ]);
  });
});

describe("content capture off, or nothing recording", () => {
  /** A run whose input and tool result count every read of their content. */
  async function countReads(clientOptions: OpenRouterOptions, traced: boolean) {
    const reads = { input: 0, result: 0 };
    const input: ChatMessage = { role: "user", content: "" };
    Object.defineProperty(input, "content", {
      enumerable: true,
      get: () => {
        reads.input++;
        return "Weather?";
      },
    });
    const result = {};
    Object.defineProperty(result, "temp", {
      enumerable: true,
      get: () => {
        reads.result++;
        return 21;
      },
    });
    const telemetry = createTestTelemetry();
    const { client } = await serve(TWO_STEPS, {
      ...(traced ? { tracerProvider: telemetry.tracerProvider } : {}),
      ...clientOptions,
    });
    const agent = client.agent({
      name: "trace-bot",
      model: "openai/gpt-4o-mini",
      tools: { lookup: tool({ parameters: { type: "object" }, execute: () => result }) },
    });
    const run = await agent.run([input]);
    expect(run.messages[2]).toMatchObject({ role: "tool", content: '{"temp":21}' });
    return { reads, spans: telemetry.spans() };
  }

  it("serializes no history, argument or result for telemetry", async () => {
    const untraced = await countReads({ captureContent: false }, false);
    const off = await countReads({ captureContent: false }, true);
    const on = await countReads({ captureContent: true }, true);
    // Capture on reads the input again for the spans: the counter sees telemetry's reads.
    expect(on.reads.input).toBeGreaterThan(untraced.reads.input);
    expect(off.reads).toEqual(untraced.reads);
    // Each result is turned into JSON once, for the model, in every mode.
    expect([untraced.reads.result, off.reads.result, on.reads.result]).toEqual([2, 2, 2]);
    expect(off.spans).not.toHaveLength(0);
    for (const span of off.spans) {
      for (const key of Object.keys(span.attributes)) {
        expect(key).not.toMatch(/messages|instructions|arguments|result|definitions/);
      }
    }
  });
});
