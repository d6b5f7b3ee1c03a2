/** This SDK's agent loop (`client.agent()`) on an agent scenario, streamed to the end. */
import { OpenRouter, tool } from "../../dist/index.js";
import { AGENT_TOOLS } from "../scenarios.js";
import { setUpTelemetry } from "./telemetry.js";

export async function createClient({ baseURL, telemetry, sinkURL }) {
  const setup = await setUpTelemetry(telemetry, sinkURL);
  const client = new OpenRouter({ apiKey: "bench", baseURL, captureContent: true });
  const tools = Object.fromEntries(
    Object.entries(AGENT_TOOLS).map(([name, { description, parameters, execute }]) => [
      name,
      tool({ description, parameters, execute }),
    ]),
  );
  const agents = new Map();
  return {
    ...setup,
    async run(model) {
      let agent = agents.get(model);
      if (agent === undefined) {
        agent = client.agent({ name: "bench-agent", model, tools, maxSteps: 10 });
        agents.set(model, agent);
      }
      const startedAt = performance.now();
      let firstChunkMs;
      let text = "";
      const run = agent.stream("go");
      for await (const event of run) {
        if (event.type !== "text") continue;
        firstChunkMs ??= performance.now() - startedAt;
        text += event.text;
      }
      const result = await run.result;
      if (result.text !== text) throw new Error("the streamed text is not the result's");
      return { text, reasoning: "", args: "", firstChunkMs };
    },
  };
}
