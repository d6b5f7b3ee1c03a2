import { context, type Span, SpanKind, SpanStatusCode, trace } from "@opentelemetry/api";
import type { OpenRouter } from "../client.js";
import type { ChatMessage, ChatRequest, ToolCall, ToolDefinition } from "../types.js";
import { EXIT_ERROR, EXIT_OK } from "./chat-command.js";
import { jaegerTraceUrl, openCliSession } from "./cli-session.js";

const DEMO_MODEL = "openai/gpt-4o-mini";
const WEATHER_TOOL: ToolDefinition = {
  type: "function",
  function: {
    name: "get_weather",
    description: "Current weather for a city",
    parameters: {
      type: "object",
      properties: { city: { type: "string", examples: ["Lisbon"] } },
      required: ["city"],
    },
  },
};

/**
 * The README's main job: one traced request of a user, as a service would handle it. A
 * parent span, a streamed chat that calls a tool, an `execute_tool` span, and a second
 * streamed chat that answers with the tool's result.
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
      answerWithTool(session.client, root),
    );
  } catch (error) {
    log(`Error: ${error instanceof Error ? error.message : String(error)}`);
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

async function answerWithTool(client: OpenRouter, root: Span): Promise<void> {
  const question = "What's the weather like in Lisbon right now?";
  root.setAttribute("demo.question", question);
  process.stdout.write(`> ${question}\n`);
  const messages: ChatMessage[] = [{ role: "user", content: question }];
  const request: ChatRequest = {
    model: DEMO_MODEL,
    system: "You are a concise assistant. Use the tools you are given.",
    messages,
    tools: [WEATHER_TOOL],
    tool_choice: "auto",
  };
  const first = client.chat.stream(request);
  const toolCalls: ToolCall[] = [];
  for await (const event of first) {
    if (event.type === "text") process.stdout.write(event.text);
    if (event.type === "tool_call") toolCalls.push(event.toolCall);
  }
  const firstResponse = await first.response;
  if (toolCalls.length === 0) {
    // A real model may answer without the tool: then there is nothing to call back with.
    process.stdout.write("\n");
    return;
  }
  messages.push({
    role: "assistant",
    content: firstResponse.text || null,
    tool_calls: toolCalls.map((call) => ({
      id: call.id,
      type: "function",
      function: { name: call.name, arguments: call.argumentsText },
    })),
  });
  for (const call of toolCalls) {
    messages.push({ role: "tool", tool_call_id: call.id, content: executeTool(call) });
  }
  const second = client.chat.stream({ ...request, messages });
  for await (const event of second) if (event.type === "text") process.stdout.write(event.text);
  process.stdout.write("\n");
}

/** The tool, traced as the GenAI conventions' `execute_tool` span. */
function executeTool(call: ToolCall): string {
  const tracer = trace.getTracer("openrouter-otel-demo");
  return tracer.startActiveSpan(
    `execute_tool ${call.name}`,
    {
      kind: SpanKind.INTERNAL,
      attributes: {
        "gen_ai.operation.name": "execute_tool",
        "gen_ai.tool.name": call.name,
        "gen_ai.tool.call.id": call.id,
        "gen_ai.tool.type": "function",
      },
    },
    (span) => {
      const city = (call.arguments as { city?: string } | undefined)?.city ?? "somewhere";
      const result = `sunny, 21 °C in ${city}`;
      span.end();
      return result;
    },
  );
}
