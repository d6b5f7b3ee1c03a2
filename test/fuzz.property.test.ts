import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ChatEvent, isOpenRouterError, OpenRouter, type ToolCall } from "../src/index.js";
import { isJson } from "../src/stream/json-end-scanner.js";
import {
  type MockReply,
  type MockServer,
  renderEvents,
  startMockServer,
} from "../src/testing/index.js";
import { collect, joinDeltas } from "./helpers/collect.js";
import { TEST_API_KEY } from "./helpers/server.js";
import { createTestTelemetry } from "./helpers/telemetry.js";

type Step =
  | { kind: "text" | "reasoning"; text: string }
  | { kind: "tool"; index: number; fragment: string }
  | { kind: "image"; size: number }
  | { kind: "annotation"; url: string }
  | { kind: "comment" };

/** Text that exercises UTF-8 and JSON escaping: multi-byte characters, quotes, newlines. */
const piece = fc.string({
  unit: fc.constantFrom(
    "a",
    "b",
    " ",
    "é",
    "世",
    "👋🏽",
    '"',
    "\\",
    "\n",
    "\r",
    "{",
    "}",
    ":",
    "\u2028",
  ),
  minLength: 1,
  maxLength: 12,
});
const step: fc.Arbitrary<Step> = fc.oneof(
  fc.record({ kind: fc.constant("text" as const), text: piece }),
  fc.record({ kind: fc.constant("reasoning" as const), text: piece }),
  fc.record({
    kind: fc.constant("tool" as const),
    index: fc.integer({ min: 0, max: 2 }),
    fragment: piece,
  }),
  fc.record({ kind: fc.constant("image" as const), size: fc.integer({ min: 0, max: 3000 }) }),
  fc.record({ kind: fc.constant("annotation" as const), url: piece }),
  fc.record({ kind: fc.constant("comment" as const) }),
);

/** An image item as OpenRouter streams it: a data URL, whole in one chunk. */
const imageOf = (size: number) => ({
  type: "image_url",
  image_url: { url: `data:image/png;base64,${"QUJD".repeat(size)}` },
});
const annotationOf = (url: string) => ({ type: "url_citation", url_citation: { url } });
const scenario = fc.record({
  steps: fc.array(step, { maxLength: 25 }),
  finish: fc.constantFrom("stop", "tool_calls", "length"),
  lineEnding: fc.constantFrom("\n", "\r\n", "\r"),
  writes: fc.array(fc.integer({ min: 1, max: 64 }), { minLength: 1, maxLength: 20 }),
});

/** Renders the scenario as OpenRouter would send it. */
function render(steps: Step[], finish: string): string {
  const chunk = (delta: object, finishReason: string | null = null) => ({
    id: "gen-fuzz",
    model: "fuzz/model",
    choices: [{ index: 0, delta, finish_reason: finishReason }],
  });
  const started = new Set<number>();
  const events: unknown[] = steps.map((s) => {
    switch (s.kind) {
      case "text":
        return chunk({ content: s.text });
      case "reasoning":
        return chunk({ reasoning: s.text });
      case "image":
        return chunk({ content: "", images: [imageOf(s.size)] });
      case "annotation":
        return chunk({ content: "", annotations: [annotationOf(s.url)] });
      case "tool": {
        const first = !started.has(s.index);
        started.add(s.index);
        const fn = first
          ? { name: `fn_${s.index}`, arguments: s.fragment }
          : { arguments: s.fragment };
        return chunk({
          tool_calls: [
            {
              index: s.index,
              ...(first ? { id: `call_${s.index}`, type: "function" } : {}),
              function: fn,
            },
          ],
        });
      }
      default:
        return ": OPENROUTER PROCESSING";
    }
  });
  events.push(
    chunk({}, finish),
    { id: "gen-fuzz", choices: [], usage: { prompt_tokens: 1, completion_tokens: 2 } },
    "[DONE]",
  );
  return renderEvents(events);
}

