import { describe, expect, it } from "vitest";
import {
  APIError,
  ConnectionError,
  isOpenRouterError,
  OpenRouter,
  OpenRouterError,
} from "../src/index.js";
import { buildChatEvents, type RecordedRequest, startMockServer } from "../src/testing/index.js";
import { computeRetryDelay, parseRetryAfter } from "../src/transport/retry-policy.js";
import { collect } from "./helpers/collect.js";
import { printedForms } from "./helpers/printed-forms.js";
import { HELLO, serve, TEST_API_KEY } from "./helpers/server.js";

const ok = { events: buildChatEvents({ text: ["fine"] }) };

describe("HTTP errors", () => {
  it("carries status, code, server message, metadata and Retry-After", async () => {
    const { client } = await serve(
      {
        status: 402,
        headers: { "retry-after": "7" },
        json: {
          error: { code: 402, message: "Insufficient credits", metadata: { provider_name: null } },
        },
      },
      { maxRetries: 0 },
    );
    const { error } = await collect(client.chat.stream(HELLO));
    expect(error).toBeInstanceOf(APIError);
    expect(error).toBeInstanceOf(OpenRouterError);
    expect(error).toMatchObject({
      status: 402,
      code: 402,
      metadata: { provider_name: null },
      retryAfter: 7,
    });
    expect((error as Error).message).toContain("Insufficient credits");
    expect((error as APIError).isRetryable).toBe(false);
  });

  it("keeps an HTML body's start, and says so when the body is empty", async () => {
    const { client } = await serve(
      [{ status: 502, text: "<html><body>Bad gateway</body></html>" }, { status: 401 }],
      { maxRetries: 0 },
    );
    const html = (await collect(client.chat.stream(HELLO))).error as APIError;
    expect(html).toMatchObject({ status: 502, body: "<html><body>Bad gateway</body></html>" });
    const empty = (await collect(client.chat.stream(HELLO))).error as APIError;
    expect(empty.status).toBe(401);
    expect(empty.message).toContain("empty body");
  });

  it("reads the availability shape (error_type, availability.retry_after)", async () => {
    const { client } = await serve(
      {
        status: 503,
        json: {
          error: {
            error_type: "no_provider",
            http_status: 503,
            availability: { retryable: true, retry_after: 90 },
            message: "No provider fits",
          },
        },
      },
      { maxRetries: 0 },
    );
    const { error } = await collect(client.chat.stream(HELLO));
    expect(error).toMatchObject({ status: 503, code: "no_provider", retryAfter: 90 });
  });

  it("a 200 with a JSON error object instead of a stream is an APIError", async () => {
    const { client } = await serve({
      json: {
        error: { code: 403, message: "Flagged by moderation", metadata: { reasons: ["x"] } },
      },
    });
    const { error } = await collect(client.chat.stream(HELLO));
    expect(error).toMatchObject({ status: 403, code: 403, metadata: { reasons: ["x"] } });
  });

  it("a 200 that is neither a stream nor JSON is an APIError naming the content type", async () => {
    const { client } = await serve({ text: "hello", headers: { "content-type": "text/html" } });
    const { error } = await collect(client.chat.stream(HELLO));
    expect(error).toBeInstanceOf(APIError);
    expect((error as Error).message).toContain("text/html instead of an event stream");
  });
});

