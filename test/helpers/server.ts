import { afterEach } from "vitest";
import { OpenRouter, type OpenRouterOptions } from "../../src/index.js";
import { type MockReplies, type MockServer, startMockServer } from "../../src/testing/index.js";

export const TEST_API_KEY = "sk-or-v1-test-key-0123456789abcdef";

const servers: MockServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

/** A mock server for this test (closed after it) and a client pointed at it. */
export async function serve(
  replies: MockReplies,
  options: OpenRouterOptions = {},
): Promise<{ server: MockServer; client: OpenRouter }> {
  const server = await startMockServer({ replies });
  servers.push(server);
  const client = new OpenRouter({
    apiKey: TEST_API_KEY,
    baseURL: server.baseURL,
    captureContent: true,
    ...options,
  });
  return { server, client };
}

export const HELLO = {
  model: "openai/gpt-4o-mini",
  messages: [{ role: "user" as const, content: "Hello" }],
};
