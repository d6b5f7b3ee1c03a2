import { SpanStatusCode } from "@opentelemetry/api";
import { describe, expect, it } from "vitest";
import {
  APIError,
  type ChatCallOptions,
  type ChatEvent,
  ConnectionError,
  isOpenRouterError,
  MAX_EVENT_CHARS,
  type OpenRouterOptions,
  ParseError,
  TimeoutError,
} from "../src/index.js";
import { buildChatEvents, type MockReplies, renderEvents } from "../src/testing/index.js";
import { collect } from "./helpers/collect.js";
import { HELLO, serve } from "./helpers/server.js";
import { createTestTelemetry } from "./helpers/telemetry.js";

/** One call under a fault: the caller's error, the one span, and whether the socket was closed. */
async function callUnder(
  replies: MockReplies,
  options: OpenRouterOptions = {},
  callOptions: ChatCallOptions = {},
) {
  const telemetry = createTestTelemetry();
  const { client, server } = await serve(replies, {
    tracerProvider: telemetry.tracerProvider,
    maxRetries: 0,
    ...options,
  });
  const { events, error } = await collect(client.chat.stream(HELLO, callOptions));
  const spans = telemetry.spans();
  expect(spans).toHaveLength(1);
  const closedEarly = server.requests.length > 0 ? await server.requests.at(-1)!.closed : undefined;
  return { events, error, span: spans[0]!, closedEarly, requests: server.requests.length };
}

const text = (pieces: string[]) => buildChatEvents({ text: pieces });
const bytesOf = (events: unknown[]) => Buffer.byteLength(renderEvents(events));

describe("server stalls: the idle timeout", () => {
  it("before the first byte", async () => {
    const { error, span, closedEarly } = await callUnder(
      { events: text(["a"]), stallAfterBytes: 0 },
      { timeoutMs: 100 },
    );
    expect(error).toBeInstanceOf(TimeoutError);
    expect(span.attributes["error.type"]).toBe("TimeoutError");
    expect(closedEarly).toBe(true);
  });

  it("mid-stream, keeping what arrived", async () => {
    const events = text(["a", "b", "c"]);
    const { error, span, closedEarly } = await callUnder(
      { events, stallAfterBytes: bytesOf(events.slice(0, 2)) },
      { timeoutMs: 100 },
    );
    expect(error).toBeInstanceOf(TimeoutError);
    expect((error as TimeoutError).partial?.text).toBe("ab");
    expect(span.attributes["gen_ai.response.finish_reasons"]).toEqual(["error"]);
    expect(closedEarly).toBe(true);
  });

  it("10,000 keep-alive comments and nothing else", async () => {
    const comments = Array.from({ length: 10_000 }, () => ": OPENROUTER PROCESSING");
    const { error, events } = await callUnder(
      {
        events: [...comments, ...text(["never"])],
        stallAfterBytes: bytesOf(comments),
        writes: 64 * 1024,
      },
      { timeoutMs: 100 },
    );
    expect(events).toEqual([]);
    expect(error).toBeInstanceOf(TimeoutError);
    expect((error as TimeoutError).partial?.text).toBe("");
  });
});

describe("the socket goes away", () => {
  it.each([
    ["between events", 0],
    ["inside an event", 25],
  ])("destroyed %s: ConnectionError with the partial response", async (_, extra) => {
    const events = text(["first", "second", "third"]);
    const { error, span, requests } = await callUnder({
      events,
      destroyAfterBytes: bytesOf(events.slice(0, 1)) + extra,
    });
    expect(error).toBeInstanceOf(ConnectionError);
    expect((error as ConnectionError).partial?.text).toBe("first");
    expect(span.attributes["error.type"]).toBe("ConnectionError");
    expect(requests).toBe(1); // never retried after the first byte
  });

  it("a body cut inside a multi-byte character, before the end: ConnectionError, text intact", async () => {
    const body = renderEvents(text(["héllo ", "wörld"]));
    const cut = Buffer.from(body).indexOf(Buffer.from("ö")) + 1; // between the two bytes of ö
    const { error, events } = await callUnder({ sse: body, destroyAfterBytes: cut });
    expect(events).toEqual([{ type: "text", text: "héllo " }]);
    expect(error).toBeInstanceOf(ConnectionError);
  });

  it("half a character after [DONE] changes nothing", async () => {
    const body = Buffer.concat([
      Buffer.from(renderEvents(text(["ok"]))),
      Buffer.from("€").subarray(0, 2),
    ]);
    const { error } = await callUnder({ sse: body });
    expect(error).toBeUndefined();
  });
});

