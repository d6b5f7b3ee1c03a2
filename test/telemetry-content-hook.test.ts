import { diag } from "@opentelemetry/api";
import { AlwaysOffSampler, BasicTracerProvider } from "@opentelemetry/sdk-trace-base";
import { afterEach, describe, expect, it } from "vitest";
import {
  type ChatRequest,
  type ContentHook,
  type ContentInfo,
  type GenAIContent,
  type OpenRouter,
  type OpenRouterOptions,
  tool,
} from "../src/index.js";
import { buildChatEvents, replyPerStep } from "../src/testing/index.js";
import { answer, callTools, collectRun } from "./helpers/agent.js";
import { collect } from "./helpers/collect.js";
import { createTestLogs } from "./helpers/logs.js";
import { captureDiag } from "./helpers/process-health.js";
import { serve } from "./helpers/server.js";
import { contentAttribute, createTestTelemetry, useAsyncContext } from "./helpers/telemetry.js";

useAsyncContext();
afterEach(() => {
  diag.disable();
});

const REQUEST: ChatRequest = {
  model: "openai/gpt-4o-mini",
  system: "Reply to ana@example.com",
  messages: [{ role: "user", content: "My email is bob@example.com" }],
};
const CONTENT = ["gen_ai.system_instructions", "gen_ai.input.messages", "gen_ai.output.messages"];

/** An agent whose one tool looks an email address up: content a hook may want to redact. */
function finderAgent(client: OpenRouter) {
  return client.agent({
    name: "finder",
    model: "openai/gpt-4o-mini",
    tools: {
      lookup: tool({
        parameters: { type: "object", properties: { email: { type: "string" } } },
        execute: async ({ email }) => ({ owner: String(email) }),
      }),
    },
  });
}

async function call(onContent: ContentHook, options: OpenRouterOptions = {}) {
  const telemetry = createTestTelemetry();
  const events = createTestLogs();
  const { client } = await serve(
    { events: buildChatEvents({ text: ["Noted, bob@example.com."] }) },
    {
      tracerProvider: telemetry.tracerProvider,
      loggerProvider: events.loggerProvider,
      onContent,
      ...options,
    },
  );
  const stream = client.chat.stream(REQUEST);
  await collect(stream);
  return {
    span: telemetry.spans()[0]!,
    records: events.records(),
    response: await stream.response,
  };
}

/** Replaces every e-mail address in every text part, in place. */
const redactEmails: ContentHook = (content) => {
  for (const message of [...(content.inputMessages ?? []), ...(content.outputMessages ?? [])]) {
    for (const part of message.parts)
      if (typeof part.content === "string")
        part.content = part.content.replace(/\S+@\S+\.\w+/g, "<email>");
  }
  for (const part of content.systemInstructions ?? [])
    if (typeof part.content === "string")
      part.content = part.content.replace(/\S+@\S+\.\w+/g, "<email>");
  return content;
};

