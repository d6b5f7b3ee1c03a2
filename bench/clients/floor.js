/**
 * The floor: the least a correct client does. undici, eventsource-parser and one JSON.parse
 * per event, appending the deltas; no events handed out, no telemetry.
 */
import { createParser } from "eventsource-parser";
import { request } from "undici";

export async function createClient({ baseURL }) {
  const url = `${baseURL}/chat/completions`;
  return {
    async run(model) {
      const startedAt = performance.now();
      let firstChunkMs;
      let text = "";
      let reasoning = "";
      let args = "";
      let done = false;
      const parser = createParser({
        onEvent(event) {
          if (event.data === "[DONE]") {
            done = true;
            return;
          }
          const delta = JSON.parse(event.data).choices?.[0]?.delta;
          if (!delta) return;
          if (delta.content) text += delta.content;
          if (delta.reasoning) reasoning += delta.reasoning;
          if (delta.tool_calls)
            for (const call of delta.tool_calls) args += call.function?.arguments ?? "";
          if (
            firstChunkMs === undefined &&
            (delta.content || delta.reasoning || delta.tool_calls)
          ) {
            firstChunkMs = performance.now() - startedAt;
          }
        },
      });
      const response = await request(url, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: "Bearer bench" },
        body: JSON.stringify({ model, messages: [{ role: "user", content: "go" }], stream: true }),
      });
      const decoder = new TextDecoder();
      for await (const chunk of response.body) parser.feed(decoder.decode(chunk, { stream: true }));
      if (!done) throw new Error("no [DONE]");
      return { text, reasoning, args, firstChunkMs };
    },
  };
}
