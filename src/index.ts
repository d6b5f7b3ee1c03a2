export { Agent } from "./agent/agent.js";
export { DEFAULT_MAX_STEPS, DEFAULT_TOOL_CONCURRENCY } from "./agent/agent-config.js";
export { AgentRun } from "./agent/agent-run.js";
export type { FromJsonSchema, JsonSchema } from "./agent/json-schema-type.js";
export type { StandardSchemaV1 } from "./agent/standard-schema.js";
export { type Tool, type ToolContext, tool } from "./agent/tool.js";
export type * from "./agent/types.js";
export {
  Chat,
  type ChatCallOptions,
  DEFAULT_BASE_URL,
  DEFAULT_MAX_RETRIES,
  DEFAULT_TIMEOUT_MS,
  OpenRouter,
  type OpenRouterOptions,
} from "./client.js";
export {
  APIError,
  ConnectionError,
  InvalidRequestError,
  isOpenRouterError,
  OpenRouterError,
  ParseError,
  ServerError,
  type ServerErrorInit,
  StreamError,
  TimeoutError,
  ToolError,
  type ToolErrorKind,
} from "./errors.js";
export {
  DEFAULT_GENERATION_DELAY_MS,
  DEFAULT_GENERATION_RETRIES,
  type Generation,
  type GenerationProviderResponse,
  Generations,
  type GetGenerationOptions,
} from "./generations.js";
export { ChatStream } from "./stream/chat-stream.js";
export { MAX_EVENT_CHARS } from "./stream/chunk-data.js";
export {
  CAPTURE_CONTENT_ENV,
  type CaptureMode,
  EMIT_EVENT_ENV,
} from "./telemetry/capture-content.js";
export type { ContentOptions } from "./telemetry/content-options.js";
export type {
  EventAttributes,
  EventLogger,
  EventLoggerProvider,
} from "./telemetry/details-event.js";
export type { ContentHook, ContentInfo, GenAIContent } from "./telemetry/genai-content.js";
export { withOuterInference } from "./telemetry/outer-inference.js";
export {
  SEMCONV_OPT_IN_LATEST,
  SEMCONV_STABILITY_OPT_IN_ENV,
  type SemconvVersion,
} from "./telemetry/semconv.js";
export type { SemconvMessage, SemconvPart } from "./telemetry/semconv-messages.js";
export { DEFAULT_MAX_CONTENT_CHARS, TRUNCATION_MARKER } from "./telemetry/truncate-text.js";
export type * from "./types.js";
export { VERSION } from "./version.js";
