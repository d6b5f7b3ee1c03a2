/**
 * `openai` v6 with `@opentelemetry/instrumentation-openai`, content capture on, in the
 * `tracing` configuration. CommonJS, so that the instrumentation can patch `openai` as it is
 * required. `agent-*` scenarios run `chat.completions.runTools()` with the benchmark's tools.
 */
process.env.OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT = "true";
const { registerInstrumentations } = require("@opentelemetry/instrumentation");
const { OpenAIInstrumentation } = require("@opentelemetry/instrumentation-openai");
const { setUpTracing } = require("./tracing.cjs");

const tracing = setUpTracing();
registerInstrumentations({
  instrumentations: [new OpenAIInstrumentation({ captureMessageContent: true })],
});
const OpenAI = require("openai");

exports.createClient = async ({ baseURL }) => {
  const { consume, runTools } = await import("./consume-openai.js");
  const client = new OpenAI({ apiKey: "bench", baseURL });
  return {
    ...tracing,
    run: (model) => (model.startsWith("agent-") ? runTools(client, model) : consume(client, model)),
  };
};
