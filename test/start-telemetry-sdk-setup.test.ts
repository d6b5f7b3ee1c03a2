import { context, type Meter, metrics, propagation, ROOT_CONTEXT, trace } from "@opentelemetry/api";
import { describe, expect, it } from "vitest";
import { startTelemetry } from "../src/telemetry/bootstrap/index.js";
import { INSTRUMENTATION_NAME, VERSION } from "../src/version.js";
import { oneTracedCall, useTelemetryBootstrapTests } from "./helpers/telemetry-bootstrap.js";

// What NodeSDK registered and startTelemetry() now registers itself: the context manager, the
// propagators and the resource, each checked on what reaches the receiver or the API.
const bootstrap = useTelemetryBootstrapTests();

/** Ends one span inside another across an `await`, then shuts down. */
async function parentAndChildAcrossAwait() {
  const telemetry = startTelemetry({ endpoint: bootstrap.receiver.endpoint });
  const tracer = trace.getTracer("test");
  await tracer.startActiveSpan("parent", async (parent) => {
    await Promise.resolve();
    tracer.startSpan("child").end();
    parent.end();
  });
  await telemetry.shutdown();
  const byName = new Map(bootstrap.receiver.spans.map((span) => [span.name, span]));
  return { parent: byName.get("parent"), child: byName.get("child") };
}

describe("the context manager", () => {
  it("is AsyncLocalStorage: the active span survives an await and parents the next one", async () => {
    const { parent, child } = await parentAndChildAcrossAwait();
    expect(child?.parentSpanId).toBe(parent?.spanId);
    expect(child?.traceId).toBe(parent?.traceId);
  });
});

describe("OTEL_PROPAGATORS", () => {
  const fieldsAfterStart = () => {
    startTelemetry({ endpoint: bootstrap.receiver.endpoint });
    return propagation.fields();
  };

  it("defaults to W3C tracecontext and baggage", () => {
    expect(fieldsAfterStart()).toEqual(["traceparent", "tracestate", "baggage"]);
  });

  it("b3multi,baggage: the B3 headers, then baggage", () => {
    process.env.OTEL_PROPAGATORS = "b3multi, baggage";
    expect(fieldsAfterStart()).toEqual([
      "x-b3-traceid",
      "x-b3-spanid",
      "x-b3-flags",
      "x-b3-sampled",
      "x-b3-parentspanid",
      "baggage",
    ]);
  });

  it("none registers no propagator: nothing is injected", () => {
    process.env.OTEL_PROPAGATORS = "none";
    startTelemetry({ endpoint: bootstrap.receiver.endpoint });
    const span = trace.getTracer("test").startSpan("s");
    const carrier: Record<string, string> = {};
    propagation.inject(trace.setSpan(ROOT_CONTEXT, span), carrier);
    span.end();
    expect(carrier).toEqual({});
  });

  it("tracecontext alone injects a traceparent of the active span", () => {
    process.env.OTEL_PROPAGATORS = "tracecontext";
    startTelemetry({ endpoint: bootstrap.receiver.endpoint });
    const span = trace.getTracer("test").startSpan("s");
    const carrier: Record<string, string> = {};
    context.with(trace.setSpan(context.active(), span), () =>
      propagation.inject(context.active(), carrier),
    );
    span.end();
    expect(carrier.traceparent).toBe(
      `00-${span.spanContext().traceId}-${span.spanContext().spanId}-01`,
    );
  });
});

describe("the resource", () => {
  it("has NodeSDK's default detectors: telemetry.sdk, process and host", async () => {
    const { parent } = await parentAndChildAcrossAwait();
    expect(parent?.resource).toMatchObject({
      "service.name": "openrouter-otel-app",
      "telemetry.sdk.name": "opentelemetry",
      "telemetry.sdk.language": "nodejs",
      "process.pid": process.pid,
      "process.runtime.name": "nodejs",
      "host.name": expect.any(String),
      "host.arch": expect.any(String),
    });
  });

  it("OTEL_NODE_RESOURCE_DETECTORS chooses the detectors", async () => {
    process.env.OTEL_NODE_RESOURCE_DETECTORS = "os";
    const { parent } = await parentAndChildAcrossAwait();
    const keys = Object.keys(parent?.resource ?? {});
    expect(keys).toContain("os.type");
    expect(keys.filter((key) => key.startsWith("process.") || key.startsWith("host."))).toEqual([]);
  });

  it("none leaves the SDK's defaults and the service name", async () => {
    process.env.OTEL_NODE_RESOURCE_DETECTORS = "none";
    const { parent } = await parentAndChildAcrossAwait();
    expect(Object.keys(parent?.resource ?? {}).sort()).toEqual([
      "service.name",
      "telemetry.sdk.language",
      "telemetry.sdk.name",
      "telemetry.sdk.version",
    ]);
  });
});

describe("the GenAI instruments", () => {
  /** The instruments the client's meter makes from here on. */
  const countInstrumentsMade = () => {
    const meter: Meter = metrics.getMeterProvider().getMeter(INSTRUMENTATION_NAME, VERSION);
    const made: string[] = [];
    for (const method of ["createHistogram", "createCounter"] as const) {
      const create = meter[method].bind(meter) as (...args: unknown[]) => never;
      meter[method] = ((name: string, ...rest: unknown[]) => {
        made.push(name);
        return create(name, ...rest);
      }) as never;
    }
    return made;
  };

  it.each([
    ["v1.41.1", undefined],
    ["latest", "gen_ai_latest_experimental"],
  ])("are made at start-up (%s), not in the first call's wait", async (_version, optIn) => {
    if (optIn !== undefined) process.env.OTEL_SEMCONV_STABILITY_OPT_IN = optIn;
    const telemetry = startTelemetry({ endpoint: bootstrap.receiver.endpoint });
    const made = countInstrumentsMade();
    await oneTracedCall();
    await telemetry.shutdown();
    expect(made).toEqual([]);
    expect(bootstrap.receiver.metrics.map((metric) => metric.name)).toContain(
      "gen_ai.client.operation.duration",
    );
  });
});
