import { describe, expect, it } from "vitest";
import type { ChatEvent } from "../src/index.js";
import { buildChatEvents, renderEvents } from "../src/testing/index.js";
import { collect, joinDeltas } from "./helpers/collect.js";
import { HELLO, serve } from "./helpers/server.js";

// 30 chunks, 6 KB: one write, so one network read on 127.0.0.1. A comment and a chunk with no
// output (`content: ""`) come first, as OpenRouter sends them.
const WORDS = Array.from({ length: 30 }, (_, i) => `w${i} `);
const body = renderEvents([
  ": OPENROUTER PROCESSING",
  ...buildChatEvents({ text: ["", ...WORDS] }),
]);

describe("the first event of a read that holds many", () => {
  it("is handed out before the rest of the read is parsed, and the rest follows joined", async () => {
    const { client } = await serve({ sse: body });
    const stream = client.chat.stream(HELLO);
    const iterator = stream[Symbol.asyncIterator]();
    let settled = false;
    stream.response.then(
      () => {
        settled = true;
      },
      () => {
        settled = true;
      },
    );
    const first = await iterator.next();
    expect(first.value).toEqual({ type: "text", text: "w0 " });
    // Parsing the whole read would have reached [DONE] and resolved the response by now.
    expect(settled).toBe(false);

    const events: ChatEvent[] = [first.value as ChatEvent];
    for (let next = await iterator.next(); !next.done; next = await iterator.next())
      events.push(next.value);
    // The other 29 deltas of the read are one event; then `final`.
    expect(events.map((event) => event.type)).toEqual(["text", "text", "final"]);
    expect(events[1]).toEqual({ type: "text", text: WORDS.slice(1).join("") });
    const inPieces = await collect(
      (await serve({ sse: body, writes: 97 })).client.chat.stream(HELLO),
    );
    expect(inPieces.error).toBeUndefined();
    expect(joinDeltas(events)).toEqual(joinDeltas(inPieces.events));
    expect((await stream.response).text).toBe(WORDS.join(""));
  });

  it("comes before the end of the body: a stream without [DONE] read whole still completes", async () => {
    const withoutDone = body.replace("data: [DONE]\n\n", "");
    expect(withoutDone).not.toContain("[DONE]");
    const { client } = await serve({ sse: withoutDone });
    const { events, error } = await collect(client.chat.stream(HELLO));
    // Had the end of the body come before the held rest, the finish reason would be missing.
    expect(error).toBeUndefined();
    expect(events.at(-1)).toMatchObject({ type: "final", response: { text: WORDS.join("") } });
  });

  it("cancels the stream when the consumer breaks after it, although the rest had arrived", async () => {
    const { client } = await serve({ sse: body });
    const stream = client.chat.stream(HELLO);
    for await (const event of stream) {
      expect(event).toEqual({ type: "text", text: "w0 " });
      break;
    }
    await expect(stream.response).rejects.toMatchObject({ name: "AbortError" });
  });
});
