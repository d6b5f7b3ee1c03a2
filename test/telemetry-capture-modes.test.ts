import { context, ROOT_CONTEXT, trace } from "@opentelemetry/api";
import { logs } from "@opentelemetry/api-logs";
import { afterEach, describe, expect, it, vi } from "vitest";
import {
  type ChatRequest,
  InvalidRequestError,
  OpenRouter,
  type OpenRouterOptions,
} from "../src/index.js";
import { CAPTURE_CONTENT_ENV, EMIT_EVENT_ENV } from "../src/telemetry/capture-content.js";
import { buildChatEvents, type MockReplies } from "../src/testing/index.js";
import { collect } from "./helpers/collect.js";
import { createTestLogs } from "./helpers/logs.js";
import { serve } from "./helpers/server.js";
import {
  createTestTelemetry,
  expectValidAgainstSchema,
  useAsyncContext,
} from "./helpers/telemetry.js";

useAsyncContext();
afterEach(() => {
  delete process.env[CAPTURE_CONTENT_ENV];
  delete process.env[EMIT_EVENT_ENV];
  logs.disable();
});

const REQUEST: ChatRequest = {
  model: "openai/gpt-4o-mini",
  system: "Be terse.",
  messages: [{ role: "user", content: "2+2?" }],
  temperature: 0,
};
const OK: MockReplies = { events: buildChatEvents({ text: ["Four."] }) };
const CONTENT = ["gen_ai.system_instructions", "gen_ai.input.messages", "gen_ai.output.messages"];

async function call(options: OpenRouterOptions, replies: MockReplies = OK) {
  const telemetry = createTestTelemetry();
  const events = createTestLogs();
  const { client } = await serve(replies, {
    tracerProvider: telemetry.tracerProvider,
    loggerProvider: events.loggerProvider,
    captureContent: undefined, // the variables decide, unless a test says otherwise
    ...options,
  });
  await collect(client.chat.stream(REQUEST)).catch(() => undefined);
  const [span] = telemetry.spans();
  if (span === undefined) throw new Error("no span");
  return { span, records: events.records() };
}

describe("capture modes from the variables", () => {
  it.each([
    // mode, EMIT_EVENT, content on the span, event, content in the event
    [undefined, undefined, true, false, false],
    ["true", undefined, true, false, false],
    ["false", undefined, false, false, false],
    ["NO_CONTENT", undefined, false, false, false],
    ["SPAN_ONLY", undefined, true, false, false],
    ["EVENT_ONLY", undefined, false, true, true],
    ["span_and_event", undefined, true, true, true],
    ["NO_CONTENT", "true", false, true, false],
    ["SPAN_ONLY", "TRUE", true, true, false],
    ["EVENT_ONLY", "false", false, false, false],
    [" No_Content ", undefined, false, false, false],
    // A value nobody defined (a typo, "off") fails closed: a privacy switch must not leak.
    ["off", undefined, false, false, false],
    // The specification's booleans: anything but true/false is false, with a warning.
    ["EVENT_ONLY", "yes", false, false, false],
    ["EVENT_ONLY", " True ", false, true, true],
  ])(
    "%s with EMIT_EVENT=%s: span content %s, event %s, event content %s",
    async (mode, emit, onSpan, event, inEvent) => {
      if (mode !== undefined) process.env[CAPTURE_CONTENT_ENV] = mode;
      if (emit !== undefined) process.env[EMIT_EVENT_ENV] = emit;
      const { span, records } = await call({});
      for (const attribute of CONTENT)
        expect(typeof span.attributes[attribute] === "string").toBe(onSpan);
      expect(records).toHaveLength(event ? 1 : 0);
      if (event) {
        for (const attribute of CONTENT)
          expect(records[0]?.attributes[attribute] !== undefined).toBe(inEvent);
      }
      if (!onSpan) expect(JSON.stringify(span.attributes)).not.toContain("2+2?");
      if (!inEvent) expect(JSON.stringify(records.map((r) => r.attributes))).not.toContain("2+2?");
    },
  );

  it("the client options win over both variables", async () => {
    process.env[CAPTURE_CONTENT_ENV] = "NO_CONTENT";
    process.env[EMIT_EVENT_ENV] = "false";
    const { span, records } = await call({ captureContent: "SPAN_AND_EVENT", emitEvent: true });
    expect(span.attributes["gen_ai.input.messages"]).toBeTypeOf("string");
    expect(records).toHaveLength(1);
    const off = await call({ captureContent: "EVENT_ONLY", emitEvent: false });
    expect(off.records).toHaveLength(0);
    expect(off.span.attributes["gen_ai.input.messages"]).toBeUndefined();
  });
});

describe("bad content options", () => {
  it.each([
    ["captureContent", { captureContent: "SOMETIMES" }],
    ["onContent", { onContent: "redact" }],
    ["maxContentAttributeChars", { maxContentAttributeChars: -1 }],
    ["maxSpanContentChars", { maxSpanContentChars: 1.5 }],
    ["maxContentChars", { maxContentChars: 0 }],
  ])("%s is rejected at construction, by name", (field, options) => {
    const make = () => new OpenRouter({ apiKey: "k", ...(options as OpenRouterOptions) });
    expect(make).toThrow(InvalidRequestError);
    expect(make).toThrow(field);
  });
});

