import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { ChatEvent, ReasoningDetail } from "../src/index.js";
import { ChatAccumulator } from "../src/stream/chat-accumulator.js";
import type { WireChunk } from "../src/wire.js";

/** Which field carries a block's content, by type; unknown types carry theirs in `text` here. */
const FIELD: Record<string, "text" | "summary" | "data"> = {
  "reasoning.text": "text",
  "reasoning.summary": "summary",
  "reasoning.encrypted": "data",
  "reasoning.future_kind": "text",
};
const TYPES = Object.keys(FIELD);

/** Blocks with distinct (type, index) keys, each cut into fragments. */
const blocks = fc.uniqueArray(
  fc.record({
    type: fc.constantFrom(...TYPES),
    index: fc.integer({ min: 0, max: 2 }),
    format: fc.constantFrom(null, "unknown", "anthropic-claude-v1", "bedrock-xai-responses-v1"),
    fragments: fc.array(fc.string({ minLength: 1, maxLength: 6 }), { minLength: 1, maxLength: 5 }),
  }),
  { selector: (block) => `${block.type}/${block.index}`, maxLength: 6 },
);

describe("reasoning details, property (OPENROUTER_WIRE.md R2.2)", () => {
  it("any blocks, fragments interleaved in any order: merged by (type, index), in order of first appearance", () => {
    fc.assert(
      fc.property(blocks, fc.array(fc.nat()), (given, choices) => {
        // An interleaving that keeps each block's own fragments in order.
        const cursors = given.map(() => 0);
        const order: number[] = [];
        let pick = 0;
        while (order.length < given.reduce((n, b) => n + b.fragments.length, 0)) {
          const open = given.flatMap((b, i) => (cursors[i]! < b.fragments.length ? [i] : []));
          const i = open[(choices[pick++] ?? 0) % open.length]!;
          order.push(i);
          cursors[i]!++;
        }
        const seen = given.map(() => 0);
        const firstSeen: number[] = [];
        let visible = "";
        const accumulator = new ChatAccumulator();
        const events: ChatEvent[] = [];
        for (const i of order) {
          const block = given[i]!;
          const fragment = block.fragments[seen[i]!++]!;
          if (!firstSeen.includes(i)) firstSeen.push(i);
          const field = FIELD[block.type]!;
          if (block.type === "reasoning.text" || block.type === "reasoning.summary")
            visible += fragment;
          const detail = { type: block.type, index: block.index, format: block.format };
          const chunk: WireChunk = {
            id: "gen-r",
            // `reasoning` repeats the text: visible reasoning must not count it twice.
            choices: [
              {
                index: 0,
                delta: {
                  reasoning: fragment,
                  reasoning_details: [{ ...detail, [field]: fragment }],
                },
              },
            ],
          };
          accumulator.push(chunk, events);
        }
        const response = accumulator.finish(events);
        const expected: ReasoningDetail[] = firstSeen.map((i) => {
          const block = given[i]!;
          return {
            type: block.type,
            index: block.index,
            format: block.format,
            [FIELD[block.type]!]: block.fragments.join(""),
          };
        });
        expect(response.reasoningDetails).toEqual(expected);
        expect(response.reasoning).toBe(visible);
      }),
      { numRuns: 300 },
    );
  });
});
