import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { toLimitedAttributes } from "../src/telemetry/content-limits.js";
import { fitJson } from "../src/telemetry/fit-json.js";

const text = fc.oneof(
  fc.string({ unit: "binary", maxLength: 400 }),
  fc.string({ maxLength: 2000 }),
);
const part = fc.oneof(
  fc.record({ type: fc.constant("text"), content: text }),
  fc.record({
    type: fc.constant("tool_call"),
    id: fc.string({ maxLength: 20 }),
    name: fc.string({ maxLength: 20 }),
    arguments: fc.jsonValue({ maxDepth: 4 }),
  }),
);
const messages = fc.array(
  fc.record({
    role: fc.constantFrom("user", "assistant", "tool"),
    parts: fc.array(part, { maxLength: 4 }),
  }),
  { maxLength: 8 },
);
/** Message lists, tool arguments (objects), and any JSON at all. */
const content = fc.oneof(messages, fc.dictionary(fc.string(), fc.jsonValue()), fc.jsonValue());
const limit = fc.integer({ min: 64, max: 5000 });

describe("fitJson", () => {
  it("any content under any limit from 64 characters: valid JSON that fits", () => {
    fc.assert(
      fc.property(content, limit, (value, max) => {
        const json = fitJson(value, max);
        expect(json).toBeDefined();
        expect(json!.length).toBeLessThanOrEqual(max);
        expect(() => JSON.parse(json!)).not.toThrow();
        if (JSON.stringify(value).length <= max) expect(json).toBe(JSON.stringify(value));
      }),
      { numRuns: 400 },
    );
  });

  it("keeps the structure as long as cutting texts suffices, else the most recent messages", () => {
    fc.assert(
      fc.property(messages, limit, (value, max) => {
        const fitted = JSON.parse(fitJson(value, max)!) as Array<{ role: string }>;
        const roles = value.map((message) => message.role);
        // Whatever is kept is the tail of the list, in order.
        expect(fitted.map((message) => message.role)).toEqual(
          roles.slice(roles.length - fitted.length),
        );
      }),
      { numRuns: 300 },
    );
  });
});

describe("the per-span budget", () => {
  it("keeps the span's content under it, dropping the largest first and naming what it dropped", () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.tuple(fc.constantFrom("a", "b", "c", "d"), content), {
          maxLength: 4,
          selector: ([attribute]) => attribute,
        }),
        limit,
        fc.integer({ min: 0, max: 8000 }),
        (values, max, budget) => {
          const attributes = toLimitedAttributes(values, {
            attributeChars: max,
            spanChars: budget,
          });
          const { "openrouter.content.dropped": dropped = [], ...kept } = attributes;
          const lengths = Object.values(kept).map((json) => String(json).length);
          expect(lengths.reduce((sum, length) => sum + length, 0)).toBeLessThanOrEqual(budget);
          for (const json of Object.values(kept))
            expect(() => JSON.parse(String(json))).not.toThrow();
          // Nothing kept is larger than anything dropped for the budget.
          const droppedSizes = (dropped as string[]).map((name) => {
            const entry = values.find(([attribute]) => attribute === name);
            return fitJson(entry?.[1], max)?.length ?? 0;
          });
          if (droppedSizes.length > 0)
            for (const length of lengths)
              expect(length).toBeLessThanOrEqual(Math.max(...droppedSizes));
        },
      ),
      { numRuns: 200 },
    );
  });
});
