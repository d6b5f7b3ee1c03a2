import { describe, expect, it } from "vitest";
import { type AssistantMessage, tool } from "../src/index.js";
import { replyPerStep } from "../src/testing/index.js";
import { answer, callTools, gate, sentMessages } from "./helpers/agent.js";
import { readFixture } from "./helpers/fixtures.js";
import { serve } from "./helpers/server.js";
import { createSpanLedger } from "./helpers/span-ledger.js";

const SIGNATURE =
  "Et0BCkgIChACGAIqQA2s7h7tA7IG35fbwVkou9PM2hANVJNUwcEM4q12fTRDK6y3v6YoEvJ+7bko8wnW/GLsQFXadaJPAEMCpLkhI9ISDLjFkeR1aVUIvdCtyBoMrUTovh0jwk+wpnZWIjANV3e6VVdgbGSsEyyTHO6KMmVtqqs79f9blnVdJmmMIwMyTi6bEtG59+jTU7v1zlsqQ2IKGZILOlr6adh0Aam7zYttvisys+wjyZZXU1y/Srz0nmp1cFgVOJe1BLKQI3SSRrjsqQC0uAEUZy0GX0Rq1AXjvIcYAQ==";

/**
 * The recorded Claude stream (reasoning with its late signature, then text, then `stop`) with
 * two parallel tool calls spliced in before its finish chunk, in the recording's own shape. The
 * finish reason stays `stop`: calls under `stop` are run too.
 */
function claudeStepWithTwoCalls(): string {
  const events = readFixture("reasoning-signature-claude.sse").split("\n\n");
  const finish = events.findIndex((event) => event.includes('"finish_reason":"stop"'));
  const chunk = (toolCalls: unknown) =>
    `data: {"id":"gen-1765226419-AGrwjunAftQIAgweibL8","provider":"Google","model":"anthropic/claude-sonnet-4.5","object":"chat.completion.chunk","created":1765226419,"choices":[{"index":0,"delta":{"role":"assistant","content":null,"tool_calls":${JSON.stringify(toolCalls)}},"finish_reason":null,"native_finish_reason":null,"logprobs":null}]}`;
  const start = (index: number, id: string, name: string) =>
    chunk([{ index, id, type: "function", function: { name, arguments: "" } }]);
  const args = (index: number, fragment: string) =>
    chunk([{ index, function: { arguments: fragment } }]);
  events.splice(
    finish,
    0,
    start(0, "toolu_01Slow", "lookup"),
    args(0, '{"city": "Li'),
    start(1, "toolu_02Fast", "lookup"),
    args(1, '{"city":"Porto"}'),
    args(0, 'sbon", "unit": "C"}'),
  );
  return events.join("\n\n");
}

