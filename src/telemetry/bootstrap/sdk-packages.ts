import { installCommand, loadOptionalPeer, missingPeerError } from "./load-optional-peer.js";

/** The SDK packages `startTelemetry` builds on, each an optional peer of this package. */
export interface SdkPackages {
  "@opentelemetry/core": typeof import("@opentelemetry/core");
  "@opentelemetry/resources": typeof import("@opentelemetry/resources");
  "@opentelemetry/context-async-hooks": typeof import("@opentelemetry/context-async-hooks");
  "@opentelemetry/sdk-trace-base": typeof import("@opentelemetry/sdk-trace-base");
  "@opentelemetry/sdk-metrics": typeof import("@opentelemetry/sdk-metrics");
  "@opentelemetry/sdk-logs": typeof import("@opentelemetry/sdk-logs");
  "@opentelemetry/api-logs": typeof import("@opentelemetry/api-logs");
}

/**
 * One SDK package, loaded when a signal first needs it (`@opentelemetry/sdk-node` would load
 * every exporter, propagator and detector it knows): a process that exports no metrics never
 * reads `sdk-metrics`. Throws, naming the package to install, when it is missing.
 */
export function loadSdkPackage<N extends keyof SdkPackages>(name: N, why: string): SdkPackages[N] {
  const loaded = loadOptionalPeer<SdkPackages[N]>(name);
  if (loaded !== undefined) return loaded;
  throw missingPeerError(`openrouter-otel: ${why} needs ${name}: ${installCommand(name)}`);
}
