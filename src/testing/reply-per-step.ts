import type { MockReply, RecordedRequest } from "./mock-server.js";

/**
 * Scripts a multi-step conversation (an agent run) for {@link startMockServer}: a request gets
 * the reply of its step, counted from its history (the assistant messages after the last user
 * message, plus one), so concurrent conversations each get their own sequence. A request past
 * the script gets an HTTP 500 that says so.
 *
 * ```ts
 * startMockServer({ replies: replyPerStep(
 *   { events: buildChatEvents({ toolCalls: [{ id: "c1", name: "get_weather", arguments: { city: "Lisbon" } }] }) },
 *   { events: buildChatEvents({ text: ["Sunny."] }) },
 * ) });
 * ```
 */
export function replyPerStep(
  ...replies: readonly MockReply[]
): (request: RecordedRequest) => MockReply {
  return (request) => {
    const step = stepOf(request);
    return (
      replies[step - 1] ?? {
        status: 500,
        json: { error: { code: 500, message: `replyPerStep: no reply scripted for step ${step}` } },
      }
    );
  };
}

/** The step of a request: 1 + the assistant messages after its last user message. */
export function stepOf(request: RecordedRequest): number {
  const messages = (request.body as { messages?: Array<{ role?: string }> } | undefined)?.messages;
  let step = 1;
  for (const message of messages ?? []) {
    if (message.role === "user") step = 1;
    else if (message.role === "assistant") step++;
  }
  return step;
}
