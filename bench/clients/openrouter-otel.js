/** This SDK's `chat.stream()`, in one of the telemetry configurations of `telemetry.js`. */
import { OpenRouter } from "../../dist/index.js";
import { setUpTelemetry } from "./telemetry.js";

export async function createClient({ baseURL, telemetry, sinkURL }) {
  const setup = await setUpTelemetry(telemetry, sinkURL);
  // No providers handed over: the client finds the global ones, as in an application.
  const client = new OpenRouter({ apiKey: "bench", baseURL, captureContent: true });
  return {
    ...setup,
    async run(model) {
      const startedAt = performance.now();
      let firstChunkMs;
      const stream = client.chat.stream({ model, messages: [{ role: "user", content: "go" }] });
      for await (const event of stream) {
        if (firstChunkMs === undefined && event.type !== "final")
          firstChunkMs = performance.now() - startedAt;
      }
      const response = await stream.response;
      return {
        text: response.text,
        reasoning: response.reasoning,
        args: response.toolCalls[0]?.argumentsText ?? "",
        firstChunkMs,
      };
    },
  };
}
