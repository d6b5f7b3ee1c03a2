import { ROOT_CONTEXT, TraceFlags, trace } from "@opentelemetry/api";
import { logs } from "@opentelemetry/api-logs";
import * as sdkLogs from "@opentelemetry/sdk-logs";
import { beforeEach, describe, expect, it } from "vitest";
import { startTelemetry, type TelemetryOptions } from "../src/telemetry/bootstrap/index.js";
import { type OtlpSignal, startOtlpReceiver } from "./helpers/otlp-receiver.js";
import {
  emitDetailsEvent,
  oneTracedCall,
  unregisterTelemetry,
  useTelemetryBootstrapTests,
} from "./helpers/telemetry-bootstrap.js";

const bootstrap = useTelemetryBootstrapTests();
beforeEach(() => {
  process.env.OTEL_EXPORTER_OTLP_ENDPOINT = bootstrap.receiver.endpoint;
});

/** `count` spans ended at once, then shutdown: everything buffered reaches the receiver. */
async function endSpansThenShutdown(count: number, options: TelemetryOptions = {}) {
  const telemetry = startTelemetry(options);
  const tracer = trace.getTracer("test");
  for (let i = 0; i < count; i++) tracer.startSpan(`span ${i}`).end();
  emitDetailsEvent();
  return telemetry.shutdown();
}

/** A call (a span and metrics), a details event and a span of its own, then shutdown. */
async function exportEverySignal(options: TelemetryOptions = {}) {
  const telemetry = startTelemetry(options);
  await oneTracedCall();
  emitDetailsEvent();
  trace.getTracer("test").startSpan("span 0").end();
  return telemetry.shutdown();
}

/** Every path the exporters sent to, once each. */
function pathsUsed(): string[] {
  return [...new Set(bootstrap.receiver.requests.map((request) => request.path))].sort();
}

/** The requests of one signal. */
function requestsOf(signal: OtlpSignal) {
  return bootstrap.receiver.requests.filter((request) => request.signal === signal);
}

/**
 * Runs `body` with `console.dir` (the console exporters print with it) or `console.warn` (the
 * diagnostics) recorded.
 */
async function recordConsole(
  method: "dir" | "warn",
  body: () => Promise<unknown>,
): Promise<unknown[]> {
  const printed: unknown[] = [];
  const original = console[method];
  console[method] = (item: unknown) => printed.push(item);
  try {
    await body();
  } finally {
    console[method] = original;
  }
  return printed;
}

describe("OTEL_EXPORTER_OTLP_HEADERS and per-signal headers", () => {
  it("arrive with every export; a per-signal header wins for its signal", async () => {
    process.env.OTEL_EXPORTER_OTLP_HEADERS = "authorization=Bearer%20abc,x-team=all";
    process.env.OTEL_EXPORTER_OTLP_TRACES_HEADERS = "x-team=traces";
    await exportEverySignal();
    for (const signal of ["traces", "metrics", "logs"] as const) {
      const [request] = requestsOf(signal);
      expect(request?.headers.authorization).toBe("Bearer abc");
      expect(request?.headers["x-team"]).toBe(signal === "traces" ? "traces" : "all");
    }
  });
});

describe("endpoints", () => {
  it("a per-signal endpoint is used as it is; the base endpoint gets /v1/<signal>", async () => {
    process.env.OTEL_EXPORTER_OTLP_ENDPOINT = `${bootstrap.receiver.endpoint}/base/`;
    process.env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT = `${bootstrap.receiver.endpoint}/collector/traces`;
    await exportEverySignal();
    expect(pathsUsed()).toEqual(["/base/v1/logs", "/base/v1/metrics", "/collector/traces"]);
  });

  it("the endpoint option replaces the base variable; a per-signal variable still wins", async () => {
    process.env.OTEL_EXPORTER_OTLP_ENDPOINT = "http://127.0.0.1:9";
    process.env.OTEL_EXPORTER_OTLP_LOGS_ENDPOINT = `${bootstrap.receiver.endpoint}/own/logs`;
    await exportEverySignal({ endpoint: `${bootstrap.receiver.endpoint}/option` });
    expect(pathsUsed()).toEqual(["/option/v1/metrics", "/option/v1/traces", "/own/logs"]);
  });
});