/** The reference model: the events and response the stream must produce, built independently. */
function predict(
  steps: Step[],
  finish: string,
): { events: ChatEvent[]; text: string; toolCalls: ToolCall[]; annotations: unknown[] } {
  const events: ChatEvent[] = [];
  const tools = new Map<number, string[]>();
  const annotations: unknown[] = [];
  let text = "";
  for (const s of steps) {
    if (s.kind === "text" || s.kind === "reasoning") {
      events.push({ type: s.kind, text: s.text });
      if (s.kind === "text") text += s.text;
    } else if (s.kind === "image") {
      events.push({ type: "image", image: imageOf(s.size) });
    } else if (s.kind === "annotation") {
      annotations.push(annotationOf(s.url));
    } else if (s.kind === "tool") {
      const fragments = tools.get(s.index) ?? [];
      tools.set(s.index, fragments);
      // Whitespace after arguments that are already a whole JSON object or array adds nothing.
      const sofar = fragments.join("");
      const container = /^\s*[[{]/.test(sofar);
      if (s.fragment.trim() === "" && container && isJson(sofar)) continue;
      fragments.push(s.fragment);
      events.push({
        type: "tool_call_delta",
        index: s.index,
        id: `call_${s.index}`,
        name: `fn_${s.index}`,
        argumentsDelta: s.fragment,
      });
    }
  }
  const toolCalls = [...tools.entries()]
    .sort(([a], [b]) => a - b)
    .map(([index, fragments]): ToolCall => {
      const argumentsText = fragments.join("");
      const call: ToolCall = {
        index,
        id: `call_${index}`,
        name: `fn_${index}`,
        arguments: undefined,
        argumentsText,
      };
      try {
        call.arguments = argumentsText.trim() === "" ? {} : JSON.parse(argumentsText);
      } catch {
        call.argumentsError = finish === "length" ? "cut off" : "not valid JSON";
      }
      return call;
    });
  for (const toolCall of toolCalls) events.push({ type: "tool_call", toolCall });
  return { events, text, toolCalls, annotations };
}

let server: MockServer;
let reply: MockReply = {};
beforeAll(async () => {
  server = await startMockServer({ replies: () => reply });
});
afterAll(() => server.close());

describe("fuzz", () => {
  it("random valid streams: the events and response match the reference model, one span each", async () => {
    const telemetry = createTestTelemetry();
    const client = new OpenRouter({
      apiKey: TEST_API_KEY,
      baseURL: server.baseURL,
      tracerProvider: telemetry.tracerProvider,
    });
    let runs = 0;
    await fc.assert(
      fc.asyncProperty(scenario, async ({ steps, finish, lineEnding, writes }) => {
        runs++;
        reply = { sse: render(steps, finish).replaceAll("\n", lineEnding), writes };
        const { events, error } = await collect(
          client.chat.stream({ model: "fuzz/model", messages: [{ role: "user", content: "x" }] }),
        );
        expect(error).toBeUndefined();
        const expected = predict(steps, finish);
        const final = events.at(-1);
        expect(joinDeltas(events.slice(0, -1)).map(withoutArgumentsError)).toEqual(
          joinDeltas(expected.events).map(withoutArgumentsError),
        );
        expect(final?.type).toBe("final");
        if (final?.type !== "final") return;
        expect(final.response.text).toBe(expected.text);
        expect(final.response.annotations).toEqual(expected.annotations);
        expect(final.response.images).toEqual(
          expected.events.flatMap((event) => (event.type === "image" ? [event.image] : [])),
        );
        expect(final.response.finishReason).toBe(finish);
        expect(final.response.toolCalls.map((call) => call.argumentsError === undefined)).toEqual(
          expected.toolCalls.map((call) => call.argumentsError === undefined),
        );
        expect(telemetry.spans()).toHaveLength(runs);
      }),
      { numRuns: 150 },
    );
  });

  it("random garbage bodies: success or a typed OpenRouterError, never a hang or anything else", async () => {
    const client = new OpenRouter({
      apiKey: TEST_API_KEY,
      baseURL: server.baseURL,
      timeoutMs: 1_000,
      maxRetries: 0,
    });
    const garbage = fc.oneof(
      fc.uint8Array({ maxLength: 400 }).map((bytes) => Buffer.from(bytes)),
      fc
        .array(
          fc.constantFrom(
            "data: ",
            "data:",
            "[DONE]",
            "{",
            "}",
            '"choices"',
            ":",
            "\n",
            "\r",
            "\r\n",
            ": c",
            "null",
            "[",
            "]",
            '"error"',
            "é",
            "\u0000",
          ),
          { maxLength: 60 },
        )
        .map((parts) => Buffer.from(parts.join(""))),
    );
    await fc.assert(
      fc.asyncProperty(
        garbage,
        fc.constantFrom("text/event-stream", "application/json", "text/html"),
        async (body, contentType) => {
          reply = { sse: body, headers: { "content-type": contentType } };
          const { error } = await collect(
            client.chat.stream({ model: "m", messages: [{ role: "user", content: "x" }] }),
          );
          if (error !== undefined) expect(isOpenRouterError(error), String(error)).toBe(true);
        },
      ),
      { numRuns: 200 },
    );
  });
});

/** The model predicts whether arguments are valid, not the wording of the error. */
function withoutArgumentsError(event: ChatEvent): ChatEvent {
  if (event.type !== "tool_call") return event;
  const { argumentsError, ...toolCall } = event.toolCall;
  return {
    type: "tool_call",
    toolCall: {
      ...toolCall,
      arguments: argumentsError === undefined ? toolCall.arguments : undefined,
    },
  };
}

describe("JSON of the wrong shape", () => {
  it.each([
    ["tool_calls that is not a list", { choices: [{ delta: { tool_calls: { index: 0 } } }] }],
    ["a null reasoning detail", { choices: [{ delta: { reasoning_details: [null] } }] }],
    ["a null tool call", { choices: [{ delta: { tool_calls: [null] } }] }],
  ])("%s is a ParseError", async (_, chunk) => {
    reply = { events: [chunk, "[DONE]"] };
    const client = new OpenRouter({ apiKey: TEST_API_KEY, baseURL: server.baseURL, maxRetries: 0 });
    const { error } = await collect(
      client.chat.stream({ model: "m", messages: [{ role: "user", content: "x" }] }),
    );
    expect(error).toMatchObject({
      name: "ParseError",
      message: "The stream sent a chunk of an unexpected shape",
    });
  });
});
