import { describe, expect, it } from "vitest";
import { StreamError } from "../src/index.js";
import { collect, joinDeltas } from "./helpers/collect.js";
import { readFixture } from "./helpers/fixtures.js";
import { HELLO, serve } from "./helpers/server.js";

/** The signature Anthropic sent alone, in a late fragment with no text. */
const SIGNATURE =
  "Et0BCkgIChACGAIqQA2s7h7tA7IG35fbwVkou9PM2hANVJNUwcEM4q12fTRDK6y3v6YoEvJ+7bko8wnW/GLsQFXadaJPAEMCpLkhI9ISDLjFkeR1aVUIvdCtyBoMrUTovh0jwk+wpnZWIjANV3e6VVdgbGSsEyyTHO6KMmVtqqs79f9blnVdJmmMIwMyTi6bEtG59+jTU7v1zlsqQ2IKGZILOlr6adh0Aam7zYttvisys+wjyZZXU1y/Srz0nmp1cFgVOJe1BLKQI3SSRrjsqQC0uAEUZy0GX0Rq1AXjvIcYAQ==";

async function replay(name: string) {
  const { client } = await serve({ sse: readFixture(name) });
  const stream = client.chat.stream(HELLO);
  const result = await collect(stream);
  return { ...result, stream };
}

describe("recorded streams, replayed through the real client", () => {
  it("text-bedrock-claude: comments skipped, usage from a chunk with empty choices", async () => {
    const { events, error, stream } = await replay("text-bedrock-claude.sse");
    expect(error).toBeUndefined();
    const response = {
      id: "gen-1773012759-4u9w7As08eMtL75bWtu8",
      model: "anthropic/claude-4.6-sonnet-20260217",
      provider: "Amazon Bedrock",
      text: "Hello!",
      refusal: "",
      reasoning: "",
      reasoningDetails: [],
      annotations: [],
      images: [],
      toolCalls: [],
      finishReason: "stop",
      nativeFinishReason: "stop",
      usage: {
        inputTokens: 254,
        outputTokens: 5,
        totalTokens: 259,
        cachedInputTokens: 0,
        cacheWriteInputTokens: 0,
        reasoningTokens: 0,
        cost: 0.000837,
        upstreamCost: 0.000837,
        isByok: false,
        audioInputTokens: 0,
        audioOutputTokens: 0,
        imageOutputTokens: 0,
      },
    };
    expect(events).toEqual([
      { type: "text", text: "Hello!" },
      { type: "final", response },
    ]);
    await expect(stream.response).resolves.toEqual(response);
  });

  it("text-usage-with-choice-grok: a later null finish reason does not erase stop", async () => {
    const { events, error } = await replay("text-usage-with-choice-grok.sse");
    expect(error).toBeUndefined();
    expect(events).toEqual([
      {
        type: "final",
        response: {
          id: "gen-1770044155-jEc8jq97DQBmH0pjR97n",
          model: "x-ai/grok-4",
          provider: "xAI",
          text: "",
          refusal: "",
          reasoning: "",
          reasoningDetails: [],
          annotations: [],
          images: [],
          toolCalls: [],
          finishReason: "stop",
          nativeFinishReason: "completed",
          usage: {
            inputTokens: 687,
            outputTokens: 254,
            totalTokens: 941,
            cachedInputTokens: 686,
            cacheWriteInputTokens: undefined,
            reasoningTokens: 184,
            cost: 0.0043275,
            upstreamCost: 0.0043275,
            isByok: false,
          },
        },
      },
    ]);
  });

  it("tools-parallel-interleaved: fragments assembled by index, each call once, in order", async () => {
    const { events, error } = await replay("tools-parallel-interleaved.sse");
    expect(error).toBeUndefined();
    const weather = {
      index: 0,
      id: "call_par_001",
      name: "get_weather",
      arguments: { city: "Tokyo" },
      argumentsText: '{"city":"Tokyo"}',
    };
    const time = {
      index: 1,
      id: "call_par_002",
      name: "get_time",
      arguments: { zone: "UTC" },
      argumentsText: '{"zone":"UTC"}',
    };
    expect(events).toEqual([
      {
        type: "tool_call_delta",
        index: 0,
        id: "call_par_001",
        name: "get_weather",
        argumentsDelta: "",
      },
      {
        type: "tool_call_delta",
        index: 1,
        id: "call_par_002",
        name: "get_time",
        argumentsDelta: "",
      },
      {
        type: "tool_call_delta",
        index: 0,
        id: "call_par_001",
        name: "get_weather",
        argumentsDelta: '{"city',
      },
      {
        type: "tool_call_delta",
        index: 1,
        id: "call_par_002",
        name: "get_time",
        argumentsDelta: '{"zone',
      },
      {
        type: "tool_call_delta",
        index: 0,
        id: "call_par_001",
        name: "get_weather",
        argumentsDelta: '":"Tokyo"}',
      },
      {
        type: "tool_call_delta",
        index: 1,
        id: "call_par_002",
        name: "get_time",
        argumentsDelta: '":"UTC"}',
      },
      { type: "tool_call", toolCall: weather },
      { type: "tool_call", toolCall: time },
      {
        type: "final",
        response: {
          id: "chatcmpl-parallel",
          model: "gpt-4.1",
          provider: undefined,
          text: "",
          refusal: "",
          reasoning: "",
          reasoningDetails: [],
          annotations: [],
          images: [],
          toolCalls: [weather, time],
          finishReason: "tool_calls",
          nativeFinishReason: null,
          usage: {
            inputTokens: 10,
            outputTokens: 20,
            totalTokens: 30,
            cachedInputTokens: undefined,
            cacheWriteInputTokens: undefined,
            reasoningTokens: undefined,
            cost: undefined,
          },
        },
      },
    ]);
  });

  it("reasoning-signature-claude: reasoning details merged by index, the late signature kept", async () => {
    const { events, error } = await replay("reasoning-signature-claude.sse");
    expect(error).toBeUndefined();
    // Five deltas on the wire; handed out as they arrive, joined a read at a time.
    expect(joinDeltas(events.slice(0, -1))).toEqual([
      { type: "reasoning", text: "This is a simple arithmetic question. 2+2 equals 4." },
      { type: "text", text: "2 + 2 = 4" },
    ]);
    const final = events.at(-1);
    expect(final?.type).toBe("final");
    if (final?.type !== "final") return;
    expect(final.response).toEqual({
      id: "gen-1765226419-AGrwjunAftQIAgweibL8",
      model: "anthropic/claude-sonnet-4.5",
      provider: "Google",
      text: "2 + 2 = 4",
      refusal: "",
      reasoning: "This is a simple arithmetic question. 2+2 equals 4.",
      reasoningDetails: [
        {
          type: "reasoning.text",
          text: "This is a simple arithmetic question. 2+2 equals 4.",
          signature: SIGNATURE,
          format: "anthropic-claude-v1",
          index: 0,
        },
      ],
      annotations: [],
      images: [],
      toolCalls: [],
      finishReason: "stop",
      nativeFinishReason: "stop",
      usage: {
        inputTokens: 43,
        outputTokens: 36,
        totalTokens: 79,
        cachedInputTokens: 0,
        cacheWriteInputTokens: undefined,
        reasoningTokens: 13,
        cost: 0.000669,
        isByok: false,
        audioInputTokens: 0,
        imageOutputTokens: 0,
      },
    });
  });

  it("error-midstream-minimax: events before the error chunk, then StreamError with usage", async () => {
    const { events, error, stream } = await replay("error-midstream-minimax.sse");
    expect(events).toEqual([
      { type: "reasoning", text: "We need" },
      { type: "reasoning", text: " to respond to a greeting. The user" },
    ]);
    expect(error).toBeInstanceOf(StreamError);
    const streamError = error as StreamError;
    expect(streamError.code).toBe(400);
    expect(streamError.message).toContain("Token limit reached");
    expect(streamError.partial).toEqual({
      id: "gen-1762179802-UN8pkJI4AGZvryk0kFnb",
      model: "minimax/minimax-m2:free",
      provider: "Minimax",
      text: "",
      refusal: "",
      reasoning: "We need to respond to a greeting. The user",
      reasoningDetails: [
        {
          type: "reasoning.text",
          text: "We need to respond to a greeting. The user",
          index: 0,
          format: null,
        },
      ],
      annotations: [],
      images: [],
      toolCalls: [],
      finishReason: "length",
      nativeFinishReason: "length",
      usage: {
        inputTokens: 43,
        outputTokens: 10,
        totalTokens: 53,
        cachedInputTokens: 0,
        cacheWriteInputTokens: undefined,
        reasoningTokens: 11,
        cost: 0,
        isByok: false,
        audioInputTokens: 0,
        imageOutputTokens: 0,
      },
    });
    await expect(stream.response).rejects.toBe(error);
  });

  it("error-midstream-documented: error with finish_reason error and no [DONE]", async () => {
    const { events, error } = await replay("error-midstream-documented.sse");
    expect(events).toEqual([]);
    expect(error).toBeInstanceOf(StreamError);
    expect(error).toMatchObject({
      code: 429,
      metadata: { error_type: "rate_limit_exceeded" },
      partial: {
        id: "gen-abc123",
        model: "openai/gpt-4o",
        provider: "OpenAI",
        finishReason: "error",
      },
    });
    expect((error as Error).message).toContain("Rate limit exceeded");
  });
});
