import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { isJson, JsonEndScanner } from "../src/stream/json-end-scanner.js";
import { cutText } from "./helpers/cut-text.js";

/** Feeds `pieces` and checks, after each, what the scanner says against `expected(prefix)`. */
function check(pieces: string[], expected: (prefix: string) => boolean | undefined): void {
  const scanner = new JsonEndScanner();
  let prefix = "";
  for (const piece of pieces) {
    scanner.feed(piece);
    prefix += piece;
    const want = expected(prefix);
    if (want !== undefined) expect(scanner.mayBeWhole).toBe(want);
  }
}

describe("JsonEndScanner, property", () => {
  it("an object or array, cut anywhere: may be whole only before it starts and once it has ended", () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.dictionary(fc.string(), fc.jsonValue()), fc.array(fc.jsonValue())),
        fc.constantFrom(undefined, 2, "\t"),
        fc.array(fc.nat(), { maxLength: 12 }),
        (value, indent, points) => {
          const text = `${JSON.stringify(value, null, indent)}\n `;
          const end = text.trimEnd().length;
          check(cutText(text, points), (prefix) => prefix.length === 0 || prefix.length >= end);
        },
      ),
      { numRuns: 300 },
    );
  });

  it("any text that parses as JSON, fed in any pieces, may be whole (it never says no wrongly)", () => {
    const unit = fc.constantFrom("{", "}", "[", "]", '"', "\\", ":", ",", "1", "a", " ", "\n");
    fc.assert(
      fc.property(
        fc.oneof(
          fc.jsonValue().map((value) => JSON.stringify(value)),
          fc.string({ unit, maxLength: 24 }),
        ),
        fc.array(fc.nat(), { maxLength: 8 }),
        (text, points) =>
          check(cutText(text, points), (prefix) => (isJson(prefix) ? true : undefined)),
      ),
      { numRuns: 500 },
    );
  });
});