describe("retries, before the first byte only", () => {
  it("retries 429 and 503 honouring Retry-After, then succeeds", async () => {
    const { client, server } = await serve([
      {
        status: 429,
        headers: { "retry-after": "0" },
        json: { error: { code: 429, message: "slow down" } },
      },
      {
        status: 503,
        headers: { "retry-after": "0" },
        json: { error: { code: 503, message: "busy" } },
      },
      ok,
    ]);
    const stream = client.chat.stream(HELLO);
    await collect(stream);
    await expect(stream.response).resolves.toMatchObject({ text: "fine" });
    expect(server.requests).toHaveLength(3);
  });

  it("gives up after maxRetries and throws the last error", async () => {
    const { client, server } = await serve(
      {
        status: 500,
        headers: { "retry-after": "0" },
        json: { error: { code: 500, message: "down" } },
      },
      { maxRetries: 1 },
    );
    const { error } = await collect(client.chat.stream(HELLO));
    expect(error).toMatchObject({ status: 500 });
    expect(server.requests).toHaveLength(2);
  });

  it("does not retry 400", async () => {
    const { client, server } = await serve({
      status: 400,
      json: { error: { code: 400, message: "bad" } },
    });
    await collect(client.chat.stream(HELLO));
    expect(server.requests).toHaveLength(1);
  });

  it("retries a connection refused, then reports a ConnectionError", async () => {
    const server = await startMockServer({ replies: ok });
    const baseURL = server.baseURL;
    await server.close();
    const client = new OpenRouter({ apiKey: TEST_API_KEY, baseURL, maxRetries: 0 });
    const { error } = await collect(client.chat.stream(HELLO));
    expect(error).toBeInstanceOf(ConnectionError);
    expect((error as ConnectionError).partial).toBeUndefined();
  });

  it("an abort during the wait between retries rejects at once", async () => {
    let arrived!: (request: RecordedRequest) => void;
    const firstRequest = new Promise<RecordedRequest>((resolve) => {
      arrived = resolve;
    });
    const { client, server } = await serve((request) => {
      arrived(request);
      return {
        status: 503,
        headers: { "retry-after": "30" },
        json: { error: { code: 503, message: "busy" } },
      };
    });
    const controller = new AbortController();
    const result = collect(client.chat.stream(HELLO, { signal: controller.signal }));
    await (await firstRequest).closed;
    controller.abort();
    const { error } = await result;
    expect(error).toBe(controller.signal.reason);
    expect(server.requests).toHaveLength(1);
  });

  it("parses Retry-After as seconds or an HTTP date", () => {
    const now = Date.parse("2026-11-25T10:00:00Z");
    expect(parseRetryAfter("3", now)).toBe(3);
    expect(parseRetryAfter("Wed, 25 Nov 2026 10:00:05 GMT", now)).toBe(5);
    expect(parseRetryAfter("Wed, 25 Nov 2026 09:00:00 GMT", now)).toBe(0);
    expect(parseRetryAfter("soon", now)).toBeUndefined();
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
  });

  it("backs off exponentially with jitter, and refuses a Retry-After over a minute", () => {
    expect(computeRetryDelay(0, undefined, () => 0)).toBe(250);
    expect(computeRetryDelay(0, undefined, () => 1)).toBe(500);
    expect(computeRetryDelay(3, undefined, () => 1)).toBe(4000);
    expect(computeRetryDelay(10, undefined, () => 1)).toBe(8000);
    expect(computeRetryDelay(0, 2)).toBe(2000);
    expect(computeRetryDelay(0, 61)).toBeUndefined();
  });
});

describe("the API key", () => {
  it("is sent as a bearer token with the attribution headers", async () => {
    const { client, server } = await serve(ok, {
      appUrl: "https://example.app",
      appTitle: "Example",
      headers: { "X-Custom": "1" },
    });
    await collect(client.chat.stream(HELLO));
    expect(server.requests[0]!.headers).toMatchObject({
      authorization: `Bearer ${TEST_API_KEY}`,
      "http-referer": "https://example.app",
      "x-openrouter-title": "Example",
      "x-custom": "1",
      accept: "text/event-stream",
    });
    expect(server.requests[0]!.body).toMatchObject({
      model: HELLO.model,
      stream: true,
      messages: HELLO.messages,
    });
  });

  it("never appears in an error, its inspection or the client's", async () => {
    const { client } = await serve({
      status: 401,
      json: { error: { code: 401, message: "No auth credentials found" } },
    });
    const { error } = await collect(client.chat.stream(HELLO));
    for (const text of [...printedForms(error), ...printedForms(client)]) {
      expect(text).not.toContain(TEST_API_KEY);
    }
    expect(isOpenRouterError(error)).toBe(true);
  });

  it("missing: a clear error at call time, before any request", () => {
    const saved = process.env.OPENROUTER_API_KEY;
    delete process.env.OPENROUTER_API_KEY;
    try {
      const client = new OpenRouter({ baseURL: "http://127.0.0.1:9/api/v1" });
      expect(() => client.chat.stream(HELLO)).toThrow(/OPENROUTER_API_KEY/);
    } finally {
      if (saved !== undefined) process.env.OPENROUTER_API_KEY = saved;
    }
  });
});

describe("complete()", () => {
  it("sends stream: false and returns the same ChatResponse", async () => {
    const { client, server } = await serve({
      json: {
        id: "gen-1",
        model: "openai/gpt-4o-mini",
        provider: "OpenAI",
        choices: [
          {
            index: 0,
            message: {
              role: "assistant",
              content: "Hi there",
              tool_calls: [
                {
                  id: "call_1",
                  type: "function",
                  function: { name: "lookup", arguments: '{"q":1}' },
                },
              ],
            },
            finish_reason: "tool_calls",
            native_finish_reason: "tool_calls",
          },
        ],
        usage: { prompt_tokens: 3, completion_tokens: 4, total_tokens: 7, cost: 0.1 },
      },
    });
    const response = await client.chat.complete(HELLO);
    expect(server.requests[0]!.body).toMatchObject({ stream: false });
    expect(response).toMatchObject({
      id: "gen-1",
      text: "Hi there",
      finishReason: "tool_calls",
      toolCalls: [{ index: 0, id: "call_1", name: "lookup", arguments: { q: 1 } }],
      usage: { inputTokens: 3, outputTokens: 4, totalTokens: 7, cost: 0.1 },
    });
  });
});
