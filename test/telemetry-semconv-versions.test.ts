import type { ReadableSpan } from "@opentelemetry/sdk-trace-base";
import { afterEach, describe, expect, it } from "vitest";
import {
  type ChatRequest,
  InvalidRequestError,
  OpenRouter,
  type OpenRouterOptions,
  SEMCONV_STABILITY_OPT_IN_ENV,
  tool,
} from "../src/index.js";
import {
  resolveSemconvVersion,
  SEMCONV_TABLE,
  type SemconvVersion,
  semconvOf,
} from "../src/telemetry/semconv.js";
import { buildChatEvents, type MockReply, replyPerStep } from "../src/testing/index.js";
import { answer, callTools, collectRun } from "./helpers/agent.js";
import { collect } from "./helpers/collect.js";
import { serve } from "./helpers/server.js";
import {
  contentAttribute,
  createTestTelemetry,
  useAsyncContext,
  withUsageDetails,
} from "./helpers/telemetry.js";

useAsyncContext();
afterEach(() => {
  delete process.env[SEMCONV_STABILITY_OPT_IN_ENV];
});

/** A text reply whose usage reports every breakdown the wire has. */
function detailedReply(): MockReply {
  return { events: withUsageDetails(buildChatEvents({ text: ["Four."] })) };
}

const REQUEST: ChatRequest = {
  model: "openai/gpt-4o-mini",
  system: "Be terse.",
  messages: [{ role: "user", content: "2+2?" }],
  top_k: 40,
  reasoning: { effort: "high" },
};

async function chatSpan(options: OpenRouterOptions = {}, request = REQUEST): Promise<ReadableSpan> {
  const telemetry = createTestTelemetry();
  const { client } = await serve(detailedReply(), {
    tracerProvider: telemetry.tracerProvider,
    ...options,
  });
  await collect(client.chat.stream(request));
  const [span] = telemetry.spans();
  if (span === undefined) throw new Error("no span");
  return span;
}

function expectContentValid(span: ReadableSpan, version: SemconvVersion): void {
  for (const attribute of [
    "gen_ai.system_instructions",
    "gen_ai.input.messages",
    "gen_ai.output.messages",
  ])
    contentAttribute(span, attribute, version);
}

describe("v1.41.1, the default", () => {
  it("keeps the released names: cache_creation, no modality, no reasoning level, finish_reason in the message", async () => {
    const span = await chatSpan();
    expect(span.attributes).toMatchObject({
      "gen_ai.request.top_k": 40,
      "gen_ai.usage.cache_read.input_tokens": 3,
      "gen_ai.usage.cache_creation.input_tokens": 5,
      "gen_ai.usage.reasoning.output_tokens": 7,
    });
    const names = Object.keys(span.attributes);
    expect(names).not.toContain("gen_ai.usage.cache_write.input_tokens");
    expect(names).not.toContain("gen_ai.request.reasoning.level");
    expect(names.filter((name) => /\.(audio|image|text)\./.test(name))).toEqual([]);
    expect(contentAttribute(span, "gen_ai.output.messages")).toEqual([
      { role: "assistant", parts: [{ type: "text", content: "Four." }], finish_reason: "stop" },
    ]);
    expectContentValid(span, "v1.41.1");
  });

  it("records a fractional top_k as it was sent (a double there)", async () => {
    const span = await chatSpan({}, { ...REQUEST, top_k: 2.5 });
    expect(span.attributes["gen_ai.request.top_k"]).toBe(2.5);
  });
});

describe("OTEL_SEMCONV_STABILITY_OPT_IN, a comma-separated list", () => {
  it.each([
    [" http , gen_ai_latest_experimental ", "latest"],
    ["gen_ai_latest_experimental,database", "latest"],
    ["gen_ai_latest_experimental_v2", "v1.41.1"],
    ["gen_ai_latest", "v1.41.1"],
    ["", "v1.41.1"],
  ] as const)("%j: %s", (value, version) => {
    expect(resolveSemconvVersion(undefined, { [SEMCONV_STABILITY_OPT_IN_ENV]: value })).toBe(
      version,
    );
  });
});

