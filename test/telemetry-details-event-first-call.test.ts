import { logs } from "@opentelemetry/api-logs";
import { afterEach, describe, expect, it, vi } from "vitest";
import { OpenRouter } from "../src/index.js";
import { buildChatEvents, startMockServer } from "../src/testing/index.js";
import { collect } from "./helpers/collect.js";
import { createTestLogs } from "./helpers/logs.js";
import { HELLO, TEST_API_KEY } from "./helpers/server.js";

afterEach(() => {
  logs.disable();
});

// Its own file: the Logs API is loaded once per module graph, and this is about the first load.
describe("the details event of the first call", () => {
  it("reaches the global logger provider even when the call starts as the client is made", async () => {
    const server = await startMockServer({
      replies: { events: buildChatEvents({ text: ["Hi."] }) },
    });
    try {
      const events = createTestLogs();
      logs.setGlobalLoggerProvider(events.loggerProvider);
      const client = new OpenRouter({
        apiKey: TEST_API_KEY,
        baseURL: server.baseURL,
        captureContent: "EVENT_ONLY",
      });
      await collect(client.chat.stream(HELLO)); // no await between the client and the call
      await vi.waitFor(() =>
        expect(events.records().map((record) => record.eventName)).toEqual([
          "gen_ai.client.inference.operation.details",
        ]),
      );
    } finally {
      await server.close();
    }
  });
});
