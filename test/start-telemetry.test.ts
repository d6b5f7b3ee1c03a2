import { trace } from "@opentelemetry/api";
import { describe, expect, it } from "vitest";
import { OpenRouter } from "../src/index.js";
import { startTelemetry } from "../src/telemetry/bootstrap/index.js";
import { buildChatEvents } from "../src/testing/index.js";
import { collect } from "./helpers/collect.js";
import type { OtlpReceiver, ReceivedSpan } from "./helpers/otlp-receiver.js";
import { runStartTelemetry } from "./helpers/run-start-telemetry.js";
import { HELLO, serve } from "./helpers/server.js";
import {
  DETAILS_EVENT,
  emitDetailsEvent,
  oneTracedCall,
  unregisterTelemetry,
  useTelemetryBootstrapTests,
} from "./helpers/telemetry-bootstrap.js";

const bootstrap = useTelemetryBootstrapTests();

describe("startTelemetry()", () => {
  it("reads the standard variables: endpoint, service name, resource attributes", async () => {
    process.env.OTEL_EXPORTER_OTLP_ENDPOINT = bootstrap.receiver.endpoint;
    process.env.OTEL_SERVICE_NAME = "checkout";
    process.env.OTEL_RESOURCE_ATTRIBUTES = "deployment.environment.name=test,team=payments";
    const telemetry = startTelemetry();
    await oneTracedCall();
    expect(await telemetry.shutdown()).toEqual({ ended: 1, exported: 1, failed: 0, dropped: 0 });
    const [span] = await bootstrap.receiver.waitForSpans(1);
    expect(span?.name).toBe("chat_streaming");
    expect(span?.resource).toMatchObject({
      "service.name": "checkout",
      "deployment.environment.name": "test",
      team: "payments",
    });
  });

  it("the serviceName option wins over OTEL_SERVICE_NAME", async () => {
    process.env.OTEL_SERVICE_NAME = "from-env";
    const telemetry = startTelemetry({
      endpoint: bootstrap.receiver.endpoint,
      serviceName: "from-option",
    });
    await oneTracedCall();
    await telemetry.shutdown();
    const [span] = await bootstrap.receiver.waitForSpans(1);
    expect(span?.resource["service.name"]).toBe("from-option");
  });

  it("a service.name in OTEL_RESOURCE_ATTRIBUTES is kept, not replaced by the default", async () => {
    process.env.OTEL_RESOURCE_ATTRIBUTES = "service.name=from-attributes";
    const telemetry = startTelemetry({ endpoint: bootstrap.receiver.endpoint });
    await oneTracedCall();
    await telemetry.shutdown();
    const [span] = await bootstrap.receiver.waitForSpans(1);
    expect(span?.resource["service.name"]).toBe("from-attributes");
  });

  it("OTEL_SDK_DISABLED=true starts nothing and records nothing", async () => {
    process.env.OTEL_SDK_DISABLED = "true";
    const telemetry = startTelemetry();
    expect(telemetry.enabled).toBe(false);
    await oneTracedCall();
    expect(await telemetry.shutdown()).toEqual({ ended: 0, exported: 0, failed: 0, dropped: 0 });
    expect(trace.getTracer("x").startSpan("probe").isRecording()).toBe(false);
  });

  it("shutdown() flushes every buffered span, and is safe to call twice", async () => {
    const telemetry = startTelemetry({
      endpoint: bootstrap.receiver.endpoint,
      scheduledDelayMillis: 60_000,
    });
    const client = new OpenRouter({
      apiKey: "k",
      baseURL: (await serve({ events: buildChatEvents({ text: ["a"] }) })).server.baseURL,
    });
    for (let i = 0; i < 5; i++) await collect(client.chat.stream(HELLO));
    const [first, second] = await Promise.all([telemetry.shutdown(), telemetry.shutdown()]);
    expect(first).toEqual({ ended: 5, exported: 5, failed: 0, dropped: 0 });
    expect(second).toBe(first);
    expect(bootstrap.receiver.spans).toHaveLength(5);
  });
});

/** Every content type the receiver saw per signal. */
function contentTypes(received: OtlpReceiver): Record<string, string[]> {
  const types: Record<string, string[]> = {};
  for (const { signal, contentType } of received.requests) {
    const seen = types[signal ?? "other"] ?? [];
    if (!seen.includes(contentType)) seen.push(contentType);
    types[signal ?? "other"] = seen;
  }
  return types;
}

