/**
 * The telemetry configurations the benchmark measures, set up globally as an application
 * does: `none` (nothing registered), `tracing` (see `tracing.cjs`; content capture is on in
 * the clients), `production` (`startTelemetry()` with its defaults: traces and metrics over
 * OTLP/HTTP, here to the sink process), and two opt-in ones: NodeSDK started by hand, with and
 * without the package's `ChunkHistogram` (`nodesdk.js`). `flush()` exports everything buffered,
 * traces and metrics: the benchmark calls it before its clock stops.
 */
/** Loads only what the configuration uses: `none` loads no OpenTelemetry SDK. */
export async function setUpTelemetry(kind, sinkURL) {
  if (kind === "none") return { flush: async () => {}, spanCount: async () => undefined };
  if (kind === "tracing") return (await import("./tracing.cjs")).setUpTracing();
  if (kind === "production") {
    const { startTelemetry } = await import("../../dist/telemetry/bootstrap/index.js");
    const telemetry = startTelemetry({ endpoint: sinkURL });
    // Spans, metrics and log records: one collection and export each.
    const flush = () => telemetry.forceFlush();
    return {
      flush,
      async spanCount() {
        await flush();
        const stats = telemetry.stats();
        if (stats.failed > 0 || stats.dropped > 0)
          throw new Error(`the export lost spans: ${JSON.stringify(stats)}`);
        return stats.exported;
      },
    };
  }
  if (kind === "nodesdk" || kind === "nodesdk+chunk-histogram") {
    const { setUpNodeSdk } = await import("./nodesdk.js");
    return setUpNodeSdk(sinkURL, { chunkHistogram: kind === "nodesdk+chunk-histogram" });
  }
  throw new Error(`unknown telemetry configuration ${kind}`);
}
