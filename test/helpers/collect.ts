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

/**
 * The events with every text delta joined onto a text event before it, and every reasoning
 * delta onto a reasoning one, as a stream whose body came in a single read hands them out after
 * its first event: what any cut of the body into reads must add up to.
 */
export function joinDeltas(events: readonly ChatEvent[]): ChatEvent[] {
  const joined: ChatEvent[] = [];
  for (const event of events) {
    const last = joined.at(-1);
    if (last?.type === "text" && event.type === "text") last.text += event.text;
    else if (last?.type === "reasoning" && event.type === "reasoning") last.text += event.text;
    else joined.push({ ...event });
  }
  return joined;
}