describe("the content hook", () => {
  it("redacts before anything is serialized, once, for the span and the event alike", async () => {
    const seen: ContentInfo[] = [];
    const { span, records } = await call(
      (content, info) => {
        seen.push(info);
        return redactEmails(content, info);
      },
      { captureContent: "SPAN_AND_EVENT" },
    );
    expect(seen.map((info) => info.operation)).toEqual(["chat"]);
    expect(seen[0]?.span.spanContext().spanId).toBe(span.spanContext().spanId);
    expect(seen[0]?.semconv).toBe("v1.41.1");
    const everything = JSON.stringify([span.attributes, records.map((r) => r.attributes)]);
    expect(everything).not.toContain("@example.com");
    expect(contentAttribute(span, "gen_ai.input.messages")).toEqual([
      { role: "user", parts: [{ type: "text", content: "My email is <email>" }] },
    ]);
    expect(records[0]?.attributes["gen_ai.output.messages"]).toEqual([
      {
        role: "assistant",
        parts: [{ type: "text", content: "Noted, <email>." }],
        finish_reason: "stop",
      },
    ]);
  });

  it("replaces content with a reference after uploading it elsewhere", async () => {
    const store = new Map<string, GenAIContent>();
    const { span } = await call((content, { span }) => {
      const key = `chat/${store.size + 1}`;
      store.set(key, structuredClone(content));
      span.setAttribute("app.content.ref", `s3://bucket/${key}`);
      return {};
    });
    expect(span.attributes["app.content.ref"]).toBe("s3://bucket/chat/1");
    for (const attribute of CONTENT) expect(span.attributes[attribute]).toBeUndefined();
    expect(store.get("chat/1")?.inputMessages?.[0]?.parts[0]?.content).toBe(
      "My email is bob@example.com",
    );
  });

  it.each([null, undefined])(
    "drops all content when it returns %s; the rest is recorded",
    async (value) => {
      const { span } = await call(() => value);
      for (const attribute of CONTENT) expect(span.attributes[attribute]).toBeUndefined();
      expect(span.attributes["gen_ai.usage.output_tokens"]).toBe(34);
    },
  );

  it("throwing never breaks the call: the content is dropped and diag says why", async () => {
    const messages = captureDiag();
    const { span, response } = await call(() => {
      throw new Error("vault unreachable");
    });
    expect(response?.text).toBe("Noted, bob@example.com.");
    for (const attribute of CONTENT) expect(span.attributes[attribute]).toBeUndefined();
    expect(span.attributes["gen_ai.response.finish_reasons"]).toEqual(["stop"]);
    expect(messages.join("\n")).toMatch(
      /onContent failed, the chat content is dropped: vault unreachable/,
    );
  });

  it("content that fails to build is dropped, the span's status, attributes and metrics still land", async () => {
    const messages = captureDiag();
    const telemetry = createTestTelemetry();
    const { client } = await serve(
      {
        events: buildChatEvents({
          text: ["Noted."],
          usage: { prompt_tokens: 5, completion_tokens: 2 },
        }),
      },
      { tracerProvider: telemetry.tracerProvider, meterProvider: telemetry.meterProvider },
    );
    // A caller's message that throws when read late: after the request was checked and sent.
    let armed = false;
    const message = { role: "user" as const, content: "My email is bob@example.com" };
    const late = new Proxy(message, {
      get(target, key, receiver) {
        if (armed && key === "content") throw new Error("read after the request");
        return Reflect.get(target, key, receiver);
      },
    });
    const stream = client.chat.stream({ model: "openai/gpt-4o-mini", messages: [late] });
    for await (const _ of stream) armed = true;
    expect((await stream.response).text).toBe("Noted.");
    const [span] = telemetry.spans();
    for (const attribute of CONTENT) expect(span?.attributes[attribute]).toBeUndefined();
    expect(span?.attributes["gen_ai.response.finish_reasons"]).toEqual(["stop"]);
    expect(span?.attributes["gen_ai.usage.input_tokens"]).toBe(5);
    const names = (await telemetry.metrics()).map((metric) => metric.descriptor.name);
    expect(names).toContain("gen_ai.client.operation.duration");
    expect(messages.join("\n")).toMatch(
      /building the call's content failed.*read after the request/,
    );
  });

  it("a hook returning a promise is a mistake: content dropped, diag says so", async () => {
    const messages = captureDiag();
    const { span } = await call((content) => Promise.resolve(content) as unknown as GenAIContent);
    expect(span.attributes["gen_ai.input.messages"]).toBeUndefined();
    expect(messages.join("\n")).toMatch(/returned a promise/);
  });

  it("runs once per agent run, once per step's call and once per tool call", async () => {
    const telemetry = createTestTelemetry();
    const seen: string[] = [];
    const { client } = await serve(
      replyPerStep(
        callTools([["lookup", { email: "bob@example.com" }]]),
        answer("Found bob@example.com"),
      ),
      {
        tracerProvider: telemetry.tracerProvider,
        onContent: (content, info) => {
          seen.push(info.operation);
          const json = JSON.stringify(content).replace(/[\w.]+@example\.com/g, "<email>");
          return JSON.parse(json) as GenAIContent;
        },
      },
    );
    const agent = finderAgent(client);
    const { error } = await collectRun(agent.stream("Who is bob@example.com?"));
    expect(error).toBeUndefined();
    expect(seen.sort()).toEqual(["chat", "chat", "execute_tool", "invoke_agent"]);
    const spans = telemetry.spans();
    expect(JSON.stringify(spans.map((span) => span.attributes))).not.toContain("@example.com");
    const toolSpan = spans.find((span) => span.name === "execute_tool lookup")!;
    expect(contentAttribute(toolSpan, "gen_ai.tool.call.arguments")).toEqual({ email: "<email>" });
    expect(contentAttribute(toolSpan, "gen_ai.tool.call.result")).toEqual({ owner: "<email>" });
  });

  // The conventions: a hook runs whatever the opt-in flags and the sampling decision say, so
  // that uploading content elsewhere does not depend on what the spans keep.
  it.each([
    ["capture is off", { captureContent: false }],
    [
      "the span is not sampled",
      { tracerProvider: new BasicTracerProvider({ sampler: new AlwaysOffSampler() }) },
    ],
  ] as const)("runs when %s; records no content then", async (_, options) => {
    const uploaded: GenAIContent[] = [];
    const onContent: ContentHook = (content, { span }) => {
      uploaded.push(content);
      span.setAttribute("app.content.ref", "store/1");
      return null;
    };
    const { span, records } = await call(onContent, options);
    expect(uploaded).toHaveLength(1);
    expect(JSON.stringify(uploaded[0]?.inputMessages)).toContain("bob@example.com");
    expect(uploaded[0]?.outputMessages?.[0]?.parts[0]?.content).toBe("Noted, bob@example.com.");
    if (!("tracerProvider" in options)) {
      expect(span.attributes["app.content.ref"]).toBe("store/1");
      for (const attribute of CONTENT) expect(span.attributes[attribute]).toBeUndefined();
    }
    expect(records).toEqual([]);
  });

  it("runs for agent runs and tool calls with capture off, recording no content", async () => {
    const telemetry = createTestTelemetry();
    const seen: string[] = [];
    const { client } = await serve(
      replyPerStep(callTools([["lookup", { email: "bob@example.com" }]]), answer("Found him")),
      {
        tracerProvider: telemetry.tracerProvider,
        captureContent: false,
        onContent: (content, info) => {
          seen.push(info.operation);
          return content;
        },
      },
    );
    const agent = finderAgent(client);
    const { error } = await collectRun(agent.stream("Who is bob@example.com?"));
    expect(error).toBeUndefined();
    expect(seen.sort()).toEqual(["chat", "chat", "execute_tool", "invoke_agent"]);
    expect(JSON.stringify(telemetry.spans().map((span) => span.attributes))).not.toContain(
      "bob@example.com",
    );
  });

  it("a hook that edits the content in place changes nothing that is sent: not the next step's tools", async () => {
    const telemetry = createTestTelemetry();
    const { client, server } = await serve(
      replyPerStep(callTools([["lookup", { email: "bob@example.com" }]]), answer("Found him")),
      {
        tracerProvider: telemetry.tracerProvider,
        onContent: (content) => {
          for (const definition of content.toolDefinitions ?? []) {
            const parameters = definition.parameters as { properties: Record<string, unknown> };
            parameters.properties = { redacted: true };
          }
          return content;
        },
      },
    );
    const agent = finderAgent(client);
    const { error } = await collectRun(agent.stream("Who is bob@example.com?"));
    expect(error).toBeUndefined();
    const sentTools = server.requests.map(
      (request) =>
        (request.body as { tools: Array<{ function: { parameters: unknown } }> }).tools[0]?.function
          .parameters,
    );
    expect(sentTools).toEqual([
      { type: "object", properties: { email: { type: "string" } } },
      { type: "object", properties: { email: { type: "string" } } },
    ]);
  });
});
