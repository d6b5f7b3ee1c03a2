import { afterEach, describe, expect, it } from "vitest";
import { type ChatRequest, type OpenRouterOptions, TRUNCATION_MARKER } from "../src/index.js";
import {
  ATTRIBUTE_VALUE_LENGTH_LIMIT_ENV,
  SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT_ENV,
} from "../src/telemetry/content-limits.js";
import { buildChatEvents } from "../src/testing/index.js";
import { collect } from "./helpers/collect.js";
import { serve } from "./helpers/server.js";
import { contentAttribute, createTestTelemetry } from "./helpers/telemetry.js";

afterEach(() => {
  delete process.env[SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT_ENV];
  delete process.env[ATTRIBUTE_VALUE_LENGTH_LIMIT_ENV];
});

const CONTENT = [
  "gen_ai.system_instructions",
  "gen_ai.input.messages",
  "gen_ai.output.messages",
  "gen_ai.tool.definitions",
];
const LONG: ChatRequest = {
  model: "openai/gpt-4o-mini",
  system: "s".repeat(500),
  messages: [
    { role: "user", content: "first ".repeat(100) },
    { role: "assistant", content: "reply ".repeat(100) },
    { role: "user", content: "second ".repeat(100) },
  ],
  tools: [
    {
      type: "function",
      function: { name: "lookup", description: "d".repeat(400), parameters: { type: "object" } },
    },
  ],
};

/** The tracer provider is made after the variables are set: the SDK reads them too. */
async function span(options: OpenRouterOptions = {}) {
  const telemetry = createTestTelemetry();
  const { client } = await serve(
    { events: buildChatEvents({ text: ["out ".repeat(300)] }) },
    { tracerProvider: telemetry.tracerProvider, ...options },
  );
  await collect(client.chat.stream(LONG));
  return telemetry.spans()[0]!;
}

describe("attribute limits", () => {
  it.each([SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT_ENV, ATTRIBUTE_VALUE_LENGTH_LIMIT_ENV])(
    "with %s=300 every content attribute parses, fits and matches its schema: texts were cut, not the JSON",
    async (variable) => {
      process.env[variable] = "300";
      const recorded = await span();
      for (const attribute of CONTENT) {
        const json = recorded.attributes[attribute] as string;
        expect(json.length).toBeLessThanOrEqual(300);
        contentAttribute(recorded, attribute);
      }
      const input = contentAttribute(recorded, "gen_ai.input.messages") as Array<{
        parts: Array<{ content: string }>;
      }>;
      expect(input).toHaveLength(3); // cutting the texts sufficed
      expect(input[0]?.parts[0]?.content.endsWith(TRUNCATION_MARKER)).toBe(true);
    },
  );

  it("the span variable wins over the general one, and the option over both", async () => {
    process.env[ATTRIBUTE_VALUE_LENGTH_LIMIT_ENV] = "2000";
    process.env[SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT_ENV] = "400";
    const bySpanVariable = await span();
    expect(
      (bySpanVariable.attributes["gen_ai.input.messages"] as string).length,
    ).toBeLessThanOrEqual(400);
    expect((bySpanVariable.attributes["gen_ai.input.messages"] as string).length).toBeGreaterThan(
      300,
    );
    const byOption = await span({ maxContentAttributeChars: 120 });
    for (const attribute of CONTENT) {
      expect((byOption.attributes[attribute] as string).length).toBeLessThanOrEqual(120);
      contentAttribute(byOption, attribute);
    }
  });

  it("an option above the SDK's limit does not let the SDK cut the JSON: the smaller limit holds", async () => {
    process.env[ATTRIBUTE_VALUE_LENGTH_LIMIT_ENV] = "300";
    const recorded = await span({ maxContentAttributeChars: 5_000 });
    for (const attribute of CONTENT) {
      expect((recorded.attributes[attribute] as string).length).toBeLessThanOrEqual(300);
      contentAttribute(recorded, attribute); // parses, and matches its schema
    }
  });

  it("drops the oldest messages when even the shortest texts do not fit", async () => {
    const recorded = await span({ maxContentAttributeChars: 100 });
    const input = contentAttribute(recorded, "gen_ai.input.messages") as Array<{
      parts: Array<{ content: string }>;
    }>;
    expect(input).toHaveLength(1);
    expect(input[0]?.parts[0]?.content.startsWith("second")).toBe(true); // the latest is kept
  });

  it("a per-span budget drops the largest content first, and names it", async () => {
    const full = await span();
    const sizes = Object.fromEntries(
      CONTENT.map((attribute) => [attribute, (full.attributes[attribute] as string).length]),
    );
    const largest = CONTENT.reduce((a, b) => (sizes[a]! >= sizes[b]! ? a : b));
    const total = Object.values(sizes).reduce((sum, size) => sum + size, 0);
    const recorded = await span({ maxSpanContentChars: total - 1 });
    expect(recorded.attributes[largest]).toBeUndefined();
    expect(recorded.attributes["openrouter.content.dropped"]).toEqual([largest]);
    for (const attribute of CONTENT.filter((name) => name !== largest))
      expect(recorded.attributes[attribute]).toBe(full.attributes[attribute]);
  });
});
