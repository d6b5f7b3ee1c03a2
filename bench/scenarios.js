/**
 * The benchmark's streams: pre-rendered OpenRouter-shaped SSE bodies and the answer a client
 * must get from each. Built with the SDK's own event builder (`openrouter-otel/testing`).
 */
import { buildChatEvents, renderEvents } from "../dist/testing/index.js";

const WORD = "tok ";

/** Parses `text-20000`, `tool-16000-64`, `reason-5000`, `agent-3x2`. */
export function parseScenario(name) {
  const [kind, a, b] = name.split("-");
  const n = Number(a);
  if (kind === "agent") {
    const [steps, calls] = a.split("x").map(Number);
    if (steps > 0 && calls > 0) return { kind, toolSteps: steps, callsPerStep: calls };
  }
  if (kind === "text" && n > 0) return { kind, chunks: n };
  if (kind === "tool" && n > 0 && Number(b) > 0)
    return { kind, fragments: n, fragmentBytes: Number(b) };
  if (kind === "reason" && n > 0) return { kind, chunks: n };
  throw new Error(`unknown scenario ${name}`);
}

/** What a client must report for the scenario: text, reasoning and tool arguments. */
export function expectedResult(name) {
  const scenario = parseScenario(name);
  switch (scenario.kind) {
    case "text":
      return { text: WORD.repeat(scenario.chunks), reasoning: "", args: "" };
    case "tool":
      return {
        text: "",
        reasoning: "",
        args: toolArguments(scenario.fragments * scenario.fragmentBytes),
      };
    case "reason":
      return { text: "Done.", reasoning: "think ".repeat(scenario.chunks), args: "" };
    case "agent":
      return { text: WORD.repeat(AGENT_ANSWER_CHUNKS), reasoning: "", args: "" };
  }
}

/** Text chunks of an agent run's last step, the answer. */
const AGENT_ANSWER_CHUNKS = 200;

/** The two tools of the agent scenarios, called together on every tool step. */
export const AGENT_TOOLS = {
  get_weather: {
    description: "Current weather for a city",
    parameters: {
      type: "object",
      properties: { city: { type: "string" } },
      required: ["city"],
      additionalProperties: false,
    },
    execute: async ({ city }) => ({ city, sky: "sunny", temperature_c: 21 }),
  },
  get_local_time: {
    description: "Local time in a city",
    parameters: {
      type: "object",
      properties: { city: { type: "string" } },
      required: ["city"],
      additionalProperties: false,
    },
    execute: async ({ city }) => ({ city, time: "14:05" }),
  },
};

/**
 * The SSE body of step `step` (1-based) of an agent scenario: `toolSteps` steps that each call
 * the tools together (`callsPerStep` calls, cycling through them), then the answer.
 */
export function renderAgentStep(name, step) {
  const { toolSteps, callsPerStep } = parseScenario(name);
  const script = { id: `gen-bench-${name}-${step}`, model: "bench/model", provider: "Bench" };
  const usage = { prompt_tokens: 100 * step, completion_tokens: 20 };
  if (step > toolSteps) {
    return renderEvents(
      buildChatEvents({ ...script, usage, text: Array(AGENT_ANSWER_CHUNKS).fill(WORD) }),
    );
  }
  const names = Object.keys(AGENT_TOOLS);
  const toolCalls = Array.from({ length: callsPerStep }, (_, i) => ({
    id: `call_${step}_${i}`,
    name: names[i % names.length],
    arguments: { city: "Lisbon" },
  }));
  return renderEvents(buildChatEvents({ ...script, usage, toolCalls }));
}

/** The SSE body of the scenario, with a keep-alive comment every 50 events as OpenRouter sends. */
export function renderScenario(name) {
  const scenario = parseScenario(name);
  const script = {
    id: `gen-bench-${name}`,
    model: "bench/model",
    provider: "Bench",
    keepAliveEvery: 50,
  };
  if (scenario.kind === "text") {
    return renderEvents(buildChatEvents({ ...script, text: Array(scenario.chunks).fill(WORD) }));
  }
  if (scenario.kind === "tool") {
    const args = toolArguments(scenario.fragments * scenario.fragmentBytes);
    const fragments = [];
    for (let i = 0; i < args.length; i += scenario.fragmentBytes)
      fragments.push(args.slice(i, i + scenario.fragmentBytes));
    return renderEvents(
      buildChatEvents({
        ...script,
        toolCalls: [{ id: "call_bench", name: "store", argumentFragments: fragments }],
      }),
    );
  }
  return renderEvents(
    buildChatEvents({
      ...script,
      reasoning: Array(scenario.chunks).fill("think "),
      text: ["Done."],
    }),
  );
}

/** A JSON object of exactly `length` characters. */
function toolArguments(length) {
  const wrapper = '{"data":""}'.length;
  return `{"data":"${"x".repeat(Math.max(0, length - wrapper))}"}`;
}
