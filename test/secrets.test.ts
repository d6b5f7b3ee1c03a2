import { inspect } from "node:util";
import { context, type DiagLogger, DiagLogLevel, diag } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-http";
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from "@opentelemetry/sdk-trace-base";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ChatRequest, OpenRouter } from "../src/index.js";
import { buildChatEvents, type MockReply, startMockServer } from "../src/testing/index.js";
import { collect } from "./helpers/collect.js";
import { startOtlpReceiver } from "./helpers/otlp-receiver.js";
import { printedForms } from "./helpers/printed-forms.js";

const API_KEY = "sk-or-v1-SECRET-5d1c0ffee5d1c0ffee5d1c0ffee";
const HEADER_SECRET = "team-token-HEADER-SECRET-42";
const PROMPT = "PROMPT-TEXT the launch code is swordfish";
const SYSTEM = "SYSTEM-TEXT you are a vault";
const COMPLETION = "COMPLETION-TEXT here is the vault content";

const logs: string[] = [];
beforeAll(() => {
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  const record = (message: string, ...args: unknown[]) =>
    logs.push([message, ...args.map((arg) => inspect(arg, { depth: 5 }))].join(" "));
  const logger: DiagLogger = {
    error: record,
    warn: record,
    info: record,
    debug: record,
    verbose: record,
  };
  diag.setLogger(logger, { logLevel: DiagLogLevel.ALL, suppressOverrideMessage: true });
});
afterAll(() => {
  diag.disable();
  context.disable();
});

const REPLIES: MockReply[] = [
  { events: buildChatEvents({ text: [COMPLETION] }) },
  { status: 401, json: { error: { code: 401, message: "No auth credentials found" } } },
  {
    events: [
      ...buildChatEvents({ text: [COMPLETION] }).slice(0, 1),
      { choices: [], error: { code: 502, message: "Upstream died" } },
    ],
  },
  { events: buildChatEvents({ text: [COMPLETION] }), stallAfterBytes: 300 },
  { events: ["{broken json"] },
];

/** Every call above through one client; returns every text an engineer or a backend could see. */
async function everythingVisible(
  captureContent: boolean,
): Promise<{ texts: string[]; telemetry: string[]; spansJson: string[] }> {
  logs.length = 0;
  const receiver = await startOtlpReceiver();
  const server = await startMockServer({ replies: REPLIES });
  const memory = new InMemorySpanExporter();
  const tracerProvider = new BasicTracerProvider({
    spanProcessors: [
      new SimpleSpanProcessor(memory),
      new SimpleSpanProcessor(new OTLPTraceExporter({ url: `${receiver.endpoint}/v1/traces` })),
    ],
  });
  const client = new OpenRouter({
    apiKey: API_KEY,
    baseURL: server.baseURL,
    headers: { "x-team-token": HEADER_SECRET },
    tracerProvider,
    captureContent,
    maxRetries: 0,
    timeoutMs: 200,
  });
  const request: ChatRequest = {
    model: "m",
    system: SYSTEM,
    messages: [{ role: "user", content: PROMPT }],
  };
  const errors: unknown[] = [];
  for (let i = 0; i < REPLIES.length; i++) {
    const { error } = await collect(client.chat.stream(request));
    if (error !== undefined) errors.push(error);
  }
  expect(errors).toHaveLength(REPLIES.length - 1);
  await tracerProvider.forceFlush();
  await receiver.waitForSpans(REPLIES.length);
  const spans = memory.getFinishedSpans();
  const spansJson = spans.map((span) =>
    JSON.stringify({
      name: span.name,
      attributes: span.attributes,
      events: span.events,
      status: span.status,
    }),
  );
  const telemetry = [...spansJson, ...receiver.bodies, ...logs];
  const texts = [...telemetry, ...errors.flatMap(printedForms), ...printedForms(client)];
  await tracerProvider.shutdown();
  await server.close();
  await receiver.close();
  return { texts, telemetry, spansJson };
}

describe("secrets and privacy", () => {
  it("the API key and the caller's headers appear nowhere: spans, events, exports, errors, inspection, logs", async () => {
    const { texts } = await everythingVisible(true);
    expect(texts.length).toBeGreaterThan(20);
    for (const text of texts) {
      expect(text).not.toContain(API_KEY);
      expect(text).not.toContain("SECRET-5d1c0ffee");
      expect(text).not.toContain(HEADER_SECRET);
    }
  });

  it("with capture on, the content is there (so the next test can fail)", async () => {
    const { spansJson } = await everythingVisible(true);
    const all = spansJson.join("\n");
    for (const text of [PROMPT, SYSTEM, COMPLETION]) expect(all).toContain(text);
  });

  it("with capture off, no prompt or completion text in any exported byte or log", async () => {
    const { telemetry } = await everythingVisible(false);
    for (const text of telemetry) {
      for (const content of ["PROMPT-TEXT", "SYSTEM-TEXT", "COMPLETION-TEXT", "swordfish"])
        expect(text).not.toContain(content);
    }
  });
});
