import { describe, expect, it } from "vitest";
import { MAX_EVENT_CHARS } from "../src/stream/chunk-data.js";
import { EventSourceReader } from "../src/stream/event-source-reader.js";

const encode = (text: string) => new TextEncoder().encode(text);

/** A reader whose callbacks record what reaches them; `queued` says whether a stream has an event. */
function recordingReader(queued: (data: string[]) => boolean) {
  const seen = { data: [] as string[], tooLarge: 0, asked: 0 };
  const reader = new EventSourceReader(
    (message) => seen.data.push(message.data),
    () => seen.tooLarge++,
    () => {
      seen.asked++;
      return queued(seen.data);
    },
  );
  return { reader, seen };
}

describe("an event source reader", () => {
  it("feeds a first read one event at a time and holds the rest for the next pull", () => {
    const { reader, seen } = recordingReader((data) => data.length > 0);
    reader.feed(encode("data: a\n\ndata: b\n\ndata: c\n\n"));
    expect(seen.data).toEqual(["a"]);
    expect(reader.feedHeld()).toBe(true);
    expect(seen.data).toEqual(["a", "b", "c"]);
  });

  it("once released, delivers nothing, asks nothing and holds nothing", () => {
    // Released before any event was queued: the reader would otherwise still ask between events.
    const { reader, seen } = recordingReader(() => false);
    reader.feed(encode("data: a\n\n"));
    expect(seen.data).toEqual(["a"]);
    const asked = seen.asked;
    expect(asked).toBeGreaterThan(0);

    reader.release();
    reader.feed(encode("data: b\n\ndata: c\n\ndata: d\n\n"));
    expect(reader.feedHeld()).toBe(false);
    reader.feed(encode(`data: ${"x".repeat(MAX_EVENT_CHARS + 1)}`));
    reader.end();
    expect(seen.data).toEqual(["a"]);
    expect(seen.asked).toBe(asked);
    expect(seen.tooLarge).toBe(0);
  });

  it("reports an event past the limit while not released", () => {
    const { reader, seen } = recordingReader(() => false);
    reader.feed(encode(`data: ${"x".repeat(MAX_EVENT_CHARS + 1)}`));
    expect(seen.tooLarge).toBe(1);
  });
});
