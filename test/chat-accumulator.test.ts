import { describe, expect, it, vi } from "vitest";
import type { ChatEvent } from "../src/index.js";
import { ChatAccumulator } from "../src/stream/chat-accumulator.js";
import type { WireChunk } from "../src/wire.js";

/** Each chunk as if it came in a read of its own: its events handed out before the next. */
function run(chunks: WireChunk[]) {
  const accumulator = new ChatAccumulator();
  const events: ChatEvent[] = [];
  for (const chunk of chunks) {
    const out: ChatEvent[] = [];
    accumulator.push(chunk, out);
    events.push(...out);
  }
  const response = accumulator.finish(events);
  return { events, response };
}

const toolDelta = (
  index: number,
  args: string,
  extra: object = {},
  finish: string | null = null,
): WireChunk => ({
  id: "gen-1",
  choices: [
    {
      index: 0,
      delta: { tool_calls: [{ index, function: { arguments: args }, ...extra }] },
      finish_reason: finish,
    },
  ],
});
const finish = (reason: string | null): WireChunk => ({
  id: "gen-1",
  choices: [{ index: 0, delta: {}, finish_reason: reason }],
});

describe("the deltas of one read", () => {
  const delta = (fields: object): WireChunk => ({
    id: "gen-1",
    choices: [{ index: 0, delta: fields, finish_reason: null }],
  });

  it("are joined when text follows text or reasoning reasoning; tool fragments stay apart", () => {
    const accumulator = new ChatAccumulator();
    const out: ChatEvent[] = [];
    for (const chunk of [
      delta({ reasoning: "Let me " }),
      delta({ reasoning: "think." }),
      delta({ content: "Hel" }),
      delta({ content: "lo" }),
      toolDelta(0, '{"a":', { id: "call_a", function: { name: "first", arguments: '{"a":' } }),
      toolDelta(0, "1}"),
      toolDelta(1, '{"b":2}', { id: "call_b", function: { name: "second", arguments: '{"b":2}' } }),
      delta({ content: "!" }),
    ])
      accumulator.push(chunk, out);
    expect(out).toEqual([
      { type: "reasoning", text: "Let me think." },
      { type: "text", text: "Hello" },
      { type: "tool_call_delta", index: 0, id: "call_a", name: "first", argumentsDelta: '{"a":' },
      { type: "tool_call_delta", index: 0, id: "call_a", name: "first", argumentsDelta: "1}" },
      {
        type: "tool_call_delta",
        index: 1,
        id: "call_b",
        name: "second",
        argumentsDelta: '{"b":2}',
      },
      { type: "text", text: "!" },
    ]);
  });

  it("never change an event already handed out", () => {
    const accumulator = new ChatAccumulator();
    const first: ChatEvent[] = [];
    accumulator.push(delta({ content: "Hel" }), first);
    const handedOut = { ...first[0] };
    const next: ChatEvent[] = [];
    accumulator.push(delta({ content: "lo" }), next);
    expect(first).toEqual([handedOut]);
    expect(next).toEqual([{ type: "text", text: "lo" }]);
    expect(accumulator.snapshot().text).toBe("Hello");
  });
});

describe("a finished response", () => {
  it("is the partial from then on, built once: the pieces it was built from are let go", () => {
    const accumulator = new ChatAccumulator();
    const out: ChatEvent[] = [];
    for (const content of ["Hel", "lo"])
      accumulator.push({ id: "gen-1", choices: [{ index: 0, delta: { content } }] }, out);
    accumulator.push(
      toolDelta(0, '{"a":1}', { id: "call_a", function: { name: "f", arguments: '{"a":1}' } }),
      out,
    );
    accumulator.push(finish("stop"), out);
    const finished = accumulator.finish(out);
    expect(accumulator.snapshot()).toBe(finished);
    expect(finished.text).toBe("Hello");
    expect(finished.toolCalls.map((call) => call.argumentsText)).toEqual(['{"a":1}']);
  });
});

