import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { Agent, type Dispatcher, Pool } from "undici";
import { describe, expect, it } from "vitest";
import { ConnectionError } from "../src/index.js";
import { buildChatEvents } from "../src/testing/index.js";
import { HELLO, serve } from "./helpers/server.js";

const DIST = new URL("../dist/index.js", import.meta.url).href;
const run = promisify(execFile);
const text = (pieces: string[]) => buildChatEvents({ text: pieces });

// In a process that called `fetch()` before loading this package, the global dispatcher is
// Node's bundled undici (6.x on Node 20 and 22), not the undici this package installs: the
// transport must speak the handler protocol both understand.
const AFTER_FETCH = `
const [baseURL] = process.argv.slice(1);
await fetch("http://127.0.0.1:1/").catch(() => {}); // refused: only loads Node's undici
const undici = await import("undici");
const { OpenRouter } = await import(${JSON.stringify(DIST)});
const client = new OpenRouter({ apiKey: "test", baseURL, maxRetries: 0 });
const first = await client.chat.stream(${JSON.stringify(HELLO)}).response;
const second = await client.chat.complete(${JSON.stringify(HELLO)}).catch((error) => error);
console.log(JSON.stringify({
  bundled: !(undici.getGlobalDispatcher() instanceof undici.Agent),
  text: first.text,
  secondStatus: second.status,
}));
`;

describe("the dispatcher that carries the request", () => {
  it("is Node's bundled undici once the process has called fetch()", async () => {
    const { server } = await serve([
      { events: text(["through ", "the bundled one"]) },
      { status: 503, json: { error: { code: 503, message: "busy" } } },
    ]);
    const { stdout } = await run(
      process.execPath,
      ["--input-type=module", "-e", AFTER_FETCH, server.baseURL],
      { env: { PATH: process.env.PATH ?? "" } },
    );
    expect(JSON.parse(stdout)).toEqual({
      bundled: true,
      text: "through the bundled one",
      secondStatus: 503,
    });
  });

  it.each([
    ["an Agent", () => new Agent({ connections: 1 })],
    ["a Pool", (origin: string) => new Pool(origin, { connections: 1 })],
  ])("is %s handed to the client: one connection, reused", async (_, create) => {
    // A comment a moment after [DONE], when the client already holds the response: what
    // follows [DONE] is let through, not a reason to close the socket.
    const replies = Array.from({ length: 3 }, (_, i) => ({
      events: [...text([`call ${i}`]), ": after the end"],
      delayMs: 5,
    }));
    const { server } = await serve(replies);
    const dispatcher = create(new URL(server.baseURL).origin);
    let connections = 0;
    dispatcher.on("connect", () => connections++);
    try {
      const { client } = await serve([], { baseURL: server.baseURL, dispatcher });
      for (let i = 0; i < 3; i++) {
        const response = await client.chat.stream(HELLO).response;
        expect(response.text).toBe(`call ${i}`);
      }
      // One socket allowed: each stream's went back to the pool after [DONE], or the next call
      // would wait for it forever; and it was kept open, not closed and opened again.
      expect(connections).toBe(1);
    } finally {
      await dispatcher.close();
    }
  });

  it("throws when asked to dispatch: a ConnectionError where the caller looks, asked again", async () => {
    const { server } = await serve({ events: text(["never"]) });
    let calls = 0;
    const refusing = {
      dispatch() {
        calls++;
        throw new Error("refused by an interceptor");
      },
    } as unknown as Dispatcher;
    const { client } = await serve([], {
      baseURL: server.baseURL,
      dispatcher: refusing,
      maxRetries: 1,
    });
    const stream = client.chat.stream(HELLO);
    await expect(stream.response).rejects.toBeInstanceOf(ConnectionError);
    await expect(stream.response).rejects.toThrow(/refused by an interceptor/);
    expect(calls).toBe(2); // a connection failure, so retried once
    expect(server.requests).toHaveLength(0);
  });

  it("empties undici's raw header list once read, so that it points into no network read", async () => {
    const { server } = await serve({
      events: text(["headers ", "read"]),
      headers: { "x-request-id": "req-1" },
    });
    // A pass-through handler of undici's original protocol: it sees the parser's own list, as
    // the client's handler does, and looks at it again once the client's handler returned.
    const seen: Array<{ before: string[]; after: number }> = [];
    const agent = new Agent({ connections: 1 });
    const watching = agent.compose((dispatch) => (options, handler) => {
      const inner = handler as Dispatcher.DispatchHandler & {
        onHeaders(status: number, raw: Buffer[], resume: () => void, text: string): boolean;
      };
      return dispatch(options, {
        ...passThrough(inner as unknown as Record<string, unknown>),
        onHeaders(status: number, raw: Buffer[], resume: () => void, statusText: string) {
          const before = raw.map(String);
          const result = inner.onHeaders(status, raw, resume, statusText);
          seen.push({ before, after: raw.length });
          return result;
        },
      } as Dispatcher.DispatchHandler);
    });
    try {
      const { client } = await serve([], { baseURL: server.baseURL, dispatcher: watching });
      const response = await client.chat.stream(HELLO).response;
      expect(response.text).toBe("headers read");
      expect(seen).toHaveLength(1);
      expect(seen[0]?.before).toEqual(expect.arrayContaining(["x-request-id", "req-1"]));
      expect(seen[0]?.after).toBe(0);
    } finally {
      await agent.close();
    }
  });
});

/** Every callback of undici's original protocol, passed through unchanged. */
function passThrough(inner: Record<string, unknown>): Record<string, unknown> {
  const forward =
    (name: string) =>
    (...args: unknown[]) =>
      (inner[name] as ((...a: unknown[]) => unknown) | undefined)?.apply(inner, args);
  return Object.fromEntries(
    [
      "onConnect",
      "onData",
      "onComplete",
      "onError",
      "onUpgrade",
      "onResponseStarted",
      "onBodySent",
    ].map((name) => [name, forward(name)]),
  );
}
