/**
 * `openai` v6 with `@opentelemetry/instrumentation-openai`, content capture on. CommonJS, so
 * that the instrumentation can patch `openai` as it is required.
 */
process.env.OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT = "true";
const {
  BasicTracerProvider,
  BatchSpanProcessor,
  InMemorySpanExporter,
} = require("@opentelemetry/sdk-trace-base");
const { trace } = require("@opentelemetry/api");
const { registerInstrumentations } = require("@opentelemetry/instrumentation");
const { OpenAIInstrumentation } = require("@opentelemetry/instrumentation-openai");

const spans = new InMemorySpanExporter();
const tracerProvider = new BasicTracerProvider({ spanProcessors: [new BatchSpanProcessor(spans)] });
trace.setGlobalTracerProvider(tracerProvider);
registerInstrumentations({
  instrumentations: [new OpenAIInstrumentation({ captureMessageContent: true })],
});
const OpenAI = require("openai");

exports.createClient = async (baseURL) => {
  const { consume } = await import("./consume-openai.js");
  const client = new OpenAI({ apiKey: "bench", baseURL, maxRetries: 0 });
  return {
    run: (model) => consume(client, model),
    async spanCount() {
      await tracerProvider.forceFlush();
      return spans.getFinishedSpans().length;
    },
  };
};
