/**
 * This SDK, in the configurations the card names: `none` (no tracer registered), `tracing`
 * (a tracer provider with a batch processor and an in-memory exporter, content capture on),
 * `tracing+metrics` (and a meter provider with a reader).
 */
import {
  AggregationTemporality,
  InMemoryMetricExporter,
  MeterProvider,
  PeriodicExportingMetricReader,
} from "@opentelemetry/sdk-metrics";
import {
  BasicTracerProvider,
  BatchSpanProcessor,
  InMemorySpanExporter,
} from "@opentelemetry/sdk-trace-base";
import { OpenRouter } from "../../dist/index.js";

export async function createClient(baseURL, telemetry) {
  const spans = new InMemorySpanExporter();
  const tracerProvider =
    telemetry === "none"
      ? undefined
      : new BasicTracerProvider({ spanProcessors: [new BatchSpanProcessor(spans)] });
  const meterProvider =
    telemetry === "tracing+metrics"
      ? new MeterProvider({
          readers: [
            new PeriodicExportingMetricReader({
              exporter: new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE),
              exportIntervalMillis: 3_600_000,
            }),
          ],
        })
      : undefined;
  const client = new OpenRouter({
    apiKey: "bench",
    baseURL,
    tracerProvider,
    meterProvider,
    captureContent: true,
  });
  return {
    async run(model) {
      const startedAt = performance.now();
      let firstChunkMs;
      const stream = client.chat.stream({ model, messages: [{ role: "user", content: "go" }] });
      for await (const event of stream) {
        if (firstChunkMs === undefined && event.type !== "final")
          firstChunkMs = performance.now() - startedAt;
      }
      const response = await stream.response;
      return {
        text: response.text,
        reasoning: response.reasoning,
        args: response.toolCalls[0]?.argumentsText ?? "",
        firstChunkMs,
      };
    },
    /** Every call must have produced its span. */
    async spanCount() {
      if (tracerProvider === undefined) return undefined;
      await tracerProvider.forceFlush();
      return spans.getFinishedSpans().length;
    },
  };
}
