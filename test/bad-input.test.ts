import { describe, expect, it } from "vitest";
import { type ChatRequest, InvalidRequestError, OpenRouter } from "../src/index.js";
import { HELLO, serve, TEST_API_KEY } from "./helpers/server.js";

const user = { role: "user" as const, content: "hi" };

describe("bad input from the caller: a typed error naming the field, before any request", () => {
  const cases: Array<[string, unknown, string]> = [
    ["no model", { messages: [user] }, "model"],
    ["empty messages", { model: "m", messages: [] }, "messages"],
    [
      "an unknown role",
      { model: "m", messages: [user, { role: "robot", content: "x" }] },
      "messages[1].role",
    ],
    [
      "a tool message without its call id",
      { model: "m", messages: [{ role: "tool", content: "x" }] },
      "messages[0].tool_call_id",
    ],
    ["NaN temperature", { model: "m", messages: [user], temperature: Number.NaN }, "temperature"],
    [
      "a tool with a bad name",
      {
        model: "m",
        messages: [user],
        tools: [{ type: "function", function: { name: "has space" } }],
      },
      "tools[0].function.name",
    ],
    [
      "a tool whose parameters are not a schema",
      {
        model: "m",
        messages: [user],
        tools: [{ type: "function", function: { name: "ok", parameters: "x" } }],
      },
      "tools[0].function.parameters",
    ],
    [
      "a tool that is not a function",
      { model: "m", messages: [user], tools: [{ type: "web" }] },
      "tools[0]",
    ],
    [
      "a BigInt in a passthrough field",
      { model: "m", messages: [user], metadata_extra: 10n },
      "metadata_extra",
    ],
  ];

  it.each(cases)("%s", async (_, request, field) => {
    const { client, server } = await serve({ events: ["[DONE]"] });
    let thrown: unknown;
    try {
      client.chat.stream(request as ChatRequest);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(InvalidRequestError);
    expect((thrown as InvalidRequestError).field).toBe(field);
    expect((thrown as Error).message.startsWith(field)).toBe(true);
    await expect(client.chat.complete(request as ChatRequest)).rejects.toBeInstanceOf(
      InvalidRequestError,
    );
    expect(server.requests).toHaveLength(0);
  });

  it("a cyclic passthrough value", () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    const client = new OpenRouter({ apiKey: TEST_API_KEY, baseURL: "http://127.0.0.1:9/api/v1" });
    expect(() => client.chat.stream({ ...HELLO, provider: cyclic })).toThrow(
      /^provider cannot be serialized/,
    );
  });

  it("client options: a bad baseURL, timeout, retry count or header", () => {
    expect(() => new OpenRouter({ baseURL: "not a url" })).toThrow(
      expect.objectContaining({ field: "baseURL" }),
    );
    expect(() => new OpenRouter({ baseURL: "ftp://x" })).toThrow(
      expect.objectContaining({ field: "baseURL" }),
    );
    expect(() => new OpenRouter({ timeoutMs: -1 })).toThrow(
      expect.objectContaining({ field: "timeoutMs" }),
    );
    expect(() => new OpenRouter({ maxRetries: 1.5 })).toThrow(
      expect.objectContaining({ field: "maxRetries" }),
    );
    expect(() => new OpenRouter({ headers: { "x-a": "1\r\nx-b: 2" } })).toThrow(
      expect.objectContaining({ field: 'headers["x-a"]' }),
    );
    expect(() => new OpenRouter({ headers: { "bad name": "1" } })).toThrow(
      expect.objectContaining({ field: 'headers["bad name"]' }),
    );
    expect(() => new OpenRouter({ appTitle: "a\nb" })).toThrow(
      expect.objectContaining({ field: "appTitle" }),
    );
  });
});
