import { SpanStatusCode } from "@opentelemetry/api";
import { toStandardJsonSchema } from "@valibot/to-json-schema";
import { type } from "arktype";
import * as v from "valibot";
import { describe, expect, expectTypeOf, it } from "vitest";
import { z } from "zod";
import {
  type AgentOptions,
  InvalidRequestError,
  OpenRouter,
  type Tool,
  type ToolContext,
  tool,
} from "../src/index.js";
import { replyPerStep } from "../src/testing/index.js";
import { answer, callTools, collectRun, sentMessages } from "./helpers/agent.js";
import { serve, TEST_API_KEY } from "./helpers/server.js";
import { createSpanLedger } from "./helpers/span-ledger.js";

/** What every library below must send for `{ city: string (2+ chars), days?: number }`. */
const CITY_SCHEMA = {
  type: "object",
  properties: { city: { type: "string", minLength: 2 }, days: { type: "number" } },
  required: ["city"],
};

type CityArgs = { city: string; days?: number | undefined };

const libraries = {
  zod: z.object({ city: z.string().min(2), days: z.number().optional() }),
  valibot: toStandardJsonSchema(
    v.object({ city: v.pipe(v.string(), v.minLength(2)), days: v.optional(v.number()) }),
  ),
  arktype: type({ city: "string>=2", "days?": "number" }),
};

describe.each(Object.entries(libraries))("a %s schema", (_library, schema) => {
  async function run(args: unknown) {
    const received: unknown[] = [];
    const weather = tool({
      description: "Weather",
      parameters: schema,
      execute: (input) => {
        received.push(input);
        return `${input.city}: 21`;
      },
    });
    const { client, server } = await serve(
      replyPerStep(callTools([["weather", args, "call_1"]]), answer("ok")),
    );
    const agent = client.agent({ name: "tools-bot", model: "m/m", tools: { weather } });
    const outcome = await collectRun(agent.stream("go"));
    return { ...outcome, received, server };
  }

  it("is sent as its JSON Schema (draft-07, without $schema) in tools", async () => {
    const { server } = await run({ city: "Lisbon" });
    expect((server.requests[0]!.body as { tools: unknown }).tools).toEqual([
      {
        type: "function",
        function: { name: "weather", parameters: CITY_SCHEMA, description: "Weather" },
      },
    ]);
  });

  it("validates the arguments before execute: valid ones reach it", async () => {
    const { received, server, error } = await run({ city: "Lisbon", days: 2 });
    expect(error).toBeUndefined();
    expect(received).toEqual([{ city: "Lisbon", days: 2 }]);
    expect(sentMessages(server.requests[1]!).at(-1)).toMatchObject({ content: "Lisbon: 21" });
  });

  it("invalid ones are fed back as invalid_arguments, and execute never runs", async () => {
    const { received, server, events } = await run({ city: "L", days: "two" });
    expect(received).toEqual([]);
    const failed = events.find((event) => event.type === "tool_error");
    expect(failed).toMatchObject({ error: { kind: "invalid_arguments" } });
    const fedBack = JSON.parse(sentMessages(server.requests[1]!).at(-1)!.content as string);
    expect(Object.keys(fedBack)).toEqual(["error"]);
    expect(fedBack.error).toMatch(/^invalid arguments: /);
    expect(fedBack.error).toContain("city");
    expect(fedBack.error).toContain("days");
  });
});

describe("a schema that answers oddly", () => {
  const oddSchemas = {
    "issues with a null path segment": () => ({
      issues: [{ message: "bad", path: [null as unknown as PropertyKey] }],
    }),
    "no result at all": () => undefined as never,
  };

  it.each(Object.entries(oddSchemas))(
    "%s: fed back as invalid_arguments, its span ended as failed before the next step",
    async (_case, validate) => {
      const ledger = createSpanLedger();
      const odd = tool({
        jsonSchema: { type: "object" },
        parameters: { "~standard": { version: 1, vendor: "test", validate } },
        execute: () => "ran",
      });
      const { client } = await serve(replyPerStep(callTools([["odd", { a: 1 }]]), answer("ok")), {
        tracerProvider: ledger.tracerProvider,
      });
      const agent = client.agent({ name: "odd-bot", model: "m/m", tools: { odd } });
      const { events, error } = await collectRun(agent.stream("go"));
      expect(error).toBeUndefined();
      expect(events.find((event) => event.type === "tool_error")).toMatchObject({
        error: { kind: "invalid_arguments" },
      });
      const names = ledger.spans().map((span) => span.name);
      expect(names.indexOf("execute_tool odd")).toBeLessThan(names.lastIndexOf("chat_streaming"));
      expect(ledger.span("execute_tool odd").status.code).toBe(SpanStatusCode.ERROR);
    },
  );
});

