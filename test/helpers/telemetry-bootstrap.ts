import { context, diag, metrics, propagation, trace } from "@opentelemetry/api";
import { logs } from "@opentelemetry/api-logs";
import { afterEach, beforeEach } from "vitest";
import { buildChatEvents } from "../../src/testing/index.js";
import { collect } from "./collect.js";
import { type OtlpReceiver, startOtlpReceiver } from "./otlp-receiver.js";
import { HELLO, serve } from "./server.js";

/**
 * For the tests of `startTelemetry()`: a fresh OTLP receiver per test, `process.env` exactly
 * as it was after each test (variables added are deleted, changed ones put back), and every
 * global OpenTelemetry registration undone.
 */
export function useTelemetryBootstrapTests(): {
  /** This test's receiver. */
  readonly receiver: OtlpReceiver;
  /** A new receiver for the rest of the test (the old one stays open until the end). */
  replaceReceiver(): Promise<OtlpReceiver>;
} {
  let saved: NodeJS.ProcessEnv = {};
  const receivers: OtlpReceiver[] = [];
  const replaceReceiver = async () => {
    receivers.push(await startOtlpReceiver());
    return receivers.at(-1) as OtlpReceiver;
  };
  beforeEach(async () => {
    saved = { ...process.env };
    await replaceReceiver();
  });
  afterEach(async () => {
    for (const name of Object.keys(process.env)) if (!(name in saved)) delete process.env[name];
    Object.assign(process.env, saved);
    await Promise.all(receivers.splice(0).map((receiver) => receiver.close()));
    unregisterTelemetry();
  });
  return {
    get receiver() {
      return receivers.at(-1) as OtlpReceiver;
    },
    replaceReceiver,
  };
}

/** Undoes what `startTelemetry()` registered globally, so the next one starts afresh. */
export function unregisterTelemetry(): void {
  trace.disable();
  metrics.disable();
  logs.disable();
  context.disable();
  propagation.disable();
  diag.disable();
}

/** One streamed chat call through the client, traced by whatever provider is registered. */
export async function oneTracedCall(): Promise<void> {
  const { client } = await serve({ events: buildChatEvents({ text: ["hi"] }) });
  await collect(client.chat.stream(HELLO));
}

/** The GenAI details event, emitted through the Logs API the way the client emits it. */
export const DETAILS_EVENT = "gen_ai.client.inference.operation.details";

/** Emits one details event inside a span of its own; returns that span's ids. */
export function emitDetailsEvent(): { traceId: string; spanId: string } {
  return trace.getTracer("test").startActiveSpan("chat test-model", (span) => {
    logs.getLogger("test").emit({
      eventName: DETAILS_EVENT,
      body: { "gen_ai.output.messages": [{ role: "assistant", parts: [{ type: "text" }] }] },
      attributes: { "gen_ai.operation.name": "chat", "gen_ai.request.model": "test-model" },
    });
    span.end();
    return span.spanContext();
  });
}
