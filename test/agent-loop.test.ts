import { describe, expect, it } from "vitest";
import { z } from "zod";
import { type AgentOptions, type AssistantMessage, ToolError, tool } from "../src/index.js";
import { buildChatEvents, type MockReplies, replyPerStep } from "../src/testing/index.js";
import { answer, callTools, collectRun, gate, sentMessages } from "./helpers/agent.js";
import { serve } from "./helpers/server.js";

const weather = tool({
  description: "Current weather for a city",
  parameters: {
    type: "object",
    properties: { city: { type: "string" } },
    required: ["city"],
  },
  execute: async ({ city }) => ({ city, temp: 21 }),
});

async function agentOn(replies: MockReplies, options: Partial<AgentOptions> = {}) {
  const { client, server } = await serve(replies);
  const agent = client.agent({
    name: "test-bot",
    model: "openai/gpt-4o-mini",
    tools: { get_weather: weather },
    ...options,
  });
  return { agent, server };
}

describe("the loop", () => {
  it("runs the requested tools and answers: events in order, history, steps, summed usage", async () => {
    const { agent, server } = await agentOn(
      replyPerStep(
        callTools([["get_weather", { city: "Lisbon" }, "call_a"]], {
          text: ["Checking."],
          usage: { prompt_tokens: 10, completion_tokens: 5, cost: 0.001 },
        }),
        answer("Sunny, 21.", { usage: { prompt_tokens: 30, completion_tokens: 7, cost: 0.002 } }),
      ),
    );
    const run = agent.stream("Weather in Lisbon?");
    const { events, error } = await collectRun(run);
    expect(error).toBeUndefined();
    expect(events.map((event) => event.type)).toEqual([
      "step_start",
      "text",
      "tool_call_delta", // id and name
      "tool_call_delta", // '{"city":"Lisbon' (16 characters a fragment)
      "tool_call_delta", // '"}'
      "tool_call",
      "step_finish",
      "tool_result",
      "step_start",
      "text",
      "step_finish",
      "final",
    ]);
    const result = await run.result;
    expect(events.at(-1)).toEqual({ type: "final", result });
    expect(result.text).toBe("Sunny, 21.");
    expect(result.stopReason).toBe("completed");
    expect(result.steps.map((step) => step.finishReason)).toEqual(["tool_calls", "stop"]);
    expect(result.usage).toMatchObject({
      inputTokens: 40,
      outputTokens: 12,
      totalTokens: 52,
      cost: 0.003,
    });
    expect(result.messages).toEqual([
      { role: "user", content: "Weather in Lisbon?" },
      {
        role: "assistant",
        content: "Checking.",
        tool_calls: [
          {
            id: "call_a",
            type: "function",
            function: { name: "get_weather", arguments: '{"city":"Lisbon"}' },
          },
        ],
      },
      { role: "tool", tool_call_id: "call_a", content: '{"city":"Lisbon","temp":21}' },
      { role: "assistant", content: "Sunny, 21." },
    ]);
    // Step 2 sent everything but its own answer.
    expect(sentMessages(server.requests[1]!)).toEqual(result.messages.slice(0, 3));
    const toolResult = events.find((event) => event.type === "tool_result");
    expect(toolResult).toMatchObject({
      step: 1,
      toolCall: { id: "call_a", name: "get_weather", arguments: { city: "Lisbon" } },
      result: { city: "Lisbon", temp: 21 },
    });
    expect((toolResult as { durationMs: number }).durationMs).toBeGreaterThanOrEqual(0);
  });

  it("takes a history as input, and sends the tools and the system prompt on every step", async () => {
    const { agent, server } = await agentOn(
      replyPerStep(callTools([["get_weather", { city: "Oslo" }]]), answer("Cold.")),
      { system: "Be brief.", temperature: 0.2 },
    );
    const history = [
      { role: "user" as const, content: "Hi" },
      { role: "assistant" as const, content: "Hello!" },
      { role: "user" as const, content: "Weather in Oslo?" },
    ];
    const result = await agent.run(history);
    expect(result.messages.slice(0, 3)).toEqual(history);
    for (const request of server.requests) {
      const body = request.body as Record<string, unknown>;
      expect(body).toMatchObject({ model: "openai/gpt-4o-mini", temperature: 0.2, stream: true });
      expect((body.messages as unknown[])[0]).toEqual({ role: "system", content: "Be brief." });
      expect(body.tools).toEqual([
        {
          type: "function",
          function: {
            name: "get_weather",
            parameters: weather.parameters,
            description: "Current weather for a city",
          },
        },
      ]);
    }
  });

  it("runs parallel calls together: results as they settle, tool messages in call order", async () => {
    const slowMayFinish = gate();
    const order: string[] = [];
    const { agent, server } = await agentOn(
      replyPerStep(
        callTools([
          ["slow", {}, "call_slow"],
          ["fast", {}, "call_fast"],
        ]),
        answer("Done."),
      ),
      {
        tools: {
          slow: tool({
            parameters: { type: "object" },
            execute: async () => {
              order.push("slow started");
              await slowMayFinish.promise;
              return "slow result";
            },
          }),
          fast: tool({
            parameters: { type: "object" },
            execute: () => {
              order.push("fast started");
              return "fast result";
            },
          }),
        },
      },
    );
    const run = agent.stream("go");
    const settled: string[] = [];
    for await (const event of run) {
      if (event.type !== "tool_result") continue;
      settled.push(event.toolCall.name);
      if (event.toolCall.name === "fast") slowMayFinish.open();
    }
    expect(order).toEqual(["slow started", "fast started"]); // both running at once
    expect(settled).toEqual(["fast", "slow"]);
    expect(sentMessages(server.requests[1]!).slice(2)).toEqual([
      { role: "tool", tool_call_id: "call_slow", content: "slow result" },
      { role: "tool", tool_call_id: "call_fast", content: "fast result" },
    ]);
  });

  it("toolConcurrency 1 runs the calls one by one, in call order", async () => {
    const log: string[] = [];
    const step = (name: string) =>
      tool({
        parameters: { type: "object" },
        execute: async () => {
          log.push(`start ${name}`);
          await new Promise((resolve) => setImmediate(resolve));
          log.push(`end ${name}`);
          return name;
        },
      });
    const { agent } = await agentOn(
      replyPerStep(
        callTools([
          ["c", {}],
          ["a", {}],
          ["b", {}],
        ]),
        answer("ok"),
      ),
      { toolConcurrency: 1, tools: { a: step("a"), b: step("b"), c: step("c") } },
    );
    await agent.run("go");
    expect(log).toEqual(["start c", "end c", "start a", "end a", "start b", "end b"]);
  });

  it("never runs more calls at once than toolConcurrency", async () => {
    let running = 0;
    let most = 0;
    const counted = tool({
      parameters: { type: "object" },
      execute: async () => {
        most = Math.max(most, ++running);
        await new Promise((resolve) => setImmediate(resolve));
        running--;
        return "ok";
      },
    });
    const calls = Array.from({ length: 7 }, () => ["counted", {}] as const);
    const { agent } = await agentOn(replyPerStep(callTools(calls), answer("ok")), {
      toolConcurrency: 3,
      tools: { counted },
    });
    const result = await agent.run("go");
    expect(most).toBe(3);
    expect(result.messages.filter((message) => message.role === "tool")).toHaveLength(7);
  });

  it("sends a string result as is and anything else as JSON (nothing as null)", async () => {
    const returning = (value: unknown) =>
      tool({ parameters: { type: "object" }, execute: () => value });
    const { agent, server } = await agentOn(
      replyPerStep(
        callTools([
          ["text", {}],
          ["object", {}],
          ["list", {}],
          ["nothing", {}],
        ]),
        answer("ok"),
      ),
      {
        tools: {
          text: returning("plain text"),
          object: returning({ a: [1, 2] }),
          list: returning([true, null]),
          nothing: returning(undefined),
        },
      },
    );
    await agent.run("go");
    expect(
      sentMessages(server.requests[1]!)
        .slice(2)
        .map((message) => message.content),
    ).toEqual(["plain text", '{"a":[1,2]}', "[true,null]", "null"]);
  });
});

