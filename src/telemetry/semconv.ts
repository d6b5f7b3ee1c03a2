/**
 * Every span attribute, event and metric name this SDK emits, in one place. Names the two
 * versions of the GenAI conventions share are plain constants; every name or rule that differs
 * between v1.41.1 (default) and latest (`gen_ai_latest_experimental`) is a row of
 * {@link SEMCONV_TABLE}, and call sites read the resolved version's row. `openrouter.*` names are
 * this SDK's own.
 */

/** Span names: the project's card, where the conventions' default would be `chat {model}`. */
export const SPAN_NAME_STREAMING = "chat_streaming";
export const SPAN_NAME_COMPLETE = "chat";

export const ATTR_GEN_AI_OPERATION_NAME = "gen_ai.operation.name";
export const ATTR_GEN_AI_PROVIDER_NAME = "gen_ai.provider.name";
export const ATTR_GEN_AI_REQUEST_MODEL = "gen_ai.request.model";
export const ATTR_GEN_AI_REQUEST_STREAM = "gen_ai.request.stream";
export const ATTR_GEN_AI_REQUEST_TEMPERATURE = "gen_ai.request.temperature";
export const ATTR_GEN_AI_REQUEST_TOP_P = "gen_ai.request.top_p";
export const ATTR_GEN_AI_REQUEST_TOP_K = "gen_ai.request.top_k";
export const ATTR_GEN_AI_REQUEST_MAX_TOKENS = "gen_ai.request.max_tokens";
export const ATTR_GEN_AI_REQUEST_FREQUENCY_PENALTY = "gen_ai.request.frequency_penalty";
export const ATTR_GEN_AI_REQUEST_PRESENCE_PENALTY = "gen_ai.request.presence_penalty";
export const ATTR_GEN_AI_REQUEST_STOP_SEQUENCES = "gen_ai.request.stop_sequences";
export const ATTR_GEN_AI_REQUEST_SEED = "gen_ai.request.seed";
export const ATTR_GEN_AI_REQUEST_CHOICE_COUNT = "gen_ai.request.choice.count";
export const ATTR_GEN_AI_OUTPUT_TYPE = "gen_ai.output.type";

export const ATTR_GEN_AI_RESPONSE_ID = "gen_ai.response.id";
export const ATTR_GEN_AI_RESPONSE_MODEL = "gen_ai.response.model";
export const ATTR_GEN_AI_RESPONSE_FINISH_REASONS = "gen_ai.response.finish_reasons";
export const ATTR_GEN_AI_RESPONSE_TIME_TO_FIRST_CHUNK = "gen_ai.response.time_to_first_chunk";
export const ATTR_GEN_AI_USAGE_INPUT_TOKENS = "gen_ai.usage.input_tokens";
export const ATTR_GEN_AI_USAGE_OUTPUT_TOKENS = "gen_ai.usage.output_tokens";
export const ATTR_GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS = "gen_ai.usage.cache_read.input_tokens";
export const ATTR_GEN_AI_USAGE_REASONING_OUTPUT_TOKENS = "gen_ai.usage.reasoning.output_tokens";

export const ATTR_GEN_AI_SYSTEM_INSTRUCTIONS = "gen_ai.system_instructions";
export const ATTR_GEN_AI_INPUT_MESSAGES = "gen_ai.input.messages";
export const ATTR_GEN_AI_OUTPUT_MESSAGES = "gen_ai.output.messages";
export const ATTR_GEN_AI_TOOL_DEFINITIONS = "gen_ai.tool.definitions";
export const ATTR_GEN_AI_TOKEN_TYPE = "gen_ai.token.type";
export const ATTR_GEN_AI_CONVERSATION_ID = "gen_ai.conversation.id";

export const ATTR_GEN_AI_AGENT_NAME = "gen_ai.agent.name";
export const ATTR_GEN_AI_AGENT_DESCRIPTION = "gen_ai.agent.description";
export const ATTR_GEN_AI_TOOL_NAME = "gen_ai.tool.name";
export const ATTR_GEN_AI_TOOL_TYPE = "gen_ai.tool.type";
export const ATTR_GEN_AI_TOOL_CALL_ID = "gen_ai.tool.call.id";
export const ATTR_GEN_AI_TOOL_DESCRIPTION = "gen_ai.tool.description";
export const ATTR_GEN_AI_TOOL_CALL_ARGUMENTS = "gen_ai.tool.call.arguments";
export const ATTR_GEN_AI_TOOL_CALL_RESULT = "gen_ai.tool.call.result";

