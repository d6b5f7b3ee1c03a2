import { parseArgs } from "node:util";

export const DEFAULT_CLI_MODEL = "openai/gpt-4o-mini";

export const USAGE = `Usage:
  openrouter-otel chat "prompt" [options]   stream a chat completion, traced
  openrouter-otel demo [--offline]          a traced agent run: two tools in parallel, then the answer

Options of chat:
  --model <slug>          model (default ${DEFAULT_CLI_MODEL})
  --system <text>         system instructions
  --temperature <n>       sampling temperature, 0 to 2
  --max-tokens <n>        cap on output tokens
  --reasoning <effort>    none | minimal | low | medium | high | xhigh
  --json                  print every event as one JSON line (NDJSON)
  --offline               talk to the built-in OpenRouter-compatible server
  --no-telemetry          export no traces
  -h, --help              this help

Environment: OPENROUTER_API_KEY, OTEL_EXPORTER_OTLP_ENDPOINT (default http://localhost:4318),
JAEGER_UI_URL (default http://localhost:16686), OTEL_SERVICE_NAME.`;

/** A bad command line: the CLI prints it with the usage and exits with code 2. */
export class UsageError extends Error {
  override name = "UsageError";
}

const EFFORTS = ["none", "minimal", "low", "medium", "high", "xhigh"] as const;
export type ReasoningEffort = (typeof EFFORTS)[number];

export type CliCommand =
  | { command: "help" }
  | { command: "demo"; offline: boolean; telemetry: boolean }
  | {
      command: "chat";
      prompt: string;
      model: string;
      system: string | undefined;
      temperature: number | undefined;
      maxTokens: number | undefined;
      reasoning: ReasoningEffort | undefined;
      json: boolean;
      offline: boolean;
      telemetry: boolean;
    };

export function parseCliArgs(argv: readonly string[]): CliCommand {
  let parsed: ReturnType<typeof parseOptions>;
  try {
    parsed = parseOptions(argv);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const { values, positionals } = parsed;
  if (values.help) return { command: "help" };
  const [command, ...rest] = positionals;
  const telemetry = !values["no-telemetry"];
  if (command === "demo") {
    if (rest.length > 0) throw new UsageError(`demo takes no arguments (got ${rest.join(" ")})`);
    return { command: "demo", offline: values.offline ?? false, telemetry };
  }
  if (command !== "chat") {
    throw new UsageError(
      command === undefined ? "missing a command" : `unknown command "${command}"`,
    );
  }
  const prompt = rest.join(" ").trim();
  if (prompt === "") throw new UsageError('chat needs a prompt, e.g. openrouter-otel chat "Hello"');
  const temperature = optionalNumber("--temperature", values.temperature, 0, 2);
  const maxTokens = optionalNumber(
    "--max-tokens",
    values["max-tokens"],
    1,
    Number.MAX_SAFE_INTEGER,
  );
  if (maxTokens !== undefined && !Number.isInteger(maxTokens)) {
    throw new UsageError(`--max-tokens must be a whole number (got ${values["max-tokens"]})`);
  }
  const reasoning = values.reasoning;
  if (reasoning !== undefined && !(EFFORTS as readonly string[]).includes(reasoning)) {
    throw new UsageError(`--reasoning must be one of ${EFFORTS.join(", ")} (got ${reasoning})`);
  }
  return {
    command: "chat",
    prompt,
    model: values.model ?? DEFAULT_CLI_MODEL,
    system: values.system,
    temperature,
    maxTokens,
    reasoning: reasoning as ReasoningEffort | undefined,
    json: values.json ?? false,
    offline: values.offline ?? false,
    telemetry,
  };
}

function parseOptions(argv: readonly string[]) {
  return parseArgs({
    args: [...argv],
    allowPositionals: true,
    strict: true,
    options: {
      model: { type: "string" },
      system: { type: "string" },
      temperature: { type: "string" },
      "max-tokens": { type: "string" },
      reasoning: { type: "string" },
      json: { type: "boolean" },
      offline: { type: "boolean" },
      "no-telemetry": { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
  });
}

function optionalNumber(
  flag: string,
  value: string | undefined,
  min: number,
  max: number,
): number | undefined {
  if (value === undefined) return undefined;
  const number = Number(value);
  if (value.trim() === "" || !Number.isFinite(number) || number < min || number > max) {
    throw new UsageError(`${flag} must be a number from ${min} to ${max} (got ${value})`);
  }
  return number;
}
