import { context, type Span, SpanKind, SpanStatusCode, trace } from "@opentelemetry/api";
import { tool } from "../agent/tool.js";
import type { OpenRouter } from "../client.js";
import { describeThrown } from "../describe-thrown.js";
import { EXIT_ERROR, EXIT_OK } from "./chat-command.js";
import { jaegerTraceUrl, openCliSession } from "./cli-session.js";

const DEMO_MODEL = "openai/gpt-4o-mini";
const QUESTION = "What's the weather like in Lisbon right now, and what time is it there?";

/** Two tools the model calls together for the demo's question. */
const DEMO_TOOLS = {
  get_weather: tool({
    description: "Current weather for a city",
    parameters: {
      type: "object",
      properties: { city: { type: "string", examples: ["Lisbon"] } },
      required: ["city"],
    },
    execute: async ({ city }) => ({ city, sky: "sunny", temperature_c: 21 }),
  }),
  get_local_time: tool({
    description: "Local time in a city",
    parameters: {
      type: "object",
      properties: { city: { type: "string", examples: ["Lisbon"] } },
      required: ["city"],
    },
    execute: async ({ city }) => ({ city, time: "14:05" }),
  }),
};

/**
 * The README's main job: one traced request of a user, as a service would handle it. A
 * request span, and under it an agent run: `invoke_agent` with a streamed chat that calls two
 * tools at once, their two `execute_tool` spans, and a second streamed chat that answers.
 */
export async function runDemoCommand(command: {
  offline: boolean;
  telemetry: boolean;
}): Promise<number> {
  const log = (line: string) => process.stderr.write(`${line}\n`);
  const offline = command.offline || !process.env.OPENROUTER_API_KEY;
  log(
    offline
      ? "OPENROUTER_API_KEY is not set: using the built-in OpenRouter-compatible server (offline)."
      : `Talking to OpenRouter (${DEMO_MODEL}).`,
  );
  const session = await openCliSession({
    offline,
    telemetry: command.telemetry,
    serviceName: "openrouter-otel-demo",
    log,
  });
  const tracer = trace.getTracer("openrouter-otel-demo");
  const root = tracer.startSpan("demo: weather question", { kind: SpanKind.SERVER });
  let exitCode = EXIT_OK;
  try {
    await context.with(trace.setSpan(context.active(), root), () =>
      answerWithTools(session.client, root),
    );
  } catch (error) {
    log(`Error: ${describeThrown(error)}`);
    root.setStatus({ code: SpanStatusCode.ERROR });
    exitCode = EXIT_ERROR;
  } finally {
    root.end();
  }
  const tree = await session.close();
  const telemetry = session.telemetry;
  if (telemetry?.exporting) {
    log(`\nTrace: ${jaegerTraceUrl(root.spanContext().traceId)}`);
  } else if (tree !== undefined) {
    log(`\nNo collector answered at ${telemetry?.endpoint}; the trace, as Jaeger would show it:\n`);
    log(tree);
    log("\nStart the collector and Jaeger with `docker compose up -d` to see it in Jaeger.");
  }
  return exitCode;
}

/** The agent answers the question: two tools in parallel, then the answer, streamed. */
async function answerWithTools(client: OpenRouter, root: Span): Promise<void> {
  root.setAttribute("demo.question", QUESTION);
  process.stdout.write(`> ${QUESTION}\n`);
  const agent = client.agent({
    name: "weather-bot",
    model: DEMO_MODEL,
    system: "You are a concise assistant. Use the tools you are given.",
    tools: DEMO_TOOLS,
  });
  for await (const event of agent.stream(QUESTION)) {
    if (event.type === "text") process.stdout.write(event.text);
    if (event.type === "tool_result") {
      process.stdout.write(`[${event.toolCall.name}: ${JSON.stringify(event.result)}]\n`);
    }
  }
  process.stdout.write("\n");
}
