/**
 * What the OpenTelemetry SDK's span costs in a loop that does nothing else: a chat span started
 * with the seven attributes the client knows before the request, then (as the client does) the
 * fifteen it learns at the end set in one call, against all of them given at the start, and
 * against the seven alone. `node bench/span-cost.js`: CPU µs per span, three repetitions. A
 * real call runs this code cold (docs/performance.md, "What one chat span costs"), at many
 * times these.
 */
import { BasicTracerProvider, BatchSpanProcessor } from "@opentelemetry/sdk-trace-base";

const exporter = {
  export: (_spans, done) => done({ code: 0 }),
  forceFlush: async () => {},
  shutdown: async () => {},
};
const tracer = new BasicTracerProvider({
  spanProcessors: [new BatchSpanProcessor(exporter)],
}).getTracer("span-cost");

const startAttributes = (i) => ({
  "gen_ai.operation.name": "chat",
  "gen_ai.provider.name": "openrouter",
  "gen_ai.request.model": "openai/gpt-4o-mini",
  "gen_ai.request.stream": true,
  "server.address": "openrouter.ai",
  "server.port": 443,
  "openrouter.agent.step": i & 7,
});
const END_KEYS = [
  "gen_ai.response.id",
  "gen_ai.response.model",
  "gen_ai.response.finish_reasons",
  "gen_ai.response.time_to_first_chunk",
  "openrouter.provider",
  "openrouter.native_finish_reason",
  "gen_ai.usage.input_tokens",
  "gen_ai.usage.output_tokens",
  "gen_ai.usage.cache_read.input_tokens",
  "gen_ai.usage.cache_creation.input_tokens",
  "gen_ai.usage.reasoning.output_tokens",
  "openrouter.usage.cost",
  "gen_ai.input.messages",
  "gen_ai.output.messages",
  "gen_ai.tool.definitions",
];
const endAttributes = (i) => {
  const attributes = {};
  for (const key of END_KEYS) {
    if (key.endsWith("finish_reasons")) attributes[key] = ["stop"];
    else if (key.includes("tokens")) attributes[key] = i & 1023;
    else attributes[key] = `value ${i & 15}`;
  }
  return attributes;
};

const WAYS = {
  "7 at start, 15 at the end": (i) => {
    const span = tracer.startSpan("chat_streaming", { kind: 2, attributes: startAttributes(i) });
    span.setAttributes(endAttributes(i));
    span.end();
  },
  "all 22 at start": (i) => {
    const attributes = { ...startAttributes(i), ...endAttributes(i) };
    tracer.startSpan("chat_streaming", { kind: 2, attributes }).end();
  },
  "the 7 alone": (i) => {
    tracer.startSpan("chat_streaming", { kind: 2, attributes: startAttributes(i) }).end();
  },
};

const SPANS = 100_000;
for (let repetition = 0; repetition < 3; repetition++) {
  for (const [name, way] of Object.entries(WAYS)) {
    for (let i = 0; i < SPANS / 5; i++) way(i);
    const before = process.cpuUsage();
    for (let i = 0; i < SPANS; i++) way(i);
    const used = process.cpuUsage(before);
    const micros = (used.user + used.system) / SPANS;
    process.stdout.write(`${name.padEnd(28)} ${micros.toFixed(2)} µs a span\n`);
  }
}
