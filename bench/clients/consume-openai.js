import { appendDelta, emptyResult } from "./append-delta.js";

/** Reads an `openai` chat completion stream, appending the deltas as the floor does. */
export async function consume(client, model) {
  const startedAt = performance.now();
  const result = emptyResult();
  const stream = await client.chat.completions.create({
    model,
    messages: [{ role: "user", content: "go" }],
    stream: true,
  });
  for await (const chunk of stream) {
    const delta = chunk.choices?.[0]?.delta;
    if (delta) appendDelta(result, delta, startedAt);
  }
  return result;
}

/** `chat.completions.runTools()`, streaming, with the benchmark's tools: the final content. */
export async function runTools(client, model) {
  const { AGENT_TOOLS } = await import("../scenarios.js");
  const startedAt = performance.now();
  let firstChunkMs;
  const runner = client.chat.completions.runTools({
    model,
    messages: [{ role: "user", content: "go" }],
    stream: true,
    tools: Object.entries(AGENT_TOOLS).map(([name, { description, parameters, execute }]) => ({
      type: "function",
      function: { name, description, parameters, function: execute, parse: JSON.parse },
    })),
  });
  runner.on("content", () => {
    firstChunkMs ??= performance.now() - startedAt;
  });
  const text = await runner.finalContent();
  return { text, reasoning: "", args: "", firstChunkMs };
}