describe("OTEL_TRACES_EXPORTER, OTEL_METRICS_EXPORTER, OTEL_LOGS_EXPORTER", () => {
  it.each(["traces", "metrics", "logs"] as const)(
    "none for %s exports nothing of it, and the other signals still go",
    async (signal) => {
      process.env[`OTEL_${signal.toUpperCase()}_EXPORTER`] = "none";
      await exportEverySignal();
      const signals = new Set(bootstrap.receiver.requests.map((request) => request.signal));
      expect([...signals].sort()).toEqual(
        ["logs", "metrics", "traces"].filter((other) => other !== signal),
      );
    },
  );

  it("logs none leaves the Logs API unregistered, so an event costs nothing", () => {
    process.env.OTEL_LOGS_EXPORTER = "none";
    startTelemetry();
    expect(logs.getLoggerProvider()).not.toBeInstanceOf(sdkLogs.LoggerProvider);
  });

  it("with a logs exporter the Logs API has the SDK's provider", () => {
    startTelemetry();
    expect(logs.getLoggerProvider()).toBeInstanceOf(sdkLogs.LoggerProvider);
  });

  it("console prints each signal instead of sending it", async () => {
    process.env.OTEL_TRACES_EXPORTER = "console";
    process.env.OTEL_METRICS_EXPORTER = "console";
    process.env.OTEL_LOGS_EXPORTER = "console";
    const printed = await recordConsole("dir", async () => {
      await exportEverySignal();
    });
    expect(bootstrap.receiver.requests).toEqual([]);
    const text = JSON.stringify(printed);
    expect(text).toContain('"name":"chat_streaming"');
    expect(text).toContain('"gen_ai.client.operation.duration"');
    expect(text).toContain('"eventName":"gen_ai.client.inference.operation.details"');
  });

  it("otlp,console does both", async () => {
    process.env.OTEL_TRACES_EXPORTER = "otlp,console";
    const printed = await recordConsole("dir", () => exportEverySignal());
    expect(bootstrap.receiver.spans.map((span) => span.name)).toEqual([
      "chat_streaming",
      "chat test-model",
      "span 0",
    ]);
    expect(JSON.stringify(printed)).toContain('"name":"span 0"');
  });

  it("the otlp: false option wins: only the console exporter is left", async () => {
    process.env.OTEL_TRACES_EXPORTER = "otlp,console";
    const printed = await recordConsole("dir", () => exportEverySignal({ otlp: false }));
    expect(bootstrap.receiver.requests).toEqual([]);
    expect(JSON.stringify(printed)).toContain('"name":"span 0"');
  });
});

describe("OTEL_TRACES_SAMPLER and OTEL_TRACES_SAMPLER_ARG", () => {
  it.each([
    ["always_off", undefined],
    ["traceidratio", "0"],
    ["parentbased_traceidratio", "0"],
    ["parentbased_always_off", undefined],
  ])("%s %s samples nothing: nothing is exported", async (sampler, argument) => {
    process.env.OTEL_TRACES_SAMPLER = sampler;
    if (argument !== undefined) process.env.OTEL_TRACES_SAMPLER_ARG = argument;
    const telemetry = startTelemetry();
    await oneTracedCall();
    expect(await telemetry.shutdown()).toEqual({ ended: 0, exported: 0, failed: 0, dropped: 0 });
    expect(requestsOf("traces")).toEqual([]);
    expect(requestsOf("metrics")).not.toEqual([]);
  });

  it.each([
    ["always_on", undefined],
    ["traceidratio", "1"],
  ])("%s %s samples every span", async (sampler, argument) => {
    process.env.OTEL_TRACES_SAMPLER = sampler;
    if (argument !== undefined) process.env.OTEL_TRACES_SAMPLER_ARG = argument;
    const stats = await endSpansThenShutdown(3);
    expect(stats).toEqual({ ended: 4, exported: 4, failed: 0, dropped: 0 });
  });

  it("parentbased_always_off still follows a sampled parent", async () => {
    process.env.OTEL_TRACES_SAMPLER = "parentbased_always_off";
    const telemetry = startTelemetry();
    const parent = trace.setSpanContext(ROOT_CONTEXT, {
      traceId: "0af7651916cd43dd8448eb211c80319c",
      spanId: "b7ad6b7169203331",
      traceFlags: TraceFlags.SAMPLED,
      isRemote: true,
    });
    trace.getTracer("test").startSpan("child", {}, parent).end();
    trace.getTracer("test").startSpan("root").end();
    await telemetry.shutdown();
    expect(bootstrap.receiver.spans.map((span) => [span.name, span.traceId])).toEqual([
      ["child", "0af7651916cd43dd8448eb211c80319c"],
    ]);
  });
});

