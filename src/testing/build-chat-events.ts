/** Builds the events of a realistic OpenRouter stream, for tests, the benchmark and the demo. */

export interface ScriptedToolCall {
  id: string;
  name: string;
  /** The arguments as streamed, in fragments. */
  argumentFragments?: readonly string[];
  /** Or the arguments as a value: sent as its JSON, in fragments of 16 characters. */
  arguments?: unknown;
}

export interface ChatScript {
  /** @defaultValue `"gen-mock-1"` */
  id?: string;
  /** @defaultValue `"openai/gpt-4o-mini"` */
  model?: string;
  /** @defaultValue `"OpenAI"` */
  provider?: string;
  /** Reasoning text pieces, each streamed with its `reasoning_details` fragment. */
  reasoning?: readonly string[];
  /** Text pieces, one chunk each. */
  text?: readonly string[];
  toolCalls?: readonly ScriptedToolCall[];
  /** @defaultValue `"tool_calls"` when there are tool calls, else `"stop"` */
  finishReason?: string;
  usage?: { prompt_tokens: number; completion_tokens: number; cost?: number };
  /** Send a `: OPENROUTER PROCESSING` comment before the first chunk and every n chunks. */
  keepAliveEvery?: number;
}

const KEEP_ALIVE = ": OPENROUTER PROCESSING";

export function buildChatEvents(script: ChatScript): unknown[] {
  const id = script.id ?? "gen-mock-1";
  const model = script.model ?? "openai/gpt-4o-mini";
  const provider = script.provider ?? "OpenAI";
  const created = 1_764_000_000;
  const chunk = (delta: object, finishReason: string | null = null, extra: object = {}) => ({
    id,
    provider,
    model,
    object: "chat.completion.chunk",
    created,
    choices: [
      {
        index: 0,
        delta: { role: "assistant", ...delta },
        finish_reason: finishReason,
        native_finish_reason: finishReason,
      },
    ],
    ...extra,
  });
  const events: unknown[] = [];
  const every = script.keepAliveEvery;
  const push = (event: unknown) => {
    if (every !== undefined && events.length % every === 0) events.push(KEEP_ALIVE);
    events.push(event);
  };
  for (const piece of script.reasoning ?? []) {
    push(
      chunk({
        content: "",
        reasoning: piece,
        reasoning_details: [
          { type: "reasoning.text", text: piece, format: "anthropic-claude-v1", index: 0 },
        ],
      }),
    );
  }
  if (script.reasoning?.length) {
    push(
      chunk({
        content: "",
        reasoning: null,
        reasoning_details: [
          {
            type: "reasoning.text",
            signature: "c2lnbmF0dXJl",
            format: "anthropic-claude-v1",
            index: 0,
          },
        ],
      }),
    );
  }
  for (const piece of script.text ?? []) push(chunk({ content: piece }));
  script.toolCalls?.forEach((call, index) => {
    push(
      chunk({
        content: null,
        tool_calls: [
          { index, id: call.id, type: "function", function: { name: call.name, arguments: "" } },
        ],
      }),
    );
    for (const fragment of argumentFragmentsOf(call)) {
      push(chunk({ tool_calls: [{ index, function: { arguments: fragment } }] }));
    }
  });
  const finishReason = script.finishReason ?? (script.toolCalls?.length ? "tool_calls" : "stop");
  push(chunk({ content: "" }, finishReason));
  const usage = script.usage ?? { prompt_tokens: 12, completion_tokens: 34, cost: 0.00012 };
  push({
    id,
    provider,
    model,
    object: "chat.completion.chunk",
    created,
    choices: [],
    usage: {
      prompt_tokens: usage.prompt_tokens,
      completion_tokens: usage.completion_tokens,
      total_tokens: usage.prompt_tokens + usage.completion_tokens,
      cost: usage.cost ?? 0,
      is_byok: false,
      prompt_tokens_details: { cached_tokens: 0, cache_write_tokens: 0 },
      completion_tokens_details: { reasoning_tokens: 0 },
    },
  });
  events.push("[DONE]");
  return events;
}

const ARGUMENT_FRAGMENT_CHARS = 16;

function argumentFragmentsOf(call: ScriptedToolCall): readonly string[] {
  if (call.argumentFragments !== undefined) return call.argumentFragments;
  const text = JSON.stringify(call.arguments ?? {});
  const fragments: string[] = [];
  for (let i = 0; i < text.length; i += ARGUMENT_FRAGMENT_CHARS)
    fragments.push(text.slice(i, i + ARGUMENT_FRAGMENT_CHARS));
  return fragments;
}
