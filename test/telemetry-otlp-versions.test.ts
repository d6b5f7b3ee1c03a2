import { OTLPLogExporter } from "@opentelemetry/exporter-logs-otlp-http";
import { OTLPMetricExporter } from "@opentelemetry/exporter-metrics-otlp-http";
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-http";
import { BatchLogRecordProcessor, LoggerProvider } from "@opentelemetry/sdk-logs";
import { MeterProvider, PeriodicExportingMetricReader } from "@opentelemetry/sdk-metrics";
import { BasicTracerProvider, BatchSpanProcessor } from "@opentelemetry/sdk-trace-base";
import { describe, expect, it } from "vitest";
import { tool } from "../src/index.js";
import { buildChatEvents, replyPerStep } from "../src/testing/index.js";
import { callTools, collectRun } from "./helpers/agent.js";
import { type ReceivedSpan, startOtlpReceiver } from "./helpers/otlp-receiver.js";
import { serve } from "./helpers/server.js";
import {
  expectValidAgainstSchema,
  useAsyncContext,
  withUsageDetails,
} from "./helpers/telemetry.js";

useAsyncContext();

const MESSAGES = ["gen_ai.system_instructions", "gen_ai.input.messages", "gen_ai.output.messages"];

const double = tool({
  description: "Doubles a number",
  parameters: { type: "object", properties: { n: { type: "number" } } },
  execute: async ({ n }) => ({ doubled: Number(n) * 2 }),
});

function validate(
  attributes: Record<string, unknown>,
  names: string[],
  version: "v1.41.1" | "latest",
) {
  for (const name of names) {
    const value = attributes[name];
    expectValidAgainstSchema(name, typeof value === "string" ? JSON.parse(value) : value, version);
  }
}

describe.each(["v1.41.1", "latest"] as const)("%s end to end over OTLP/HTTP", (version) => {
  it("spans, metrics and the details event arrive as the version says, every value valid", async () => {
    const receiver = await startOtlpReceiver();
    try {
      const tracerProvider = new BasicTracerProvider({
        spanProcessors: [
          new BatchSpanProcessor(new OTLPTraceExporter({ url: `${receiver.endpoint}/v1/traces` })),
        ],
      });
      const reader = new PeriodicExportingMetricReader({
        exporter: new OTLPMetricExporter({ url: `${receiver.endpoint}/v1/metrics` }),
        exportIntervalMillis: 3_600_000,
      });
      const meterProvider = new MeterProvider({ readers: [reader] });
      const loggerProvider = new LoggerProvider({
        processors: [
          new BatchLogRecordProcessor({
            exporter: new OTLPLogExporter({ url: `${receiver.endpoint}/v1/logs` }),
          }),
        ],
      });
      const { client } = await serve(
        replyPerStep(callTools([["double", { n: 21 }, "call_1"]]), {
          events: withUsageDetails(buildChatEvents({ text: ["42."] })),
        }),
        {
          tracerProvider,
          meterProvider,
          loggerProvider,
          semconv: version,
          captureContent: "SPAN_AND_EVENT",
        },
      );
      const agent = client.agent({
        name: "doubler",
        model: "openai/gpt-4o-mini",
        system: "Use the tool.",
        tools: { double },
      });
      const { error } = await collectRun(agent.stream("Double 21"));
      expect(error).toBeUndefined();
      await Promise.all([
        tracerProvider.forceFlush(),
        reader.forceFlush(),
        loggerProvider.forceFlush(),
      ]);
      const spans = await receiver.waitForSpans(4);
      const named = (name: string) => spans.filter((span) => span.name === name);
      const chats: ReceivedSpan[] = named("chat_streaming");
      expect(chats).toHaveLength(2);
      const last = chats[1]!;
      const cacheWrite =
        version === "latest"
          ? "gen_ai.usage.cache_write.input_tokens"
          : "gen_ai.usage.cache_creation.input_tokens";
      expect(last.attributes[cacheWrite]).toBe(5);
      expect(last.attributes["gen_ai.usage.audio.input_tokens"]).toBe(
        version === "latest" ? 2 : undefined,
      );
      for (const chat of chats)
        validate(chat.attributes, [...MESSAGES.slice(1), "gen_ai.tool.definitions"], version);
      const [agentSpan] = named("invoke_agent doubler");
      validate(agentSpan!.attributes, [...MESSAGES, "gen_ai.tool.definitions"], version);
      const [toolSpan] = named("execute_tool double");
      validate(
        toolSpan!.attributes,
        ["gen_ai.tool.call.arguments", "gen_ai.tool.call.result"],
        version,
      );
      expect(JSON.parse(toolSpan!.attributes["gen_ai.tool.call.result"] as string)).toEqual({
        doubled: 42,
      });

      // One details event per chat call, in its span, with structured content.
      expect(receiver.logs).toHaveLength(2);
      for (const [i, log] of receiver.logs.entries()) {
        expect(log.eventName).toBe("gen_ai.client.inference.operation.details");
        expect(log.spanId).toBe(chats[i]?.spanId);
        expect(log.traceId).toBe(chats[i]?.traceId);
        validate(log.attributes, [...MESSAGES.slice(1), "gen_ai.tool.definitions"], version);
        expect(Array.isArray(log.attributes["gen_ai.input.messages"])).toBe(true);
      }
      expect(receiver.logs[1]?.attributes[cacheWrite]).toBe(5);

      const metrics = receiver.bodies.filter((body) => body.includes("resourceMetrics")).join("");
      for (const name of [
        "gen_ai.client.operation.duration",
        "gen_ai.client.token.usage",
        "gen_ai.invoke_agent.duration",
      ])
        expect(metrics).toContain(`"${name}"`);
      expect(metrics).not.toContain("gen_ai.client.inference."); // a proposal, not emitted
      await Promise.all([
        tracerProvider.shutdown(),
        meterProvider.shutdown(),
        loggerProvider.shutdown(),
      ]);
    } finally {
      await receiver.close();
    }
  });
});