export const ATTR_SERVER_ADDRESS = "server.address";
export const ATTR_SERVER_PORT = "server.port";
export const ATTR_ERROR_TYPE = "error.type";

export const ATTR_OPENROUTER_PROVIDER = "openrouter.provider";
export const ATTR_OPENROUTER_USAGE_COST = "openrouter.usage.cost";
export const ATTR_OPENROUTER_NATIVE_FINISH_REASON = "openrouter.native_finish_reason";
/** How a stream was cut short without an error: `consumer` (break) or `abort` (signal). */
export const ATTR_OPENROUTER_CANCELLED = "openrouter.cancelled";

/** The step (1-based) of an agent run: on its chat span and on the tool spans it requested. */
export const ATTR_OPENROUTER_AGENT_STEP = "openrouter.agent.step";
export const ATTR_OPENROUTER_AGENT_STEPS = "openrouter.agent.steps";
export const ATTR_OPENROUTER_AGENT_STOP_REASON = "openrouter.agent.stop_reason";
/**
 * The run's summed cost. Not `openrouter.usage.cost`: every chat span carries that already, and
 * a backend summing one key over a trace would count each call twice.
 */
export const ATTR_OPENROUTER_AGENT_COST = "openrouter.agent.cost";

/** Content attributes left out of a span to keep it under its content budget. */
export const ATTR_OPENROUTER_CONTENT_DROPPED = "openrouter.content.dropped";

/** Span event added before each retry. */
export const EVENT_RETRY = "openrouter.retry";
export const ATTR_OPENROUTER_RETRY_ATTEMPT = "openrouter.retry.attempt";
export const ATTR_OPENROUTER_RETRY_DELAY_MS = "openrouter.retry.delay_ms";

export const OPERATION_CHAT = "chat";
export const OPERATION_INVOKE_AGENT = "invoke_agent";
export const OPERATION_EXECUTE_TOOL = "execute_tool";
export const TOOL_TYPE_FUNCTION = "function";
export const PROVIDER_OPENROUTER = "openrouter";

export const METRIC_OPERATION_DURATION = "gen_ai.client.operation.duration";
export const METRIC_TOKEN_USAGE = "gen_ai.client.token.usage";
export const METRIC_TIME_TO_FIRST_CHUNK = "gen_ai.client.operation.time_to_first_chunk";
export const METRIC_TIME_PER_OUTPUT_CHUNK = "gen_ai.client.operation.time_per_output_chunk";

export const METRIC_INVOKE_AGENT_DURATION = "gen_ai.invoke_agent.duration";
export const METRIC_EXECUTE_TOOL_DURATION = "gen_ai.execute_tool.duration";
export const METRIC_INVOKE_AGENT_INFERENCE_CALLS = "gen_ai.invoke_agent.inference_calls";
export const METRIC_INVOKE_AGENT_TOOL_CALLS = "gen_ai.invoke_agent.tool_calls";

/** Bucket advice of the conventions for the duration-like histograms, in seconds. */
export const DURATION_BUCKETS = [
  0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92,
];
/** Bucket advice of the conventions for token counts. */
export const TOKEN_BUCKETS = [
  1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864,
];
/** Bucket advice for `gen_ai.invoke_agent.duration`, in seconds: agent runs last longer. */
export const AGENT_DURATION_BUCKETS = [
  0.1, 0.2, 0.4, 0.8, 1.6, 3.2, 6.4, 12.8, 25.6, 51.2, 102.4, 204.8, 409.6,
];
/** Bucket advice for the per-run counts of inference and tool calls. */
export const CALL_COUNT_BUCKETS = [1, 2, 4, 8, 16, 32, 64, 128];

