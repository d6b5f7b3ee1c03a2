import type { ChatEvent, ChatStream } from "../../src/index.js";

/** Reads a stream to its end; returns the events and what ended it. */
export async function collect(
  stream: ChatStream,
): Promise<{ events: ChatEvent[]; error: unknown }> {
  const events: ChatEvent[] = [];
  try {
    for await (const event of stream) events.push(event);
    return { events, error: undefined };
  } catch (error) {
    return { events, error };
  }
}
