import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { ChatEvent } from "../src/index.js";
import { ChatAccumulator } from "../src/stream/chat-accumulator.js";
import type { WireChunk } from "../src/wire.js";
import { cutText } from "./helpers/cut-text.js";

const fragmentChunk = (index: number, piece: string): WireChunk => ({
  id: "gen-1",
  choices: [{ index: 0, delta: { tool_calls: [{ index, function: { arguments: piece } }] } }],
});

/** Arguments long enough, pretty-printed or not, to span several blocks of fragments. */
const argumentsValue = fc.record({
  items: fc.array(fc.record({ id: fc.integer(), tag: fc.string({ maxLength: 12 }) }), {
    minLength: 10,
    maxLength: 60,
  }),
});
const cuts = fc.uniqueArray(fc.integer({ min: 1, max: 4000 }), { maxLength: 900, size: "max" });

describe("a tool call's arguments, streamed in any number of fragments", () => {
  it("are every fragment in order; whitespace after the whole JSON adds nothing; a snapshot sees a prefix", () => {
    fc.assert(
      fc.property(
        fc.tuple(argumentsValue, fc.boolean(), cuts),
        fc.tuple(argumentsValue, fc.boolean(), cuts),
        fc.array(fc.boolean(), { maxLength: 2000, size: "max" }),
        fc.array(fc.nat({ max: 2000 }), { maxLength: 4 }),
        ([valueA, prettyA, cutsA], [valueB, prettyB, cutsB], schedule, snapshotsAt) => {
          const texts = [
            JSON.stringify(valueA, null, prettyA ? 2 : 0),
            JSON.stringify(valueB, null, prettyB ? 2 : 0),
          ];
          // Each call ends with the whitespace some models send after whole arguments.
          const queues = texts.map((text, index) => [
            // No empty piece: an empty fragment is not a fragment.
            ...cutText(text, index === 0 ? cutsA : cutsB).filter((piece) => piece !== ""),
            " ",
            "\n",
          ]);
          const accumulator = new ChatAccumulator();
          const events: ChatEvent[] = [];
          let step = 0;
          while (queues[0]!.length > 0 || queues[1]!.length > 0) {
            const index =
              queues[0]!.length === 0 ? 1 : queues[1]!.length === 0 ? 0 : schedule[step] ? 1 : 0;
            accumulator.push(fragmentChunk(index, queues[index]!.shift()!), events);
            if (snapshotsAt.includes(step)) {
              for (const call of accumulator.snapshot().toolCalls)
                expect(texts[call.index]!.startsWith(call.argumentsText)).toBe(true);
            }
            step++;
          }
          const calls = accumulator.finish(events).toolCalls;
          expect(calls.map((call) => call.argumentsText)).toEqual(texts);
          expect(calls.map((call) => call.arguments)).toEqual(texts.map((t) => JSON.parse(t)));
          expect(calls.every((call) => call.argumentsError === undefined)).toBe(true);
        },
      ),
      // Inputs this large shrink for minutes: the first counterexample is reported as found.
      { numRuns: 150, endOnFailure: true },
    );
  });

  it("are joined whole across thousands of fragments, then parsed", () => {
    const text = JSON.stringify({ data: "x".repeat(70_000) });
    const accumulator = new ChatAccumulator();
    const events: ChatEvent[] = [];
    for (let at = 0; at < text.length; at += 7)
      accumulator.push(fragmentChunk(0, text.slice(at, at + 7)), events);
    const [call] = accumulator.finish(events).toolCalls;
    expect(call?.argumentsText).toBe(text);
    expect(call?.arguments).toEqual({ data: "x".repeat(70_000) });
  });
});

describe("a whole message's tool call", () => {
  it("takes arguments sent as an object (off the wire's shape) as their JSON text", () => {
    const accumulator = new ChatAccumulator();
    const events: ChatEvent[] = [];
    const message = {
      role: "assistant",
      tool_calls: [
        { id: "call_1", function: { name: "store", arguments: { city: "Lisbon" } } },
        { id: "call_2", function: { name: "now", arguments: null } },
      ],
    };
    accumulator.push(
      { id: "gen-1", choices: [{ index: 0, message, finish_reason: "tool_calls" }] } as WireChunk,
      events,
    );
    const calls = accumulator.finish(events).toolCalls;
    expect(calls).toEqual([
      {
        index: 0,
        id: "call_1",
        name: "store",
        arguments: { city: "Lisbon" },
        argumentsText: '{"city":"Lisbon"}',
      },
      { index: 1, id: "call_2", name: "now", arguments: {}, argumentsText: "" },
    ]);
  });
});
