import { context, SpanKind, SpanStatusCode } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ChatRequest, OpenRouterOptions } from "../src/index.js";
import { buildChatEvents, type MockReplies } from "../src/testing/index.js";
import { collect } from "./helpers/collect.js";
import { readFixture } from "./helpers/fixtures.js";
import { serve } from "./helpers/server.js";
import { contentAttribute, createTestTelemetry } from "./helpers/telemetry.js";

const contextManager = new AsyncLocalStorageContextManager();
beforeAll(() => {
  context.setGlobalContextManager(contextManager.enable());
});
afterAll(() => {
  context.disable();
});

const REQUEST: ChatRequest = {
  model: "anthropic/claude-sonnet-4.5",
  system: "You are terse.",
  messages: [{ role: "user", content: "What is 2+2?" }],
  temperature: 0,
  max_tokens: 100,
  top_p: 0.9,
  seed: 7,
  stop: "END",
};

async function traced(
  replies: MockReplies,
  request: ChatRequest = REQUEST,
  options: OpenRouterOptions = {},
) {
  const telemetry = createTestTelemetry();
  const { client, server } = await serve(replies, {
    tracerProvider: telemetry.tracerProvider,
    meterProvider: telemetry.meterProvider,
    ...options,
  });
  const stream = client.chat.stream(request);
  const result = await collect(stream);
  const spans = telemetry.spans();
  expect(spans).toHaveLength(1); // exactly one span per call, on every path
  return { ...result, span: spans[0]!, telemetry, server, client };
}

