import { context, ROOT_CONTEXT, trace } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-http";
import { BasicTracerProvider, BatchSpanProcessor } from "@opentelemetry/sdk-trace-base";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type ChatRequest, TRUNCATION_MARKER } from "../src/index.js";
import { ChatAccumulator } from "../src/stream/chat-accumulator.js";
import { CAPTURE_CONTENT_ENV } from "../src/telemetry/capture-content.js";
import { semconvOf } from "../src/telemetry/semconv.js";
import { startCall } from "../src/telemetry/start-call.js";
import { buildChatEvents } from "../src/testing/index.js";
import { collect } from "./helpers/collect.js";
import { startOtlpReceiver } from "./helpers/otlp-receiver.js";
import { HELLO, serve, TEST_API_KEY } from "./helpers/server.js";
import { contentAttribute, createTestTelemetry } from "./helpers/telemetry.js";

beforeAll(() => {
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
});
afterAll(() => {
  context.disable();
});
afterEach(() => {
  delete process.env[CAPTURE_CONTENT_ENV];
});

const ok = { events: buildChatEvents({ text: ["The answer", " is 4."] }) };
const CONTENT_ATTRIBUTES = [
  "gen_ai.input.messages",
  "gen_ai.output.messages",
  "gen_ai.system_instructions",
];

describe("parent and the span option", () => {
  it("nests under the active span captured when stream() is called, which gets no gen_ai attribute", async () => {
    const telemetry = createTestTelemetry();
    const { client } = await serve(ok, { tracerProvider: telemetry.tracerProvider });
    const tracer = telemetry.tracerProvider.getTracer("app");
    const handler = tracer.startSpan("GET /ask");
    const stream = context.with(trace.setSpan(ROOT_CONTEXT, handler), () =>
      client.chat.stream(HELLO),
    );
    // Iterated outside that context: the parent was captured at the call.
    await collect(stream);
    handler.end();
    const chat = telemetry.spans().find((span) => span.name === "chat_streaming");
    const parent = telemetry.spans().find((span) => span.name === "GET /ask");
    expect(chat?.parentSpanContext?.spanId).toBe(handler.spanContext().spanId);
    expect(chat?.spanContext().traceId).toBe(handler.spanContext().traceId);
    expect(
      Object.keys(parent?.attributes ?? {}).filter((key) => key.startsWith("gen_ai.")),
    ).toEqual([]);
  });

  it("records into a handed-over span and leaves ending it to the caller", async () => {
    const telemetry = createTestTelemetry();
    const { client } = await serve(ok, { tracerProvider: telemetry.tracerProvider });
    const turn = telemetry.tracerProvider.getTracer("agent").startSpan("agent turn");
    const stream = client.chat.stream(HELLO, { span: turn });
    await collect(stream);
    expect(telemetry.spans()).toHaveLength(0); // not ended by the SDK
    turn.end();
    const [span] = telemetry.spans();
    expect(telemetry.spans()).toHaveLength(1);
    expect(span?.name).toBe("agent turn");
    expect(span?.attributes).toMatchObject({
      "gen_ai.operation.name": "chat",
      "gen_ai.request.model": HELLO.model,
      "gen_ai.response.finish_reasons": ["stop"],
      "gen_ai.usage.input_tokens": 12,
    });
    expect(contentAttribute(span!, "gen_ai.output.messages")).toEqual([
      {
        role: "assistant",
        parts: [{ type: "text", content: "The answer is 4." }],
        finish_reason: "stop",
      },
    ]);
  });

  it("complete() records a span named chat, not streamed", async () => {
    const telemetry = createTestTelemetry();
    const { client } = await serve(
      {
        json: {
          id: "gen-9",
          model: "m",
          choices: [{ message: { content: "hi" }, finish_reason: "stop" }],
        },
      },
      { tracerProvider: telemetry.tracerProvider },
    );
    await client.chat.complete(HELLO);
    const [span] = telemetry.spans();
    expect(span?.name).toBe("chat");
    expect(span?.attributes).toMatchObject({
      "gen_ai.request.stream": false,
      "gen_ai.response.id": "gen-9",
    });
  });
});

