/**
 * The Vercel AI SDK (`ai` 6, `@ai-sdk/openai-compatible`): `streamText` with the benchmark's
 * tools and `stopWhen`, its telemetry on (inputs and outputs recorded) in the `tracing`
 * configuration, the text stream read to the end.
 */
import { createOpenAICompatible } from "@ai-sdk/openai-compatible";
import { jsonSchema, stepCountIs, streamText, tool } from "ai";
import { AGENT_TOOLS } from "../scenarios.js";
import { setUpTelemetry } from "./telemetry.js";

export async function createClient({ baseURL, telemetry, sinkURL }) {
  const setup = await setUpTelemetry(telemetry, sinkURL);
  const provider = createOpenAICompatible({ name: "openrouter", baseURL, apiKey: "bench" });
  const tools = Object.fromEntries(
    Object.entries(AGENT_TOOLS).map(([name, { description, parameters, execute }]) => [
      name,
      tool({ description, inputSchema: jsonSchema(parameters), execute }),
    ]),
  );
  return {
    ...setup,
    async run(model) {
      const startedAt = performance.now();
      let firstChunkMs;
      let text = "";
      const result = streamText({
        model: provider.chatModel(model),
        prompt: "go",
        tools,
        stopWhen: stepCountIs(10),
        experimental_telemetry: { isEnabled: true, recordInputs: true, recordOutputs: true },
      });
      for await (const delta of result.textStream) {
        firstChunkMs ??= performance.now() - startedAt;
        text += delta;
      }
      // Only the last step has text in the scenario: the answer, as the other agents report it.
      return { text, reasoning: "", args: "", firstChunkMs };
    },
  };
}
