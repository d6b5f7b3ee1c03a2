/**
 * The `tracing` configuration: the AsyncLocalStorage context manager registered globally (what
 * every OpenTelemetry setup does) and a global tracer provider with a batch processor, whose
 * exporter counts the spans and keeps none (an in-memory exporter's garbage is not the
 * client's). CommonJS, so that the `openai` instrumentation's client can share it.
 */
const { context, trace } = require("@opentelemetry/api");
const { AsyncLocalStorageContextManager } = require("@opentelemetry/context-async-hooks");
const { BasicTracerProvider, BatchSpanProcessor } = require("@opentelemetry/sdk-trace-base");

exports.setUpTracing = () => {
  let count = 0;
  const exporter = {
    export(spans, done) {
      count += spans.length;
      done({ code: 0 });
    },
    forceFlush: async () => {},
    shutdown: async () => {},
  };
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  const provider = new BasicTracerProvider({ spanProcessors: [new BatchSpanProcessor(exporter)] });
  trace.setGlobalTracerProvider(provider);
  return {
    flush: () => provider.forceFlush(),
    async spanCount() {
      await provider.forceFlush();
      return count;
    },
  };
};
