import { context, SpanStatusCode, trace } from "@opentelemetry/api";
import { describeThrown } from "../describe-thrown.js";
import type { ChatRequest, ChatResponse } from "../types.js";
import { jaegerTraceUrl, openCliSession } from "./cli-session.js";
import type { CliCommand } from "./parse-cli-args.js";

export const EXIT_OK = 0;
export const EXIT_ERROR = 1;
export const EXIT_USAGE = 2;
/** 128 + SIGINT, as shells report a Ctrl-C. */
export const EXIT_INTERRUPTED = 130;

export const MISSING_KEY_MESSAGE = `OPENROUTER_API_KEY is not set.
Create a key at https://openrouter.ai/keys, then: export OPENROUTER_API_KEY=sk-or-...
Or try it without one: openrouter-otel chat --offline "Hello"`;

type ChatCommand = Extract<CliCommand, { command: "chat" }>;

/** `openrouter-otel chat "prompt"`: streams the answer to stdout, the summary and trace link to stderr. */
export async function runChatCommand(command: ChatCommand): Promise<number> {
  const log = (line: string) => process.stderr.write(`${line}\n`);
  if (!command.offline && !process.env.OPENROUTER_API_KEY) {
    log(MISSING_KEY_MESSAGE);
    return EXIT_USAGE;
  }
  const session = await openCliSession({ ...command, serviceName: "openrouter-otel-cli", log });
  const controller = new AbortController();
  const onInterrupt = () => controller.abort();
  process.once("SIGINT", onInterrupt);
  const span = trace.getTracer("openrouter-otel-cli").startSpan("openrouter-otel chat");
  const traceId = span.spanContext().traceId;
  const startedAt = performance.now();
  let firstTokenAt: number | undefined;
  let exitCode = EXIT_OK;
  try {
    const stream = context.with(trace.setSpan(context.active(), span), () =>
      session.client.chat.stream(toRequest(command), { signal: controller.signal }),
    );
    for await (const event of stream) {
      if (event.type === "text" || event.type === "reasoning") firstTokenAt ??= performance.now();
      if (command.json) process.stdout.write(`${JSON.stringify(event)}\n`);
      else if (event.type === "text") process.stdout.write(event.text);
      else if (event.type === "reasoning") process.stderr.write(`\x1b[2m${event.text}\x1b[22m`);
    }
    if (!command.json) process.stdout.write("\n");
    log(
      summarize(
        await stream.response,
        firstTokenAt === undefined ? undefined : firstTokenAt - startedAt,
      ),
    );
  } catch (error) {
    if (controller.signal.aborted) {
      log("\nInterrupted: the request was stopped.");
      exitCode = EXIT_INTERRUPTED;
    } else {
      log(`\nError: ${describeThrown(error)}`);
      span.setStatus({ code: SpanStatusCode.ERROR });
      exitCode = EXIT_ERROR;
    }
  } finally {
    process.off("SIGINT", onInterrupt);
    span.end();
  }
  await session.close();
  if (session.telemetry !== undefined) {
    const note = session.telemetry.exporting
      ? ""
      : ` (not exported: no collector at ${session.telemetry.endpoint}; start one with docker compose up -d)`;
    log(`Trace: ${jaegerTraceUrl(traceId)}${note}`);
  }
  return exitCode;
}

function toRequest(command: ChatCommand): ChatRequest {
  const request: ChatRequest = {
    model: command.model,
    messages: [{ role: "user", content: command.prompt }],
  };
  if (command.system !== undefined) request.system = command.system;
  if (command.temperature !== undefined) request.temperature = command.temperature;
  if (command.maxTokens !== undefined) request.max_tokens = command.maxTokens;
  if (command.reasoning !== undefined) request.reasoning = { effort: command.reasoning };
  return request;
}

export function summarize(response: ChatResponse, timeToFirstTokenMs: number | undefined): string {
  const usage = response.usage;
  const parts = [
    `model: ${response.model || "?"}${response.provider ? ` via ${response.provider}` : ""}`,
    usage ? `tokens: ${usage.inputTokens} in, ${usage.outputTokens} out` : "tokens: not reported",
    usage?.cost !== undefined ? `cost: ${usage.cost.toFixed(6)} credits` : "cost: not reported",
    timeToFirstTokenMs === undefined
      ? "no tokens"
      : `time to first token: ${(timeToFirstTokenMs / 1000).toFixed(2)} s`,
  ];
  return parts.join(" · ");
}
