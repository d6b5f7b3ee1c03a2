import { Agent as ConnectionPool } from "undici";
import { afterEach, describe, expect, it } from "vitest";
import { type ChatMessage, OpenRouter, tool } from "../src/index.js";
import { startTelemetry } from "../src/telemetry/bootstrap/index.js";
import {
  type MockServer,
  type RecordedRequest,
  startMockServer,
  stepOf,
} from "../src/testing/index.js";
import { answer, callTools } from "./helpers/agent.js";
import {
  type OtlpReceiver,
  type ReceivedSpan,
  startOtlpReceiver,
} from "./helpers/otlp-receiver.js";
import {
  captureDiag,
  countHandles,
  gc,
  handlesAbove,
  heapGrowthMb,
} from "./helpers/process-health.js";
import { TEST_API_KEY } from "./helpers/server.js";
import { unregisterTelemetry } from "./helpers/telemetry-bootstrap.js";

const RUNS = 200;
/** Per run: the agent span, three chat spans, two tool spans in each of the first two steps. */
const SPANS_PER_RUN = 1 + 3 + 4;
const WARM_UP_RUNS = 20;

let server: MockServer | undefined;
let receiver: OtlpReceiver | undefined;
afterEach(async () => {
  await server?.close();
  await receiver?.close();
  server = receiver = undefined;
  // startTelemetry() registers the global providers: leave none to the next test.
  unregisterTelemetry();
});

/**
 * Steps 1 and 2 each call `lookup` twice in parallel with the run's number; step 3 answers with
 * the tool messages it received, so a run's text proves its own history reached the server.
 */
function reply(request: RecordedRequest) {
  const messages = (request.body as { messages: ChatMessage[] }).messages;
  const run = Number(String(messages[0]?.content).slice("run ".length));
  const step = stepOf(request);
  if (step < 3) {
    return callTools([
      ["lookup", { run, n: 2 * step - 1 }, `call_${step}a`],
      ["lookup", { run, n: 2 * step }, `call_${step}b`],
    ]);
  }
  const results = messages.filter((message) => message.role === "tool");
  return answer(results.map((message) => message.content).join(","));
}

const lookup = tool({
  parameters: {
    type: "object",
    properties: { run: { type: "integer" }, n: { type: "integer" } },
    required: ["run", "n"],
  },
  execute: async ({ run, n }) => {
    // A turn of the event loop: the two calls of a step overlap, as real I/O would.
    await new Promise((resolve) => setImmediate(resolve));
    return `r${run}-${n}`;
  },
});

async function runAgents(client: OpenRouter, name: string, count: number): Promise<number> {
  const agent = client.agent({ name, model: "load/model", tools: { lookup } });
  const texts = await Promise.all(
    Array.from({ length: count }, async (_, run) => {
      const result = await agent.run(`run ${run}`);
      return result.stopReason === "completed" && result.steps.length === 3
        ? result.text
        : undefined;
    }),
  );
  return texts.filter((text, run) => text === `r${run}-1,r${run}-2,r${run}-3,r${run}-4`).length;
}

/** Each trace is one run: its agent span the root, every other span its child, once each. */
function checkTraces(spans: readonly ReceivedSpan[], agentName: string): number {
  const byTrace = new Map<string, ReceivedSpan[]>();
  for (const span of spans) byTrace.set(span.traceId, [...(byTrace.get(span.traceId) ?? []), span]);
  let right = 0;
  for (const trace of byTrace.values()) {
    const [root, ...more] = trace.filter((span) => span.name === `invoke_agent ${agentName}`);
    if (root === undefined || more.length > 0 || root.parentSpanId !== undefined) continue;
    const children = trace.filter((span) => span !== root);
    const names = children.map((span) => span.name).sort();
    if (
      children.every((span) => span.parentSpanId === root.spanId) &&
      JSON.stringify(names) ===
        JSON.stringify([
          ...Array(3).fill("chat_streaming"),
          ...Array(4).fill("execute_tool lookup"),
        ])
    ) {
      right++;
    }
  }
  return right;
}

describe("agents under load", () => {
  it(`${RUNS} concurrent runs of three steps with parallel tools: every run right, every span exported once, no leak`, async () => {
    const handlesBefore = countHandles();
    receiver = await startOtlpReceiver();
    server = await startMockServer({ replies: reply });
    const telemetry = startTelemetry({ endpoint: receiver.endpoint, serviceName: "agent-load" });
    const logs = captureDiag();
    const pool = new ConnectionPool();
    const client = new OpenRouter({
      apiKey: TEST_API_KEY,
      baseURL: server.baseURL,
      dispatcher: pool,
    });

    // Warm-up: lazy module state, JIT, a first export, so that what follows measures growth.
    expect(await runAgents(client, "warm-bot", WARM_UP_RUNS)).toBe(WARM_UP_RUNS);
    await telemetry.forceFlush();
    await gc();
    const heapBefore = process.memoryUsage().heapUsed;

    expect(await runAgents(client, "load-bot", RUNS)).toBe(RUNS);
    expect(server.requests).toHaveLength((WARM_UP_RUNS + RUNS) * 3);

    const total = (WARM_UP_RUNS + RUNS) * SPANS_PER_RUN;
    const stats = await telemetry.shutdown();
    expect(stats).toEqual({ ended: total, exported: total, failed: 0, dropped: 0 });
    const received = await receiver.waitForSpans(total);
    expect(received).toHaveLength(total);
    expect(new Set(received.map((span) => span.spanId)).size).toBe(total);
    const loadTraces = new Set(
      received.filter((span) => span.name === "invoke_agent load-bot").map((span) => span.traceId),
    );
    expect(loadTraces.size).toBe(RUNS);
    const loadSpans = received.filter((span) => loadTraces.has(span.traceId));
    expect(loadSpans).toHaveLength(RUNS * SPANS_PER_RUN);
    expect(checkTraces(loadSpans, "load-bot")).toBe(RUNS);
    expect(logs).toEqual([]);
    // What the test itself holds (the receiver's copies of the spans) is not the SDK's memory.
    loadSpans.length = receiver.spans.length = receiver.bodies.length = 0;
    server.requests.length = 0;

    await pool.close();
    await server.close();
    await receiver.close();
    server = receiver = undefined;
    const growthMb = await heapGrowthMb(heapBefore);
    expect(growthMb).toBeLessThan(1.5);
    expect(handlesAbove(handlesBefore)).toEqual({});
    console.info(
      `agent load: ${RUNS} runs, ${RUNS * SPANS_PER_RUN} spans received, heap ${(heapBefore / 1048576).toFixed(1)} MB before, growth ${growthMb.toFixed(2)} MB`,
    );
  }, 60_000);
});
