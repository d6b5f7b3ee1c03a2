import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { OpenRouter } from "../src/index.js";
import {
  buildChatEvents,
  type MockReply,
  type MockServer,
  renderEvents,
  startMockServer,
} from "../src/testing/index.js";
import { collect, joinDeltas } from "./helpers/collect.js";
import { readFixture } from "./helpers/fixtures.js";
import { HELLO, TEST_API_KEY } from "./helpers/server.js";

// Multi-byte characters (2, 3 and 4 bytes in UTF-8) so that splits land inside them.
const body = renderEvents([
  ": OPENROUTER PROCESSING",
  ...buildChatEvents({
    reasoning: ["Думаю… ", "🤔 ok"],
    text: ["héllo ", "世界 ", "👋🏽", " done"],
    toolCalls: [{ id: "call_1", name: "lookup", argumentFragments: ['{"q":"', "naïve 🍣", '"}'] }],
  }),
]);

const lineEndings = {
  lf: body,
  crlf: body.replaceAll("\n", "\r\n"),
  cr: body.replaceAll("\n", "\r"),
};

let server: MockServer;
let reply: MockReply = {};
beforeAll(async () => {
  server = await startMockServer({ replies: () => reply });
});
afterAll(() => server.close());

async function run(next: MockReply) {
  reply = next;
  const client = new OpenRouter({ apiKey: TEST_API_KEY, baseURL: server.baseURL });
  return collect(client.chat.stream(HELLO));
}

describe("any split of the body into network writes yields the same events, joined", () => {
  it("whatever the line endings and the write sizes, inside characters and between \\r and \\n", async () => {
    const expected = await run({ sse: body });
    expect(expected.error).toBeUndefined();
    expect(expected.events.at(-1)).toMatchObject({
      type: "final",
      response: { text: "héllo 世界 👋🏽 done", reasoning: "Думаю… 🤔 ok" },
    });
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...(Object.keys(lineEndings) as (keyof typeof lineEndings)[])),
        fc.array(fc.integer({ min: 1, max: 40 }), { minLength: 1, maxLength: 60 }),
        async (ending, writes) => {
          const result = await run({ sse: lineEndings[ending], writes });
          expect(result.error).toBeUndefined();
          expect(joinDeltas(result.events)).toEqual(joinDeltas(expected.events));
          expect(result.events.at(-1)).toEqual(expected.events.at(-1));
        },
      ),
      { numRuns: 120 },
    );
  });

  it("every split point of a recorded stream, one byte at a time included", async () => {
    const recorded = readFixture("reasoning-signature-claude.sse");
    const expected = await run({ sse: recorded });
    const oneByOne = await run({ sse: recorded, writes: 1 });
    expect(joinDeltas(oneByOne.events)).toEqual(joinDeltas(expected.events));
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: Buffer.byteLength(recorded) - 1 }),
        async (cut) => {
          const result = await run({ sse: recorded, writes: [cut, Buffer.byteLength(recorded)] });
          expect(joinDeltas(result.events)).toEqual(joinDeltas(expected.events));
        },
      ),
      { numRuns: 60 },
    );
  });
});