/** The agent span's name; one function, as the conventions may still rename it (genai#571). */
export function agentSpanName(agentName: string): string {
  return agentName === "" ? OPERATION_INVOKE_AGENT : `${OPERATION_INVOKE_AGENT} ${agentName}`;
}

export function toolSpanName(toolName: string): string {
  return `${OPERATION_EXECUTE_TOOL} ${toolName}`;
}

/** The two versions of the GenAI conventions this SDK emits. */
export type SemconvVersion = "v1.41.1" | "latest";
export const SEMCONV_STABILITY_OPT_IN_ENV = "OTEL_SEMCONV_STABILITY_OPT_IN";
export const SEMCONV_OPT_IN_LATEST = "gen_ai_latest_experimental";

/** The details event, opt-in in both versions. */
export const EVENT_INFERENCE_DETAILS = "gen_ai.client.inference.operation.details";

/**
 * One name or rule per version. An open proposal sits in `proposal`, not emitted: when it
 * merges, flipping `merged` to `true` makes it the latest value.
 */
interface Rule<T> {
  "v1.41.1": T;
  latest: T;
  proposal?: { value: T; merged: boolean };
  /** Status and source, as in GENAI_SEMCONV.md "Two versions". */
  source: string;
}
const rule = <T>(row: Rule<T>): Rule<T> => row;
/** A name only an open proposal defines: nothing in either version until it merges. */
const proposed = (name: string, source: string): Rule<string | undefined> => ({
  "v1.41.1": undefined,
  latest: undefined,
  proposal: { value: name, merged: false },
  source,
});

/** Every name and rule that differs between the versions (GENAI_SEMCONV.md "Two versions"). */
export const SEMCONV_TABLE = {
  cacheWriteInputTokens: rule({
    "v1.41.1": "gen_ai.usage.cache_creation.input_tokens",
    latest: "gen_ai.usage.cache_write.input_tokens",
    source: "merged: genai#440",
  }),
  audioInputTokens: rule<string | undefined>({
    "v1.41.1": undefined,
    latest: "gen_ai.usage.audio.input_tokens",
    source: "merged: genai#440 (prompt_tokens_details.audio_tokens)",
  }),
  imageOutputTokens: rule<string | undefined>({
    "v1.41.1": undefined,
    latest: "gen_ai.usage.image.output_tokens",
    source: "merged: genai#440 (completion_tokens_details.image_tokens)",
  }),
  audioOutputTokens: rule<string | undefined>({
    "v1.41.1": undefined,
    latest: "gen_ai.usage.audio.output_tokens",
    source: "merged: genai#440 (completion_tokens_details.audio_tokens)",
  }),
  /** `gen_ai.request.top_k`: a double in v1.41.1, an integer in latest. */
  topKAsInteger: rule({
    "v1.41.1": false,
    latest: true,
    source: "main: genai changelog.d/217.breaking.md",
  }),
  /** From `reasoning.effort`, exactly as sent. */
  requestReasoningLevel: rule<string | undefined>({
    "v1.41.1": undefined,
    latest: "gen_ai.request.reasoning.level",
    source: "main: genai@fe5608e2 registry",
  }),
  /** `finish_reason` inside output messages: required in v1.41.1, deprecated in latest. */
  outputMessageFinishReason: rule({ "v1.41.1": true, latest: false, source: "merged: genai#363" }),
  /**
   * `gen_ai.response.finish_reasons` of a generation cut before its finish reason (a consumer
   * break): `["error"]` in latest, left out in v1.41.1, which has no rule for it.
   */
  missingFinishReasonIsError: rule({
    "v1.41.1": false,
    latest: true,
    source: "merged: genai#363",
  }),
  /** Optional token breakdowns recorded only when non-zero. */
  omitZeroBreakdowns: rule({
    "v1.41.1": false,
    latest: false,
    proposal: { value: true, merged: false },
    source: "proposal: genai#502 (open)",
  }),
  /** `gen_ai.agent.name` on `execute_tool` spans: not listed in v1.41.1 (kept), latest lists it. */
  toolSpanAgentName: rule({
    "v1.41.1": ATTR_GEN_AI_AGENT_NAME,
    latest: ATTR_GEN_AI_AGENT_NAME,
    source: "main: genai changelog.d/322.breaking.md",
  }),
  metricOperationDuration: rule({
    "v1.41.1": METRIC_OPERATION_DURATION,
    latest: METRIC_OPERATION_DURATION,
    proposal: { value: "gen_ai.client.inference.duration", merged: false },
    source: "rename open: genai#521",
  }),
  metricTimeToFirstChunk: rule({
    "v1.41.1": METRIC_TIME_TO_FIRST_CHUNK,
    latest: METRIC_TIME_TO_FIRST_CHUNK,
    proposal: { value: "gen_ai.client.inference.time_to_first_chunk", merged: false },
    source: "rename open: genai#521",
  }),
  metricTimePerOutputChunk: rule({
    "v1.41.1": METRIC_TIME_PER_OUTPUT_CHUNK,
    latest: METRIC_TIME_PER_OUTPUT_CHUNK,
    proposal: { value: "gen_ai.client.inference.time_per_output_chunk", merged: false },
    source: "rename open: genai#521",
  }),
  /** The token histogram; the proposal replaces it with counters per kind (below). */
  metricTokenUsage: rule<string | undefined>({
    "v1.41.1": METRIC_TOKEN_USAGE,
    latest: METRIC_TOKEN_USAGE,
    proposal: { value: undefined, merged: false },
    source: "proposal: genai#374 (breaking, in review)",
  }),
  metricInputTokens: proposed("gen_ai.client.inference.usage.input_tokens", "proposal: genai#374"),
  metricOutputTokens: proposed(
    "gen_ai.client.inference.usage.output_tokens",
    "proposal: genai#374",
  ),
  metricCacheReadInputTokens: proposed(
    "gen_ai.client.inference.usage.cache_read.input_tokens",
    "proposal: genai#374",
  ),
  metricCacheWriteInputTokens: proposed(
    "gen_ai.client.inference.usage.cache_write.input_tokens",
    "proposal: genai#374",
  ),
  metricReasoningOutputTokens: proposed(
    "gen_ai.client.inference.usage.reasoning.output_tokens",
    "proposal: genai#374",
  ),
  /** Required on the proposed token counters: `text`, `image`, `audio`, `unknown`. */
  tokenModality: proposed("gen_ai.token.modality", "proposal: genai#374"),
  usageCostAmount: proposed("gen_ai.usage.cost.amount", "proposal: genai#443 (open)"),
  usageCostCurrency: proposed("gen_ai.usage.cost.currency", "proposal: genai#443 (open)"),
  metricOperationCost: proposed("gen_ai.client.operation.cost", "proposal: genai#443 (open)"),
} as const;

