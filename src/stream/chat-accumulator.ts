import type {
  ChatEvent,
  ChatResponse,
  FinishReason,
  GeneratedImage,
  JsonValue,
  ToolCall,
} from "../types.js";
import type {
  WireChunk,
  WireDelta,
  WireError,
  WireMessage,
  WireReasoningDetail,
  WireUsage,
} from "../wire.js";
import { isJson, JsonEndScanner } from "./json-end-scanner.js";
import { ReasoningDetails } from "./reasoning-details.js";
import { toUsage } from "./to-usage.js";

interface ToolCallState {
  index: number;
  id: string;
  name: string;
  /**
   * The arguments that came before `pending`, as blocks of fragments joined and appended with
   * `+=` (a rope V8 flattens once, when the text is first read). Thousands of fragment strings
   * kept to the end outlived the young generation and made every scavenge copy them; a block is
   * one string. (Re-parsing on every fragment is the quadratic trap, not appending.)
   */
  text: string;
  /** The fragments since the last block, at most {@link BLOCK_FRAGMENTS}. */
  pending: string[];
  /** Reads the arguments for open strings and brackets: made on the first whitespace fragment
   * (rare), from the text so far, then fed each fragment as it is appended. */
  scan: JsonEndScanner | undefined;
  /** Whether the arguments are whole JSON; forgotten when a fragment that is not blank comes. */
  whole: boolean | undefined;
}

/**
 * Folds the chunks of one chat completion into events and a {@link ChatResponse}. Pure and
 * synchronous: fed one parsed chunk at a time, constant work per chunk (every piece of text is
 * kept, in a list or a rope, and joined once, when the response is built).
 */
export class ChatAccumulator {
  id = "";
  model = "";
  provider: string | undefined;
  finishReason: FinishReason | null = null;
  nativeFinishReason: string | null = null;
  /** The `error` of a mid-stream error chunk (on the chunk or in its choice), once one arrived. */
  error: WireError | string | undefined;
  /** The `provider` of the chunk that carried the error: the documented shape names it there. */
  errorProvider: string | undefined;

  #usage: WireUsage | undefined;
  #text: string[] = [];
  #refusal: string[] = [];
  #reasoning: string[] = [];
  #annotations: Array<Record<string, unknown>> = [];
  #images: GeneratedImage[] = [];
  #serviceTier: string | null | undefined;
  #openrouterMetadata: Record<string, unknown> | undefined;
  #debug: Array<Record<string, unknown>> | undefined;
  #details = new ReasoningDetails();
  #tools = new Map<number, ToolCallState>();
  /** The response once `finish` built it: the pieces it was built from are let go. */
  #finished: ChatResponse | undefined;