describe("HTTP errors", () => {
  const bodies = {
    json: (status: number) => ({
      json: {
        error: { code: status, message: `server says ${status}`, metadata: { provider_name: "X" } },
      },
    }),
    text: () => ({ text: "upstream connect error" }),
    html: () => ({
      text: "<html><h1>Bad things</h1></html>",
      headers: { "content-type": "text/html" },
    }),
    empty: () => ({}),
  };
  for (const status of [401, 402, 403, 429, 500, 502, 503]) {
    for (const [kind, body] of Object.entries(bodies)) {
      it(`${status} with a ${kind} body`, async () => {
        const { error, span } = await callUnder({ status, ...body(status) });
        expect(error).toBeInstanceOf(APIError);
        const apiError = error as APIError;
        expect(apiError.status).toBe(status);
        if (kind === "json")
          expect(apiError).toMatchObject({
            code: status,
            metadata: { provider_name: "X" },
            message: expect.stringContaining(`server says ${status}`),
          });
        if (kind === "html") expect(apiError.body).toContain("<h1>Bad things</h1>");
        if (kind === "empty") expect(apiError.message).toContain("empty body");
        expect(span.attributes["error.type"]).toBe(String(status));
        expect(span.status.code).toBe(SpanStatusCode.ERROR);
      });
    }
  }

  it("Retry-After as seconds and as an HTTP date", async () => {
    const inTen = new Date(Date.now() + 10_000).toUTCString();
    const seconds = await callUnder({
      status: 429,
      headers: { "retry-after": "120" },
      json: { error: { code: 429, message: "slow" } },
    });
    const date = await callUnder({
      status: 503,
      headers: { "retry-after": inTen },
      json: { error: { code: 503, message: "busy" } },
    });
    expect((seconds.error as APIError).retryAfter).toBe(120);
    expect((date.error as APIError).retryAfter).toBeGreaterThan(5);
    expect((date.error as APIError).retryAfter).toBeLessThanOrEqual(10);
  });

  it("a Content-Type that is not text/event-stream", async () => {
    const { error } = await callUnder({
      text: "data: {}\n\n",
      headers: { "content-type": "text/plain" },
    });
    expect(error).toBeInstanceOf(APIError);
    expect((error as Error).message).toContain("text/plain instead of an event stream");
  });

  it("a 200 whose body is an error object", async () => {
    const { error } = await callUnder({
      json: { error: { code: 502, message: "Provider returned error", metadata: { raw: "x" } } },
    });
    expect(error).toMatchObject({ status: 502, metadata: { raw: "x" } });
  });
});

describe("an event larger than any sane limit", () => {
  it("fails with a ParseError and closes the socket, without buffering it all", async () => {
    const huge = `{"choices":[{"delta":{"content":"${"x".repeat(3 * MAX_EVENT_CHARS)}"}}]}`;
    const { error, closedEarly } = await callUnder({ events: [huge], writes: 1024 * 1024 });
    expect(error).toBeInstanceOf(ParseError);
    expect((error as Error).message).toContain(`${MAX_EVENT_CHARS} characters`);
    expect(closedEarly).toBe(true); // stopped well before the 48 MB were sent
  });

  it("fails with a ParseError when one read holds it whole", async () => {
    const huge = `{"choices":[{"delta":{"content":"${"x".repeat(MAX_EVENT_CHARS)}"}}]}`;
    const { error } = await callUnder({ events: [huge, "[DONE]"] });
    expect(error).toBeInstanceOf(ParseError);
  });
});

describe("a consumer that stops reading", () => {
  it("holds the server back (backpressure) instead of buffering the stream", async () => {
    const pieces = Array.from(
      { length: 20_000 },
      (_, i) => `${i.toString().padStart(5, "0")}${"y".repeat(2000)}`,
    );
    const events = text(pieces);
    const total = bytesOf(events);
    const { client, server } = await serve({ events, writes: 256 * 1024 });
    const iterator = client.chat.stream(HELLO)[Symbol.asyncIterator]();
    const first = await iterator.next(); // one event, then a pause
    await server.requests[0]!.blocked();
    expect(total).toBeGreaterThan(40_000_000);
    expect(server.requests[0]!.bytesSent()).toBeLessThan(total / 4);
    let received = first.value?.type === "text" ? first.value.text : "";
    let last: ChatEvent | undefined;
    for (let next = await iterator.next(); !next.done; next = await iterator.next()) {
      last = next.value;
      if (last.type === "text") received += last.text;
    }
    // Every piece, in order (joined a read at a time), then final.
    expect(received).toBe(pieces.join(""));
    expect(last?.type).toBe("final");
  });
});

