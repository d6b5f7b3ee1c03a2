/**
 * Public types: the request the caller builds (OpenRouter's own snake_case wire names, so its
 * docs apply as written), the events a stream yields and the response it resolves to.
 */

export type JsonValue =
  | string
  | number
  | boolean
  | null
  | JsonValue[]
  | { [key: string]: JsonValue };

// ---------------------------------------------------------------------------------------------
// Request

export interface TextPart {
  type: "text";
  text: string;
  cache_control?: { type: "ephemeral"; ttl?: string };
}
export interface ImagePart {
  type: "image_url";
  image_url: { url: string; detail?: "auto" | "low" | "high" };
}
export interface AudioPart {
  type: "input_audio";
  input_audio: { data: string; format: string };
}
export interface FilePart {
  type: "file";
  file: { filename?: string; file_data?: string; file_id?: string };
}
export type ContentPart = TextPart | ImagePart | AudioPart | FilePart;

export interface SystemMessage {
  role: "system" | "developer";
  content: string | TextPart[];
  name?: string;
}
export interface UserMessage {
  role: "user";
  content: string | ContentPart[];
  name?: string;
}
export interface AssistantToolCall {
  id: string;
  type: "function";
  function: { name: string; arguments: string };
}
export interface AssistantMessage {
  role: "assistant";
  content?: string | TextPart[] | null;
  tool_calls?: AssistantToolCall[];
  reasoning?: string | null;
  reasoning_details?: ReasoningDetail[];
  name?: string;
}
export interface ToolMessage {
  role: "tool";
  tool_call_id: string;
  content: string | TextPart[];
}
export type ChatMessage = SystemMessage | UserMessage | AssistantMessage | ToolMessage;
export type ChatRole = ChatMessage["role"];

export interface ToolDefinition {
  type: "function";
  function: {
    name: string;
    description?: string;
    /** A JSON Schema object. */
    parameters?: Record<string, unknown>;
    strict?: boolean;
  };
}

/**
 * A server tool: run by OpenRouter during the request (`openrouter:web_search`, ...), never
 * by the caller. It is sent as given; its results arrive as annotations, not as tool calls.
 */
export interface ServerToolDefinition {
  type: `openrouter:${string}`;
  parameters?: Record<string, unknown>;
  [field: string]: unknown;
}

export type ToolChoice =
  | "none"
  | "auto"
  | "required"
  | { type: "function"; function: { name: string } };

export interface ReasoningConfig {
  effort?: "xhigh" | "high" | "medium" | "low" | "minimal" | "none";
  max_tokens?: number;
  exclude?: boolean;
  enabled?: boolean;
}

/**
 * The fields of a chat completion request besides the model, the messages and the tools, in
 * OpenRouter's wire names: what an agent applies to every step. Known fields are typed; any
 * other field OpenRouter documents passes through unchanged.
 */
export interface ChatParameters {
  /** Fallback models; the response's `model` names the one used. */
  models?: string[];
  tool_choice?: ToolChoice;
  parallel_tool_calls?: boolean;
  temperature?: number;
  top_p?: number;
  top_k?: number;
  frequency_penalty?: number;
  presence_penalty?: number;
  repetition_penalty?: number;
  seed?: number;
  stop?: string | string[];
  max_tokens?: number;
  max_completion_tokens?: number;
  /** Number of choices. This client reads the first choice only. */
  n?: number;
  reasoning?: ReasoningConfig;
  response_format?:
    | { type: "text" }
    | { type: "json_object" }
    | { type: "json_schema"; json_schema: Record<string, unknown> };
  /** Provider routing preferences (`order`, `only`, `ignore`, `sort`, ...). */
  provider?: Record<string, unknown>;
  plugins?: Array<Record<string, unknown>>;
  user?: string;
  session_id?: string;
  metadata?: Record<string, string>;
  /**
   * OpenRouter Broadcast's trace settings: `trace_id` and `parent_span_id` place OpenRouter's
   * own spans in a trace, the `*_name`s name them, other keys become custom metadata. With the
   * client option `propagateTrace`, ids of the call's span are added; keys set here win.
   */
  trace?: {
    trace_id?: string;
    parent_span_id?: string;
    trace_name?: string;
    span_name?: string;
    generation_name?: string;
    [key: string]: unknown;
  };
  [field: string]: unknown;
}

/** A chat completion request in OpenRouter's wire names (see {@link ChatParameters}). */
export interface ChatRequest extends ChatParameters {
  /** Model slug, e.g. `"openai/gpt-4o-mini"`. */
  model: string;
  /** Convenience: sent as the first message, with role `system`. */
  system?: string;
  messages: ChatMessage[];
  tools?: Array<ToolDefinition | ServerToolDefinition>;
}

// ---------------------------------------------------------------------------------------------
// Response

/**
 * OpenRouter's normalised finish reasons. Another OpenAI-compatible server may send a value
 * outside this list: it is passed through as is.
 */
export type FinishReason =
  | "stop"
  | "length"
  | "tool_calls"
  | "content_filter"
  | "error"
  | (string & {});

