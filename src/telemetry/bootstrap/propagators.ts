import { diag, propagation, type TextMapPropagator } from "@opentelemetry/api";
import { installCommand, loadOptionalPeer } from "./load-optional-peer.js";
import { loadSdkPackage } from "./sdk-packages.js";
import { readList } from "./telemetry-settings.js";

type Core = typeof import("@opentelemetry/core");
type B3 = typeof import("@opentelemetry/propagator-b3");
type Jaeger = typeof import("@opentelemetry/propagator-jaeger");

/**
 * Registers the propagators NodeSDK registered: W3C `tracecontext` and `baggage`, or the list
 * in `OTEL_PROPAGATORS` (`none` registers nothing). `b3`, `b3multi` and `jaeger` come from their
 * own packages, loaded only when named (NodeSDK always loaded them).
 */
export function registerPropagators(value: string | undefined): void {
  const core = loadSdkPackage("@opentelemetry/core", "startTelemetry()");
  const names = [...new Set(readList(value))];
  if (names.length === 0) {
    const propagators = [new core.W3CTraceContextPropagator(), new core.W3CBaggagePropagator()];
    propagation.setGlobalPropagator(new core.CompositePropagator({ propagators }));
    return;
  }
  if (names.includes("none")) return;
  const propagators = names.flatMap((name) => createPropagator(core, name) ?? []);
  if (propagators.length === 0) return;
  propagation.setGlobalPropagator(
    propagators.length === 1 && propagators[0] !== undefined
      ? propagators[0]
      : new core.CompositePropagator({ propagators }),
  );
}

function createPropagator(core: Core, name: string): TextMapPropagator | undefined {
  switch (name) {
    case "tracecontext":
      return new core.W3CTraceContextPropagator();
    case "baggage":
      return new core.W3CBaggagePropagator();
    case "b3":
    case "b3multi": {
      const b3 = loadPropagatorPackage<B3>(name, "@opentelemetry/propagator-b3");
      if (b3 === undefined) return undefined;
      return name === "b3"
        ? new b3.B3Propagator()
        : new b3.B3Propagator({ injectEncoding: b3.B3InjectEncoding.MULTI_HEADER });
    }
    case "jaeger": {
      const jaeger = loadPropagatorPackage<Jaeger>(name, "@opentelemetry/propagator-jaeger");
      if (jaeger === undefined) return undefined;
      diag.warn(
        'The Jaeger propagator is deprecated and will be removed in a future release. Use the W3C TraceContext propagator ("tracecontext") instead.',
      );
      return new jaeger.JaegerPropagator();
    }
    default:
      diag.warn(`Propagator "${name}" requested through environment variable is unavailable.`);
      return undefined;
  }
}

function loadPropagatorPackage<T>(name: string, packageName: string): T | undefined {
  const loaded = loadOptionalPeer<T>(packageName);
  if (loaded === undefined) {
    diag.warn(
      `openrouter-otel: OTEL_PROPAGATORS names "${name}": ${installCommand(packageName)} to use it`,
    );
  }
  return loaded;
}
