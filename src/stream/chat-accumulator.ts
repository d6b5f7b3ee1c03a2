import type { ChatEvent, ChatResponse, FinishReason, JsonValue, ToolCall } from "../types.js";
import type { WireChunk, WireError, WireMessage, WireReasoningDetail, WireUsage } from "../wire.js";
import { ReasoningDetails } from "./reasoning-details.js";
import { toUsage } from "./to-usage.js";

interface ToolCallState {
  index: number;
  id: string;
  name: string;
  /** Argument fragments, joined once at the end: appending to a string and re-parsing it on
   * every fragment is the quadratic trap that makes 1 MB of arguments take seconds. */
  fragments: string[];
}

/**
 * Folds the chunks of one chat completion into events and a {@link ChatResponse}. Pure and
 * synchronous: fed one parsed chunk at a time, constant work per chunk (every piece of text is
 * kept in a list and joined once, when the response is built).
 */
export class ChatAccumulator {
  id = "";
  model = "";
  provider: string | undefined;
  finishReason: FinishReason | null = null;
  nativeFinishReason: string | null = null;
  /** The `error` of a mid-stream error chunk (on the chunk or in its choice), once one arrived. */
  error: WireError | string | undefined;

  #usage: WireUsage | undefined;
  #text: string[] = [];
  #refusal: string[] = [];
  #reasoning: string[] = [];
  #annotations: Array<Record<string, unknown>> = [];
  #details = new ReasoningDetails();
  #tools = new Map<number, ToolCallState>();

  /**
   * Applies one chunk and appends the events it produces to `out`. Returns true when the
   * chunk carried output (text, reasoning or a tool-call fragment).
   */
  push(chunk: WireChunk, out: ChatEvent[]): boolean {
    if (this.id === "" && chunk.id) this.id = chunk.id;
    if (chunk.model) this.model = chunk.model;
    if (chunk.provider) this.provider = chunk.provider;
    if (chunk.usage) this.#usage = chunk.usage;

    let hadOutput = false;
    const choice = chunk.choices?.[0];
    if (choice) {
      const delta = choice.delta;
      if (delta) {
        const content = delta.content;
        if (content) {
          this.#text.push(content);
          out.push({ type: "text", text: content });
          hadOutput = true;
        }
        // Visible reasoning comes from the details when the chunk has them (`reasoning` repeats
        // their text), from `reasoning` otherwise: never from both.
        const details = delta.reasoning_details;
        let reasoning: string | null | undefined;
        if (details && details.length !== 0) {
          reasoning = this.#pushReasoningDetails(details);
          hadOutput = true;
        } else reasoning = delta.reasoning;
        if (reasoning) {
          this.#reasoning.push(reasoning);
          out.push({ type: "reasoning", text: reasoning });
          hadOutput = true;
        }
        // Rare fields, read together so that the common chunk pays one check.
        if (delta.refusal || delta.annotations)
          this.#applyRareFields(delta.refusal, delta.annotations);
        const toolCalls = delta.tool_calls;
        if (toolCalls && toolCalls.length !== 0) {
          for (const fragment of toolCalls) {
            const index = fragment.index ?? 0;
            let state = this.#tools.get(index);
            if (state === undefined) {
              state = { index, id: "", name: "", fragments: [] };
              this.#tools.set(index, state);
            }
            if (fragment.id) state.id = fragment.id;
            const fn = fragment.function;
            if (fn?.name && state.name === "") state.name = fn.name;
            const argumentsDelta = fn?.arguments ?? "";
            if (argumentsDelta !== "") state.fragments.push(argumentsDelta);
            out.push({
              type: "tool_call_delta",
              index,
              id: state.id,
              name: state.name,
              argumentsDelta,
            });
          }
          hadOutput = true;
        }
      } else if (choice.message) {
        this.#applyMessage(choice.message);
      }
      // A later chunk's null must never erase an earlier finish reason.
      if (choice.finish_reason) this.finishReason = normalizeFinishReason(choice.finish_reason);
      if (choice.native_finish_reason) this.nativeFinishReason = choice.native_finish_reason;
      if (choice.error) this.error = choice.error;
    }
    if (chunk.error) this.error = chunk.error;
    return hadOutput;
  }

  /**
   * Appends the closing events: each tool call, in index order, then `final`. Called once per
   * stream, at its end, so a repeated or missing finish reason cannot emit a call twice.
   */
  finish(out: ChatEvent[]): ChatResponse {
    const response = this.snapshot();
    for (const toolCall of response.toolCalls) out.push({ type: "tool_call", toolCall });
    out.push({ type: "final", response });
    return response;
  }

  /** The response built from what arrived so far (the `partial` of an error). */
  snapshot(): ChatResponse {
    return {
      id: this.id,
      model: this.model,
      provider: this.provider,
      text: this.#text.join(""),
      refusal: this.#refusal.join(""),
      reasoning: this.#reasoning.join(""),
      reasoningDetails: this.#details.build(),
      annotations: [...this.#annotations],
      toolCalls: this.#buildToolCalls(),
      finishReason: this.finishReason,
      nativeFinishReason: this.nativeFinishReason,
      usage: this.#usage === undefined ? undefined : toUsage(this.#usage),
    };
  }

  #applyRareFields(
    refusal: string | null | undefined,
    annotations: Array<Record<string, unknown>> | null | undefined,
  ): void {
    if (refusal) this.#refusal.push(refusal);
    if (annotations) for (const annotation of annotations) this.#annotations.push(annotation);
  }

  /** A non-streaming completion: the whole message in one choice. */
  #applyMessage(message: WireMessage): void {
    if (message.content) this.#text.push(message.content);
    this.#applyRareFields(message.refusal, message.annotations);
    const details = message.reasoning_details;
    const reasoning =
      details && details.length !== 0 ? this.#pushReasoningDetails(details) : message.reasoning;
    if (reasoning) this.#reasoning.push(reasoning);
    message.tool_calls?.forEach((call, index) => {
      this.#tools.set(index, {
        index,
        id: call.id ?? "",
        name: call.function?.name ?? "",
        fragments: call.function?.arguments ? [call.function.arguments] : [],
      });
    });
  }

  /** Merges reasoning-detail fragments; returns the visible reasoning they carry. */
  #pushReasoningDetails(details: readonly WireReasoningDetail[]): string {
    let visible = "";
    for (const detail of details) visible += this.#details.push(detail);
    return visible;
  }

  #buildToolCalls(): ToolCall[] {
    const states = [...this.#tools.values()].sort((a, b) => a.index - b.index);
    return states.map((state) => buildToolCall(state, this.finishReason));
  }
}

function buildToolCall(state: ToolCallState, finishReason: FinishReason | null): ToolCall {
  const argumentsText = state.fragments.join("");
  const call: ToolCall = {
    index: state.index,
    id: state.id,
    name: state.name,
    arguments: {},
    argumentsText,
  };
  if (argumentsText.trim() === "") return call;
  try {
    call.arguments = JSON.parse(argumentsText) as JsonValue;
  } catch {
    call.arguments = undefined;
    call.argumentsError =
      finishReason === "length"
        ? "the arguments were cut off (finish_reason length) and are not valid JSON"
        : "the arguments are not valid JSON";
  }
  return call;
}

function normalizeFinishReason(reason: string): FinishReason {
  // The legacy OpenAI value some compatible servers still send.
  return reason === "function_call" ? "tool_calls" : reason;
}