/**
 * One reasoning block with its fragments merged, exactly as it must be sent back on the
 * assistant message (`reasoning_details`) to continue the conversation.
 */
export interface ReasoningDetail {
  type: "reasoning.text" | "reasoning.summary" | "reasoning.encrypted" | (string & {});
  index?: number;
  id?: string | null;
  format?: string | null;
  text?: string;
  signature?: string | null;
  summary?: string;
  data?: string;
  [field: string]: unknown;
}

export interface ToolCall {
  /** Position of the call in the response (the wire's `index`). */
  index: number;
  id: string;
  name: string;
  /**
   * The parsed arguments: `{}` when none were sent, `undefined` when `argumentsText` is not
   * valid JSON (then `argumentsError` says why).
   */
  arguments: JsonValue | undefined;
  /** The arguments exactly as streamed. */
  argumentsText: string;
  /**
   * Set when `argumentsText` is not valid JSON, typically because `finish_reason` was
   * `length` and the call was cut off. Such a call must not be executed as if complete.
   */
  argumentsError?: string;
}

export interface Usage {
  /** Prompt tokens, cached ones included. */
  inputTokens: number;
  /** Completion tokens, reasoning ones included. */
  outputTokens: number;
  totalTokens: number;
  cachedInputTokens: number | undefined;
  cacheWriteInputTokens: number | undefined;
  reasoningTokens: number | undefined;
  /** Cost in OpenRouter credits, when the server reports it (plugin fees included). */
  cost: number | undefined;
  /** What the upstream provider charged (`cost_details.upstream_inference_cost`). */
  upstreamCost?: number | undefined;
  /** Whether the call ran on the caller's own provider key (`is_byok`). */
  isByok?: boolean | undefined;
  audioInputTokens?: number | undefined;
  audioOutputTokens?: number | undefined;
  imageOutputTokens?: number | undefined;
  acceptedPredictionTokens?: number | undefined;
  rejectedPredictionTokens?: number | undefined;
  /**
   * Server tools run upstream (`server_tool_use_details`, or the older `server_tool_use`), as
   * sent: `{web_search_requests: 1}`.
   */
  serverToolUse?: Record<string, unknown> | undefined;
}

/** An image the model generated (`delta.images[]`), as sent: usually a `data:` URL. */
export interface GeneratedImage {
  type: "image_url" | (string & {});
  image_url: { url: string; [field: string]: unknown };
  index?: number;
  [field: string]: unknown;
}

export interface ChatResponse {
  /** Generation id (`gen-...`), from the chunks. */
  id: string;
  /** The model that answered, as the server reported it (may differ from the request). */
  model: string;
  /** The upstream provider's display name, e.g. `"Amazon Bedrock"`. */
  provider: string | undefined;
  text: string;
  /** The model's refusal, when it declined (OpenAI's structured outputs); `""` otherwise. */
  refusal: string;
  reasoning: string;
  reasoningDetails: ReasoningDetail[];
  /** Annotations such as `url_citation`s from web search, as sent, in order. */
  annotations: Array<Record<string, unknown>>;
  /** Generated images, in order (request `modalities: ["image", "text"]`). */
  images: GeneratedImage[];
  /** Complete tool calls in `index` order. */
  toolCalls: ToolCall[];
  finishReason: FinishReason | null;
  /** The provider's raw finish reason (`end_turn`, `completed`, ...). */
  nativeFinishReason: string | null;
  usage: Usage | undefined;
  /** `service_tier` from the last chunk that had one (`"default"`, `"standard"`, `null`). */
  serviceTier?: string | null | undefined;
  /**
   * OpenRouter's routing record (`openrouter_metadata`, sent with the request header
   * `X-OpenRouter-Metadata: enabled`): strategy, attempts, endpoints. Not content.
   */
  openrouterMetadata?: Record<string, unknown> | undefined;
  /** The `debug` objects of leading debug chunks (request `debug.echo_upstream_body`), one per attempt. */
  debug?: Array<Record<string, unknown>> | undefined;
}

// ---------------------------------------------------------------------------------------------
// Events

/**
 * More of the answer's text. The deltas of chunks that arrived together (in one network read)
 * come as one event, joined: how the text is cut into events depends on the network, never what
 * it adds up to.
 */
export interface TextEvent {
  type: "text";
  text: string;
}
/** More of the visible reasoning; joined like {@link TextEvent}. */
export interface ReasoningEvent {
  type: "reasoning";
  text: string;
}
export interface ImageEvent {
  type: "image";
  image: GeneratedImage;
}
/** One fragment of a tool call's arguments, as the server sent it. */
export interface ToolCallDeltaEvent {
  type: "tool_call_delta";
  index: number;
  /** The call's id and name as known so far (they arrive with its first fragment). */
  id: string;
  name: string;
  argumentsDelta: string;
}
export interface ToolCallEvent {
  type: "tool_call";
  toolCall: ToolCall;
}
export interface FinalEvent {
  type: "final";
  response: ChatResponse;
}
export type ChatEvent =
  | TextEvent
  | ReasoningEvent
  | ImageEvent
  | ToolCallDeltaEvent
  | ToolCallEvent
  | FinalEvent;
