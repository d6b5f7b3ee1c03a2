import { inspect } from "node:util";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { ChatEvent, ToolCall } from "../src/index.js";
import { ChatAccumulator } from "../src/stream/chat-accumulator.js";
import type { WireChunk } from "../src/wire.js";

/** The one tool call of a stream that sent `args` in two fragments, then `finishReason`. */
function toolCall(args: string, finishReason = "tool_calls"): ToolCall {
  const accumulator = new ChatAccumulator();
  const events: ChatEvent[] = [];
  const half = Math.floor(args.length / 2);
  const chunks: WireChunk[] = [
    {
      id: "gen-1",
      choices: [
        {
          index: 0,
          delta: {
            tool_calls: [
              {
                index: 0,
                id: "call_1",
                function: { name: "store", arguments: args.slice(0, half) },
              },
            ],
          },
        },
      ],
    },
    {
      id: "gen-1",
      choices: [
        {
          index: 0,
          delta: { tool_calls: [{ index: 0, function: { arguments: args.slice(half) } }] },
          finish_reason: finishReason,
        },
      ],
    },
  ];
  for (const chunk of chunks) accumulator.push(chunk, events);
  const [call] = accumulator.finish(events).toolCalls;
  if (call === undefined) throw new Error("no tool call");
  return call;
}

const isAccessor = (call: ToolCall, key: string) =>
  Object.getOwnPropertyDescriptor(call, key)?.get !== undefined;

describe("a tool call's parsed arguments", () => {
  it("are parsed when first read, then are a plain property; argumentsError is gone", () => {
    const call = toolCall('{"city":"Lisbon"}');
    expect(isAccessor(call, "arguments")).toBe(true);
    expect(call.arguments).toEqual({ city: "Lisbon" });
    expect(call.arguments).toBe(call.arguments); // parsed once, the same object every read
    expect(isAccessor(call, "arguments")).toBe(false);
    expect(Object.hasOwn(call, "argumentsError")).toBe(false);
    expect(Object.keys(call)).toEqual(["index", "id", "name", "arguments", "argumentsText"]);
  });

  it("read through argumentsError first: undefined arguments and the reason, as plain properties", () => {
    const call = toolCall('{"query": "long', "length");
    expect(call.argumentsError).toMatch(/cut off.*length/);
    expect(isAccessor(call, "argumentsError")).toBe(false);
    expect(call.arguments).toBeUndefined();
    expect(Object.keys(call)).toEqual([
      "index",
      "id",
      "name",
      "arguments",
      "argumentsText",
      "argumentsError",
    ]);
  });

  it("reach JSON, a spread copy, a structured clone and console.log without being read first", () => {
    const expected = { city: "Lisbon" };
    expect(JSON.parse(JSON.stringify(toolCall('{"city":"Lisbon"}'))).arguments).toEqual(expected);
    const copy = { ...toolCall('{"city":"Lisbon"}') };
    expect(Object.getOwnPropertyDescriptor(copy, "arguments")?.value).toEqual(expected);
    expect(structuredClone(toolCall('{"city":"Lisbon"}')).arguments).toEqual(expected);
    const shown = inspect(toolCall('{"city":"Lisbon"}'));
    expect(shown).toContain("arguments: { city: 'Lisbon' }");
    expect(shown).not.toContain("Getter");
  });

  it("can be replaced before or after they are read, and argumentsError cleared", () => {
    const before = toolCall('{"city":"Lisbon"}');
    before.arguments = { city: "Porto" };
    expect(before.arguments).toEqual({ city: "Porto" });

    const bad = toolCall("{oops", "stop");
    expect(bad.argumentsError).toBe("the arguments are not valid JSON");
    bad.arguments = {};
    delete bad.argumentsError;
    expect(bad).toEqual({
      index: 0,
      id: "call_1",
      name: "store",
      arguments: {},
      argumentsText: "{oops",
    });

    const relabelled = toolCall("{oops", "stop");
    relabelled.argumentsError = "repaired";
    expect(relabelled.argumentsError).toBe("repaired");
  });

  it("still answer when the call was frozen before they were read, and refuse a new value", () => {
    const call = Object.freeze(toolCall('{"city":"Lisbon"}'));
    expect(call.arguments).toEqual({ city: "Lisbon" });
    expect(call.argumentsError).toBeUndefined();
    expect(() => {
      (call as ToolCall).arguments = {};
    }).toThrow(TypeError);
    expect(call.arguments).toEqual({ city: "Lisbon" });
  });

  it("are {} for a call sent without arguments", () => {
    const call = toolCall("");
    expect(call.arguments).toEqual({});
    expect(call.argumentsError).toBeUndefined();
  });
});

describe("a tool call's arguments text", () => {
  it("is every fragment in order, however many (blocks of them are joined as they come)", () => {
    const fragment = fc.string({ minLength: 1, maxLength: 8 }).filter((text) => text.trim() !== "");
    fc.assert(
      fc.property(fc.array(fragment, { maxLength: 1200, size: "max" }), (fragments) => {
        const accumulator = new ChatAccumulator();
        const events: ChatEvent[] = [];
        for (const piece of fragments) {
          accumulator.push(
            {
              id: "gen-1",
              choices: [
                {
                  index: 0,
                  delta: { tool_calls: [{ index: 0, function: { arguments: piece } }] },
                },
              ],
            },
            events,
          );
        }
        const calls = accumulator.finish(events).toolCalls;
        expect(calls.map((call) => call.argumentsText)).toEqual(
          fragments.length === 0 ? [] : [fragments.join("")],
        );
      }),
      { numRuns: 200 },
    );
  });
});
