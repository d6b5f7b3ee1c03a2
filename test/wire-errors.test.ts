import { SpanStatusCode } from "@opentelemetry/api";
import { describe, expect, it } from "vitest";
import { APIError, ConnectionError, ParseError, StreamError } from "../src/index.js";
import type { MockReplies } from "../src/testing/index.js";
import { collect } from "./helpers/collect.js";
import { HELLO, serve } from "./helpers/server.js";
import { createTestTelemetry } from "./helpers/telemetry.js";

/** A chunk with one choice. */
const chunk = (delta: object, finishReason: string | null = null, extra: object = {}) => ({
  id: "gen-e",
  model: "openai/gpt-4o",
  provider: "OpenAI",
  choices: [{ index: 0, delta: { role: "assistant", ...delta }, finish_reason: finishReason }],
  ...extra,
});

/** Streams HELLO against `replies`; returns the events, the error and the one span. */
async function streamed(replies: MockReplies) {
  const telemetry = createTestTelemetry();
  const { client } = await serve(replies, {
    tracerProvider: telemetry.tracerProvider,
    maxRetries: 0,
  });
  const stream = client.chat.stream(HELLO);
  const { events, error } = await collect(stream);
  await expect(stream.response).rejects.toBe(error);
  const spans = telemetry.spans();
  expect(spans).toHaveLength(1);
  return { events, error, span: spans[0]! };
}

/** `complete()` against `replies`; returns the error and the one span. */
async function completed(replies: MockReplies) {
  const telemetry = createTestTelemetry();
  const { client } = await serve(replies, {
    tracerProvider: telemetry.tracerProvider,
    maxRetries: 0,
  });
  const error = await client.chat.complete(HELLO).then(
    () => undefined,
    (reason: unknown) => reason,
  );
  const spans = telemetry.spans();
  expect(spans).toHaveLength(1);
  return { error, span: spans[0]! };
}

