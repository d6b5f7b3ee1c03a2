/**
 * The floor: the least a correct client does. undici, eventsource-parser and one JSON.parse
 * per event, appending the deltas; no events handed out, no telemetry.
 */
import { createParser } from "eventsource-parser";
import { request } from "undici";
import { appendDelta, emptyResult } from "./append-delta.js";

/**
 * The floor's reading of one stream, started when the call starts: `feed` each chunk of the
 * body, then `result()`. Shared with `floor-dispatch.js`, which differs only in the transport.
 */
export function floorReader() {
  const startedAt = performance.now();
  const result = emptyResult();
  let done = false;
  const parser = createParser({
    onEvent(event) {
      if (event.data === "[DONE]") {
        done = true;
        return;
      }
      const delta = JSON.parse(event.data).choices?.[0]?.delta;
      if (delta) appendDelta(result, delta, startedAt);
    },
  });
  const decoder = new TextDecoder();
  return {
    feed: (chunk) => parser.feed(decoder.decode(chunk, { stream: true })),
    result() {
      if (!done) throw new Error("no [DONE]");
      return result;
    },
  };
}

/** The request body of every floor call. */
export const floorBody = (model) =>
  JSON.stringify({ model, messages: [{ role: "user", content: "go" }], stream: true });

export const FLOOR_HEADERS = { "content-type": "application/json", authorization: "Bearer bench" };

export async function createClient({ baseURL }) {
  const url = `${baseURL}/chat/completions`;
  return {
    async run(model) {
      const reader = floorReader();
      const response = await request(url, {
        method: "POST",
        headers: FLOOR_HEADERS,
        body: floorBody(model),
      });
      for await (const chunk of response.body) reader.feed(chunk);
      return reader.result();
    },
  };
}
