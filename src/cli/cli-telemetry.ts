import { InMemorySpanExporter, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base";
import { DEFAULT_OTLP_ENDPOINT, startTelemetry } from "../telemetry/bootstrap/index.js";
import { formatSpanTree } from "./print-span-tree.js";
import { probeEndpoint } from "./probe-endpoint.js";

export interface CliTelemetry {
  /** Whether a collector answered, so spans are exported to it. */
  exporting: boolean;
  endpoint: string;
  /** Flushes and stops; returns the spans of this run as a printable tree. */
  shutdown(): Promise<string>;
}

/**
 * The CLI's telemetry: OTLP export when a collector answers at the endpoint, and always an
 * in-memory copy of the spans, to print as a tree when nothing would show them.
 */
export async function startCliTelemetry(serviceName: string): Promise<CliTelemetry> {
  const endpoint = process.env.OTEL_EXPORTER_OTLP_ENDPOINT ?? DEFAULT_OTLP_ENDPOINT;
  const exporting = await probeEndpoint(endpoint);
  const memory = new InMemorySpanExporter();
  const telemetry = startTelemetry({
    serviceName: process.env.OTEL_SERVICE_NAME ?? serviceName,
    endpoint,
    otlp: exporting,
    spanProcessors: [new SimpleSpanProcessor(memory)],
  });
  return {
    exporting,
    endpoint,
    async shutdown() {
      await telemetry.forceFlush();
      // Read before shutting down: the in-memory exporter forgets its spans on shutdown.
      const tree = formatSpanTree(memory.getFinishedSpans());
      await telemetry.shutdown();
      return tree;
    },
  };
}