describe("a consumer that breaks", () => {
  const events = text(Array.from({ length: 50 }, (_, i) => `t${i} `));
  // Where to break, given the event and the text so far (events join what arrived together, so
  // the middle is found by its text, not by counting).
  const at: Record<string, (event: ChatEvent, received: string) => boolean> = {
    first: () => true,
    middle: (_, received) => received.includes("t25 "),
    last: (event) => event.type === "final",
  };
  it.each(["first", "middle", "last"])(
    "in the %s event: one span, no error, socket closed or released",
    async (where) => {
      const telemetry = createTestTelemetry();
      const { client, server } = await serve(
        { events, delayMs: 1 },
        { tracerProvider: telemetry.tracerProvider },
      );
      const stream = client.chat.stream(HELLO);
      let received = "";
      for await (const event of stream) {
        if (event.type === "text") received += event.text;
        if (at[where]!(event, received)) break;
        expect(event.type).not.toBe("final");
      }
      const spans = telemetry.spans();
      expect(spans).toHaveLength(1);
      expect(spans[0]?.status.code).toBe(SpanStatusCode.UNSET);
      // The last event is `final`: the stream was complete, so its socket went back to the pool.
      expect(await server.requests[0]!.closed).toBe(where !== "last");
      if (where === "last")
        await expect(stream.response).resolves.toMatchObject({ finishReason: "stop" });
      else expect(spans[0]?.attributes["openrouter.cancelled"]).toBe("consumer");
    },
  );
});

describe("aborts", () => {
  it("before the request: nothing sent, one span, not an error", async () => {
    const controller = new AbortController();
    controller.abort();
    const { error, span, requests } = await callUnder(
      { events: text(["x"]) },
      {},
      { signal: controller.signal },
    );
    expect(error).toBe(controller.signal.reason);
    expect(requests).toBe(0);
    expect(span.status.code).toBe(SpanStatusCode.UNSET);
    expect(span.attributes["openrouter.cancelled"]).toBe("abort");
  });

  it("during the wait between retries: the retry is on the span", async () => {
    const controller = new AbortController();
    const telemetry = createTestTelemetry();
    const turn = telemetry.tracerProvider.getTracer("agent").startSpan("agent turn");
    // Abort at the very moment the client records the retry, just before it starts waiting.
    const watched = new Proxy(turn, {
      get(target, property) {
        const value = Reflect.get(target, property, target);
        if (property !== "addEvent")
          return typeof value === "function" ? value.bind(target) : value;
        return (name: string, ...rest: never[]) => {
          const result = target.addEvent(name, ...rest);
          if (name === "openrouter.retry") controller.abort();
          return result;
        };
      },
    });
    const { client, server } = await serve(
      {
        status: 503,
        headers: { "retry-after": "30" },
        json: { error: { code: 503, message: "busy" } },
      },
      { tracerProvider: telemetry.tracerProvider, maxRetries: 2 },
    );
    const { error } = await collect(
      client.chat.stream(HELLO, { signal: controller.signal, span: watched }),
    );
    expect(error).toBe(controller.signal.reason);
    expect(server.requests).toHaveLength(1);
    turn.end();
    const [span] = telemetry.spans();
    expect(span?.events.map((event) => event.name)).toContain("openrouter.retry");
    expect(span?.attributes["openrouter.cancelled"]).toBe("abort");
  });

  it("mid-stream: the signal's reason, the socket closed, the span cut", async () => {
    const controller = new AbortController();
    const telemetry = createTestTelemetry();
    const events = text(Array.from({ length: 200 }, (_, i) => `m${i}`));
    const { client, server } = await serve(
      { events, delayMs: 1 },
      { tracerProvider: telemetry.tracerProvider },
    );
    const { error, events: got } = await collect(
      (async function* () {
        for await (const event of client.chat.stream(HELLO, { signal: controller.signal })) {
          controller.abort();
          yield event;
        }
      })() as never,
    );
    expect(error).toBe(controller.signal.reason);
    expect(got).toHaveLength(1);
    expect(await server.requests[0]!.closed).toBe(true);
    expect(telemetry.spans()).toHaveLength(1);
    expect(telemetry.spans()[0]?.attributes["gen_ai.response.finish_reasons"]).toEqual(["error"]);
  });

  // The server has the request and holds its answer: the client is waiting for the headers.
  async function awaitingHeaders() {
    let received!: () => void;
    const request = new Promise<void>((resolve) => {
      received = resolve;
    });
    const { client, server } = await serve(() => {
      received();
      return new Promise<never>(() => {});
    });
    return { client, server, request };
  }

  it("while the headers are awaited: the signal's reason, the socket closed", async () => {
    const { client, server, request } = await awaitingHeaders();
    const controller = new AbortController();
    const stream = client.chat.stream(HELLO, { signal: controller.signal });
    const response = stream.response;
    await request;
    controller.abort();
    await expect(response).rejects.toBe(controller.signal.reason);
    expect(await server.requests[0]!.closed).toBe(true);
  });
});

describe("garbage never escapes as anything but an OpenRouterError", () => {
  it.each([
    ["binary noise", "\u0000\u0001\u00ff\u00fe garbage \r\r\n\n"],
    ["JSON of the wrong shape", "data: [1,2,3]\n\n"],
    ["a number", "data: 42\n\n"],
    ["null", "data: null\n\n"],
    ["unknown fields", "event: x\nid: 1\nretry: soon\nfoo: bar\n\n"],
  ])("%s", async (_, body) => {
    const { error } = await callUnder({ sse: body }, { timeoutMs: 200 });
    expect(isOpenRouterError(error)).toBe(true);
  });
});
