/**
 * NodeSDK as a service starts it by hand: traces and metrics over OTLP/HTTP protobuf to the
 * sink, with its defaults otherwise (batch processor, one metric reader). `chunkHistogram`
 * adds the package's own aggregation of `time_per_output_chunk` (`ChunkHistogram` from
 * `openrouter-otel/telemetry`); without it the client makes one SDK `record` per chunk, as with
 * any meter provider it was not told about. Opt-in configurations: `--clients=` names them.
 */
import { metrics, trace } from "@opentelemetry/api";
import { OTLPMetricExporter } from "@opentelemetry/exporter-metrics-otlp-proto";
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-proto";
import { PeriodicExportingMetricReader } from "@opentelemetry/sdk-metrics";
import { NodeSDK } from "@opentelemetry/sdk-node";
import { ChunkHistogram } from "../../dist/telemetry/bootstrap/index.js";

export function setUpNodeSdk(sinkURL, { chunkHistogram }) {
  // No log records are emitted; none exported to the default endpoint either.
  process.env.OTEL_LOGS_EXPORTER = "none";
  const exported = { spans: 0, failed: 0 };
  const otlp = new OTLPTraceExporter({ url: `${sinkURL}/v1/traces` });
  const traceExporter = {
    export(spans, done) {
      otlp.export(spans, (result) => {
        if (result.code === 0) exported.spans += spans.length;
        else exported.failed += spans.length;
        done(result);
      });
    },
    forceFlush: () => otlp.forceFlush(),
    shutdown: () => otlp.shutdown(),
  };
  const histogram = chunkHistogram ? new ChunkHistogram() : undefined;
  const build = (metricProducers) =>
    new PeriodicExportingMetricReader({
      exporter: new OTLPMetricExporter({ url: `${sinkURL}/v1/metrics` }),
      metricProducers,
    });
  const reader = histogram === undefined ? build([]) : histogram.reader(build);
  new NodeSDK({ traceExporter, metricReaders: [reader] }).start();
  histogram?.register(metrics.getMeterProvider());
  const flush = () =>
    Promise.all([
      trace.getTracerProvider().getDelegate().forceFlush(),
      metrics.getMeterProvider().forceFlush(),
    ]);
  return {
    flush,
    async spanCount() {
      await flush();
      if (exported.failed > 0) throw new Error(`the export lost ${exported.failed} spans`);
      return exported.spans;
    },
  };
}
