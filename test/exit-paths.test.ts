import { once } from "node:events";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { describe, expect, it } from "vitest";
import {
  ConnectionError,
  OpenRouter,
  ParseError,
  StreamError,
  TimeoutError,
} from "../src/index.js";
import { buildChatEvents } from "../src/testing/index.js";
import { collect } from "./helpers/collect.js";
import { HELLO, serve } from "./helpers/server.js";

const words = (n: number) => Array.from({ length: n }, (_, i) => `w${i} `);

describe("every exit path of a stream", () => {
  it("a consumer break closes the socket at once: the server sees it before the end", async () => {
    const { client, server } = await serve({
      events: buildChatEvents({ text: words(500) }),
      delayMs: 2,
    });
    const stream = client.chat.stream(HELLO);
    const seen: string[] = [];
    for await (const event of stream) {
      if (event.type === "text") seen.push(event.text);
      if (seen.length === 3) break;
    }
    // Three events, three words or more (words that arrived together are one event).
    expect(seen.join("")).toMatch(/^w0 w1 w2 /);
    await expect(server.requests[0]!.closed).resolves.toBe(true);
    await expect(stream.response).rejects.toMatchObject({ name: "AbortError" });
  });

  it("an abort mid-stream rejects with the signal's reason and closes the socket", async () => {
    const { client, server } = await serve({
      events: buildChatEvents({ text: words(500) }),
      delayMs: 2,
    });
    const controller = new AbortController();
    const stream = client.chat.stream(HELLO, { signal: controller.signal });
    let count = 0;
    const result = (async () => {
      for await (const event of stream) {
        if (event.type === "text" && ++count === 2) controller.abort();
      }
    })();
    const error = await result.then(
      () => undefined,
      (reason: unknown) => reason,
    );
    expect(error).toBe(controller.signal.reason);
    expect((error as Error).name).toBe("AbortError");
    expect(count).toBe(2); // nothing handed over after the abort
    await expect(server.requests[0]!.closed).resolves.toBe(true);
    await expect(stream.response).rejects.toBe(controller.signal.reason);
  });

  it("return() while the request waits for its headers closes the socket, and nothing is retried", async () => {
    let requests = 0;
    let arrived!: () => void;
    const arrival = new Promise<void>((resolve) => {
      arrived = resolve;
    });
    let closed!: () => void;
    const closing = new Promise<void>((resolve) => {
      closed = resolve;
    });
    // A server that never answers: only the client can end the request.
    const server = createServer((request, response) => {
      requests++;
      request.resume();
      response.on("close", closed);
      arrived();
    });
    server.listen(0, "127.0.0.1");
    await once(server, "listening");
    try {
      const { port } = server.address() as AddressInfo;
      const client = new OpenRouter({
        baseURL: `http://127.0.0.1:${port}/api/v1`,
        apiKey: "test-key",
        maxRetries: 2,
        timeoutMs: 60_000,
      });
      const stream = client.chat.stream(HELLO);
      const iterator = stream[Symbol.asyncIterator]();
      const pending = iterator.next();
      await arrival;
      await iterator.return?.();
      await closing; // before the fix: only after the 60 s timeout
      await expect(pending).resolves.toEqual({ done: true, value: undefined });
      await expect(stream.response).rejects.toMatchObject({ name: "AbortError" });
      expect(requests).toBe(1);
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });

  it("an abort before the request sends nothing", async () => {
    const { client, server } = await serve({ events: buildChatEvents({ text: ["hi"] }) });
    const controller = new AbortController();
    controller.abort(new Error("shutting down"));
    const { error } = await collect(client.chat.stream(HELLO, { signal: controller.signal }));
    expect(error).toBe(controller.signal.reason);
    expect(server.requests).toHaveLength(0);
  });

  it("an abort while the consumer is busy drops the queued events at its next read", async () => {
    const events = buildChatEvents({ text: words(5) });
    const firstThree = Buffer.byteLength(
      events
        .slice(0, 3)
        .map((e) => `data: ${JSON.stringify(e)}\n\n`)
        .join(""),
    );
    // The first three events arrive in one write, then the server goes quiet.
    const { client } = await serve({ events, writes: firstThree, stallAfterBytes: firstThree });
    const controller = new AbortController();
    const stream = client.chat.stream(HELLO, { signal: controller.signal });
    const iterator = stream[Symbol.asyncIterator]();
    await expect(iterator.next()).resolves.toMatchObject({ value: { type: "text", text: "w0 " } });
    controller.abort();
    await expect(iterator.next()).rejects.toBe(controller.signal.reason);
    await expect(iterator.next()).resolves.toEqual({ done: true, value: undefined });
  });

  it("a stall before the first byte is a TimeoutError", async () => {
    const { client } = await serve(
      { events: buildChatEvents({ text: ["x"] }), stallAfterBytes: 0 },
      { timeoutMs: 150, maxRetries: 0 },
    );
    const { error } = await collect(client.chat.stream(HELLO));
    expect(error).toBeInstanceOf(TimeoutError);
    expect(error).toMatchObject({ timeoutMs: 150, partial: undefined });
  });

  it("a stall mid-stream is a TimeoutError carrying what arrived", async () => {
    const events = buildChatEvents({ text: ["Hello", " world"] });
    const firstTwo = Buffer.byteLength(
      `data: ${JSON.stringify(events[0])}\n\ndata: ${JSON.stringify(events[1])}\n\n`,
    );
    const { client } = await serve({ events, stallAfterBytes: firstTwo }, { timeoutMs: 150 });
    const { events: got, error } = await collect(client.chat.stream(HELLO));
    expect(got).toEqual([
      { type: "text", text: "Hello" },
      { type: "text", text: " world" },
    ]);
    expect(error).toBeInstanceOf(TimeoutError);
    expect((error as TimeoutError).partial?.text).toBe("Hello world");
  });

  it("a socket destroyed mid-event is a ConnectionError with the partial response, never retried", async () => {
    const events = buildChatEvents({ text: ["Hello", " world", "!"] });
    const first = Buffer.byteLength(`data: ${JSON.stringify(events[0])}\n\n`);
    const { client, server } = await serve({ events, destroyAfterBytes: first + 20 });
    const { events: got, error } = await collect(client.chat.stream(HELLO));
    expect(got).toEqual([{ type: "text", text: "Hello" }]);
    expect(error).toBeInstanceOf(ConnectionError);
    expect((error as ConnectionError).partial?.text).toBe("Hello");
    expect(server.requests).toHaveLength(1);
  });

  it("a body that ends without [DONE] and without a finish reason is an error", async () => {
    const events = buildChatEvents({ text: ["Hello"] }).slice(0, 1);
    const { client } = await serve({ events });
    const { events: got, error } = await collect(client.chat.stream(HELLO));
    expect(got).toEqual([{ type: "text", text: "Hello" }]);
    expect(error).toBeInstanceOf(ConnectionError);
    expect((error as Error).message).toContain("without [DONE] and without a finish reason");
  });

  it("a body that ends without [DONE] after a finish reason completes", async () => {
    const events = buildChatEvents({ text: ["Hello"] }).filter((event) => event !== "[DONE]");
    const { client } = await serve({ events });
    const stream = client.chat.stream(HELLO);
    const { error } = await collect(stream);
    expect(error).toBeUndefined();
    await expect(stream.response).resolves.toMatchObject({ text: "Hello", finishReason: "stop" });
  });

  it("a data line that is not JSON is a ParseError after the events before it", async () => {
    const events = buildChatEvents({ text: ["Hello"] });
    events.splice(1, 0, "{not json");
    const { client } = await serve({ events });
    const { events: got, error } = await collect(client.chat.stream(HELLO));
    expect(got).toEqual([{ type: "text", text: "Hello" }]);
    expect(error).toBeInstanceOf(ParseError);
    expect((error as ParseError).data).toBe("{not json");
  });

  it("an error chunk with a string code and empty choices is a StreamError", async () => {
    const events = buildChatEvents({ text: ["Hi"] }).slice(0, 1);
    events.push({
      id: "gen-mock-1",
      choices: [],
      error: { code: "server_error", message: "Upstream died" },
    });
    const { client } = await serve({ events });
    const { events: got, error } = await collect(client.chat.stream(HELLO));
    expect(got).toEqual([{ type: "text", text: "Hi" }]);
    expect(error).toBeInstanceOf(StreamError);
    expect(error).toMatchObject({ code: "server_error", partial: { text: "Hi" } });
  });

  it("awaiting response without iterating consumes the stream", async () => {
    const { client } = await serve({ events: buildChatEvents({ text: ["a", "b"] }) });
    const response = await client.chat.stream(HELLO).response;
    expect(response.text).toBe("ab");
  });

  it("a caller who only iterates an erroring stream gets no unhandled rejection", async () => {
    const { client } = await serve(
      { status: 500, json: { error: { code: 500, message: "boom" } } },
      { maxRetries: 0 },
    );
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on("unhandledRejection", onUnhandled);
    try {
      const { error } = await collect(client.chat.stream(HELLO));
      expect(error).toMatchObject({ status: 500 });
      // Let any stray rejection reach the process before looking.
      await new Promise((resolve) => setImmediate(resolve));
      await new Promise((resolve) => setImmediate(resolve));
      expect(unhandled).toEqual([]);
    } finally {
      process.off("unhandledRejection", onUnhandled);
    }
  });

  it.each([
    ["before the stream opens", 0],
    ["mid-stream", 2],
  ])(
    "next() called again before the previous one settled, %s: the events in order",
    async (_, after) => {
      const pieces = ["a", "b", "c", "d", "e"];
      const { client } = await serve({ events: buildChatEvents({ text: pieces }) });
      const iterator = client.chat.stream(HELLO)[Symbol.asyncIterator]();
      const texts: string[] = [];
      for (let i = 0; i < after; i++) {
        const { value } = await iterator.next();
        texts.push((value as { text: string }).text);
      }
      // Three calls at once, none awaited: each gets its own event, in call order.
      const results = await Promise.all([iterator.next(), iterator.next(), iterator.next()]);
      for (const { value } of results) texts.push((value as { text: string }).text);
      expect(texts).toEqual(pieces.slice(0, after + 3));
      let rest = 0;
      while (!(await iterator.next()).done) rest++;
      expect(rest).toBe(pieces.length - after - 3 + 1); // the last texts, then final
    },
  );

  it("a stream is consumed once", async () => {
    const { client } = await serve({ events: buildChatEvents({ text: ["a"] }) });
    const stream = client.chat.stream(HELLO);
    await collect(stream);
    expect(() => stream[Symbol.asyncIterator]()).toThrow(TypeError);
  });
});