type Table = typeof SEMCONV_TABLE;
/** The names and rules of one version, as call sites read them. */
export type Semconv = { readonly version: SemconvVersion } & {
  readonly [K in keyof Table]: Table[K]["latest"];
};

const resolved = new Map<SemconvVersion, Semconv>();

/** The names and rules of `version`: latest takes a proposal's value once it is merged. */
export function semconvOf(version: SemconvVersion): Semconv {
  let names = resolved.get(version);
  if (names === undefined) {
    const entries = Object.entries(SEMCONV_TABLE).map(([key, row]: [string, Rule<unknown>]) => {
      const merged = version === "latest" && row.proposal?.merged === true;
      return [key, merged ? row.proposal?.value : row[version]];
    });
    names = Object.freeze({ version, ...Object.fromEntries(entries) }) as Semconv;
    resolved.set(version, names);
  }
  return names;
}

/**
 * The version to emit: the client option wins; otherwise latest when
 * `OTEL_SEMCONV_STABILITY_OPT_IN` (a comma-separated list) holds `gen_ai_latest_experimental`.
 */
export function resolveSemconvVersion(
  option: SemconvVersion | undefined,
  env: NodeJS.ProcessEnv = process.env,
): SemconvVersion {
  if (option !== undefined) return option;
  const optIn = env[SEMCONV_STABILITY_OPT_IN_ENV] ?? "";
  return optIn.split(",").some((item) => item.trim().toLowerCase() === SEMCONV_OPT_IN_LATEST)
    ? "latest"
    : "v1.41.1";
}