describe("content capture", () => {
  async function spanWith(
    options: { captureContent?: boolean },
    request: ChatRequest = { ...HELLO, system: "secret system" },
  ) {
    const telemetry = createTestTelemetry();
    const { client } = await serve(ok, {
      tracerProvider: telemetry.tracerProvider,
      ...options,
      captureContent: options.captureContent,
    });
    await collect(client.chat.stream(request));
    return telemetry.spans()[0]!;
  }

  it("is on by default", async () => {
    const span = await spanWith({});
    for (const attribute of CONTENT_ATTRIBUTES)
      expect(span.attributes[attribute]).toBeTypeOf("string");
  });

  it.each(["false", "NO_CONTENT"])(
    "is off with %s in the variable: no text anywhere in the span",
    async (value) => {
      process.env[CAPTURE_CONTENT_ENV] = value;
      const span = await spanWith({});
      for (const attribute of CONTENT_ATTRIBUTES)
        expect(span.attributes[attribute]).toBeUndefined();
      const everything = JSON.stringify({ attributes: span.attributes, events: span.events });
      for (const text of ["Hello", "secret system", "The answer"])
        expect(everything).not.toContain(text);
      expect(span.attributes["gen_ai.usage.output_tokens"]).toBe(34); // the rest is still there
    },
  );

  it("the client option wins over the variable, both ways", async () => {
    process.env[CAPTURE_CONTENT_ENV] = "false";
    expect(
      (await spanWith({ captureContent: true })).attributes["gen_ai.input.messages"],
    ).toBeTypeOf("string");
    process.env[CAPTURE_CONTENT_ENV] = "true";
    expect(
      (await spanWith({ captureContent: false })).attributes["gen_ai.input.messages"],
    ).toBeUndefined();
  });

  it("truncates text inside parts so the JSON stays valid", async () => {
    const telemetry = createTestTelemetry();
    const { client } = await serve(
      { events: buildChatEvents({ text: ["x".repeat(50), "🙂".repeat(20)] }) },
      { tracerProvider: telemetry.tracerProvider, maxContentChars: 31 },
    );
    await collect(
      client.chat.stream({ ...HELLO, messages: [{ role: "user", content: "y".repeat(100) }] }),
    );
    const [span] = telemetry.spans();
    expect(contentAttribute(span!, "gen_ai.input.messages")).toEqual([
      { role: "user", parts: [{ type: "text", content: `${"y".repeat(31)}${TRUNCATION_MARKER}` }] },
    ]);
    const output = contentAttribute(span!, "gen_ai.output.messages") as Array<{
      parts: Array<{ content: string }>;
    }>;
    expect(output[0]?.parts[0]?.content).toBe(`${"x".repeat(31)}${TRUNCATION_MARKER}`);
  });
});

const EMPTY_RESPONSE = new ChatAccumulator().snapshot();

describe("nothing is done for nobody", () => {
  it("with no tracer and no meter, no recorder is made and the messages are not serialized", () => {
    let reads = 0;
    const message = {
      role: "user" as const,
      get content() {
        reads++;
        return "counted";
      },
    };
    const request: ChatRequest = { model: "m", messages: [message] };
    const settings = {
      tracer: trace.getTracer("nobody"), // the global API with no provider: a no-op
      meterProvider: undefined,
      captureContent: true,
      maxContentChars: 100,
      server: { address: "x", port: 1 },
      semconv: semconvOf("v1.41.1"),
    };
    const started = startCall(settings, request, true, ROOT_CONTEXT, undefined);
    expect(started.telemetry).toBeUndefined();
    expect(reads).toBe(0);
    const recording = createTestTelemetry();
    const on = startCall(
      { ...settings, tracer: recording.tracerProvider.getTracer("t") },
      request,
      true,
      ROOT_CONTEXT,
      undefined,
    );
    expect(on.telemetry).toBeDefined();
    expect(reads).toBe(0); // content is built once, when the call ends
    on.telemetry?.end({ kind: "failed", error: new Error("cut"), partial: EMPTY_RESPONSE });
    expect(reads).toBe(1);
    expect(recording.spans()[0]?.attributes["gen_ai.input.messages"]).toContain("counted");
  });
});

describe("through the real wire", () => {
  it("the OTLP/HTTP exporter delivers the span with its gen_ai attributes and parent, and no API key", async () => {
    const receiver = await startOtlpReceiver();
    try {
      const exporter = new OTLPTraceExporter({ url: `${receiver.endpoint}/v1/traces` });
      const tracerProvider = new BasicTracerProvider({
        spanProcessors: [new BatchSpanProcessor(exporter)],
      });
      const { client } = await serve(ok, { tracerProvider });
      const parent = tracerProvider.getTracer("app").startSpan("job");
      await context.with(trace.setSpan(ROOT_CONTEXT, parent), () =>
        collect(client.chat.stream(HELLO)),
      );
      parent.end();
      await tracerProvider.forceFlush();
      const spans = await receiver.waitForSpans(2);
      const chat = spans.find((span) => span.name === "chat_streaming");
      expect(chat?.parentSpanId).toBe(parent.spanContext().spanId);
      expect(chat?.attributes).toMatchObject({
        "gen_ai.operation.name": "chat",
        "gen_ai.provider.name": "openrouter",
        "gen_ai.request.model": HELLO.model,
        "gen_ai.request.stream": true,
        "gen_ai.response.model": "openai/gpt-4o-mini",
        "gen_ai.response.finish_reasons": ["stop"],
        "gen_ai.usage.input_tokens": 12,
        "gen_ai.usage.output_tokens": 34,
        "openrouter.usage.cost": 0.00012,
      });
      expect(JSON.parse(chat?.attributes["gen_ai.output.messages"] as string)).toEqual([
        {
          role: "assistant",
          parts: [{ type: "text", content: "The answer is 4." }],
          finish_reason: "stop",
        },
      ]);
      for (const body of receiver.bodies) expect(body).not.toContain(TEST_API_KEY);
      await tracerProvider.shutdown();
    } finally {
      await receiver.close();
    }
  });
});
