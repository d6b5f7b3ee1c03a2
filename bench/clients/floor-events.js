/**
 * The floor plus what any streaming SDK must add: each delta handed out as an event object
 * through an async iterator that the consumer reads with `for await`. Not a configuration of
 * ours: a reference, measured only when asked for (`--clients=floor,floor+events,none`), that
 * tells the cost of handing out events from the cost of the SDK.
 */
import { createParser } from "eventsource-parser";
import { request } from "undici";

const REQUEST = {
  method: "POST",
  headers: { "content-type": "application/json", authorization: "Bearer bench" },
};

/** The events one delta hands out: its text, its reasoning, its argument fragments. */
function pushEvents(delta, events) {
  if (delta.content) events.push({ type: "text", text: delta.content });
  if (delta.reasoning) events.push({ type: "reasoning", text: delta.reasoning });
  for (const call of delta.tool_calls ?? [])
    events.push({ type: "arguments", text: call.function?.arguments ?? "" });
}

export async function createClient({ baseURL }) {
  const url = `${baseURL}/chat/completions`;
  return {
    async run(model) {
      const startedAt = performance.now();
      const events = [];
      let read = 0;
      let done = false;
      let ended = false;
      const parser = createParser({
        onEvent({ data }) {
          if (data === "[DONE]") done = true;
          else {
            const delta = JSON.parse(data).choices?.[0]?.delta;
            if (delta) pushEvents(delta, events);
          }
        },
      });
      const body = JSON.stringify({
        model,
        messages: [{ role: "user", content: "go" }],
        stream: true,
      });
      const reader = (await request(url, { ...REQUEST, body })).body[Symbol.asyncIterator]();
      const decoder = new TextDecoder();
      const stream = {
        async next() {
          while (read === events.length) {
            if (ended) return { done: true, value: undefined };
            events.length = 0;
            read = 0;
            const result = await reader.next();
            if (result.done) ended = true;
            else parser.feed(decoder.decode(result.value, { stream: true }));
          }
          return { value: events[read++], done: false };
        },
        [Symbol.asyncIterator]() {
          return this;
        },
      };
      const out = { text: "", reasoning: "", args: "", firstChunkMs: undefined };
      for await (const event of stream) {
        out.firstChunkMs ??= performance.now() - startedAt;
        if (event.type === "text") out.text += event.text;
        else if (event.type === "reasoning") out.reasoning += event.text;
        else out.args += event.text;
      }
      if (!done) throw new Error("no [DONE]");
      return out;
    },
  };
}
