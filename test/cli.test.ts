import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { type OtlpReceiver, startOtlpReceiver } from "./helpers/otlp-receiver.js";
import { runCli } from "./helpers/run-cli.js";

let receiver: OtlpReceiver | undefined;
afterEach(async () => {
  await receiver?.close();
  receiver = undefined;
});

const TRACE_LINE = /Trace: http:\/\/localhost:16686\/trace\/([0-9a-f]{32})/;

describe("openrouter-otel chat", () => {
  it("streams the answer offline, summarizes, prints the trace link, and exports the spans", async () => {
    receiver = await startOtlpReceiver();
    const run = await runCli(["chat", "--offline", "--model", "test/model", "Hello there"], {
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint,
    });
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('You said: "Hello there".');
    expect(run.stderr).toMatch(
      /tokens: \d+ in, \d+ out · cost: [\d.]+ credits · time to first token: [\d.]+ s/,
    );
    const traceId = TRACE_LINE.exec(run.stderr)?.[1];
    expect(traceId).toBeDefined();
    expect(run.stderr).not.toContain("not exported");
    const spans = await receiver.waitForSpans(2);
    const chat = spans.find((span) => span.name === "chat_streaming");
    const root = spans.find((span) => span.name === "openrouter-otel chat");
    expect(chat?.traceId).toBe(traceId);
    expect(chat?.parentSpanId).toBe(root?.spanId);
    expect(chat?.attributes).toMatchObject({
      "gen_ai.request.model": "test/model",
      "gen_ai.response.finish_reasons": ["stop"],
    });
  });

  it("--json prints every event as one JSON line, final last", async () => {
    const run = await runCli(["chat", "--offline", "--json", "--reasoning", "low", "Hi"]);
    expect(run.code).toBe(0);
    const events = run.stdout
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as { type: string });
    expect(events.at(-1)?.type).toBe("final");
    expect(events.map((event) => event.type)).toContain("reasoning");
    expect(events.map((event) => event.type)).toContain("text");
  });

  it("links to JAEGER_UI_URL, and says when no collector took the trace", async () => {
    const run = await runCli(["chat", "--offline", "Hi"], {
      JAEGER_UI_URL: "https://jaeger.example/",
    });
    expect(run.stderr).toMatch(
      /Trace: https:\/\/jaeger\.example\/trace\/[0-9a-f]{32} \(not exported: no collector at http:\/\/127\.0\.0\.1:9/,
    );
  });

  it("--no-telemetry prints no trace link", async () => {
    const run = await runCli(["chat", "--offline", "--no-telemetry", "Hi"]);
    expect(run.code).toBe(0);
    expect(run.stderr).not.toContain("Trace:");
  });

  it("without OPENROUTER_API_KEY says how to set it or go offline, exit 2", async () => {
    const run = await runCli(["chat", "Hi"]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("export OPENROUTER_API_KEY=");
    expect(run.stderr).toContain("--offline");
  });

  it.each([
    [["chat", "--temperature", "hot", "Hi"], "--temperature must be a number"],
    [["chat", "--max-tokens", "1.5", "Hi"], "--max-tokens must be a whole number"],
    [["chat", "--reasoning", "extreme", "Hi"], "--reasoning must be one of"],
    [["chat", "--colour", "Hi"], "Unknown option '--colour'"],
    [["chat"], "chat needs a prompt"],
    [["talk", "Hi"], 'unknown command "talk"'],
  ])("bad flags %j: a clear message and exit 2", async (args, message) => {
    const run = await runCli(args);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(message);
    expect(run.stderr).toContain("Usage:");
  });

  it("Ctrl-C mid-stream stops the request, flushes the trace and exits 130", async () => {
    receiver = await startOtlpReceiver();
    const prompt = Array.from({ length: 300 }, (_, i) => `word${i}`).join(" ");
    let interrupted = false;
    const run = await runCli(
      ["chat", "--offline", prompt],
      { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint },
      (stdout, child) => {
        if (!interrupted && stdout.includes("word3")) {
          interrupted = true;
          child.kill("SIGINT");
        }
      },
    );
    expect(run.code).toBe(130);
    expect(run.stdout).not.toContain("word299");
    expect(run.stderr).toContain("Interrupted");
    const spans = await receiver.waitForSpans(2);
    const chat = spans.find((span) => span.name === "chat_streaming");
    expect(chat?.attributes["openrouter.cancelled"]).toBe("abort");
  });
});

describe("openrouter-otel demo (the README's main job)", () => {
  it("without a collector, prints the agent's trace as a tree: two tools in parallel between two chats", async () => {
    const run = await runCli(["demo"]);
    expect(run.code).toBe(0);
    expect(run.stderr).toContain("OPENROUTER_API_KEY is not set: using the built-in");
    expect(run.stdout).toContain(
      '[get_weather: {"city":"Lisbon","sky":"sunny","temperature_c":21}]',
    );
    expect(run.stdout).toContain('[get_local_time: {"city":"Lisbon","time":"14:05"}]');
    expect(run.stdout).toContain("Here is what the tools say: get_weather:");
    const tree = run.stderr.slice(run.stderr.indexOf("demo: weather question"));
    expect(tree).toMatch(
      new RegExp(
        [
          "^demo: weather question .*",
          "└─ invoke_agent weather-bot .*openrouter\\.agent\\.steps=2 openrouter\\.agent\\.stop_reason=completed.*",
          "   ├─ chat_streaming .*finish_reasons=tool_call.*",
          "   ├─ execute_tool get_(weather|local_time) .*",
          "   ├─ execute_tool get_(weather|local_time) .*",
          "   └─ chat_streaming .*finish_reasons=stop",
        ].join("\n"),
      ),
    );
  });

  it("with an SDK package missing, runs without telemetry and names the package to install", async () => {
    const hidePeers = fileURLToPath(new URL("./helpers/hide-peers.cjs", import.meta.url));
    const run = await runCli(["demo"], {
      NODE_OPTIONS: `--require ${hidePeers}`,
      HIDDEN_PEERS: "@opentelemetry/core",
    });
    expect(run.code).toBe(0);
    expect(run.stderr).toContain(
      "Telemetry is off: openrouter-otel: startTelemetry() needs @opentelemetry/core",
    );
    expect(run.stdout).toContain("Here is what the tools say: get_weather:");
  });

  it("with a collector, exports the agent's spans under the request and prints the Jaeger link", async () => {
    receiver = await startOtlpReceiver();
    const run = await runCli(["demo"], { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint });
    expect(run.code).toBe(0);
    const traceId = TRACE_LINE.exec(run.stderr)?.[1];
    const spans = await receiver.waitForSpans(6);
    const root = spans.find((span) => span.name === "demo: weather question");
    const agent = spans.find((span) => span.name === "invoke_agent weather-bot");
    expect(root?.traceId).toBe(traceId);
    expect(agent?.parentSpanId).toBe(root?.spanId);
    const children = spans
      .filter((span) => span.parentSpanId === agent?.spanId)
      .map((span) => span.name);
    expect(children.sort()).toEqual([
      "chat_streaming",
      "chat_streaming",
      "execute_tool get_local_time",
      "execute_tool get_weather",
    ]);
    const tool = spans.find((span) => span.name === "execute_tool get_weather");
    expect(tool?.attributes).toMatchObject({
      "gen_ai.operation.name": "execute_tool",
      "gen_ai.tool.call.id": "call_offline_1_1",
      "gen_ai.agent.name": "weather-bot",
      "openrouter.agent.step": 1,
    });
  });
});
