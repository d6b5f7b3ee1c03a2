/**
 * Renders events as an SSE body: an object as `data: <its JSON>`, a string starting with `:`
 * as a comment line, any other string as a raw `data:` line (`"[DONE]"`, or a malformed one).
 */
export function renderEvents(events: readonly unknown[]): string {
  let body = "";
  for (const event of events) {
    if (typeof event === "string")
      body += event.startsWith(":") ? `${event}\n\n` : `data: ${event}\n\n`;
    else body += `data: ${JSON.stringify(event)}\n\n`;
  }
  return body;
}
