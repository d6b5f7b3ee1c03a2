import type { AgentEvent, AgentRun, ChatMessage } from "../../src/index.js";
import { buildChatEvents, type ChatScript, type MockReply } from "../../src/testing/index.js";

/** A step whose response calls the given tools, each `[name, arguments, id?]`. */
export function callTools(
  calls: ReadonlyArray<readonly [name: string, args: unknown, id?: string]>,
  script: ChatScript = {},
): MockReply {
  return {
    events: buildChatEvents({
      ...script,
      toolCalls: calls.map(([name, args, id], i) => ({
        id: id ?? `call_${i}`,
        name,
        arguments: args,
      })),
    }),
  };
}

/** A step whose response answers with text. */
export function answer(text: string, script: ChatScript = {}): MockReply {
  return { events: buildChatEvents({ ...script, text: [text] }) };
}

/** A promise and the function that resolves it: lets a test order two tools without timing. */
export function gate<T = void>(): { promise: Promise<T>; open: (value: T) => void } {
  let open!: (value: T) => void;
  const promise = new Promise<T>((resolve) => {
    open = resolve;
  });
  return { promise, open };
}

/** Reads a run to its end; returns the events and what ended it. */
export async function collectRun(run: AgentRun): Promise<{ events: AgentEvent[]; error: unknown }> {
  const events: AgentEvent[] = [];
  try {
    for await (const event of run) events.push(event);
    return { events, error: undefined };
  } catch (error) {
    return { events, error };
  }
}

/** The messages a recorded request sent. */
export function sentMessages(request: { body: unknown }): ChatMessage[] {
  return (request.body as { messages: ChatMessage[] }).messages;
}