describe("tool failures are fed back to the model", () => {
  it("an unknown tool, arguments that are not JSON, that fail the schema, a throw: {error} each, and the loop goes on", async () => {
    const replies = replyPerStep(
      {
        events: buildChatEvents({
          toolCalls: [
            { id: "c0", name: "teleport", arguments: {} },
            { id: "c1", name: "get_weather", argumentFragments: ['{"city": "Lis'] },
            { id: "c2", name: "typed", arguments: { count: "three" } },
            { id: "c3", name: "broken", arguments: {} },
            { id: "c4", name: "get_weather", arguments: { town: "Porto" } },
          ],
        }),
      },
      answer("Sorry."),
    );
    const { agent, server } = await agentOn(replies, {
      tools: {
        get_weather: weather,
        typed: tool({ parameters: z.object({ count: z.number() }), execute: ({ count }) => count }),
        broken: tool({
          parameters: { type: "object" },
          execute: () => {
            throw new RangeError("the tool broke");
          },
        }),
      },
    });
    const run = agent.stream("go");
    const { events, error } = await collectRun(run);
    expect(error).toBeUndefined();
    const errors = events.filter((event) => event.type === "tool_error");
    expect(errors.map((event) => [event.toolCall.id, event.error.kind])).toEqual(
      expect.arrayContaining([
        ["c0", "unknown_tool"],
        ["c1", "invalid_arguments"],
        ["c2", "invalid_arguments"],
        ["c3", "execute"],
        ["c4", "invalid_arguments"],
      ]),
    );
    for (const event of errors) {
      expect(event.error).toBeInstanceOf(ToolError);
      expect(event.error.toolCall).toBe(event.toolCall);
      expect(event.error.step).toBe(1);
    }
    const broken = errors.find((event) => event.toolCall.id === "c3")!;
    expect(broken.error.cause).toBeInstanceOf(RangeError);
    const fedBack = sentMessages(server.requests[1]!).slice(2);
    expect(fedBack.map((message) => JSON.parse(message.content as string))).toEqual([
      { error: 'unknown tool "teleport"; the tools are: get_weather, typed, broken' },
      { error: 'the arguments are not valid JSON: {"city": "Lis' },
      { error: "invalid arguments: count: Invalid input: expected number, received string" },
      { error: "the tool broke" },
      { error: "missing required argument(s): city" },
    ]);
    // The call with arguments that are not JSON goes back as `{}`: providers parse them.
    const assistant = sentMessages(server.requests[1]!)[1] as {
      tool_calls: Array<{ function: { arguments: string } }>;
    };
    expect(assistant.tool_calls[1]?.function.arguments).toBe("{}");
    expect((await run.result).stopReason).toBe("completed");
  });

  it('onToolError "throw": the first throw aborts its siblings, waits for them, and rejects with a ToolError', async () => {
    let siblingSawAbort = false;
    let siblingSettled = false;
    const { agent, server } = await agentOn(
      replyPerStep(
        callTools([
          ["waits", {}, "call_w"],
          ["throws", {}, "call_t"],
        ]),
        answer("never"),
      ),
      {
        onToolError: "throw",
        tools: {
          waits: tool({
            parameters: { type: "object" },
            execute: async (_args, { signal }) => {
              await new Promise((resolve) => signal.addEventListener("abort", resolve));
              siblingSawAbort = true;
              siblingSettled = true;
              return "stopped";
            },
          }),
          throws: tool({
            parameters: { type: "object" },
            execute: async () => {
              throw new TypeError("bad state");
            },
          }),
        },
      },
    );
    const run = agent.stream("go");
    const { events, error } = await collectRun(run);
    expect(error).toBeInstanceOf(ToolError);
    expect(error).toMatchObject({ kind: "execute", step: 1, toolCall: { id: "call_t" } });
    expect((error as ToolError).cause).toBeInstanceOf(TypeError);
    expect(siblingSawAbort).toBe(true);
    expect(siblingSettled).toBe(true);
    expect(
      events.some((event) => event.type === "tool_error" || event.type === "tool_result"),
    ).toBe(false);
    await expect(run.result).rejects.toBe(error);
    expect(server.requests).toHaveLength(1);
  });
});

