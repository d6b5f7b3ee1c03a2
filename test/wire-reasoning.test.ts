import { describe, expect, it } from "vitest";
import { collect } from "./helpers/collect.js";
import { HELLO, serve } from "./helpers/server.js";

/** A chunk whose delta carries the given fields. */
const delta = (fields: object, finishReason: string | null = null) => ({
  id: "gen-r",
  model: "openai/gpt-5.4-mini",
  choices: [{ index: 0, delta: { role: "assistant", ...fields }, finish_reason: finishReason }],
});

describe("reasoning details (OPENROUTER_WIRE.md R2.2)", () => {
  it("merges by type and index: a summary and an encrypted block both at index 0 stay two", async () => {
    const { client } = await serve({
      events: [
        delta({
          reasoning: "Plan ",
          reasoning_details: [
            {
              type: "reasoning.summary",
              summary: "Plan ",
              index: 0,
              format: "openai-responses-v1",
            },
          ],
        }),
        delta({
          reasoning: "it.",
          reasoning_details: [{ type: "reasoning.summary", summary: "it.", index: 0 }],
        }),
        delta({
          reasoning_details: [
            {
              type: "reasoning.encrypted",
              data: "ZW5jcnlwdGVk",
              id: "rs_1",
              index: 0,
              format: "openai-responses-v1",
            },
          ],
        }),
        delta({ content: "Done." }, "stop"),
        "[DONE]",
      ],
    });
    const stream = client.chat.stream(HELLO);
    const { events, error } = await collect(stream);
    expect(error).toBeUndefined();
    const response = await stream.response;
    expect(response.reasoningDetails).toEqual([
      { type: "reasoning.summary", summary: "Plan it.", index: 0, format: "openai-responses-v1" },
      {
        type: "reasoning.encrypted",
        data: "ZW5jcnlwdGVk",
        id: "rs_1",
        index: 0,
        format: "openai-responses-v1",
      },
    ]);
    // Visible reasoning is built once: `reasoning` repeats the summary and is not added again.
    expect(response.reasoning).toBe("Plan it.");
    expect(events.filter((e) => e.type === "reasoning")).toEqual([
      { type: "reasoning", text: "Plan " },
      { type: "reasoning", text: "it." },
    ]);
  });

  it("keeps unknown types and formats (null, unknown, new ones) as sent", async () => {
    const serverToolCall = {
      type: "reasoning.server_tool_call",
      tool_name: "web_search",
      arguments: { query: "otel" },
      result: "3 results",
      tool_call_id: "srv_1",
      index: 1,
      format: "future-format-v9",
    };
    const { client } = await serve({
      events: [
        delta({
          reasoning: "Think.",
          reasoning_details: [
            { type: "reasoning.text", text: "Think.", index: 0, format: null },
            serverToolCall,
            { type: "reasoning.text", text: "Kimi", index: 2, format: "unknown" },
          ],
        }),
        delta({ content: "Hi" }, "stop"),
        "[DONE]",
      ],
    });
    const response = await client.chat.stream(HELLO).response;
    expect(response.reasoningDetails).toEqual([
      { type: "reasoning.text", text: "Think.", index: 0, format: null },
      serverToolCall,
      { type: "reasoning.text", text: "Kimi", index: 2, format: "unknown" },
    ]);
    // The visible text of the chunk comes from its details, not also from `reasoning`.
    expect(response.reasoning).toBe("Think.Kimi");
  });

  it("takes reasoning from `reasoning` when a chunk has no details, and none from an encrypted block", async () => {
    const { client } = await serve({
      events: [
        // xAI: an encrypted block before any text, with `reasoning: null`.
        delta({
          reasoning: null,
          reasoning_details: [
            {
              type: "reasoning.encrypted",
              data: "eA==",
              id: "rs_x",
              index: 0,
              format: "xai-responses-v1",
            },
          ],
        }),
        delta({ reasoning: "plain reasoning" }),
        delta({ content: "ok" }, "stop"),
        "[DONE]",
      ],
    });
    const response = await client.chat.stream(HELLO).response;
    expect(response.reasoning).toBe("plain reasoning");
    expect(response.reasoningDetails).toHaveLength(1);
  });

  it("keeps Anthropic's late signature over the empty placeholder (reasoning-signature-claude)", async () => {
    const { client } = await serve({
      events: [
        delta({
          reasoning_details: [
            {
              type: "reasoning.text",
              text: "",
              signature: "",
              format: "anthropic-claude-v1",
              index: 0,
            },
          ],
        }),
        delta({
          reasoning: "Two.",
          reasoning_details: [{ type: "reasoning.text", text: "Two.", index: 0 }],
        }),
        delta({
          reasoning: null,
          reasoning_details: [{ type: "reasoning.text", signature: "c2ln", index: 0 }],
        }),
        delta({ content: "4" }, "stop"),
        "[DONE]",
      ],
    });
    const response = await client.chat.stream(HELLO).response;
    expect(response.reasoningDetails).toEqual([
      {
        type: "reasoning.text",
        text: "Two.",
        signature: "c2ln",
        format: "anthropic-claude-v1",
        index: 0,
      },
    ]);
  });
});