describe("the chat_streaming span", () => {
  it("records the whole table for a text stream (text-bedrock-claude)", async () => {
    const { span, server } = await traced({ sse: readFixture("text-bedrock-claude.sse") });
    expect(span.name).toBe("chat_streaming");
    expect(span.kind).toBe(SpanKind.CLIENT);
    expect(span.status.code).toBe(SpanStatusCode.UNSET);
    expect(span.instrumentationScope).toMatchObject({ name: "openrouter-otel", version: "0.1.0" });
    expect(span.attributes).toMatchObject({
      "gen_ai.operation.name": "chat",
      "gen_ai.provider.name": "openrouter",
      "gen_ai.request.model": "anthropic/claude-sonnet-4.5",
      "gen_ai.request.stream": true,
      "gen_ai.request.temperature": 0,
      "gen_ai.request.max_tokens": 100,
      "gen_ai.request.top_p": 0.9,
      "gen_ai.request.seed": 7,
      "gen_ai.request.stop_sequences": ["END"],
      "server.address": "127.0.0.1",
      "server.port": server.port,
      "gen_ai.response.id": "gen-1773012759-4u9w7As08eMtL75bWtu8",
      "gen_ai.response.model": "anthropic/claude-4.6-sonnet-20260217",
      "gen_ai.response.finish_reasons": ["stop"],
      "gen_ai.usage.input_tokens": 254,
      "gen_ai.usage.output_tokens": 5,
      "gen_ai.usage.cache_read.input_tokens": 0,
      "gen_ai.usage.cache_creation.input_tokens": 0,
      "gen_ai.usage.reasoning.output_tokens": 0,
      "openrouter.provider": "Amazon Bedrock",
      "openrouter.usage.cost": 0.000837,
      "openrouter.native_finish_reason": "stop",
    });
    expect(span.attributes["gen_ai.response.time_to_first_chunk"]).toBeGreaterThan(0);
    expect(span.attributes["error.type"]).toBeUndefined();
    expect(contentAttribute(span, "gen_ai.system_instructions")).toEqual([
      { type: "text", content: "You are terse." },
    ]);
    expect(contentAttribute(span, "gen_ai.input.messages")).toEqual([
      { role: "user", parts: [{ type: "text", content: "What is 2+2?" }] },
    ]);
    expect(contentAttribute(span, "gen_ai.output.messages")).toEqual([
      { role: "assistant", parts: [{ type: "text", content: "Hello!" }], finish_reason: "stop" },
    ]);
    expect(span.attributes["gen_ai.tool.definitions"]).toBeUndefined();
  });

  it("records parallel tool calls with parsed arguments, and the tool definitions", async () => {
    const request: ChatRequest = {
      model: "openai/gpt-4.1",
      messages: [
        {
          role: "user",
          content: [
            { type: "text", text: "Weather and time?" },
            { type: "image_url", image_url: { url: "https://example.com/a.png" } },
          ],
        },
        {
          role: "assistant",
          content: null,
          tool_calls: [
            {
              id: "call_0",
              type: "function",
              function: { name: "get_weather", arguments: '{"city":"Oslo"}' },
            },
          ],
        },
        { role: "tool", tool_call_id: "call_0", content: "rainy" },
        {
          role: "user",
          content: [
            { type: "image_url", image_url: { url: "data:image/png;base64,iVBORw0KGgo=" } },
          ],
        },
      ],
      tools: [
        {
          type: "function",
          function: {
            name: "get_weather",
            description: "Weather",
            parameters: { type: "object", properties: { city: { type: "string" } } },
          },
        },
        {
          type: "function",
          function: {
            name: "get_time",
            parameters: { type: "object", properties: { zone: { type: "string" } } },
          },
        },
      ],
      response_format: { type: "json_object" },
    };
    const { span } = await traced({ sse: readFixture("tools-parallel-interleaved.sse") }, request);
    expect(span.attributes["gen_ai.response.finish_reasons"]).toEqual(["tool_call"]);
    expect(span.attributes["gen_ai.output.type"]).toBe("json");
    expect(contentAttribute(span, "gen_ai.output.messages")).toEqual([
      {
        role: "assistant",
        parts: [
          {
            type: "tool_call",
            id: "call_par_001",
            name: "get_weather",
            arguments: { city: "Tokyo" },
          },
          { type: "tool_call", id: "call_par_002", name: "get_time", arguments: { zone: "UTC" } },
        ],
        finish_reason: "tool_call",
      },
    ]);
    expect(contentAttribute(span, "gen_ai.input.messages")).toEqual([
      {
        role: "user",
        parts: [
          { type: "text", content: "Weather and time?" },
          { type: "uri", modality: "image", uri: "https://example.com/a.png" },
        ],
      },
      {
        role: "assistant",
        parts: [
          { type: "tool_call", id: "call_0", name: "get_weather", arguments: { city: "Oslo" } },
        ],
      },
      { role: "tool", parts: [{ type: "tool_call_response", id: "call_0", response: "rainy" }] },
      {
        role: "user",
        parts: [
          { type: "blob", modality: "image", mime_type: "image/png", content: "iVBORw0KGgo=" },
        ],
      },
    ]);
    expect(contentAttribute(span, "gen_ai.tool.definitions")).toEqual([
      {
        type: "function",
        name: "get_weather",
        description: "Weather",
        parameters: { type: "object", properties: { city: { type: "string" } } },
      },
      {
        type: "function",
        name: "get_time",
        parameters: { type: "object", properties: { zone: { type: "string" } } },
      },
    ]);
  });

  it("records reasoning as a reasoning part, with reasoning tokens", async () => {
    const { span } = await traced({ sse: readFixture("reasoning-signature-claude.sse") });
    expect(contentAttribute(span, "gen_ai.output.messages")).toEqual([
      {
        role: "assistant",
        parts: [
          { type: "reasoning", content: "This is a simple arithmetic question. 2+2 equals 4." },
          { type: "text", content: "2 + 2 = 4" },
        ],
        finish_reason: "stop",
      },
    ]);
    expect(span.attributes).toMatchObject({
      "gen_ai.usage.reasoning.output_tokens": 13,
      "openrouter.provider": "Google",
    });
  });

  it("a mid-stream error chunk: ERROR, error.type from its code, an exception, usage and partial output kept", async () => {
    const { span, error } = await traced({ sse: readFixture("error-midstream-minimax.sse") });
    expect(error).toBeDefined();
    expect(span.status).toMatchObject({
      code: SpanStatusCode.ERROR,
      message: expect.stringContaining("Token limit reached"),
    });
    expect(span.attributes).toMatchObject({
      "error.type": "400",
      "gen_ai.response.finish_reasons": ["error"],
      "gen_ai.usage.input_tokens": 43,
      "gen_ai.usage.output_tokens": 10,
      "gen_ai.usage.reasoning.output_tokens": 11,
    });
    expect(span.events.map((event) => event.name)).toContain("exception");
    expect(contentAttribute(span, "gen_ai.output.messages")).toEqual([
      {
        role: "assistant",
        parts: [{ type: "reasoning", content: "We need to respond to a greeting. The user" }],
        finish_reason: "error",
      },
    ]);
  });

  it("the documented mid-stream error: error.type 429", async () => {
    const { span } = await traced({ sse: readFixture("error-midstream-documented.sse") });
    expect(span.attributes).toMatchObject({
      "error.type": "429",
      "gen_ai.response.finish_reasons": ["error"],
    });
    expect(span.status.code).toBe(SpanStatusCode.ERROR);
  });
});

