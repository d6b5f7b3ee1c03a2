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
 * The events with every text event joined onto a text event right before it, and every
 * reasoning event onto a reasoning one: what the events of a stream add up to, whatever reads
 * its body came in (the stream joins only the deltas of one read).
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