  /**
   * Applies one chunk and appends the events it produces to `out`. Returns true when the
   * chunk carried output (text, reasoning or a tool-call fragment).
   *
   * A text or reasoning delta that continues the last event of `out` is appended to that event
   * rather than handed out as one more: `out` holds only events the consumer has not yet been
   * given, those of one network read.
   */
  push(chunk: WireChunk, out: ChatEvent[]): boolean {
    if (this.id === "" && chunk.id) this.id = chunk.id;
    // A model that is not a string (a broken server) is none: it names series and attributes.
    if (chunk.model && typeof chunk.model === "string") this.model = chunk.model;
    if (chunk.provider) this.provider = chunk.provider;
    if (chunk.usage) this.#usage = chunk.usage;
    // Fields of the first and last chunks (some servers repeat service_tier on every chunk: an
    // assignment), read together so that the common chunk pays one check; none is content.
    if (chunk.service_tier !== undefined || chunk.openrouter_metadata || chunk.debug)
      this.#applyChunkExtras(chunk);

    let hadOutput = false;
    const choice = chunk.choices?.[0];
    if (choice) {
      const delta = choice.delta;
      if (delta) {
        const content = delta.content;
        if (content) {
          this.#text.push(content);
          appendText(out, "text", content);
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
          appendText(out, "reasoning", reasoning);
          hadOutput = true;
        }
        // Rare fields, read together so that the common chunk pays one check.
        if (delta.refusal || delta.annotations || delta.images)
          hadOutput = this.#applyRareFields(delta, out) || hadOutput;
        const toolCalls = delta.tool_calls;
        if (toolCalls && toolCalls.length !== 0) {
          for (const fragment of toolCalls) {
            const index = fragment.index ?? 0;
            let state = this.#tools.get(index);
            if (state === undefined) {
              state = newToolCallState(index, "", "", "");
              this.#tools.set(index, state);
            }
            const fn = fragment.function;
            const argumentsDelta = fn?.arguments ?? "";
            const blank = argumentsDelta !== "" && argumentsDelta.trim() === "";
            if (blank && isIdleFragment(state, fragment.id, fn?.name)) continue;
            if (fragment.id) state.id = fragment.id;
            if (fn?.name && state.name === "") state.name = fn.name;
            if (argumentsDelta !== "") {
              state.pending.push(argumentsDelta);
              if (state.pending.length === BLOCK_FRAGMENTS) argumentsText(state);
              state.scan?.feed(argumentsDelta);
              if (!blank) state.whole = undefined;
            }
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
      if (choice.error) this.#setError(choice.error, chunk.provider);
    }
    if (chunk.error) this.#setError(chunk.error, chunk.provider);
    return hadOutput;
  }

  /**
   * Appends the closing events: each tool call, in index order, then `final`. Called once per
   * stream, at its end, so a repeated or missing finish reason cannot emit a call twice.
   */
  finish(out: ChatEvent[]): ChatResponse {
    // Complete tool calls, [DONE] and no finish reason at all (Kimi K2.5): the calls are the
    // answer, as if the finish reason had been sent.
    if (this.finishReason === null && this.#tools.size > 0) this.finishReason = "tool_calls";
    const response = this.snapshot();
    for (const toolCall of response.toolCalls) out.push({ type: "tool_call", toolCall });
    out.push({ type: "final", response });
    // The pieces are in the response now. Let go of them: a stream V8 keeps in old space after
    // its end (see `StreamIterator`) would otherwise keep every piece alive until a full
    // collection.
    this.#finished = response;
    this.#text.length = 0;
    this.#refusal.length = 0;
    this.#reasoning.length = 0;
    this.#annotations.length = 0;
    this.#images.length = 0;
    this.#debug = undefined;
    this.#details = new ReasoningDetails();
    this.#tools.clear();
    return response;
  }

  /** The response built from what arrived so far (the `partial` of an error). */
  snapshot(): ChatResponse {
    if (this.#finished !== undefined) return this.#finished;
    return {
      id: this.id,
      model: this.model,
      provider: this.provider,
      text: this.#text.join(""),
      refusal: this.#refusal.join(""),
      reasoning: this.#reasoning.join(""),
      reasoningDetails: this.#details.build(),
      annotations: [...this.#annotations],
      images: [...this.#images],
      toolCalls: this.#buildToolCalls(),
      finishReason: this.finishReason,
      nativeFinishReason: this.nativeFinishReason,
      usage: this.#usage === undefined ? undefined : toUsage(this.#usage),
      serviceTier: this.#serviceTier,
      openrouterMetadata: this.#openrouterMetadata,
      debug: this.#debug === undefined ? undefined : [...this.#debug],
    };
  }

  #setError(error: WireError | string, provider: string | undefined): void {
    this.error = error;
    this.errorProvider = provider || undefined;
  }

  /** Refusal, annotations and images; true when there was an image (output for telemetry). */
  #applyRareFields(fields: WireDelta | WireMessage, out: ChatEvent[] | undefined): boolean {
    if (fields.refusal) this.#refusal.push(fields.refusal);
    if (fields.annotations)
      for (const annotation of fields.annotations) this.#annotations.push(annotation);
    const images = fields.images;
    if (!images || images.length === 0) return false;
    for (const image of images) {
      this.#images.push(image);
      out?.push({ type: "image", image });
    }
    return true;
  }

  #applyChunkExtras(chunk: WireChunk): void {
    if (chunk.service_tier !== undefined) this.#serviceTier = chunk.service_tier;
    if (chunk.openrouter_metadata) this.#openrouterMetadata = chunk.openrouter_metadata;
    if (chunk.debug) {
      this.#debug ??= [];
      this.#debug.push(chunk.debug);
    }
  }

  /** A non-streaming completion: the whole message in one choice. */
  #applyMessage(message: WireMessage): void {
    if (message.content) this.#text.push(message.content);
    this.#applyRareFields(message, undefined);
    const details = message.reasoning_details;
    const reasoning =
      details && details.length !== 0 ? this.#pushReasoningDetails(details) : message.reasoning;
    if (reasoning) this.#reasoning.push(reasoning);
    message.tool_calls?.forEach((call, index) => {
      this.#tools.set(
        index,
        newToolCallState(
          index,
          call.id ?? "",
          call.function?.name ?? "",
          messageArguments(call.function?.arguments),
        ),
      );
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

/**
 * Appends a text or reasoning delta to the last event of `out` when it is of the same kind, or as
 * a new event. Chunks that arrive together are handed out together: each event costs the
 * consumer an object, a promise and an `await`, and a read can hold hundreds of chunks.
 * Tool-call fragments stay one event each: joined, they cost more than they saved (a tool stream
 * with tracing on measured 10% more CPU), and they are seldom read one by one.
 */
function appendText(out: ChatEvent[], type: "text" | "reasoning", text: string): void {
  const last = out[out.length - 1];
  if (last?.type === type) last.text += text;
  else out.push({ type, text });
}

function newToolCallState(index: number, id: string, name: string, text: string): ToolCallState {
  return { index, id, name, text, pending: [], scan: undefined, whole: undefined };
}

/**
 * A whole message's arguments as text. The wire sends JSON text; a server that sends the
 * parsed object instead gets it back as JSON, not as `[object Object]`.
 */
function messageArguments(value: unknown): string {
  if (typeof value === "string") return value;
  if (value === null || value === undefined) return "";
  return JSON.stringify(value) ?? "";
}

/** Fragments joined into one block: a few hundred keep the blocks few and the joins short. */
const BLOCK_FRAGMENTS = 256;

/** The arguments so far, the pending fragments joined onto them. */
function argumentsText(state: ToolCallState): string {
  if (state.pending.length !== 0) {
    state.text += state.pending.join("");
    state.pending = [];
  }
  return state.text;
}

/**
 * Whether a blank fragment adds nothing: whitespace after arguments that are already a whole
 * JSON object or array, with no new id or name (kimi-k2.6 sends `" "`; re-parsing per fragment emitted the
 * call twice elsewhere). Whitespace inside unfinished arguments may be inside a string: kept.
 * Pretty-printed arguments stream a blank fragment every line: the arguments are parsed only
 * once no string or bracket is open, and once until a fragment that is not blank comes
 * (whitespace cannot change whether JSON is whole). Parsing on every blank was quadratic.
 */
function isIdleFragment(
  state: ToolCallState,
  id: string | null | undefined,
  name: string | null | undefined,
): boolean {
  if ((id && id !== state.id) || (name && state.name === "")) return false;
  if (state.text === "" && state.pending.length === 0) return false;
  if (state.whole === undefined) {
    if (state.scan === undefined) {
      state.scan = new JsonEndScanner();
      state.scan.feed(argumentsText(state));
    }
    // Arguments are an object: only a closed one is parsed, once, and text after it breaks it
    // for good, so no stream of fragments makes this check parse more than once per call.
    if (!state.scan.endedContainer) return false;
    state.whole = isJson(argumentsText(state));
  }
  return state.whole;
}

function buildToolCall(state: ToolCallState, finishReason: FinishReason | null): ToolCall {
  const text = argumentsText(state);
  const call: ToolCall = {
    index: state.index,
    id: state.id,
    name: state.name,
    arguments: {},
    argumentsText: text,
  };
  if (text.trim() === "") return call;
  try {
    call.arguments = JSON.parse(text) as JsonValue;
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