describe("the details event", () => {
  it("carries the call's attributes and structured content, in the chat span's context", async () => {
    const { span, records } = await call({ captureContent: "EVENT_ONLY" });
    const [record] = records;
    expect(record?.eventName).toBe("gen_ai.client.inference.operation.details");
    expect(record?.spanContext?.spanId).toBe(span.spanContext().spanId);
    expect(record?.spanContext?.traceId).toBe(span.spanContext().traceId);
    expect(record?.instrumentationScope.name).toBe("openrouter-otel");
    const attributes = record?.attributes ?? {};
    expect(attributes).toMatchObject({
      "gen_ai.operation.name": "chat",
      "gen_ai.provider.name": "openrouter",
      "gen_ai.request.model": REQUEST.model,
      "gen_ai.request.temperature": 0,
      "gen_ai.response.id": "gen-mock-1",
      "gen_ai.response.finish_reasons": ["stop"],
      "gen_ai.usage.input_tokens": 12,
      "gen_ai.usage.output_tokens": 34,
    });
    // Structured, not JSON strings; each valid against its schema.
    expect(attributes["gen_ai.input.messages"]).toEqual([
      { role: "user", parts: [{ type: "text", content: "2+2?" }] },
    ]);
    for (const attribute of CONTENT) expectValidAgainstSchema(attribute, attributes[attribute]);
    // The span keeps every non-content attribute.
    expect(span.attributes["gen_ai.response.id"]).toBe("gen-mock-1");
  });

  it("follows the version: latest content validates against latest's schemas", async () => {
    const { records } = await call({ captureContent: "EVENT_ONLY", semconv: "latest" });
    const attributes = records[0]?.attributes ?? {};
    expect(attributes["gen_ai.usage.cache_write.input_tokens"]).toBe(0);
    for (const attribute of CONTENT)
      expectValidAgainstSchema(attribute, attributes[attribute], "latest");
  });

  it("is emitted for a failed call too, with error.type", async () => {
    const { records } = await call(
      { captureContent: "EVENT_ONLY", maxRetries: 0 },
      { status: 400, json: { error: { code: 400, message: "bad model" } } },
    );
    expect(records[0]?.attributes).toMatchObject({
      "error.type": "400",
      "gen_ai.response.finish_reasons": ["error"],
    });
  });

  it("is emitted without a tracer provider: the logger alone is worth recording for", async () => {
    const events = createTestLogs();
    const { client } = await serve(OK, {
      loggerProvider: events.loggerProvider,
      captureContent: "EVENT_ONLY",
    });
    await collect(client.chat.stream(REQUEST));
    expect(events.records()).toHaveLength(1);
    expect(events.records()[0]?.attributes["gen_ai.output.messages"]).toEqual([
      { role: "assistant", parts: [{ type: "text", content: "Four." }], finish_reason: "stop" },
    ]);
  });

  it("goes to the global logger provider once one is registered, and nowhere before", async () => {
    const { client } = await serve(OK, { captureContent: "EVENT_ONLY" });
    await collect(client.chat.stream(REQUEST)); // no provider registered: nothing, no error
    const events = createTestLogs();
    logs.setGlobalLoggerProvider(events.loggerProvider);
    const parent = createTestTelemetry().tracerProvider.getTracer("app").startSpan("job");
    await context.with(trace.setSpan(ROOT_CONTEXT, parent), () =>
      collect(client.chat.stream(REQUEST)),
    );
    await vi.waitFor(() => expect(events.records()).toHaveLength(1));
    expect(events.records()[0]?.eventName).toBe("gen_ai.client.inference.operation.details");
  });
});

describe("a logger provider that throws", () => {
  it("breaks neither the call nor its span: ended once, without the event", async () => {
    const telemetry = createTestTelemetry();
    const { client } = await serve(OK, {
      tracerProvider: telemetry.tracerProvider,
      captureContent: "SPAN_AND_EVENT",
      loggerProvider: {
        getLogger: () => {
          throw new Error("broken logger provider");
        },
      },
    });
    const response = await client.chat.complete(REQUEST);
    expect(response.text).toBe("Four.");
    const spans = telemetry.spans();
    expect(spans).toHaveLength(1);
    expect(typeof spans[0]?.attributes["gen_ai.output.messages"]).toBe("string");
  });
});

describe("a meter provider that throws", () => {
  const meterProvider = {
    getMeter: () => {
      throw new Error("broken meter provider");
    },
  };

  it("the chat span still ends, once, and the call succeeds", async () => {
    const telemetry = createTestTelemetry();
    const { client } = await serve(OK, { tracerProvider: telemetry.tracerProvider, meterProvider });
    expect((await client.chat.complete(REQUEST)).text).toBe("Four.");
    expect(telemetry.spans().map((span) => span.name)).toEqual(["chat"]);
  });

  it("the agent span still ends, once, and the run succeeds", async () => {
    const telemetry = createTestTelemetry();
    const { client } = await serve(OK, { tracerProvider: telemetry.tracerProvider, meterProvider });
    const agent = client.agent({ name: "a", model: "openai/gpt-4o-mini" });
    expect((await agent.run("2+2?")).text).toBe("Four.");
    expect(telemetry.spans().filter((span) => span.name === "invoke_agent a")).toHaveLength(1);
  });
});