describe("latest, by the variable or the option", () => {
  it.each([
    ["the variable", "http,gen_ai_latest_experimental", {}],
    ["the option", undefined, { semconv: "latest" as const }],
  ])("switches every merged rule on with %s", async (_how, env, options) => {
    if (env !== undefined) process.env[SEMCONV_STABILITY_OPT_IN_ENV] = env;
    const span = await chatSpan(options);
    expect(span.attributes).toMatchObject({
      "gen_ai.request.top_k": 40,
      "gen_ai.request.reasoning.level": "high",
      "gen_ai.usage.cache_read.input_tokens": 3,
      "gen_ai.usage.cache_write.input_tokens": 5,
      "gen_ai.usage.reasoning.output_tokens": 7,
      "gen_ai.usage.audio.input_tokens": 2,
      "gen_ai.usage.image.output_tokens": 0, // zero breakdowns stay until genai#502 merges
      "gen_ai.usage.audio.output_tokens": 1,
      "gen_ai.response.finish_reasons": ["stop"],
    });
    expect(Object.keys(span.attributes)).not.toContain("gen_ai.usage.cache_creation.input_tokens");
    expect(contentAttribute(span, "gen_ai.output.messages", "latest")).toEqual([
      { role: "assistant", parts: [{ type: "text", content: "Four." }] },
    ]);
    expectContentValid(span, "latest");
  });

  it("leaves a fractional top_k out: latest's top_k is an integer", async () => {
    const span = await chatSpan({ semconv: "latest" }, { ...REQUEST, top_k: 2.5 });
    expect(span.attributes["gen_ai.request.top_k"]).toBeUndefined();
  });

  it.each([
    ["v1.41.1", undefined],
    ["latest", ["error"]],
  ] as const)(
    "a consumer break before the finish reason, %s: finish_reasons %j, and still no error",
    async (version, expected) => {
      const telemetry = createTestTelemetry();
      const { client } = await serve(
        { events: buildChatEvents({ text: Array.from({ length: 100 }, (_, i) => `w${i} `) }) },
        { tracerProvider: telemetry.tracerProvider, semconv: version },
      );
      for await (const event of client.chat.stream(REQUEST)) if (event.type === "text") break;
      const [span] = telemetry.spans();
      // latest: a position whose finish reason was expected but is missing reports `error`.
      expect(span?.attributes["gen_ai.response.finish_reasons"]).toEqual(expected);
      expect(span?.attributes["openrouter.cancelled"]).toBe("consumer");
      expect(span?.attributes["error.type"]).toBeUndefined();
      expect(span?.status.code).toBe(0);
    },
  );

  it("the option wins over the variable", async () => {
    process.env[SEMCONV_STABILITY_OPT_IN_ENV] = "gen_ai_latest_experimental";
    const span = await chatSpan({ semconv: "v1.41.1" });
    expect(span.attributes["gen_ai.usage.cache_creation.input_tokens"]).toBe(5);
    expect(span.attributes["gen_ai.request.reasoning.level"]).toBeUndefined();
  });

  it("rejects an unknown version", () => {
    expect(() => new OpenRouter({ semconv: "v2" as "latest" })).toThrow(InvalidRequestError);
  });
});

describe("the table", () => {
  it("emits no open proposal: each resolves to latest's value until it is marked merged", () => {
    const latest = semconvOf("latest") as unknown as Record<string, unknown>;
    const proposals = Object.entries(SEMCONV_TABLE).filter(([, row]) => "proposal" in row);
    expect(proposals.length).toBeGreaterThanOrEqual(10);
    for (const [key, row] of proposals) {
      expect((row as { proposal: { merged: boolean } }).proposal.merged).toBe(false);
      expect(latest[key]).toBe(row.latest);
    }
  });

  it("no proposed name (cost, modality counters) appears on a latest span", async () => {
    const span = await chatSpan({ semconv: "latest" });
    const proposed = Object.values(SEMCONV_TABLE).flatMap((row) =>
      "proposal" in row && typeof row.proposal.value === "string" ? [row.proposal.value] : [],
    );
    for (const name of proposed) expect(Object.keys(span.attributes)).not.toContain(name);
  });
});

const add = tool({
  parameters: { type: "object", properties: { a: { type: "number" }, b: { type: "number" } } },
  execute: async ({ a, b }) => ({ sum: Number(a) + Number(b) }),
});

describe.each(["v1.41.1", "latest"] as const)("agent and tool spans in %s", (version) => {
  it("follow the switch; every content value matches the version's schemas", async () => {
    const telemetry = createTestTelemetry();
    const { client } = await serve(
      replyPerStep(callTools([["add", { a: 2, b: 3 }, "call_a"]]), answer("5.")),
      { tracerProvider: telemetry.tracerProvider, semconv: version },
    );
    const agent = client.agent({
      name: "bot",
      model: "openai/gpt-4o-mini",
      system: "Be brief.",
      tools: { add },
    });
    const { error } = await collectRun(agent.stream("2+3?"));
    expect(error).toBeUndefined();
    const spans = telemetry.spans();
    const agentSpan = spans.find((span) => span.name === "invoke_agent bot")!;
    const toolSpan = spans.find((span) => span.name === "execute_tool add")!;
    for (const attribute of [
      "gen_ai.system_instructions",
      "gen_ai.input.messages",
      "gen_ai.output.messages",
      "gen_ai.tool.definitions",
    ])
      contentAttribute(agentSpan, attribute, version);
    const output = contentAttribute(agentSpan, "gen_ai.output.messages", version) as Array<
      Record<string, unknown>
    >;
    expect("finish_reason" in output[0]!).toBe(version === "v1.41.1");
    expect(contentAttribute(toolSpan, "gen_ai.tool.call.arguments", version)).toEqual({
      a: 2,
      b: 3,
    });
    expect(contentAttribute(toolSpan, "gen_ai.tool.call.result", version)).toEqual({ sum: 5 });
    expect(toolSpan.attributes["gen_ai.agent.name"]).toBe("bot");
    for (const span of spans.filter((span) => span.name === "chat_streaming"))
      expectContentValid(span, version);
    expect(agentSpan.attributes["gen_ai.usage.cache_read.input_tokens"]).toBeUndefined();
  });
});