describe("where a run stops", () => {
  it("maxSteps: the last step's tools still run and are in the history; stopReason max_steps", async () => {
    let calls = 0;
    const { agent, server } = await agentOn(callTools([["get_weather", { city: "Rome" }]]), {
      maxSteps: 2,
      tools: {
        get_weather: tool({
          parameters: { type: "object" },
          execute: () => ++calls,
        }),
      },
    });
    const result = await agent.run("loop forever");
    expect(result.stopReason).toBe("max_steps");
    expect(server.requests).toHaveLength(2);
    expect(calls).toBe(2);
    expect(result.messages.map((message) => message.role)).toEqual([
      "user",
      "assistant",
      "tool",
      "assistant",
      "tool",
    ]);
    expect(result.messages.at(-1)).toMatchObject({ role: "tool", content: "2" });
  });

  it("length: nothing is run (the calls may be cut) and the history holds no call", async () => {
    let ran = false;
    const { agent, server } = await agentOn(
      {
        events: buildChatEvents({
          text: ["I will call"],
          toolCalls: [{ id: "c", name: "get_weather", argumentFragments: ['{"ci'] }],
          finishReason: "length",
        }),
      },
      {
        tools: {
          get_weather: tool({
            parameters: { type: "object" },
            execute: () => {
              ran = true;
            },
          }),
        },
      },
    );
    const result = await agent.run("go");
    expect(result.stopReason).toBe("length");
    expect(ran).toBe(false);
    expect(server.requests).toHaveLength(1);
    expect(result.messages.at(-1)).toEqual({ role: "assistant", content: "I will call" });
  });

  it("content_filter ends the run with that stop reason", async () => {
    const { agent } = await agentOn({
      events: buildChatEvents({ text: ["I can't"], finishReason: "content_filter" }),
    });
    const result = await agent.run("go");
    expect(result.stopReason).toBe("content_filter");
    expect(result.text).toBe("I can't");
  });

  it('runs the calls of a response that finished with "stop"', async () => {
    const { agent, server } = await agentOn(
      replyPerStep(
        callTools([["get_weather", { city: "Nice" }]], { finishReason: "stop" }),
        answer("Warm."),
      ),
    );
    const result = await agent.run("go");
    expect(server.requests).toHaveLength(2);
    expect(result.text).toBe("Warm.");
  });
});