describe("mid-stream errors, every shape (OPENROUTER_WIRE.md R2.1)", () => {
  it("an error inside the choice: StreamError with provider, raw.retryable and the text before", async () => {
    const { events, error, span } = await streamed({
      events: [
        chunk({ content: "Hel" }),
        {
          id: "gen-e",
          choices: [
            {
              index: 0,
              delta: { content: "" },
              finish_reason: "error",
              native_finish_reason: "error",
              error: {
                message: "Error processing stream",
                code: 502,
                metadata: { provider_name: "DeepInfra", raw: { retryable: true } },
              },
            },
          ],
        },
        "[DONE]",
      ],
    });
    expect(events).toEqual([{ type: "text", text: "Hel" }]);
    expect(error).toBeInstanceOf(StreamError);
    const streamError = error as StreamError;
    expect(streamError).toMatchObject({
      code: 502,
      status: 502,
      providerName: "DeepInfra",
      metadata: { provider_name: "DeepInfra", raw: { retryable: true } },
      partial: { text: "Hel", finishReason: "error", nativeFinishReason: "error" },
    });
    expect(streamError.isRetryable).toBe(true);
    expect(streamError.message).toContain("Error processing stream");
    expect(span.attributes["error.type"]).toBe("502");
    expect(span.status.code).toBe(SpanStatusCode.ERROR);
  });

  it("a bare error event (no id, no choices) with rate-limit headers in epoch milliseconds", async () => {
    const reset = Date.now() + 30_000;
    const { events, error, span } = await streamed({
      events: [
        chunk({ content: "Hi" }),
        {
          error: {
            message: "Rate limit exceeded: free-models-per-day",
            code: 429,
            metadata: {
              headers: {
                "X-RateLimit-Limit": "50",
                "X-RateLimit-Remaining": "0",
                "X-RateLimit-Reset": String(reset),
              },
              provider_name: null,
            },
          },
          user_id: "user_2abc",
        },
      ],
    });
    expect(events).toEqual([{ type: "text", text: "Hi" }]);
    expect(error).toBeInstanceOf(StreamError);
    const streamError = error as StreamError;
    expect(streamError).toMatchObject({ code: 429, partial: { id: "gen-e", text: "Hi" } });
    expect(streamError.providerName).toBeUndefined();
    expect(streamError.isRetryable).toBe(true);
    expect(streamError.retryAfter).toBeGreaterThan(20);
    expect(streamError.retryAfter).toBeLessThanOrEqual(30);
    expect(span.attributes["error.type"]).toBe("429");
  });

  it("an OpenAI-style error (code null, type only): error.type is the type", async () => {
    const { error, span } = await streamed({
      events: [
        chunk({ content: "a" }),
        {
          error: {
            message: "The server had an error",
            type: "server_error",
            param: null,
            code: null,
          },
        },
      ],
    });
    expect(error).toBeInstanceOf(StreamError);
    expect(error).toMatchObject({ code: undefined, type: "server_error" });
    expect((error as StreamError).isRetryable).toBe(true);
    expect(span.attributes["error.type"]).toBe("server_error");
  });

  it("a message that is itself JSON: the inner message is surfaced, its code used", async () => {
    const inner = {
      error: {
        code: 429,
        message: "Resource has been exhausted (e.g. check quota).",
        status: "RESOURCE_EXHAUSTED",
      },
    };
    const { error } = await streamed({
      events: [chunk({ content: "a" }), { choices: [], error: { message: JSON.stringify(inner) } }],
    });
    expect(error).toBeInstanceOf(StreamError);
    expect((error as StreamError).message).toBe(
      "The stream failed with code 429: Resource has been exhausted (e.g. check quota).",
    );
    expect((error as StreamError).isRetryable).toBe(true);
  });

  it("metadata.raw as a JSON string: its retryable is read, the metadata kept as sent", async () => {
    const raw = JSON.stringify({ type: "error", retryable: false });
    const { error } = await streamed({
      events: [
        chunk({ content: "a" }),
        {
          id: "gen-e",
          choices: [],
          error: { code: 502, message: "Provider returned error", metadata: { raw } },
        },
      ],
    });
    expect(error).toMatchObject({ code: 502, metadata: { raw } });
    expect((error as StreamError).isRetryable).toBe(false);
  });

  it("an availability error with no code: errorType, availability, retryAfter, fallback models", async () => {
    const availability = {
      code: "capacity_exhausted",
      retryable: true,
      retry_after: 12,
      requested_models: ["x/y"],
      fallback_models: ["x/z"],
      docs_url: "https://openrouter.ai/docs",
    };
    const { error, span } = await streamed({
      events: [
        chunk({ content: "a" }),
        {
          error: {
            message: "No capacity",
            error_type: "rate_limit_exceeded",
            http_status: 429,
            availability,
            metadata: { previous_errors: [{ provider: "A", code: 429, status: 429 }] },
          },
        },
      ],
    });
    expect(error).toBeInstanceOf(StreamError);
    expect(error).toMatchObject({
      code: "capacity_exhausted",
      status: 429,
      errorType: "rate_limit_exceeded",
      availability,
      retryAfter: 12,
      metadata: { previous_errors: [{ provider: "A", code: 429, status: 429 }] },
    });
    expect((error as StreamError).isRetryable).toBe(true);
    expect(span.attributes["error.type"]).toBe("capacity_exhausted");
  });

  it("finish_reason error with no error object: StreamError naming the native reason", async () => {
    const { events, error, span } = await streamed({
      events: [
        chunk({ content: "Let me call" }),
        {
          id: "gen-e",
          choices: [
            {
              index: 0,
              delta: { content: null },
              finish_reason: "error",
              native_finish_reason: "MALFORMED_FUNCTION_CALL",
            },
          ],
        },
        "[DONE]",
      ],
    });
    expect(events).toEqual([{ type: "text", text: "Let me call" }]);
    expect(error).toBeInstanceOf(StreamError);
    expect((error as Error).message).toContain("MALFORMED_FUNCTION_CALL");
    expect(error).toMatchObject({
      partial: { text: "Let me call", nativeFinishReason: "MALFORMED_FUNCTION_CALL" },
    });
    expect(span.attributes).toMatchObject({
      "error.type": "StreamError",
      "openrouter.native_finish_reason": "MALFORMED_FUNCTION_CALL",
    });
  });

  it("finish_reason error, then the socket drops: StreamError (the drop is its cause), not ConnectionError", async () => {
    const sent = [chunk({ content: "Let me call" }), chunk({}, "error", {})].map(
      (event) => `data: ${JSON.stringify(event)}\n\n`,
    );
    const head = sent.join("");
    const { events, error, span } = await streamed({
      sse: `${head}data: {"id":"gen-e","choices":[]}\n\n`,
      destroyAfterBytes: Buffer.byteLength(head) + 8,
    });
    expect(events).toEqual([{ type: "text", text: "Let me call" }]);
    expect(error).toBeInstanceOf(StreamError);
    expect((error as StreamError).cause).toBeInstanceOf(Error);
    expect(error).toMatchObject({ partial: { text: "Let me call", finishReason: "error" } });
    expect(span.attributes["error.type"]).toBe("StreamError");
  });

  it("the documented chunk (provider on the chunk, code server_error): providerName, retryable", async () => {
    const { error, span } = await streamed({
      events: [
        chunk({ content: "a" }),
        {
          id: "cmpl-abc123",
          object: "chat.completion.chunk",
          model: "gpt-3.5-turbo",
          provider: "openai",
          error: { code: "server_error", message: "Provider disconnected unexpectedly" },
          choices: [{ index: 0, delta: { content: "" }, finish_reason: "error" }],
        },
      ],
    });
    expect(error).toBeInstanceOf(StreamError);
    expect(error).toMatchObject({ code: "server_error", providerName: "openai" });
    expect((error as StreamError).isRetryable).toBe(true);
    expect(span.attributes["error.type"]).toBe("server_error");
  });

  it("empty choices with an error and zero usage: StreamError, never a success", async () => {
    const { error } = await streamed({
      events: [
        {
          id: "gen-e",
          choices: [],
          error: { code: "server_error", message: "Upstream died", provider: "openai" },
          usage: { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 },
        },
        "[DONE]",
      ],
    });
    expect(error).toBeInstanceOf(StreamError);
    expect(error).toMatchObject({
      code: "server_error",
      providerName: "openai",
      partial: { usage: { inputTokens: 0, outputTokens: 0 } },
    });
  });

  it("a chunk no chunk looks like, or a line that is not JSON: ParseError keeping what came before", async () => {
    const image = { type: "image_url", image_url: { url: "data:image/png;base64,AAAA" } };
    for (const bad of [chunk({ images: { not: "a list" } }), "{not json"]) {
      const { events, error } = await streamed({
        events: [chunk({ content: "Hel" }), chunk({ images: [image] }), bad],
      });
      expect(events).toEqual([
        { type: "text", text: "Hel" },
        { type: "image", image },
      ]);
      expect(error).toBeInstanceOf(ParseError);
      expect(error).toMatchObject({ partial: { id: "gen-e", text: "Hel", images: [image] } });
    }
  });

  it("an error that is a bare string, or a choice that is not an object: never a TypeError", async () => {
    const { error } = await streamed({
      events: [chunk({ content: "a" }), { choices: ["x"], error: "overloaded" }],
    });
    expect(error).toBeInstanceOf(StreamError);
    expect((error as Error).message).toContain("overloaded");
  });
});