describe("exit paths, each ending exactly one span", () => {
  const slow = {
    events: buildChatEvents({ text: Array.from({ length: 300 }, (_, i) => `w${i} `) }),
    delayMs: 2,
  };

  it("consumer break: ended, status unset, no error, partial output recorded", async () => {
    const telemetry = createTestTelemetry();
    const { client } = await serve(slow, { tracerProvider: telemetry.tracerProvider });
    for await (const event of client.chat.stream(REQUEST)) if (event.type === "text") break;
    const [span] = telemetry.spans();
    expect(telemetry.spans()).toHaveLength(1);
    expect(span?.status.code).toBe(SpanStatusCode.UNSET);
    expect(span?.attributes["error.type"]).toBeUndefined();
    expect(span?.attributes["openrouter.cancelled"]).toBe("consumer");
    expect(span?.attributes["gen_ai.response.finish_reasons"]).toBeUndefined();
    expect(span?.events.filter((event) => event.name === "exception")).toEqual([]);
    // The partial output is kept, marked as cut by the consumer rather than as an error.
    const [output] = contentAttribute(span!, "gen_ai.output.messages") as Array<{
      parts: Array<{ content: string }>;
      finish_reason: string;
    }>;
    expect(output?.finish_reason).toBe("cancelled");
    expect(output?.parts[0]?.content).toMatch(/^w0 /);
  });

  it("abort: ended, not an error, finish reason error since the output was cut", async () => {
    const telemetry = createTestTelemetry();
    const { client } = await serve(slow, { tracerProvider: telemetry.tracerProvider });
    const controller = new AbortController();
    let error: unknown;
    try {
      for await (const event of client.chat.stream(REQUEST, { signal: controller.signal })) {
        if (event.type === "text") controller.abort(); // mid-stream, at the first text
      }
    } catch (caught) {
      error = caught;
    }
    expect((error as Error).name).toBe("AbortError");
    const spans = telemetry.spans();
    expect(spans).toHaveLength(1);
    expect(spans[0]?.status.code).toBe(SpanStatusCode.UNSET);
    expect(spans[0]?.attributes).toMatchObject({
      "openrouter.cancelled": "abort",
      "gen_ai.response.finish_reasons": ["error"],
    });
  });

  it("abort with an error as the reason: an error", async () => {
    const telemetry = createTestTelemetry();
    const { client } = await serve(slow, { tracerProvider: telemetry.tracerProvider });
    const controller = new AbortController();
    const reason = new RangeError("budget exceeded");
    const stream = client.chat.stream(REQUEST, { signal: controller.signal });
    const { error } = await collect(
      (async function* () {
        for await (const event of stream) {
          controller.abort(reason);
          yield event;
        }
      })() as never,
    );
    expect(error).toBe(reason);
    const [span] = telemetry.spans();
    expect(telemetry.spans()).toHaveLength(1);
    expect(span?.status.code).toBe(SpanStatusCode.ERROR);
    expect(span?.attributes["error.type"]).toBe("RangeError");
  });

  it.each([
    ["HTTP error", "500", { status: 500, json: { error: { code: 500, message: "down" } } }],
    ["socket drop", "ConnectionError", { ...slow, destroyAfterBytes: 2_000 }],
    ["bad JSON", "ParseError", { events: ["{nope"] }],
    ["stall", "TimeoutError", { events: buildChatEvents({ text: ["a"] }), stallAfterBytes: 0 }],
  ] as const)(
    "%s: ERROR with error.type %s and an exception event",
    async (_, errorType, reply) => {
      const { span } = await traced(reply, REQUEST, { maxRetries: 0, timeoutMs: 100 });
      expect(span.status.code).toBe(SpanStatusCode.ERROR);
      expect(span.attributes["error.type"]).toBe(errorType);
      expect(span.attributes["gen_ai.response.finish_reasons"]).toEqual(["error"]);
      expect(span.events.filter((event) => event.name === "exception")).toHaveLength(1);
    },
  );

  it("retries show as span events with attempt and delay", async () => {
    const { span } = await traced([
      {
        status: 429,
        headers: { "retry-after": "0" },
        json: { error: { code: 429, message: "slow" } },
      },
      { events: buildChatEvents({ text: ["ok"] }) },
    ]);
    expect(
      span.events
        .filter((event) => event.name === "openrouter.retry")
        .map((event) => event.attributes),
    ).toEqual([
      { "openrouter.retry.attempt": 1, "openrouter.retry.delay_ms": 0, "error.type": "429" },
    ]);
    expect(span.status.code).toBe(SpanStatusCode.UNSET);
  });
});
