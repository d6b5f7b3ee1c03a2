/** Reads an `openai` chat completion stream, appending the deltas as the floor does. */
export async function consume(client, model) {
  const startedAt = performance.now();
  let firstChunkMs;
  let text = "";
  let reasoning = "";
  let args = "";
  const stream = await client.chat.completions.create({
    model,
    messages: [{ role: "user", content: "go" }],
    stream: true,
  });
  for await (const chunk of stream) {
    const delta = chunk.choices?.[0]?.delta;
    if (!delta) continue;
    if (delta.content) text += delta.content;
    if (delta.reasoning) reasoning += delta.reasoning;
    if (delta.tool_calls)
      for (const call of delta.tool_calls) args += call.function?.arguments ?? "";
    if (firstChunkMs === undefined && (delta.content || delta.reasoning || delta.tool_calls)) {
      firstChunkMs = performance.now() - startedAt;
    }
  }
  return { text, reasoning, args, firstChunkMs };
}
