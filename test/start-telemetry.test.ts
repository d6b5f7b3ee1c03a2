import { context, diag, metrics, propagation, trace } from "@opentelemetry/api";
import { afterEach, describe, expect, it } from "vitest";
import { OpenRouter } from "../src/index.js";
import { startTelemetry } from "../src/telemetry/bootstrap/index.js";
import { buildChatEvents } from "../src/testing/index.js";
import { collect } from "./helpers/collect.js";
import { type OtlpReceiver, startOtlpReceiver } from "./helpers/otlp-receiver.js";
import { HELLO, serve } from "./helpers/server.js";

const VARIABLES = [
  "OTEL_SERVICE_NAME",
  "OTEL_RESOURCE_ATTRIBUTES",
  "OTEL_SDK_DISABLED",
  "OTEL_EXPORTER_OTLP_ENDPOINT",
];
let receiver: OtlpReceiver | undefined;
afterEach(async () => {
  for (const name of VARIABLES) delete process.env[name];
  await receiver?.close();
  receiver = undefined;
  trace.disable();
  metrics.disable();
  context.disable();
  propagation.disable();
  diag.disable();
});

async function oneTracedCall(): Promise<void> {
  const { client } = await serve({ events: buildChatEvents({ text: ["hi"] }) });
  await collect(client.chat.stream(HELLO));
}

describe("startTelemetry()", () => {
  it("reads the standard variables: endpoint, service name, resource attributes", async () => {
    receiver = await startOtlpReceiver();
    process.env.OTEL_EXPORTER_OTLP_ENDPOINT = receiver.endpoint;
    process.env.OTEL_SERVICE_NAME = "checkout";
    process.env.OTEL_RESOURCE_ATTRIBUTES = "deployment.environment.name=test,team=payments";
    const telemetry = startTelemetry();
    await oneTracedCall();
    expect(await telemetry.shutdown()).toEqual({ ended: 1, exported: 1, failed: 0, dropped: 0 });
    const [span] = await receiver.waitForSpans(1);
    expect(span?.name).toBe("chat_streaming");
    expect(span?.resource).toMatchObject({
      "service.name": "checkout",
      "deployment.environment.name": "test",
      team: "payments",
    });
  });

  it("the serviceName option wins over OTEL_SERVICE_NAME", async () => {
    receiver = await startOtlpReceiver();
    process.env.OTEL_SERVICE_NAME = "from-env";
    const telemetry = startTelemetry({ endpoint: receiver.endpoint, serviceName: "from-option" });
    await oneTracedCall();
    await telemetry.shutdown();
    const [span] = await receiver.waitForSpans(1);
    expect(span?.resource["service.name"]).toBe("from-option");
  });

  it("a service.name in OTEL_RESOURCE_ATTRIBUTES is kept, not replaced by the default", async () => {
    receiver = await startOtlpReceiver();
    process.env.OTEL_RESOURCE_ATTRIBUTES = "service.name=from-attributes";
    const telemetry = startTelemetry({ endpoint: receiver.endpoint });
    await oneTracedCall();
    await telemetry.shutdown();
    const [span] = await receiver.waitForSpans(1);
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
    receiver = await startOtlpReceiver();
    const telemetry = startTelemetry({ endpoint: receiver.endpoint, scheduledDelayMillis: 60_000 });
    const client = new OpenRouter({
      apiKey: "k",
      baseURL: (await serve({ events: buildChatEvents({ text: ["a"] }) })).server.baseURL,
    });
    for (let i = 0; i < 5; i++) await collect(client.chat.stream(HELLO));
    const [first, second] = await Promise.all([telemetry.shutdown(), telemetry.shutdown()]);
    expect(first).toEqual({ ended: 5, exported: 5, failed: 0, dropped: 0 });
    expect(second).toBe(first);
    expect(receiver.spans).toHaveLength(5);
  });
});