describe("the history sent back", () => {
  it("step 2's body, byte for byte: reasoning_details with the signature, calls, tool messages in call order", async () => {
    const lisbonMayFinish = gate();
    const { client, server } = await serve(
      replyPerStep({ sse: claudeStepWithTwoCalls() }, answer("Lisbon 21, Porto 18.")),
    );
    const agent = client.agent({
      name: "history-bot",
      model: "anthropic/claude-sonnet-4.5",
      system: "Be brief.",
      temperature: 0,
      tools: {
        lookup: tool({
          description: "Weather",
          parameters: {
            type: "object",
            properties: { city: { type: "string" }, unit: { type: "string" } },
            required: ["city"],
          },
          execute: async ({ city }) => {
            if (city === "Lisbon") {
              await lisbonMayFinish.promise;
              return { city, temp: 21 };
            }
            return `${city}: 18`;
          },
        }),
      },
    });
    const run = agent.stream("Weather in Lisbon and Porto?", { conversationId: "conv-7" });
    const settled: string[] = [];
    for await (const event of run) {
      if (event.type !== "tool_result") continue;
      settled.push(event.toolCall.id);
      // Porto's call (the second) finished first: only now may Lisbon's (the first) finish.
      if (event.toolCall.id === "toolu_02Fast") lisbonMayFinish.open();
    }
    expect(settled).toEqual(["toolu_02Fast", "toolu_01Slow"]);
    expect((await run.result).stopReason).toBe("completed");
    expect(server.requests).toHaveLength(2);

    const body = (history: string) =>
      "{" +
      '"temperature":0,' +
      '"model":"anthropic/claude-sonnet-4.5",' +
      '"messages":[' +
      '{"role":"system","content":"Be brief."},' +
      `{"role":"user","content":"Weather in Lisbon and Porto?"}${history}],` +
      '"tools":[{"type":"function","function":{"name":"lookup","parameters":{"type":"object","properties":{"city":{"type":"string"},"unit":{"type":"string"}},"required":["city"]},"description":"Weather"}}],' +
      '"session_id":"conv-7",' +
      '"stream":true' +
      "}";
    expect(server.requests[0]!.text).toBe(body(""));
    expect(server.requests[1]!.text).toBe(
      body(
        ',{"role":"assistant","content":"2 + 2 = 4","tool_calls":[' +
          '{"id":"toolu_01Slow","type":"function","function":{"name":"lookup","arguments":"{\\"city\\": \\"Lisbon\\", \\"unit\\": \\"C\\"}"}},' +
          '{"id":"toolu_02Fast","type":"function","function":{"name":"lookup","arguments":"{\\"city\\":\\"Porto\\"}"}}' +
          "]," +
          '"reasoning_details":[{"type":"reasoning.text","text":"This is a simple arithmetic question. 2+2 equals 4.",' +
          `"signature":"${SIGNATURE}","format":"anthropic-claude-v1","index":0}]},` +
          '{"role":"tool","tool_call_id":"toolu_01Slow","content":"{\\"city\\":\\"Lisbon\\",\\"temp\\":21}"},' +
          '{"role":"tool","tool_call_id":"toolu_02Fast","content":"Porto: 18"}',
      ),
    );
  });

  it("the history the run returns is what step 2 sent, plus the answer", async () => {
    const { client, server } = await serve(
      replyPerStep({ sse: claudeStepWithTwoCalls() }, answer("Both mild.")),
    );
    const agent = client.agent({
      name: "history-bot",
      model: "anthropic/claude-sonnet-4.5",
      tools: {
        lookup: tool({ parameters: { type: "object" }, execute: () => "ok" }),
      },
    });
    const result = await agent.run("Weather?");
    const sent = (server.requests[1]!.body as { messages: unknown[] }).messages;
    expect(result.messages.slice(0, -1)).toEqual(sent);
    expect(result.messages.at(-1)).toEqual({ role: "assistant", content: "Both mild." });
    // Continuing the conversation sends the whole history back, signature included.
    expect(JSON.stringify(result.messages)).toContain(SIGNATURE);
  });

  it("ids repeated or empty within a response: call_{step}_{index}, the same in the assistant and tool messages", async () => {
    const ledger = createSpanLedger();
    const { client, server } = await serve(
      replyPerStep(
        callTools([
          ["lookup", { city: "A" }, "call_0"],
          ["lookup", { city: "B" }, "call_0"], // Gemini sends the same id twice
          ["lookup", { city: "C" }, ""],
        ]),
        answer("done"),
      ),
      { tracerProvider: ledger.tracerProvider },
    );
    const agent = client.agent({
      name: "history-bot",
      model: "google/gemini-2.5-flash",
      tools: {
        lookup: tool({
          parameters: { type: "object" },
          execute: ({ city }: { city?: string }) => `${city}: ok`,
        }),
      },
    });
    await agent.run("go");
    const [, assistant, ...tools] = sentMessages(server.requests[1]!);
    const ids = ["call_0", "call_1_1", "call_1_2"];
    expect((assistant as AssistantMessage).tool_calls?.map((call) => call.id)).toEqual(ids);
    expect(tools).toEqual([
      { role: "tool", tool_call_id: "call_0", content: "A: ok" },
      { role: "tool", tool_call_id: "call_1_1", content: "B: ok" },
      { role: "tool", tool_call_id: "call_1_2", content: "C: ok" },
    ]);
    // The span keeps the model's own id (none when it sent none): what the model said.
    const spanIds = ledger
      .spans()
      .filter((span) => span.name === "execute_tool lookup")
      .map((span) => span.attributes["gen_ai.tool.call.id"]);
    expect(spanIds.sort()).toEqual(["call_0", "call_0", undefined]);
  });
});
