import { Agent } from "undici";
import { afterEach, describe, expect, it } from "vitest";
import { OpenRouter } from "../src/index.js";
import { startTelemetry } from "../src/telemetry/bootstrap/index.js";
import { buildChatEvents, type MockServer, startMockServer } from "../src/testing/index.js";
import { type OtlpReceiver, startOtlpReceiver } from "./helpers/otlp-receiver.js";
import {
  captureDiag,
  countHandles,
  gc,
  handlesAbove,
  heapGrowthMb,
} from "./helpers/process-health.js";
import { TEST_API_KEY } from "./helpers/server.js";
import { unregisterTelemetry } from "./helpers/telemetry-bootstrap.js";

const WORDS = Array.from({ length: 200 }, (_, i) => `w${i} `);
const EXPECTED_TEXT = WORDS.join("");

let server: MockServer | undefined;
let receiver: OtlpReceiver | undefined;
afterEach(async () => {
  await server?.close();
  await receiver?.close();
  server = receiver = undefined;
  // startTelemetry() registers the global providers: leave none to the next test.
  unregisterTelemetry();
});

async function runStreams(client: OpenRouter, count: number, model: string): Promise<string[]> {
  return Promise.all(
    Array.from({ length: count }, async () => {
      const stream = client.chat.stream({ model, messages: [{ role: "user", content: "go" }] });
      for await (const _ of stream) {
        // consumed for its side effects: the text is checked on the response
      }
      return (await stream.response).text;
    }),
  );
}

describe("under load", () => {
  it("1,000 concurrent streams: exact text, exactly 1,000 spans with usage at the receiver, no leak", async () => {
    const handlesBefore = countHandles();
    receiver = await startOtlpReceiver();
    server = await startMockServer({
      replies: { events: buildChatEvents({ text: WORDS }), writes: 16 * 1024 },
    });
    const telemetry = startTelemetry({ endpoint: receiver.endpoint, serviceName: "load-test" });
    const logs = captureDiag();
    const agent = new Agent();
    const client = new OpenRouter({
      apiKey: TEST_API_KEY,
      baseURL: server.baseURL,
      dispatcher: agent,
    });

    // Warm-up: lazy module state, JIT, and a first export, so that what follows measures growth.
    await runStreams(client, 50, "warm-up/model");
    await telemetry.forceFlush();
    await gc();
    const heapBefore = process.memoryUsage().heapUsed;

    const exact = (await runStreams(client, 1_000, "load/model")).filter(
      (text) => text === EXPECTED_TEXT,
    ).length;
    expect(exact).toBe(1_000);

    const stats = await telemetry.shutdown();
    expect(stats).toEqual({ ended: 1_050, exported: 1_050, failed: 0, dropped: 0 });
    const received = (await receiver.waitForSpans(1_050)).filter(
      (span) =>
        span.name === "chat_streaming" && span.attributes["gen_ai.request.model"] === "load/model",
    );
    expect(received).toHaveLength(1_000);
    expect(new Set(received.map((span) => span.spanId)).size).toBe(1_000);
    const withUsage = received.filter(
      (span) =>
        span.attributes["gen_ai.usage.input_tokens"] === 12 &&
        span.attributes["gen_ai.usage.output_tokens"] === 34,
    );
    expect(withUsage).toHaveLength(1_000);
    expect(logs).toEqual([]);
    // What the test itself holds (the receiver's copies of 1,050 spans) is not the SDK's memory.
    received.length = withUsage.length = receiver.spans.length = receiver.bodies.length = 0;

    await agent.close();
    await server.close();
    await receiver.close();
    server = receiver = undefined;
    const growthMb = await heapGrowthMb(heapBefore);
    expect(growthMb).toBeLessThan(4);
    expect(handlesAbove(handlesBefore)).toEqual({});
    console.info(
      `load: 1,000 streams, 1,000 spans received, heap ${(heapBefore / 1048576).toFixed(1)} MB before, growth ${growthMb.toFixed(2)} MB`,
    );
  }, 120_000);

  it.each([
    [
      "down (connection refused)",
      async () => {
        const closed = await startOtlpReceiver();
        await closed.close();
        return closed.endpoint;
      },
    ],
    [
      "answering 503",
      async () => {
        receiver = await startOtlpReceiver({ status: 503 });
        return receiver.endpoint;
      },
    ],
    [
      "too slow to answer",
      async () => {
        receiver = await startOtlpReceiver({ delayMs: 5_000 });
        return receiver.endpoint;
      },
    ],
  ])(
    "with the receiver %s: the streams are unaffected and failures go to diag",
    async (_, endpoint) => {
      process.env.OTEL_EXPORTER_OTLP_TIMEOUT = "500";
      try {
        server = await startMockServer({
          replies: { events: buildChatEvents({ text: WORDS }), writes: 16 * 1024 },
        });
        const telemetry = startTelemetry({
          endpoint: await endpoint(),
          serviceName: "load-test",
          metrics: false,
        });
        const logs = captureDiag();
        const client = new OpenRouter({ apiKey: TEST_API_KEY, baseURL: server.baseURL });
        const texts = await runStreams(client, 200, "load/model");
        expect(texts.every((text) => text === EXPECTED_TEXT)).toBe(true);
        const stats = await telemetry.shutdown();
        expect(stats.ended).toBe(200);
        expect(stats.exported).toBe(0);
        expect(stats.failed + stats.dropped).toBe(200);
        expect(logs.join("\n")).toMatch(/failed to export/);
      } finally {
        delete process.env.OTEL_EXPORTER_OTLP_TIMEOUT;
      }
    },
    60_000,
  );
});
