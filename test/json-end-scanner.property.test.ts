import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { JsonEndScanner } from "../src/stream/json-end-scanner.js";

/** Cuts `text` at the given points (any order, duplicates allowed). */
function cut(text: string, points: number[]): string[] {
  const sorted = [...new Set(points.map((p) => p % (text.length + 1)))].sort((a, b) => a - b);
  const pieces: string[] = [];
  let from = 0;
  for (const point of [...sorted, text.length]) {
    pieces.push(text.slice(from, point));
    from = point;
  }
  return pieces;
}

describe("JsonEndScanner, property", () => {
  it("fed any object or array in any pieces, it is closed exactly once its last bracket is in", () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.dictionary(fc.string(), fc.jsonValue()), fc.array(fc.jsonValue())),
        fc.constantFrom(undefined, 2, "\t"),
        fc.array(fc.nat(), { maxLength: 12 }),
        (value, indent, points) => {
          const text = `${JSON.stringify(value, null, indent)}\n `;
          const end = text.trimEnd().length;
          const scanner = new JsonEndScanner();
          let fed = 0;
          for (const piece of cut(text, points)) {
            scanner.feed(piece);
            fed += piece.length;
            expect(scanner.closed).toBe(fed >= end);
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it("a bare string, number or literal is never a closed object", () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.double(), fc.boolean(), fc.constant(null)), (value) => {
        const scanner = new JsonEndScanner();
        scanner.feed(JSON.stringify(value) ?? "null");
        expect(scanner.closed).toBe(false);
      }),
    );
  });
});