describe("errors before the stream and in non-streaming answers", () => {
  it("a pre-stream 404 with user_id: APIError with the server's code and message", async () => {
    const { error, span } = await completed({
      status: 404,
      json: {
        error: { code: 404, message: "No endpoints found for x/y." },
        user_id: "user_2abc",
      },
    });
    expect(error).toBeInstanceOf(APIError);
    expect(error).toMatchObject({ status: 404, code: 404 });
    expect((error as APIError).isRetryable).toBe(false);
    expect(span.attributes["error.type"]).toBe("404");
  });

  it("availability.retryable wins over the status, and the Retry-After header over retry_after", async () => {
    const telemetry = createTestTelemetry();
    const { client, server } = await serve(
      {
        status: 404,
        headers: { "retry-after": "0" },
        json: {
          error: {
            message: "No endpoints",
            error_type: "not_found",
            http_status: 404,
            availability: { code: "no_endpoints", retryable: true, retry_after: 30 },
          },
        },
      },
      { tracerProvider: telemetry.tracerProvider, maxRetries: 1 },
    );
    const { error } = await collect(client.chat.stream(HELLO));
    expect(server.requests).toHaveLength(2); // retried once, after 0 s
    expect(error).toMatchObject({
      status: 404,
      code: "no_endpoints",
      errorType: "not_found",
      retryAfter: 0,
      isRetryable: true,
    });
    expect(telemetry.spans()[0]?.attributes["error.type"]).toBe("no_endpoints");
  });

  it("a 200 whose body is an error (no id, no choices): APIError", async () => {
    const { error, span } = await completed({
      json: { error: { code: 429, message: "Rate limited" }, user_id: "user_2abc" },
    });
    expect(error).toBeInstanceOf(APIError);
    expect(error).toMatchObject({ status: 429, code: 429, isRetryable: true });
    expect(span.attributes["error.type"]).toBe("429");
  });

  it("a 200 whose body is an OpenAI-style error (code null): the 200 does not make it final", async () => {
    const { error, span } = await completed({
      json: { error: { message: "The server had an error", type: "server_error", code: null } },
    });
    expect(error).toBeInstanceOf(APIError);
    expect(error).toMatchObject({ status: 200, code: undefined, type: "server_error" });
    expect((error as APIError).isRetryable).toBe(true);
    expect(span.attributes["error.type"]).toBe("server_error");
  });

  it("partial content next to an error in choices[0]: APIError keeping the partial text", async () => {
    const { error, span } = await completed({
      json: {
        id: "gen-p",
        model: "openai/gpt-4o",
        choices: [
          {
            index: 0,
            message: { role: "assistant", content: "partial output..." },
            finish_reason: "error",
            error: {
              code: 502,
              message: "Provider disconnected",
              metadata: { error_type: "provider_unavailable" },
            },
          },
        ],
      },
    });
    expect(error).toBeInstanceOf(APIError);
    expect(error).toMatchObject({
      status: 502,
      code: 502,
      errorType: "provider_unavailable",
      partial: { id: "gen-p", text: "partial output...", finishReason: "error" },
    });
    expect((error as Error).message).toContain("Provider disconnected");
    expect(span.attributes["error.type"]).toBe("502");
  });

  it("a non-streaming finish_reason error without an error object: APIError, not a success", async () => {
    const { error, span } = await completed({
      json: {
        id: "gen-f",
        choices: [
          {
            message: { role: "assistant", content: null },
            finish_reason: "error",
            native_finish_reason: "MALFORMED_FUNCTION_CALL",
          },
        ],
      },
    });
    expect(error).toBeInstanceOf(APIError);
    expect(error).not.toBeInstanceOf(ConnectionError);
    expect((error as Error).message).toContain("MALFORMED_FUNCTION_CALL");
    expect(error).toMatchObject({ status: 200, partial: { id: "gen-f" } });
    // The 200 the body came with is no error type: the class is.
    expect(span.attributes["error.type"]).toBe("APIError");
  });
});
