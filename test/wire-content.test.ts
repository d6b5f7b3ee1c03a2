import { describe, expect, it } from "vitest";
import type { ChatRequest, OpenRouterOptions } from "../src/index.js";
import type { MockReplies } from "../src/testing/index.js";
import { collect } from "./helpers/collect.js";
import { HELLO, serve } from "./helpers/server.js";
import { contentAttribute, createTestTelemetry } from "./helpers/telemetry.js";

const chunk = (delta: object, finishReason: string | null = null, extra: object = {}) => ({
  id: "gen-c",
  model: "google/gemini-2.5-flash-image",
  provider: "Google",
  choices: [{ index: 0, delta: { role: "assistant", ...delta }, finish_reason: finishReason }],
  ...extra,
});

async function streamed(
  replies: MockReplies,
  request: ChatRequest = HELLO,
  options: OpenRouterOptions = {},
) {
  const telemetry = createTestTelemetry();
  const { client, server } = await serve(replies, {
    tracerProvider: telemetry.tracerProvider,
    ...options,
  });
  const stream = client.chat.stream(request);
  const { events, error } = await collect(stream);
  expect(error).toBeUndefined();
  const spans = telemetry.spans();
  expect(spans).toHaveLength(1);
  return { events, response: await stream.response, span: spans[0]!, server };
}

/** A PNG data URL of about 2 MB, base64 of distinct bytes so a cut is visible. */
const BASE64 = Buffer.from(Array.from({ length: 1_500_000 }, (_, i) => (i * 7919) % 251)).toString(
  "base64",
);
const DATA_URL = `data:image/png;base64,${BASE64}`;
const IMAGE = { type: "image_url", image_url: { url: DATA_URL }, index: 0 };

describe("images (delta.images)", () => {
  const replies = {
    events: [
      chunk({ content: "Here it is." }),
      chunk({ content: "", images: [IMAGE] }, "stop", {
        choices: [
          {
            index: 0,
            delta: { role: "assistant", content: "", images: [IMAGE] },
            finish_reason: "stop",
            native_finish_reason: "STOP",
          },
        ],
      }),
      {
        id: "gen-c",
        choices: [],
        usage: {
          prompt_tokens: 9,
          completion_tokens: 1300,
          total_tokens: 1309,
          completion_tokens_details: { reasoning_tokens: 0, image_tokens: 1290 },
        },
      },
      "[DONE]",
    ],
  };

  it("a whole ~2 MB image in one line: an image event, images on the response, a cut blob part", async () => {
    expect(DATA_URL.length).toBeGreaterThan(1_900_000);
    const { events, response, span } = await streamed(replies, HELLO, { maxContentChars: 1000 });
    expect(events.slice(0, -1)).toEqual([
      { type: "text", text: "Here it is." },
      { type: "image", image: IMAGE },
    ]);
    expect(response.images).toEqual([IMAGE]);
    expect(response.usage?.imageOutputTokens).toBe(1290);
    const output = contentAttribute(span, "gen_ai.output.messages") as Array<{
      parts: Array<Record<string, unknown>>;
    }>;
    expect(output[0]?.parts).toEqual([
      { type: "text", content: "Here it is." },
      {
        type: "blob",
        modality: "image",
        mime_type: "image/png",
        content: `${BASE64.slice(0, 1000)}…[truncated]`,
      },
    ]);
  });

  it("with content capture off, the data URL reaches no attribute of the span", async () => {
    const { response, span } = await streamed(replies, HELLO, { captureContent: false });
    expect(response.images).toHaveLength(1);
    const attributes = JSON.stringify(span.attributes);
    expect(attributes).not.toContain(BASE64.slice(0, 64));
    expect(span.attributes["gen_ai.output.messages"]).toBeUndefined();
  });
});

describe("a failed call whose partial answer is only an image, or only a refusal", () => {
  const failsAfter = (delta: object) => ({
    events: [
      chunk(delta),
      { id: "gen-c", choices: [], error: { code: "server_error", message: "Upstream died" } },
    ],
  });

  it.each([
    ["an image", { images: [IMAGE] }, { type: "blob", modality: "image" }],
    ["a refusal", { refusal: "I can't help with that." }, { type: "refusal" }],
  ])("records %s in gen_ai.output.messages", async (_, delta, part) => {
    const telemetry = createTestTelemetry();
    const { client } = await serve(failsAfter(delta), {
      tracerProvider: telemetry.tracerProvider,
      maxContentChars: 100,
    });
    const { error } = await collect(client.chat.stream(HELLO));
    expect(error).toBeDefined();
    const [span] = telemetry.spans();
    const output = contentAttribute(span!, "gen_ai.output.messages") as Array<{
      parts: Array<Record<string, unknown>>;
    }>;
    expect(output[0]?.parts).toContainEqual(expect.objectContaining(part));
  });
});

