/**
 * The floor on undici's `dispatch` instead of `request()`: the body's bytes go from the handler
 * straight to the parser, with no Node stream in between, as this SDK's transport reads them
 * since 4c64f59. Not a configuration of ours: a reference, measured only when asked for
 * (`--clients=floor,floor-dispatch,none`), that tells what the floor's `request()` costs.
 */
import { createParser } from "eventsource-parser";
import { getGlobalDispatcher } from "undici";

export async function createClient({ baseURL }) {
  const url = new URL(`${baseURL}/chat/completions`);
  return {
    run(model) {
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
      const decoder = new TextDecoder();
      return new Promise((resolve, reject) => {
        getGlobalDispatcher().dispatch(
          {
            origin: url.origin,
            path: url.pathname,
            method: "POST",
            headers: { "content-type": "application/json", authorization: "Bearer bench" },
            body: JSON.stringify({
              model,
              messages: [{ role: "user", content: "go" }],
              stream: true,
            }),
          },
          {
            onConnect() {},
            onHeaders: () => true,
            onData(chunk) {
              parser.feed(decoder.decode(chunk, { stream: true }));
              return true;
            },
            onComplete() {
              if (done) resolve({ text, reasoning, args, firstChunkMs });
              else reject(new Error("no [DONE]"));
            },
            onError: reject,
          },
        );
      });
    },
  };
}
