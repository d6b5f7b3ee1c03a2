import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { OpenRouter, StreamError } from "../src/index.js";
import {
  type MockReply,
  type MockServer,
  renderEvents,
  startMockServer,
} from "../src/testing/index.js";
import { collect } from "./helpers/collect.js";
import { TEST_API_KEY } from "./helpers/server.js";
import { createTestTelemetry } from "./helpers/telemetry.js";

/** Where the error arrives (OPENROUTER_WIRE.md R2.1). */
type Place = "chunk" | "choice" | "bare" | "empty-choices" | "finish-only";

const word = fc.string({
  unit: fc.constantFrom("a", "é", "世", "👋🏽", '"', "\\", "\n", " ", "{"),
  minLength: 1,
  maxLength: 10,
});
const errorCase = fc.record({
  texts: fc.array(word, { maxLength: 6 }),
  place: fc.constantFrom<Place>("chunk", "choice", "bare", "empty-choices", "finish-only"),
  code: fc.oneof(
    fc.constantFrom(null, undefined),
    fc.constantFrom(400, 429, 502, 503),
    fc.constantFrom("server_error", "no_endpoints"),
  ),
  type: fc.option(fc.constantFrom("server_error", "invalid_request_error"), { nil: undefined }),
  errorType: fc.option(fc.constantFrom("rate_limit_exceeded", "provider_unavailable"), {
    nil: undefined,
  }),
  message: fc.stringMatching(/^[A-Za-z][A-Za-z .]{0,30}$/),
  messageIsJson: fc.boolean(),
  done: fc.boolean(),
  writes: fc.array(fc.integer({ min: 1, max: 48 }), { minLength: 1, maxLength: 8 }),
});
type ErrorCase = typeof errorCase extends fc.Arbitrary<infer T> ? T : never;

function render(c: ErrorCase): string {
  const chunk = (delta: object, finishReason: string | null = null, extra: object = {}) => ({
    id: "gen-p",
    choices: [{ index: 0, delta, finish_reason: finishReason, ...extra }],
  });
  const error: Record<string, unknown> = {
    message: c.messageIsJson ? JSON.stringify({ error: { message: c.message } }) : c.message,
    metadata: c.errorType === undefined ? undefined : { error_type: c.errorType },
  };
  if (c.code !== undefined) error.code = c.code;
  if (c.type !== undefined) error.type = c.type;
  const events: unknown[] = c.texts.map((text) => chunk({ content: text }));
  switch (c.place) {
    case "chunk":
      events.push({ ...chunk({ content: "" }, "error"), error });
      break;
    case "choice":
      events.push(chunk({ content: "" }, "error", { error }));
      break;
    case "bare":
      events.push({ error, user_id: "user_1" });
      break;
    case "empty-choices":
      events.push({ id: "gen-p", choices: [], error });
      break;
    case "finish-only":
      events.push(chunk({}, "error", { native_finish_reason: "MALFORMED_FUNCTION_CALL" }));
      break;
  }
  if (c.done) events.push("[DONE]");
  return renderEvents(events);
}

let server: MockServer;
let reply: MockReply = {};
beforeAll(async () => {
  server = await startMockServer({ replies: () => reply });
});
afterAll(() => server.close());

describe("errors, property", () => {
  it("any error shape at any point: StreamError with the text before it and the server's words", async () => {
    const telemetry = createTestTelemetry();
    const client = new OpenRouter({
      apiKey: TEST_API_KEY,
      baseURL: server.baseURL,
      tracerProvider: telemetry.tracerProvider,
      maxRetries: 0,
    });
    let runs = 0;
    await fc.assert(
      fc.asyncProperty(errorCase, async (c) => {
        runs++;
        reply = { sse: render(c), writes: c.writes };
        const stream = client.chat.stream({
          model: "m",
          messages: [{ role: "user", content: "x" }],
        });
        const { events, error } = await collect(stream);
        expect(events).toEqual(c.texts.map((text) => ({ type: "text", text })));
        expect(error).toBeInstanceOf(StreamError);
        const streamError = error as StreamError;
        expect(streamError.partial.text).toBe(c.texts.join(""));
        const spans = telemetry.spans();
        expect(spans).toHaveLength(runs);
        const errorType = spans.at(-1)?.attributes["error.type"];
        if (c.place === "finish-only") {
          expect(streamError.message).toContain("MALFORMED_FUNCTION_CALL");
          expect(errorType).toBe("StreamError");
          return;
        }
        const code = c.code ?? undefined;
        expect(streamError.code).toBe(code);
        expect(streamError.type).toBe(c.type);
        expect(streamError.errorType).toBe(c.errorType);
        expect(streamError.message).toContain(c.message);
        expect(streamError.message).not.toContain("{");
        expect(errorType).toBe(String(code ?? c.type ?? c.errorType ?? "StreamError"));
        await expect(stream.response).rejects.toBe(error);
      }),
      { numRuns: 120 },
    );
  });
});