describe("OTEL_BSP_* (the options still win)", () => {
  it("OTEL_BSP_MAX_EXPORT_BATCH_SIZE splits the spans into batches of that size", async () => {
    process.env.OTEL_BSP_MAX_EXPORT_BATCH_SIZE = "2";
    await endSpansThenShutdown(4);
    expect(
      requestsOf("traces")
        .map((request) => request.items)
        .sort(),
    ).toEqual([1, 2, 2]);
  });

  it("the maxExportBatchSize option wins over it", async () => {
    process.env.OTEL_BSP_MAX_EXPORT_BATCH_SIZE = "2";
    await endSpansThenShutdown(4, { maxExportBatchSize: 100 });
    expect(requestsOf("traces").map((request) => request.items)).toEqual([5]);
  });

  // Two spans fill the queue and start an export; the next two wait in the queue while it
  // runs, and the fifth finds it full.
  it("OTEL_BSP_MAX_QUEUE_SIZE bounds the queue: what does not fit is dropped", async () => {
    process.env.OTEL_BSP_MAX_QUEUE_SIZE = "2";
    expect(await endSpansThenShutdown(4)).toEqual({ ended: 5, exported: 4, failed: 0, dropped: 1 });
  });

  it("the maxQueueSize option wins over it", async () => {
    process.env.OTEL_BSP_MAX_QUEUE_SIZE = "2";
    expect(await endSpansThenShutdown(4, { maxQueueSize: 100 })).toEqual({
      ended: 5,
      exported: 5,
      failed: 0,
      dropped: 0,
    });
  });
});

// The logs SDK reads none of these itself; startTelemetry() reads them as NodeSDK did.
describe("OTEL_LOGRECORD_ATTRIBUTE_* and OTEL_ATTRIBUTE_* for log records", () => {
  /** The attributes of the details events that reached the receiver. */
  async function eventAttributes() {
    const telemetry = startTelemetry();
    emitDetailsEvent();
    await telemetry.shutdown();
    return bootstrap.receiver.logs.map((record) => record.attributes);
  }

  it("the log record limits win over the general ones: values cut at 4, both attributes kept", async () => {
    process.env.OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT = "2";
    process.env.OTEL_ATTRIBUTE_COUNT_LIMIT = "1";
    process.env.OTEL_LOGRECORD_ATTRIBUTE_VALUE_LENGTH_LIMIT = "4";
    process.env.OTEL_LOGRECORD_ATTRIBUTE_COUNT_LIMIT = "2";
    expect(await eventAttributes()).toEqual([
      { "gen_ai.operation.name": "chat", "gen_ai.request.model": "test" },
    ]);
  });

  it("without them, the general limits apply to log records too", async () => {
    process.env.OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT = "2";
    process.env.OTEL_ATTRIBUTE_COUNT_LIMIT = "1";
    expect(await eventAttributes()).toEqual([{ "gen_ai.operation.name": "ch" }]);
  });
});

describe("OTEL_METRIC_EXPORT_INTERVAL", () => {
  // Without the variable the first export would come after 60 s, past the test's timeout.
  it("exports the metrics at that interval, with no flush", async () => {
    process.env.OTEL_METRIC_EXPORT_INTERVAL = "50";
    const telemetry = startTelemetry();
    await oneTracedCall();
    const metrics = await bootstrap.receiver.waitForMetrics(1);
    expect(metrics.map((metric) => metric.name)).toContain("gen_ai.client.operation.duration");
    await telemetry.shutdown();
  });
});

describe("OTEL_SDK_DISABLED", () => {
  it("true returns a handle that does nothing, whatever else is set", async () => {
    process.env.OTEL_SDK_DISABLED = "TRUE";
    process.env.OTEL_TRACES_EXPORTER = "console";
    const telemetry = startTelemetry();
    expect(telemetry.enabled).toBe(false);
    await oneTracedCall();
    emitDetailsEvent();
    await telemetry.forceFlush();
    expect(await telemetry.shutdown()).toEqual({ ended: 0, exported: 0, failed: 0, dropped: 0 });
    expect(bootstrap.receiver.requests).toEqual([]);
    expect(logs.getLoggerProvider()).not.toBeInstanceOf(sdkLogs.LoggerProvider);
  });

  it("false starts the SDK", async () => {
    process.env.OTEL_SDK_DISABLED = "false";
    expect(startTelemetry().enabled).toBe(true);
  });
});

describe("OTEL_LOG_LEVEL", () => {
  it("sets what the diagnostics print; the diagLogLevel option wins, also after start", async () => {
    const refusing = await startOtlpReceiver({ status: 400 });
    process.env.OTEL_EXPORTER_OTLP_ENDPOINT = refusing.endpoint;
    process.env.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL = "grpc";
    process.env.OTEL_LOG_LEVEL = "error";
    // A warning while starting (grpc), and one at shutdown (the span the collector refused).
    const run = (options: TelemetryOptions) =>
      recordConsole("warn", async () => {
        const telemetry = startTelemetry(options);
        trace.getTracer("test").startSpan("refused").end();
        await telemetry.shutdown();
      });
    try {
      expect(await run({})).toEqual([]);
      unregisterTelemetry();
      expect(await run({ diagLogLevel: "warn" })).toEqual([
        expect.stringContaining('OTLP protocol "grpc" is not supported'),
        expect.stringContaining("1 span(s) failed to export"),
      ]);
    } finally {
      await refusing.close();
    }
  });
});