describe("annotations, usage extras, debug and router metadata", () => {
  const citation = (n: number) => ({
    type: "url_citation",
    url_citation: {
      url: `https://example.com/${n}`,
      title: n === 2 ? "" : `Page ${n}`,
      content: "x".repeat(3000),
      start_index: 0,
      end_index: 0,
    },
  });

  it("url citations one per chunk before the text are kept in order; they are not text", async () => {
    const { events, response } = await streamed({
      events: [
        chunk({ content: "", annotations: [citation(1)] }),
        chunk({ content: "", annotations: [citation(2)] }),
        chunk({ content: "", annotations: [citation(3)] }),
        chunk({ content: "Answer." }, "stop"),
        "[DONE]",
      ],
    });
    expect(response.annotations).toEqual([citation(1), citation(2), citation(3)]);
    expect(response.text).toBe("Answer.");
    expect(events.slice(0, -1)).toEqual([{ type: "text", text: "Answer." }]);
  });

  it("a usage chunk repeating the finish reason, with service_tier and every usage field", async () => {
    const { events, response } = await streamed({
      events: [
        chunk({
          tool_calls: [
            { index: 0, id: "call_1", type: "function", function: { name: "f", arguments: "{}" } },
          ],
        }),
        chunk({}, "tool_calls"),
        {
          ...chunk({}, "tool_calls"),
          service_tier: "default",
          usage: {
            prompt_tokens: 100,
            completion_tokens: 20,
            total_tokens: 120,
            cost: 0.0077585,
            is_byok: true,
            prompt_tokens_details: { cached_tokens: 10, audio_tokens: 3, video_tokens: 0 },
            completion_tokens_details: {
              reasoning_tokens: 5,
              audio_tokens: 2,
              accepted_prediction_tokens: 4,
              rejected_prediction_tokens: 1,
            },
            cost_details: { upstream_inference_cost: 0.0007585 },
            server_tool_use_details: { web_search_requests: 1 },
          },
        },
        "[DONE]",
      ],
    });
    expect(events.filter((event) => event.type === "tool_call")).toHaveLength(1);
    expect(response.finishReason).toBe("tool_calls");
    expect(response.serviceTier).toBe("default");
    expect(response.usage).toEqual({
      inputTokens: 100,
      outputTokens: 20,
      totalTokens: 120,
      cachedInputTokens: 10,
      cacheWriteInputTokens: undefined,
      reasoningTokens: 5,
      cost: 0.0077585,
      upstreamCost: 0.0007585,
      isByok: true,
      audioInputTokens: 3,
      audioOutputTokens: 2,
      imageOutputTokens: undefined,
      acceptedPredictionTokens: 4,
      rejectedPredictionTokens: 1,
      serverToolUse: { web_search_requests: 1 },
    });
  });

  it("the older server_tool_use name is read too", async () => {
    const { response } = await streamed({
      events: [
        chunk({ content: "a" }, "stop"),
        {
          id: "gen-c",
          choices: [],
          usage: {
            prompt_tokens: 1,
            completion_tokens: 1,
            server_tool_use: { web_search_requests: 2 },
          },
        },
        "[DONE]",
      ],
    });
    expect(response.usage?.serverToolUse).toEqual({ web_search_requests: 2 });
  });

  it("a response-cache hit's zero usage is a value, on the response and the span", async () => {
    const { response, span } = await streamed({
      events: [
        chunk({ content: "cached" }, "stop"),
        {
          id: "gen-c",
          choices: [],
          usage: {
            prompt_tokens: 0,
            completion_tokens: 0,
            total_tokens: 0,
            cost: 0,
            prompt_tokens_details: { cached_tokens: 0 },
            completion_tokens_details: { reasoning_tokens: 0 },
          },
        },
        "[DONE]",
      ],
    });
    expect(response.usage).toMatchObject({
      inputTokens: 0,
      outputTokens: 0,
      totalTokens: 0,
      cost: 0,
      cachedInputTokens: 0,
      reasoningTokens: 0,
    });
    expect(span.attributes).toMatchObject({
      "gen_ai.usage.input_tokens": 0,
      "gen_ai.usage.output_tokens": 0,
      "gen_ai.usage.cache_read.input_tokens": 0,
      "openrouter.usage.cost": 0,
    });
  });

  it("a leading debug chunk and openrouter_metadata on the final chunk: no events, on the response", async () => {
    const debug = { echo_upstream_body: { model: "gpt-4o", messages: [] } };
    const metadata = {
      requested: "openrouter/auto",
      strategy: "auto",
      attempt: 2,
      attempts: [
        { provider: "A", model: "m", status: 503 },
        { provider: "B", model: "m", status: 200 },
      ],
    };
    const { events, response } = await streamed({
      events: [
        {
          id: "gen-c",
          provider: "A",
          model: "m",
          object: "chat.completion.chunk",
          choices: [],
          debug,
        },
        chunk({ content: "Hi" }),
        { ...chunk({}, "stop"), openrouter_metadata: metadata },
        "[DONE]",
      ],
    });
    expect(events.slice(0, -1)).toEqual([{ type: "text", text: "Hi" }]);
    expect(response.text).toBe("Hi");
    expect(response.debug).toEqual([debug]);
    expect(response.openrouterMetadata).toEqual(metadata);
  });

  it("a non-streaming answer keeps its images and annotations", async () => {
    const { client } = await serve({
      json: {
        id: "gen-n",
        choices: [
          {
            message: {
              role: "assistant",
              content: "Done",
              images: [IMAGE],
              annotations: [citation(1)],
            },
            finish_reason: "stop",
          },
        ],
      },
    });
    const response = await client.chat.complete(HELLO);
    expect(response.images).toEqual([IMAGE]);
    expect(response.annotations).toEqual([citation(1)]);
  });
});

