import { context, ROOT_CONTEXT, type Span, SpanKind, trace } from "@opentelemetry/api";
import { describe, expect, it } from "vitest";
import { type OpenRouterOptions, tool, withOuterInference } from "../src/index.js";
import { buildChatEvents, replyPerStep } from "../src/testing/index.js";
import { answer, callTools, collectRun } from "./helpers/agent.js";
import { collect } from "./helpers/collect.js";
import { createTestLogs } from "./helpers/logs.js";
import { HELLO, serve } from "./helpers/server.js";
import { createTestTelemetry, useAsyncContext } from "./helpers/telemetry.js";

useAsyncContext();

async function setup(options: OpenRouterOptions = {}) {
  const telemetry = createTestTelemetry();
  const logs = createTestLogs();
  const { client } = await serve(
    { events: buildChatEvents({ text: ["Hi."] }) },
    {
      tracerProvider: telemetry.tracerProvider,
      meterProvider: telemetry.meterProvider,
      loggerProvider: logs.loggerProvider,
      captureContent: "SPAN_AND_EVENT",
      ...options,
    },
  );
  const framework = telemetry.tracerProvider.getTracer("some-framework");
  return { telemetry, logs, client, framework };
}

async function chatMetricPoints(telemetry: ReturnType<typeof createTestTelemetry>) {
  const metrics = await telemetry.metrics();
  return metrics.filter((metric) => metric.descriptor.name.startsWith("gen_ai.client."));
}

describe("another GenAI instrumentation already traces the call", () => {
  it("an active span with gen_ai.operation.name chat: no second chat span, metrics or event; it gets the call's attributes", async () => {
    const { telemetry, logs, client, framework } = await setup();
    const outer = framework.startSpan("chat my-model", {
      kind: SpanKind.CLIENT,
      attributes: { "gen_ai.operation.name": "chat", "gen_ai.input.messages": "theirs" },
    });
    await context.with(trace.setSpan(ROOT_CONTEXT, outer), () =>
      collect(client.chat.stream(HELLO)),
    );
    expect(telemetry.spans()).toHaveLength(0); // ours would have ended by now
    outer.end();
    const spans = telemetry.spans();
    expect(spans.map((span) => span.name)).toEqual(["chat my-model"]);
    expect(spans[0]?.attributes).toMatchObject({
      "gen_ai.usage.input_tokens": 12,
      "gen_ai.response.id": "gen-mock-1",
      "openrouter.provider": "OpenAI",
      "gen_ai.input.messages": "theirs", // content stays the owner's
    });
    expect(await chatMetricPoints(telemetry)).toEqual([]);
    expect(logs.records()).toEqual([]);
  });

  it("withOuterInference(context, span): the framework's span gets the attributes, nothing else is made", async () => {
    const { telemetry, client, framework } = await setup();
    const outer = framework.startSpan("llm call");
    const marked = withOuterInference(trace.setSpan(ROOT_CONTEXT, outer), outer);
    await context.with(marked, () => collect(client.chat.stream(HELLO)));
    outer.end();
    expect(telemetry.spans().map((span) => span.name)).toEqual(["llm call"]);
    expect(telemetry.spans()[0]?.attributes["gen_ai.usage.output_tokens"]).toBe(34);
    expect(await chatMetricPoints(telemetry)).toEqual([]);
  });

  it("withOuterInference(context) alone: nothing recorded, and the active span gets no gen_ai attribute", async () => {
    const { telemetry, client, framework } = await setup();
    const handler = framework.startSpan("GET /ask", { kind: SpanKind.SERVER });
    const marked = withOuterInference(trace.setSpan(ROOT_CONTEXT, handler));
    await context.with(marked, () => collect(client.chat.stream(HELLO)));
    handler.end();
    const spans = telemetry.spans();
    expect(spans.map((span) => span.name)).toEqual(["GET /ask"]);
    expect(Object.keys(spans[0]?.attributes ?? {})).toEqual([]);
  });

  it.each(["invoke_agent", "execute_tool", undefined])(
    "under a span of operation %s the call is its own: one chat span as a child",
    async (operation) => {
      const { telemetry, client, framework } = await setup();
      const parent: Span = framework.startSpan("parent", {
        attributes: operation === undefined ? {} : { "gen_ai.operation.name": operation },
      });
      await context.with(trace.setSpan(ROOT_CONTEXT, parent), () =>
        collect(client.chat.stream(HELLO)),
      );
      parent.end();
      const chat = telemetry.spans().find((span) => span.name === "chat_streaming");
      expect(chat?.parentSpanContext?.spanId).toBe(parent.spanContext().spanId);
      expect(await chatMetricPoints(telemetry)).not.toEqual([]);
    },
  );

  it("a span handed over with the span option is recorded into, whatever is active", async () => {
    const { telemetry, client, framework } = await setup();
    const outer = framework.startSpan("chat x", {
      attributes: { "gen_ai.operation.name": "chat" },
    });
    const turn = framework.startSpan("turn");
    await context.with(trace.setSpan(ROOT_CONTEXT, outer), () =>
      collect(client.chat.stream(HELLO, { span: turn })),
    );
    turn.end();
    outer.end();
    const recorded = telemetry.spans().find((span) => span.name === "turn");
    expect(recorded?.attributes["gen_ai.output.messages"]).toBeTypeOf("string");
  });

  it("an agent run in a marked context is not the marked call: its steps and a call inside a tool keep their spans", async () => {
    const telemetry = createTestTelemetry();
    const { client } = await serve(replyPerStep(callTools([["ask", {}]]), answer("Done.")), {
      tracerProvider: telemetry.tracerProvider,
      meterProvider: telemetry.meterProvider,
    });
    const agent = client.agent({
      name: "helper",
      model: "openai/gpt-4o-mini",
      tools: {
        ask: tool({
          parameters: { type: "object", properties: {} },
          execute: async () => (await client.chat.complete(HELLO)).text,
        }),
      },
    });
    const framework = telemetry.tracerProvider.getTracer("some-framework");
    const outer = framework.startSpan("llm call");
    const marked = withOuterInference(trace.setSpan(ROOT_CONTEXT, outer), outer);
    const { error } = await context.with(marked, () => collectRun(agent.stream("Go")));
    outer.end();
    expect(error).toBeUndefined();
    const spans = telemetry.spans();
    const agentSpan = spans.find((span) => span.name === "invoke_agent helper");
    const toolSpan = spans.find((span) => span.name === "execute_tool ask");
    const parents = (name: string) =>
      spans
        .filter((span) => span.name === name)
        .map((span) => span.parentSpanContext?.spanId)
        .sort();
    expect(parents("chat_streaming")).toEqual(
      [agentSpan?.spanContext().spanId, agentSpan?.spanContext().spanId].sort(),
    );
    expect(parents("chat")).toEqual([toolSpan?.spanContext().spanId]);
    expect(outer.isRecording()).toBe(false);
  });

  it("a span handed over earlier is not another instrumentation's: a later call under it has its own span", async () => {
    const { telemetry, client, framework } = await setup();
    const turn = framework.startSpan("turn");
    await collect(client.chat.stream(HELLO, { span: turn })); // turn now reads operation chat
    await context.with(trace.setSpan(ROOT_CONTEXT, turn), () => collect(client.chat.stream(HELLO)));
    turn.end();
    const chat = telemetry.spans().find((span) => span.name === "chat_streaming");
    expect(chat?.parentSpanContext?.spanId).toBe(turn.spanContext().spanId);
    expect(await chatMetricPoints(telemetry)).not.toEqual([]);
  });
});