/** One call and one details event, flushed by shutdown. */
async function exportAllThreeSignals(): Promise<void> {
  process.env.OTEL_EXPORTER_OTLP_ENDPOINT = bootstrap.receiver.endpoint;
  const telemetry = startTelemetry();
  await oneTracedCall();
  emitDetailsEvent();
  await telemetry.shutdown();
}

/** What two runs must agree on: all but ids, the resource, and what varies per run (its type stays). */
function comparable(span: ReceivedSpan | undefined) {
  const attributes = { ...span?.attributes };
  for (const key of ["gen_ai.response.time_to_first_chunk", "server.port"]) {
    attributes[key] = typeof attributes[key];
  }
  return { name: span?.name, attributes, status: span?.status };
}

describe("OTEL_EXPORTER_OTLP_PROTOCOL", () => {
  it("defaults to http/protobuf, the specification's default, for all three signals", async () => {
    await exportAllThreeSignals();
    expect(contentTypes(bootstrap.receiver)).toEqual({
      traces: ["application/x-protobuf"],
      metrics: ["application/x-protobuf"],
      logs: ["application/x-protobuf"],
    });
    expect(bootstrap.receiver.spans.map((span) => span.name)).toEqual([
      "chat_streaming",
      "chat test-model",
    ]);
    expect(bootstrap.receiver.metrics.map((metric) => metric.name)).toContain(
      "gen_ai.client.operation.duration",
    );
    expect(bootstrap.receiver.logs).toHaveLength(1);
  });

  it("http/json sends OTLP/JSON, and it decodes to the same spans as protobuf", async () => {
    await exportAllThreeSignals();
    const protobufSpans = bootstrap.receiver.spans.map(comparable);
    const protobufLogs = bootstrap.receiver.logs.map(({ body, attributes, eventName }) => ({
      body,
      attributes,
      eventName,
    }));
    unregisterTelemetry();
    await bootstrap.replaceReceiver();
    process.env.OTEL_EXPORTER_OTLP_PROTOCOL = "http/json";
    await exportAllThreeSignals();
    expect(contentTypes(bootstrap.receiver)).toEqual({
      traces: ["application/json"],
      metrics: ["application/json"],
      logs: ["application/json"],
    });
    expect(bootstrap.receiver.spans.map(comparable)).toEqual(protobufSpans);
    expect(bootstrap.receiver.logs).toMatchObject(protobufLogs);
    expect(bootstrap.receiver.spans[0]?.attributes["gen_ai.usage.output_tokens"]).toBeTypeOf(
      "number",
    );
  });

  it("a per-signal protocol wins over the general one", async () => {
    process.env.OTEL_EXPORTER_OTLP_PROTOCOL = "http/json";
    process.env.OTEL_EXPORTER_OTLP_METRICS_PROTOCOL = "http/protobuf";
    process.env.OTEL_EXPORTER_OTLP_LOGS_PROTOCOL = "http/protobuf";
    await exportAllThreeSignals();
    expect(contentTypes(bootstrap.receiver)).toEqual({
      traces: ["application/json"],
      metrics: ["application/x-protobuf"],
      logs: ["application/x-protobuf"],
    });
  });

  it("grpc is not supported: a warning, and http/protobuf", async () => {
    process.env.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL = "grpc";
    const warnings: string[] = [];
    const warn = console.warn;
    console.warn = (message: unknown) => warnings.push(String(message));
    try {
      await exportAllThreeSignals();
    } finally {
      console.warn = warn;
    }
    expect(warnings.join("\n")).toContain('OTLP protocol "grpc" is not supported');
    expect(contentTypes(bootstrap.receiver).traces).toEqual(["application/x-protobuf"]);
  });
});

