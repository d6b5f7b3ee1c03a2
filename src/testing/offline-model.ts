import type { ChatMessage, ChatRequest, ToolDefinition, ToolMessage } from "../types.js";
import { buildChatEvents } from "./build-chat-events.js";
import type { MockReply, RecordedRequest } from "./mock-server.js";

/** Pace of the offline model's stream, so that it reads like a real one. */
const OFFLINE_CHUNK_DELAY_MS = 12;

/**
 * A stand-in model for running offline (the CLI's `--offline`, the demo): answers like an
 * OpenRouter model would, deterministically. With tools and a user message last, it calls every
 * tool at once (parallel calls), with example arguments from each schema; after the tool
 * results, it answers with them; otherwise it says what it was asked. Use it as the `replies`
 * of {@link startMockServer}.
 */
export function replyAsOfflineModel(recorded: RecordedRequest, index = 0): MockReply {
  const request = recorded.body as Partial<ChatRequest> | undefined;
  const messages = request?.messages ?? [];
  const last = messages.at(-1);
  const model = request?.model ?? "openrouter/offline";
  const promptTokens = Math.ceil(JSON.stringify(messages).length / 4);
  const wantsReasoning = request?.reasoning !== undefined && request.reasoning.effort !== "none";
  const common = { id: `gen-offline-${index + 1}`, model, provider: "Offline" };

  if (request?.stream === false) {
    return {
      status: 400,
      json: { error: { code: 400, message: "The offline model only streams" } },
    };
  }
  // Server tools run upstream: the offline model only calls the caller's functions.
  const tools = (request?.tools ?? []).filter(
    (tool): tool is ToolDefinition => tool.type === "function",
  );
  if (tools.length > 0 && last?.role === "user") {
    const names = tools.map((tool) => tool.function.name).join(" and ");
    return {
      events: buildChatEvents({
        ...common,
        reasoning: wantsReasoning ? ["I should look this up ", `with ${names}.`] : [],
        toolCalls: tools.map((tool, i) => ({
          id: `call_offline_${index + 1}_${i + 1}`,
          name: tool.function.name,
          argumentFragments: cutInPieces(JSON.stringify(exampleArguments(tool)), 8),
        })),
        usage: { prompt_tokens: promptTokens, completion_tokens: 18, cost: 0.000021 },
      }),
      delayMs: OFFLINE_CHUNK_DELAY_MS,
    };
  }
  const answer =
    last?.role === "tool"
      ? `Here is what the tools say: ${toolResults(messages).join("; ")}.`
      : `You said: "${contentOf(last)}". This is the offline model of openrouter-otel; set OPENROUTER_API_KEY to talk to a real one.`;
  const text = answer.match(/\S+\s*/g) ?? [answer];
  return {
    events: buildChatEvents({
      ...common,
      reasoning: wantsReasoning ? ["The user wants an answer; ", "keep it short."] : [],
      text,
      usage: {
        prompt_tokens: promptTokens,
        completion_tokens: text.length,
        cost: Number((0.000001 * text.length).toFixed(6)),
      },
    }),
    delayMs: OFFLINE_CHUNK_DELAY_MS,
  };
}

/** The tool results after the last assistant message, each as `name: result`. */
function toolResults(messages: ChatMessage[]): string[] {
  const results: string[] = [];
  for (let i = messages.length - 1; i >= 0 && messages[i]?.role === "tool"; i--) {
    const message = messages[i] as ToolMessage;
    results.unshift(`${toolName(messages, message.tool_call_id)}: ${contentOf(message)}`);
  }
  return results;
}

function contentOf(message: ChatMessage | undefined): string {
  const content = message?.content;
  if (typeof content === "string") return content;
  if (Array.isArray(content))
    return content.map((part) => ("text" in part ? part.text : "")).join("");
  return "";
}

function toolName(messages: ChatMessage[], callId: string): string {
  for (const message of messages) {
    if (message.role !== "assistant") continue;
    const call = message.tool_calls?.find((candidate) => candidate.id === callId);
    if (call) return call.function.name;
  }
  return "the tool";
}

/** Arguments from the schema: each property's first example, default or enum value. */
function exampleArguments(tool: ToolDefinition): Record<string, unknown> {
  const properties = (tool.function.parameters?.properties ?? {}) as Record<
    string,
    Record<string, unknown>
  >;
  const args: Record<string, unknown> = {};
  for (const [name, schema] of Object.entries(properties)) {
    const examples = schema.examples as unknown[] | undefined;
    const choices = schema.enum as unknown[] | undefined;
    args[name] =
      examples?.[0] ??
      schema.default ??
      choices?.[0] ??
      (schema.type === "number" || schema.type === "integer" ? 1 : "example");
  }
  return args;
}

function cutInPieces(text: string, size: number): string[] {
  const pieces: string[] = [];
  for (let i = 0; i < text.length; i += size) pieces.push(text.slice(i, i + size));
  return pieces;
}
