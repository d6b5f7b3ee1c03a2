import { context } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { AlwaysOffSampler, BasicTracerProvider } from "@opentelemetry/sdk-trace-base";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ChatRequest, type OpenRouterOptions, tool } from "../src/index.js";
import { buildChatEvents, replyPerStep } from "../src/testing/index.js";
import { answer, callTools, collectRun } from "./helpers/agent.js";
import { collect } from "./helpers/collect.js";
import { HELLO, serve } from "./helpers/server.js";
import { createTestTelemetry } from "./helpers/telemetry.js";

// The agent parents its chat spans through the active context.
const contextManager = new AsyncLocalStorageContextManager();
beforeAll(() => {
  context.setGlobalContextManager(contextManager.enable());
});
afterAll(() => {
  context.disable();
});

const replies = { events: buildChatEvents({ text: ["Hi"] }) };

/** Runs `request` twice (stream, then complete) and returns what the server received. */
async function sendTwice(options: OpenRouterOptions, request: ChatRequest = HELLO) {
  const { client, server } = await serve(replies, options);
  const { error } = await collect(client.chat.stream(request));
  expect(error).toBeUndefined();
  const { error: again } = await collect(client.chat.stream(request));
  expect(again).toBeUndefined();
  return server.requests;
}

describe("propagateTrace (OpenRouter Broadcast joins our trace)", () => {
  it("on, with a recording span: trace {trace_id, parent_span_id} = our trace and chat span", async () => {
    const telemetry = createTestTelemetry();
    const requests = await sendTwice({
      tracerProvider: telemetry.tracerProvider,
      propagateTrace: true,
    });
    const spans = telemetry.spans();
    expect(spans).toHaveLength(2);
    requests.forEach((request, i) => {
      const span = spans[i]!;
      expect(span.name).toBe("chat_streaming");
      expect((request.body as { trace: unknown }).trace).toEqual({
        trace_id: span.spanContext().traceId,
        parent_span_id: span.spanContext().spanId,
      });
      expect(span.spanContext().traceId).toMatch(/^[0-9a-f]{32}$/);
    });
    // Everything else is the body as it would be without the option.
    const { trace: _trace, ...rest } = requests[0]!.body as Record<string, unknown>;
    expect(rest).toEqual({ ...HELLO, stream: true });
  });

  it("the caller's own trace keys win, the others are kept", async () => {
    const telemetry = createTestTelemetry();
    const { client, server } = await serve(replies, {
      tracerProvider: telemetry.tracerProvider,
      propagateTrace: true,
    });
    await client.chat.complete({
      ...HELLO,
      trace: { trace_id: "workflow_12345", trace_name: "nightly", env: "prod" },
    });
    const span = telemetry.spans()[0]!;
    expect(span.name).toBe("chat");
    expect((server.requests[0]!.body as { trace: unknown }).trace).toEqual({
      trace_id: "workflow_12345",
      parent_span_id: span.spanContext().spanId,
      trace_name: "nightly",
      env: "prod",
    });
  });

  it("a caller's key set to undefined (not sent) does not erase ours", async () => {
    const telemetry = createTestTelemetry();
    const { client, server } = await serve(replies, {
      tracerProvider: telemetry.tracerProvider,
      propagateTrace: true,
    });
    // What `trace_id: process.env.TRACE_ID` gives a caller without exactOptionalPropertyTypes.
    const trace = { trace_id: undefined, trace_name: "nightly" } as unknown as NonNullable<
      ChatRequest["trace"]
    >;
    const { error } = await collect(client.chat.stream({ ...HELLO, trace }));
    expect(error).toBeUndefined();
    const span = telemetry.spans()[0]!;
    expect((server.requests[0]!.body as { trace: unknown }).trace).toEqual({
      trace_id: span.spanContext().traceId,
      parent_span_id: span.spanContext().spanId,
      trace_name: "nightly",
    });
  });

  it("off (the default): nothing added, two identical calls send byte-identical bodies", async () => {
    const telemetry = createTestTelemetry();
    const requests = await sendTwice({ tracerProvider: telemetry.tracerProvider });
    expect(telemetry.spans()).toHaveLength(2);
    expect(requests[0]!.text).not.toContain('"trace"');
    expect(requests[0]!.text).toBe(requests[1]!.text);
  });

  it("on, but the span is not recording (sampled out): nothing added, bodies byte-identical", async () => {
    const tracerProvider = new BasicTracerProvider({ sampler: new AlwaysOffSampler() });
    const requests = await sendTwice({ tracerProvider, propagateTrace: true });
    expect(requests[0]!.text).not.toContain('"trace"');
    expect(requests[0]!.text).toBe(requests[1]!.text);
  });

  it("on, and the caller's trace is kept as given even when only names are set", async () => {
    const tracerProvider = new BasicTracerProvider({ sampler: new AlwaysOffSampler() });
    const requests = await sendTwice(
      { tracerProvider, propagateTrace: true },
      { ...HELLO, trace: { trace_name: "n" } },
    );
    expect((requests[0]!.body as { trace: unknown }).trace).toEqual({ trace_name: "n" });
  });

  it("an agent's steps: each request names its own chat span, all in the run's trace", async () => {
    const telemetry = createTestTelemetry();
    const { client, server } = await serve(
      replyPerStep(callTools([["now", {}]]), answer("It is noon.")),
      { tracerProvider: telemetry.tracerProvider, propagateTrace: true },
    );
    const agent = client.agent({
      name: "clock",
      model: "openai/gpt-4o-mini",
      tools: { now: tool({ parameters: { type: "object" }, execute: () => "12:00" }) },
    });
    const { error } = await collectRun(agent.stream("What time is it?"));
    expect(error).toBeUndefined();
    const chats = telemetry.spans().filter((span) => span.name === "chat_streaming");
    const run = telemetry.spans().find((span) => span.name.startsWith("invoke_agent"));
    expect(chats).toHaveLength(2);
    expect(server.requests.map((request) => (request.body as { trace: unknown }).trace)).toEqual(
      chats.map((span) => ({
        trace_id: run!.spanContext().traceId,
        parent_span_id: span.spanContext().spanId,
      })),
    );
  });

  it("session_id is recorded as gen_ai.conversation.id; session_id and user are never made up", async () => {
    const telemetry = createTestTelemetry();
    const { client, server } = await serve(replies, {
      tracerProvider: telemetry.tracerProvider,
      propagateTrace: true,
    });
    await client.chat.stream({ ...HELLO, session_id: "conversation-42" }).response;
    await client.chat.stream(HELLO).response;
    const [withSession, without] = telemetry.spans();
    expect(withSession!.attributes["gen_ai.conversation.id"]).toBe("conversation-42");
    expect(without!.attributes).not.toHaveProperty("gen_ai.conversation.id");
    expect(server.requests[0]!.body).toMatchObject({ session_id: "conversation-42" });
    const sent = server.requests[1]!.body as Record<string, unknown>;
    expect(sent).not.toHaveProperty("session_id");
    expect(sent).not.toHaveProperty("user");
  });
});
