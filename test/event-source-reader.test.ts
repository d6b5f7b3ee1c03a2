import { describe, expect, it } from "vitest";
import { EventSourceReader } from "../src/stream/event-source-reader.js";

const encode = (text: string) => new TextEncoder().encode(text);

describe("an event source reader", () => {
  it("delivers nothing once released, and lets go of what it held back", () => {
    const data: string[] = [];
    let tooLarge = 0;
    let asked = 0;
    const reader = new EventSourceReader(
      (message) => data.push(message.data),
      () => tooLarge++,
      () => {
        asked++;
        return data.length > 0;
      },
    );
    // The first read is fed one event at a time: the rest is held for the next pull.
    reader.feed(encode("data: a\n\ndata: b\n\ndata: c\n\n"));
    expect(data).toEqual(["a"]);
    expect(asked).toBeGreaterThan(0);

    reader.release();
    const askedBefore = asked;
    expect(reader.feedHeld()).toBe(false);
    reader.feed(encode("data: d\n\n"));
    reader.feed(encode(`data: ${"x".repeat(20 * 1024 * 1024)}`));
    reader.end();
    expect(data).toEqual(["a"]);
    expect(tooLarge).toBe(0);
    expect(asked).toBe(askedBefore);
  });

  it("delivers every event of a read while not released", () => {
    const data: string[] = [];
    const reader = new EventSourceReader(
      (message) => data.push(message.data),
      () => {},
      () => true,
    );
    reader.feed(encode("data: a\n\ndata: b\n\n"));
    expect(reader.feedHeld()).toBe(true);
    expect(data).toEqual(["a", "b"]);
  });
});