describe("without the protobuf exporters installed (the built package, in a child process)", () => {
  const PROTO_PEERS = [
    "@opentelemetry/exporter-trace-otlp-proto",
    "@opentelemetry/exporter-metrics-otlp-proto",
    "@opentelemetry/exporter-logs-otlp-proto",
  ];

  it("the default falls back to http/json, with one warning that names what to install", async () => {
    const run = await runStartTelemetry(PROTO_PEERS, {
      OTEL_EXPORTER_OTLP_ENDPOINT: bootstrap.receiver.endpoint,
    });
    expect(run.stdout.trim()).toBe("started");
    const warnings = run.stderr.match(/exporting over http\/json[^\n]*/g) ?? [];
    expect(warnings).toHaveLength(1);
    for (const name of PROTO_PEERS) expect(warnings[0]).toContain(name);
    expect(bootstrap.receiver.spans.map((span) => span.name)).toEqual(["probe"]);
    expect(contentTypes(bootstrap.receiver).traces).toEqual(["application/json"]);
  });

  it("an explicit http/protobuf is an error that says which package to install", async () => {
    const run = await runStartTelemetry(PROTO_PEERS, {
      OTEL_EXPORTER_OTLP_ENDPOINT: bootstrap.receiver.endpoint,
      OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: "http/protobuf",
    });
    expect(run.stdout.trim()).toBe(
      "threw: openrouter-otel: traces over http/protobuf need @opentelemetry/exporter-trace-otlp-proto: " +
        "npm install @opentelemetry/exporter-trace-otlp-proto@0.223 (or set OTEL_EXPORTER_OTLP_PROTOCOL)",
    );
  });

  it("with no exporter for logs at all, traces and metrics still start; logs are skipped with a warning", async () => {
    const run = await runStartTelemetry(
      ["@opentelemetry/exporter-logs-otlp-proto", "@opentelemetry/exporter-logs-otlp-http"],
      { OTEL_EXPORTER_OTLP_ENDPOINT: bootstrap.receiver.endpoint },
    );
    expect(run.stdout.trim()).toBe("started");
    expect(run.stderr).toContain("logs are not exported: logs over http/json need");
    expect(contentTypes(bootstrap.receiver).traces).toEqual(["application/x-protobuf"]);
  });
});

describe("the logs pipeline (the GenAI details event)", () => {
  it("exports an event emitted through the Logs API, in its span's context, structured", async () => {
    process.env.OTEL_EXPORTER_OTLP_ENDPOINT = bootstrap.receiver.endpoint;
    process.env.OTEL_SERVICE_NAME = "checkout";
    const telemetry = startTelemetry();
    const span = emitDetailsEvent();
    await telemetry.shutdown();
    expect(bootstrap.receiver.logs).toEqual([
      {
        resource: expect.objectContaining({ "service.name": "checkout" }),
        eventName: DETAILS_EVENT,
        body: { "gen_ai.output.messages": [{ role: "assistant", parts: [{ type: "text" }] }] },
        attributes: { "gen_ai.operation.name": "chat", "gen_ai.request.model": "test-model" },
        traceId: span.traceId,
        spanId: span.spanId,
      },
    ]);
  });

  it("OTEL_BLRP_MAX_EXPORT_BATCH_SIZE splits the log records into batches of that size", async () => {
    process.env.OTEL_EXPORTER_OTLP_ENDPOINT = bootstrap.receiver.endpoint;
    process.env.OTEL_BLRP_MAX_EXPORT_BATCH_SIZE = "2";
    const telemetry = startTelemetry();
    for (let i = 0; i < 5; i++) emitDetailsEvent();
    await telemetry.shutdown();
    const batches = bootstrap.receiver.requests.filter((request) => request.signal === "logs");
    expect(batches.map((request) => request.items).sort()).toEqual([1, 2, 2]);
  });

  // Intervals of an hour: only a flush can have sent anything.
  const HOUR = { metricExportIntervalMs: 3_600_000, scheduledDelayMillis: 3_600_000 };

  it("forceFlush() sends what every signal holds, without stopping", async () => {
    process.env.OTEL_BLRP_SCHEDULE_DELAY = "3600000";
    const telemetry = startTelemetry({ endpoint: bootstrap.receiver.endpoint, ...HOUR });
    await oneTracedCall();
    emitDetailsEvent();
    await telemetry.forceFlush();
    expect(contentTypes(bootstrap.receiver)).toEqual({
      traces: ["application/x-protobuf"],
      metrics: ["application/x-protobuf"],
      logs: ["application/x-protobuf"],
    });
    await oneTracedCall();
    await telemetry.shutdown();
    expect(bootstrap.receiver.spans.map((span) => span.name)).toEqual([
      "chat_streaming",
      "chat test-model",
      "chat_streaming",
    ]);
  });

  it("shutdown() flushes all three signals", async () => {
    process.env.OTEL_BLRP_SCHEDULE_DELAY = "3600000";
    const telemetry = startTelemetry({ endpoint: bootstrap.receiver.endpoint, ...HOUR });
    await oneTracedCall();
    emitDetailsEvent();
    await telemetry.shutdown();
    expect(bootstrap.receiver.spans).toHaveLength(2);
    expect(bootstrap.receiver.metrics.map((metric) => metric.name)).toContain(
      "gen_ai.client.token.usage",
    );
    expect(bootstrap.receiver.logs.map((record) => record.eventName)).toEqual([DETAILS_EVENT]);
  });
});