describe("finish reasons that do not ask for the calls", () => {
  it("a finish reason other than tool_calls, stop or none: nothing runs, the run ends completed", async () => {
    let ran = false;
    const { agent, server } = await agentOn(
      callTools([["get_weather", { city: "Nice" }]], { text: ["Hm."], finishReason: "refusal" }),
      {
        tools: {
          get_weather: tool({
            parameters: { type: "object" },
            execute: () => {
              ran = true;
            },
          }),
        },
      },
    );
    const result = await agent.run("go");
    expect(ran).toBe(false);
    expect(server.requests).toHaveLength(1);
    expect(result.stopReason).toBe("completed");
    expect(result.messages.at(-1)).toEqual({ role: "assistant", content: "Hm." });
  });

  it("no finish reason at all: the calls run (the response reads tool_calls)", async () => {
    const { events } = callTools([["get_weather", { city: "Nice" }]]) as { events: unknown[] };
    for (const event of events as Array<{ choices?: Array<{ finish_reason: unknown }> }>) {
      for (const choice of event.choices ?? []) choice.finish_reason = null;
    }
    const { agent, server } = await agentOn(replyPerStep({ events }, answer("Warm.")));
    const result = await agent.run("go");
    expect(result.steps[0]!.finishReason).toBe("tool_calls");
    expect(server.requests).toHaveLength(2);
    expect(result.text).toBe("Warm.");
  });
});

describe("arguments that are JSON but not an object", () => {
  it('[], "x", null: not run, fed back as invalid_arguments, sent back as "{}"', async () => {
    let ran = 0;
    const { agent, server } = await agentOn(
      replyPerStep(
        {
          events: buildChatEvents({
            toolCalls: [
              { id: "c0", name: "anything", arguments: [] },
              { id: "c1", name: "anything", arguments: "x" },
              { id: "c2", name: "anything", argumentFragments: ["null"] },
              { id: "c3", name: "typed", arguments: [1] },
            ],
          }),
        },
        answer("ok"),
      ),
      {
        tools: {
          // Neither a non-object schema nor a Standard Schema lets them through.
          anything: tool({ parameters: { type: "array" }, execute: () => ran++ }),
          typed: tool({ parameters: z.array(z.number()), execute: () => ran++ }),
        },
      },
    );
    const run = agent.stream("go");
    const { events } = await collectRun(run);
    expect(ran).toBe(0);
    const kinds = events.flatMap((event) =>
      event.type === "tool_error" ? [event.error.kind] : [],
    );
    expect(kinds).toEqual(Array(4).fill("invalid_arguments"));
    const [, assistant, ...fedBack] = sentMessages(server.requests[1]!);
    expect(
      (assistant as AssistantMessage).tool_calls?.map((call) => call.function.arguments),
    ).toEqual(["{}", "{}", "{}", "{}"]);
    expect(fedBack.map((message) => JSON.parse(message.content as string))).toEqual(
      Array(4).fill({ error: "the arguments must be a JSON object" }),
    );
  });
});

describe("conversation", () => {
  it("conversationId goes out as session_id on every step", async () => {
    const { agent, server } = await agentOn(
      replyPerStep(callTools([["get_weather", { city: "Bern" }]]), answer("ok")),
    );
    await agent.run("go", { conversationId: "conv-42" });
    expect(
      server.requests.map((request) => (request.body as { session_id?: string }).session_id),
    ).toEqual(["conv-42", "conv-42"]);
  });

  it("a call without an id gets one the tool message can answer", async () => {
    const { agent, server } = await agentOn(
      replyPerStep(callTools([["get_weather", { city: "Bern" }, ""]]), answer("ok")),
    );
    await agent.run("go");
    const [, assistant, toolMessage] = sentMessages(server.requests[1]!);
    expect(assistant).toMatchObject({ tool_calls: [{ id: "call_1_0" }] });
    expect(toolMessage).toMatchObject({ role: "tool", tool_call_id: "call_1_0" });
  });
});