describe("tool calls", () => {
  it("each call is emitted once, in index order, when the finish reason is repeated", () => {
    const { events } = run([
      toolDelta(1, '{"b":2}', { id: "call_b", function: { name: "second", arguments: '{"b":2}' } }),
      toolDelta(0, '{"a":1}', { id: "call_a", function: { name: "first", arguments: '{"a":1}' } }),
      finish("tool_calls"),
      finish("tool_calls"),
      finish(null),
    ]);
    const calls = events.filter((event) => event.type === "tool_call");
    expect(calls.map((event) => event.toolCall)).toEqual([
      { index: 0, id: "call_a", name: "first", arguments: { a: 1 }, argumentsText: '{"a":1}' },
      { index: 1, id: "call_b", name: "second", arguments: { b: 2 }, argumentsText: '{"b":2}' },
    ]);
    expect(events.at(-1)?.type).toBe("final");
  });

  it("are complete when the finish reason is stop or missing", () => {
    for (const reason of ["stop", null]) {
      const { response } = run([
        toolDelta(0, "", { id: "call_1", function: { name: "now", arguments: "" } }),
        finish(reason),
      ]);
      expect(response.toolCalls).toEqual([
        { index: 0, id: "call_1", name: "now", arguments: {}, argumentsText: "" },
      ]);
    }
  });

  it("a call cut by length says so and hands over no arguments", () => {
    const { response } = run([
      toolDelta(0, '{"query": "long', {
        id: "call_1",
        function: { name: "search", arguments: '{"query": "long' },
      }),
      finish("length"),
    ]);
    const [call] = response.toolCalls;
    expect(call).toMatchObject({ arguments: undefined, argumentsText: '{"query": "long' });
    expect(call?.argumentsError).toMatch(/cut off.*length/);
  });

  it("assembles megabytes of arguments from thousands of fragments", () => {
    const value = "x".repeat(64 - 2);
    const fragments = Array.from({ length: 16_000 }, () => `"${value}"`);
    const text = `[${fragments.join(",")}]`;
    const chunks: WireChunk[] = [
      toolDelta(0, "", { id: "call_big", function: { name: "bulk", arguments: "" } }),
    ];
    for (let i = 0; i < text.length; i += 64) chunks.push(toolDelta(0, text.slice(i, i + 64)));
    chunks.push(finish("tool_calls"));
    const { response, events } = run(chunks);
    expect(events.filter((event) => event.type === "tool_call_delta")).toHaveLength(
      chunks.length - 1,
    );
    expect(response.toolCalls[0]?.argumentsText).toBe(text);
    expect(response.toolCalls[0]?.arguments).toHaveLength(16_000);
  });
});

describe("pretty-printed tool arguments (a whitespace fragment every line)", () => {
  it("are parsed once whole, not on every whitespace fragment (that was quadratic)", () => {
    const value = { items: Array.from({ length: 300 }, (_, i) => ({ id: i, tags: ["a", "b"] })) };
    const text = JSON.stringify(value, null, 2);
    // Tokens as a model streams them: each run of whitespace is a fragment of its own.
    const tokens = text.split(/(\s+)/).filter((token) => token !== "");
    const chunks = [toolDelta(0, "", { id: "call_p", function: { name: "save", arguments: "" } })];
    for (const token of tokens) chunks.push(toolDelta(0, token));
    chunks.push(toolDelta(0, " "), toolDelta(0, "\n"), finish("tool_calls"));
    const parse = vi.spyOn(JSON, "parse");
    try {
      const { response, events } = run(chunks);
      // Parsed twice in all: to tell that the whitespace after the last brace adds nothing,
      // and to build the call.
      expect(parse.mock.calls.map(([arg]) => arg)).toEqual([text, text]);
      expect(response.toolCalls[0]?.argumentsText).toBe(text);
      expect(response.toolCalls[0]?.arguments).toEqual(value);
      // Whitespace inside the arguments is passed on; after them, nothing.
      expect(events.filter((event) => event.type === "tool_call_delta")).toHaveLength(
        tokens.length + 1,
      );
    } finally {
      parse.mockRestore();
    }
  });
});

