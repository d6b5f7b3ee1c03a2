import { Agent, DecoratorHandler, type Dispatcher } from "undici";
import { describe, expect, it } from "vitest";
import { APIError, type Generation, InvalidRequestError, ParseError } from "../src/index.js";
import { buildChatEvents, type MockReply } from "../src/testing/index.js";
import { HELLO, serve, TEST_API_KEY } from "./helpers/server.js";

const GENERATION: Generation = {
  id: "gen-mock-1",
  model: "openai/gpt-4o-mini",
  provider_name: "OpenAI",
  streamed: true,
  finish_reason: "stop",
  latency: 1840,
  generation_time: 1500,
  tokens_prompt: 9,
  tokens_completion: 3,
  native_tokens_prompt: 11,
  native_tokens_completion: 3,
  total_cost: 0.0000123,
  is_byok: false,
  provider_responses: [{ provider_name: "OpenAI", status: 200, latency: 1800 }],
};

const notYet: MockReply = {
  status: 404,
  json: { error: { code: 404, message: "Generation not found" } },
};

describe("client.generations.get", () => {
  it("after a stream: asks again while the record is not indexed (404), then returns it typed", async () => {
    let lookups = 0;
    const { client, server } = await serve((request) => {
      if (request.method === "POST") return { events: buildChatEvents({ text: ["Hi"] }) };
      lookups++;
      return lookups <= 2 ? notYet : { json: { data: GENERATION } };
    });
    const response = await client.chat.stream(HELLO).response;
    const generation = await client.generations.get(response.id, { initialDelayMs: 1 });
    expect(generation).toEqual(GENERATION);
    const gets = server.requests.filter((r) => r.method === "GET");
    expect(gets).toHaveLength(3);
    for (const get of gets) {
      expect(get.url).toBe(`/api/v1/generation?id=${response.id}`);
      expect(get.headers.authorization).toBe(`Bearer ${TEST_API_KEY}`);
    }
  });

  it("still 404 after the retries: APIError 404, retries + 1 requests", async () => {
    const { client, server } = await serve(notYet);
    const error = await client.generations
      .get("gen-missing", { retries: 2, initialDelayMs: 1 })
      .catch((reason: unknown) => reason);
    expect(error).toBeInstanceOf(APIError);
    expect(error).toMatchObject({ status: 404, code: 404 });
    expect((error as Error).message).toContain("Generation not found");
    expect((error as Error).message).not.toContain(TEST_API_KEY);
    expect(server.requests).toHaveLength(3);
  });

  it("any other error status is an APIError at once", async () => {
    const { client, server } = await serve({
      status: 401,
      json: { error: { code: 401, message: "No auth credentials found" } },
    });
    await expect(client.generations.get("gen-1", { initialDelayMs: 1 })).rejects.toMatchObject({
      name: "APIError",
      status: 401,
    });
    expect(server.requests).toHaveLength(1);
  });

  it("ids are URL-encoded; a body without data is a ParseError", async () => {
    const { client, server } = await serve({ json: { nothing: true } });
    const error = await client.generations.get("gen a&b").catch((reason: unknown) => reason);
    expect(error).toBeInstanceOf(ParseError);
    expect(server.requests[0]?.url).toBe("/api/v1/generation?id=gen%20a%26b");
  });

  it("an abort during the wait rejects with the abort's reason", async () => {
    let answered!: () => void;
    const firstAnswer = new Promise<void>((resolve) => {
      answered = resolve;
    });
    const { client, server } = await serve((request) => {
      void request.closed.then(answered);
      return notYet;
    });
    const controller = new AbortController();
    const reason = new Error("stop waiting");
    const pending = client.generations.get("gen-1", {
      signal: controller.signal,
      initialDelayMs: 60_000,
    });
    // Once the first 404 is answered the client reads it and waits a minute: abort that wait.
    await firstAnswer;
    controller.abort(reason);
    await expect(pending).rejects.toBe(reason);
    expect(server.requests).toHaveLength(1);
  });

  it("retries and initialDelayMs that are not numbers >= 0 are refused before any request", async () => {
    const { client, server } = await serve(notYet);
    // NaN retries used to ask again forever: `attempt >= NaN` is never true.
    for (const [options, field] of [
      [{ retries: Number.NaN }, "retries"],
      [{ retries: -1 }, "retries"],
      [{ retries: 1.5 }, "retries"],
      [{ initialDelayMs: Number.NaN }, "initialDelayMs"],
      [{ initialDelayMs: -5 }, "initialDelayMs"],
    ] as const) {
      const error = await client.generations
        .get("gen-1", options)
        .catch((reason: unknown) => reason);
      expect(error).toBeInstanceOf(InvalidRequestError);
      expect(error).toMatchObject({ field });
    }
    expect(server.requests).toHaveLength(0);
  });

  it("an abort while an error body is read rejects with the abort's reason, not the APIError", async () => {
    const controllerToAbort = new AbortController();
    const reason = new Error("stop reading");
    // Aborts as the first byte of the 404's body arrives: after the headers, before the body is
    // read. (undici ships DecoratorHandler without types.)
    const Decorator = DecoratorHandler as unknown as new (
      handler: Dispatcher.DispatchHandler,
    ) => { onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void };
    class AbortOnBody extends Decorator {
      override onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
        controllerToAbort.abort(reason);
        super.onResponseData(controller, chunk);
      }
    }
    const dispatcher = new Agent().compose(
      (dispatch) => (options, handler) =>
        dispatch(options, new AbortOnBody(handler) as Dispatcher.DispatchHandler),
    );
    const { client } = await serve(notYet, { dispatcher });
    const error = await client.generations
      .get("gen-1", { signal: controllerToAbort.signal, retries: 0 })
      .catch((cause: unknown) => cause);
    await dispatcher.close();
    expect(error).toBe(reason);
  });

  it("a 2xx body cut off mid-read is asked again: reading a record changes nothing", async () => {
    let lookups = 0;
    const { client, server } = await serve(() => {
      lookups++;
      return lookups === 1
        ? { json: { data: GENERATION }, destroyAfterBytes: 20 }
        : { json: { data: GENERATION } };
    });
    const generation = await client.generations.get("gen-1", { retries: 1, initialDelayMs: 1 });
    expect(generation).toEqual(GENERATION);
    expect(server.requests).toHaveLength(2);
  });

  it("a 2xx body over the limit is a ParseError, not a connection failure asked again", async () => {
    const { client, server } = await serve({
      json: { data: { id: "g", pad: "x".repeat(1_100_000) } },
    });
    const error = await client.generations.get("gen-1", { retries: 1 }).catch((r: unknown) => r);
    expect(error).toBeInstanceOf(ParseError);
    expect(server.requests).toHaveLength(1);
  });
});