describe("server tools and tool-call edge cases", () => {
  it("server tools pass validation, go out as sent; tool_calls null with finish tool_calls is no call", async () => {
    const tools = [
      { type: "openrouter:web_search" as const, parameters: { max_results: 3 } },
      { type: "openrouter:datetime" as const },
      {
        type: "function" as const,
        function: { name: "lookup", parameters: { type: "object", properties: {} } },
      },
    ];
    const { events, response, span, server } = await streamed(
      {
        events: [
          chunk({
            content: "",
            annotations: [{ type: "url_citation", url_citation: { url: "u" } }],
          }),
          {
            id: "gen-c",
            choices: [
              {
                index: 0,
                delta: { role: "assistant", content: "Found it.", tool_calls: null },
                finish_reason: "tool_calls",
                native_finish_reason: "tool_calls",
              },
            ],
          },
          "[DONE]",
        ],
      },
      { ...HELLO, tools },
    );
    expect((server.requests[0]!.body as { tools: unknown }).tools).toEqual(tools);
    expect(events.slice(0, -1)).toEqual([{ type: "text", text: "Found it." }]);
    expect(response.toolCalls).toEqual([]);
    expect(response.finishReason).toBe("tool_calls");
    expect(contentAttribute(span, "gen_ai.tool.definitions")).toEqual([
      { type: "openrouter:web_search", name: "openrouter:web_search" },
      { type: "openrouter:datetime", name: "openrouter:datetime" },
      { type: "function", name: "lookup", parameters: { type: "object", properties: {} } },
    ]);
  });

  it("two parallel calls with the same id stay two calls, keyed by index", async () => {
    const call = (index: number, args: string) => ({
      index,
      id: "call_0",
      type: "function",
      function: { name: "get", arguments: args },
    });
    const { response } = await streamed({
      events: [
        chunk({ tool_calls: [call(0, '{"a":1}')] }),
        chunk({ tool_calls: [call(1, '{"a":2}')] }),
        chunk({}, "tool_calls"),
        "[DONE]",
      ],
    });
    expect(response.toolCalls.map((c) => [c.index, c.id, c.arguments])).toEqual([
      [0, "call_0", { a: 1 }],
      [1, "call_0", { a: 2 }],
    ]);
  });

  it("a whitespace fragment after complete arguments emits nothing; whitespace inside them is kept", async () => {
    const fragment = (args: string, first = false) => ({
      index: 0,
      ...(first ? { id: "functions.send:0", type: "function" } : {}),
      function: first ? { name: "send", arguments: args } : { arguments: args },
    });
    const { events, response } = await streamed({
      events: [
        chunk({ tool_calls: [fragment('{"to": "a', true)] }),
        chunk({ tool_calls: [fragment(" ")] }),
        chunk({ tool_calls: [fragment('b"}')] }),
        chunk({ tool_calls: [fragment(" ")] }),
        chunk({ tool_calls: [fragment("\n")] }),
        chunk({}, "tool_calls"),
        "[DONE]",
      ],
    });
    expect(events.filter((e) => e.type === "tool_call_delta").map((e) => e.argumentsDelta)).toEqual(
      ['{"to": "a', " ", 'b"}'],
    );
    expect(events.filter((e) => e.type === "tool_call")).toHaveLength(1);
    expect(response.toolCalls[0]).toMatchObject({
      id: "functions.send:0",
      arguments: { to: "a b" },
      argumentsText: '{"to": "a b"}',
    });
  });

  it("complete tool calls, [DONE] and no finish reason: completes with the calls (tool_call on the span)", async () => {
    const { events, response, span } = await streamed({
      events: [
        chunk({
          tool_calls: [
            { index: 0, id: "c1", type: "function", function: { name: "f", arguments: '{"x":1}' } },
          ],
        }),
        chunk({}),
        { id: "gen-c", choices: [], usage: { prompt_tokens: 5, completion_tokens: 5 } },
        "[DONE]",
      ],
    });
    expect(events.filter((e) => e.type === "tool_call")).toHaveLength(1);
    expect(response.toolCalls).toHaveLength(1);
    expect(response.finishReason).toBe("tool_calls");
    expect(response.nativeFinishReason).toBeNull();
    expect(span.attributes["gen_ai.response.finish_reasons"]).toEqual(["tool_call"]);
  });
});