describe("whitespace fragments between other fragments, from a server that misbehaves", () => {
  it.each([
    ["a growing number", ["1", " "]],
    ["text after a closed object", ["{}", " ", "x", " "]],
  ])("%s: parsed at most once per call, however many there are", (_case, cycle) => {
    const chunks = [toolDelta(0, "", { id: "call_w", function: { name: "f", arguments: "" } })];
    for (let i = 0; i < 2000; i++) for (const piece of cycle) chunks.push(toolDelta(0, piece));
    chunks.push(finish("tool_calls"));
    const parse = vi.spyOn(JSON, "parse");
    try {
      run(chunks);
      // One parse to build the call, at most one more to tell a closed object's whitespace.
      expect(parse.mock.calls.length).toBeLessThanOrEqual(2);
    } finally {
      parse.mockRestore();
    }
  });
});

describe("reasoning details", () => {
  it("keeps encrypted blocks whole and blocks in order of first appearance", () => {
    const { response } = run([
      {
        choices: [
          {
            delta: {
              reasoning_details: [
                {
                  type: "reasoning.summary",
                  summary: "First ",
                  index: 0,
                  format: "openai-responses-v1",
                  id: "rs_1",
                },
              ],
            },
          },
        ],
      },
      {
        choices: [
          {
            delta: {
              reasoning_details: [{ type: "reasoning.summary", summary: "step.", index: 0 }],
            },
          },
        ],
      },
      {
        choices: [
          {
            delta: {
              reasoning_details: [
                {
                  type: "reasoning.encrypted",
                  data: "ZW5j",
                  index: 1,
                  format: "openai-responses-v1",
                },
              ],
            },
          },
        ],
      },
      finish("stop"),
    ]);
    expect(response.reasoningDetails).toEqual([
      {
        type: "reasoning.summary",
        summary: "First step.",
        index: 0,
        format: "openai-responses-v1",
        id: "rs_1",
      },
      { type: "reasoning.encrypted", data: "ZW5j", index: 1, format: "openai-responses-v1" },
    ]);
  });
});

describe("usage and finish reasons", () => {
  it("reads usage from any chunk, and a later null never erases the finish reason", () => {
    const { response } = run([
      {
        choices: [
          { delta: { content: "hi" }, finish_reason: "stop", native_finish_reason: "end_turn" },
        ],
      },
      {
        choices: [{ delta: {}, finish_reason: null, native_finish_reason: null }],
        usage: { prompt_tokens: 5, completion_tokens: 1 },
      },
    ]);
    expect(response).toMatchObject({
      text: "hi",
      finishReason: "stop",
      nativeFinishReason: "end_turn",
      usage: { inputTokens: 5, outputTokens: 1, totalTokens: 6 },
    });
  });
});

describe("rarer fields", () => {
  it("keeps a refusal and url citations", () => {
    const citation = {
      type: "url_citation",
      url_citation: { url: "https://example.com", title: "Example" },
    };
    const { response, events } = run([
      { choices: [{ delta: { refusal: "I can't " } }] },
      { choices: [{ delta: { refusal: "help with that.", annotations: [citation] } }] },
      finish("stop"),
    ]);
    expect(response.refusal).toBe("I can't help with that.");
    expect(response.annotations).toEqual([citation]);
    expect(events.map((event) => event.type)).toEqual(["final"]);
  });
});

describe("a model that is not a string", () => {
  it("is no model: it would name the call's metric series and attributes", () => {
    const chunk = (model: unknown): WireChunk =>
      ({ id: "gen-1", model, choices: [{ index: 0, delta: { content: "a" } }] }) as WireChunk;
    expect(run([chunk(["ab"]), chunk(42)]).response.model).toBe("");
    expect(run([chunk("m/1"), chunk({ name: "x" })]).response.model).toBe("m/1");
  });
});
