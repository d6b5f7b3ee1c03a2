import { diag } from "@opentelemetry/api";
import type { Resource, ResourceDetector } from "@opentelemetry/resources";
import { loadSdkPackage } from "./sdk-packages.js";
import { readList } from "./telemetry-settings.js";

/**
 * The resource NodeSDK built: the SDK's defaults (`telemetry.sdk.*`), then what the detectors
 * find (by default `env`, `process` and `host`, as NodeSDK; `OTEL_NODE_RESOURCE_DETECTORS`
 * chooses among `env`, `host`, `os`, `process`, `serviceinstance`, `all`, `none`), then
 * `service.name` when one is given.
 */
export function buildResource(serviceName: string | undefined, env: NodeJS.ProcessEnv): Resource {
  const resources = loadSdkPackage("@opentelemetry/resources", "startTelemetry()");
  const detectors = chooseDetectors(resources, env.OTEL_NODE_RESOURCE_DETECTORS);
  const resource = resources.defaultResource().merge(resources.detectResources({ detectors }));
  return serviceName === undefined
    ? resource
    : resource.merge(resources.resourceFromAttributes({ "service.name": serviceName }));
}

function chooseDetectors(
  resources: typeof import("@opentelemetry/resources"),
  value: string | undefined,
): ResourceDetector[] {
  const names = readList(value);
  if (names.length === 0) {
    return [resources.envDetector, resources.processDetector, resources.hostDetector];
  }
  const known: Record<string, ResourceDetector> = {
    host: resources.hostDetector,
    os: resources.osDetector,
    serviceinstance: resources.serviceInstanceIdDetector,
    process: resources.processDetector,
    env: resources.envDetector,
  };
  if (names.includes("all")) return Object.values(known);
  if (names.includes("none")) return [];
  return names.flatMap((name) => {
    const detector = known[name];
    if (detector === undefined) {
      diag.warn(
        `Invalid resource detector "${name}" specified in the environment variable OTEL_NODE_RESOURCE_DETECTORS`,
      );
    }
    return detector ?? [];
  });
}