describe("tool()", () => {
  it("types args from a Standard Schema and from a plain JSON Schema", () => {
    tool({
      parameters: libraries.zod,
      execute: (args, context) => {
        expectTypeOf(args).toEqualTypeOf<{ city: string; days?: number | undefined }>();
        expectTypeOf(context).toEqualTypeOf<ToolContext>();
      },
    });
    tool({
      parameters: libraries.valibot,
      execute: (args) => expectTypeOf(args).toEqualTypeOf<CityArgs>(),
    });
    tool({
      parameters: libraries.arktype,
      execute: (args) => expectTypeOf(args).toEqualTypeOf<{ city: string; days?: number }>(),
    });
    const plain = tool({
      parameters: {
        type: "object",
        properties: {
          city: { type: "string" },
          unit: { enum: ["C", "F"] },
          days: { type: "array", items: { type: "integer" } },
        },
        required: ["city"],
      },
      execute: (args) => {
        expectTypeOf(args).toEqualTypeOf<{
          city: string;
          unit?: "C" | "F";
          days?: number[];
        }>();
      },
    });
    expectTypeOf(plain).toMatchTypeOf<Tool<{ city: string }>>();
  });

  it("passes a transform's output to execute", async () => {
    let got: unknown;
    const { client } = await serve(
      replyPerStep(callTools([["shout", { word: "hi" }]]), answer("ok")),
    );
    const shout = tool({
      parameters: z.object({ word: z.string().transform((word) => word.toUpperCase()) }),
      execute: ({ word }) => {
        expectTypeOf(word).toEqualTypeOf<string>();
        got = word;
        return word;
      },
    });
    await client.agent({ name: "tools-bot", model: "m/m", tools: { shout } }).run("go");
    expect(got).toBe("HI");
  });

  it("a schema without a JSON Schema converter needs jsonSchema", () => {
    const bare = v.object({ city: v.string() });
    expect(() => tool({ parameters: bare, execute: () => "" })).toThrow(
      expect.objectContaining({ name: "InvalidRequestError", field: "parameters" }),
    );
    const given = { type: "object", properties: { city: { type: "string" } } };
    expect(tool({ parameters: bare, jsonSchema: given, execute: () => "" }).parameters).toBe(given);
  });

  it.each<[string, unknown, string]>([
    ["no execute", { parameters: { type: "object" } }, "execute"],
    ["parameters not an object", { parameters: "object", execute: () => "" }, "parameters"],
    [
      "a description not a string",
      { description: 1, parameters: {}, execute: () => "" },
      "description",
    ],
    ["not an object", null, "tool"],
  ])("refuses %s", (_case, definition, field) => {
    expect(() => tool(definition as never)).toThrow(InvalidRequestError);
    expect(() => tool(definition as never)).toThrow(expect.objectContaining({ field }));
  });
});

describe("bad agent options throw an InvalidRequestError naming the field, before anything is sent", () => {
  const client = new OpenRouter({ apiKey: TEST_API_KEY, baseURL: "http://127.0.0.1:9/api/v1" });
  const ok = tool({ parameters: { type: "object" }, execute: () => "" });
  const base: AgentOptions = { name: "bot", model: "m/m", tools: { ok } };

  it.each<[string, unknown, string]>([
    ["no name", { ...base, name: undefined }, "name"],
    ["a blank name", { ...base, name: "  " }, "name"],
    ["no model", { ...base, model: undefined }, "model"],
    ["maxSteps 0", { ...base, maxSteps: 0 }, "maxSteps"],
    ["maxSteps 2.5", { ...base, maxSteps: 2.5 }, "maxSteps"],
    ["toolConcurrency 0", { ...base, toolConcurrency: 0 }, "toolConcurrency"],
    ["toolConcurrency as a string", { ...base, toolConcurrency: "8" }, "toolConcurrency"],
    ["toolConcurrency Infinity", { ...base, toolConcurrency: Infinity }, "toolConcurrency"],
    ["an unknown onToolError", { ...base, onToolError: "ignore" }, "onToolError"],
    ["a tool name with a space", { ...base, tools: { "get weather": ok } }, "tools.get weather"],
    [
      "a tool name of 65 characters",
      { ...base, tools: { ["x".repeat(65)]: ok } },
      `tools.${"x".repeat(65)}`,
    ],
    ["a tool not made with tool()", { ...base, tools: { ok: { execute: () => "" } } }, "tools.ok"],
    ["tools as a list", { ...base, tools: [ok] }, "tools"],
    ["a system prompt not a string", { ...base, system: 1 }, "system"],
    ["options that are not an object", null, "agent"],
  ])("%s", (_case, options, field) => {
    let thrown: unknown;
    try {
      client.agent(options as AgentOptions);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(InvalidRequestError);
    expect(thrown).toMatchObject({ field });
  });

  it("a bad input or conversationId throws at stream(), a bad request field too", () => {
    const agent = client.agent(base);
    expect(() => agent.stream("")).toThrow(expect.objectContaining({ field: "input" }));
    expect(() => agent.stream([])).toThrow(expect.objectContaining({ field: "input" }));
    expect(() => agent.stream("hi", { conversationId: "" })).toThrow(
      expect.objectContaining({ field: "conversationId" }),
    );
    const hot = client.agent({ ...base, temperature: "hot" as never });
    expect(() => hot.stream("hi")).toThrow(InvalidRequestError);
  });
});
