import { OpenRouter } from "../client.js";
import { MISSING_PEER } from "../telemetry/bootstrap/load-optional-peer.js";
import { type MockServer, replyAsOfflineModel, startMockServer } from "../testing/index.js";
import type { CliTelemetry } from "./cli-telemetry.js";

export const DEFAULT_JAEGER_UI_URL = "http://localhost:16686";

export interface CliSession {
  client: OpenRouter;
  offline: boolean;
  telemetry: CliTelemetry | undefined;
  close(): Promise<string | undefined>;
}

/**
 * What a CLI command runs in: telemetry (before the client, so its spans are recorded), the
 * built-in server when offline, and a client pointed at OpenRouter or at that server.
 */
export async function openCliSession(options: {
  offline: boolean;
  telemetry: boolean;
  serviceName: string;
  log: (line: string) => void;
}): Promise<CliSession> {
  let telemetry: CliTelemetry | undefined;
  if (options.telemetry) {
    try {
      const { startCliTelemetry } = await import("./cli-telemetry.js");
      telemetry = await startCliTelemetry(options.serviceName);
    } catch (error) {
      // The OpenTelemetry SDK is an optional peer dependency of this package: the CLI's own
      // import of it fails, or startTelemetry() names the package it is missing.
      const code = (error as { code?: string }).code;
      if (code !== "ERR_MODULE_NOT_FOUND" && code !== MISSING_PEER) throw error;
      options.log(
        `Telemetry is off: ${code === MISSING_PEER ? (error as Error).message : "install the OpenTelemetry SDK packages (the README's Configuration lists them) to export traces."}`,
      );
    }
  }
  let server: MockServer | undefined;
  if (options.offline) server = await startMockServer({ replies: replyAsOfflineModel });
  const client = new OpenRouter({
    ...(server ? { baseURL: server.baseURL, apiKey: "offline" } : {}),
    appTitle: "openrouter-otel CLI",
  });
  return {
    client,
    offline: options.offline,
    telemetry,
    async close() {
      await server?.close();
      return telemetry?.shutdown();
    },
  };
}

export function jaegerTraceUrl(traceId: string): string {
  const base = (process.env.JAEGER_UI_URL ?? DEFAULT_JAEGER_UI_URL).replace(/\/+$/, "");
  return `${base}/trace/${traceId}`;
}
