import { parse } from "yaml";
import {
  COMPONENT_KINDS,
  type CollectorConfig,
  type ComponentKind,
  readRepoFile,
  typeOf,
} from "./stack-files.js";

type Kinds<T> = Record<ComponentKind, T>;

const manifest = parse(readRepoFile("test/fixtures/otelcol-contrib-0.150.1/manifest.yaml")) as {
  dist: { version: string };
} & Kinds<{ gomod: string }[]>;
const contribTypes = parse(
  readRepoFile("test/fixtures/otelcol-contrib-0.150.1/component-types.yaml"),
) as Kinds<Record<string, string>>;
const jaegerTypes = parse(readRepoFile("test/fixtures/jaeger-2.20.0/components.yaml")) as Kinds<
  string[]
>;

export const CONTRIB_VERSION = manifest.dist.version;

/** The modules of the contrib distribution, by kind, without their versions. */
const manifestModules = (kind: ComponentKind) =>
  new Set(manifest[kind].map(({ gomod }) => gomod.split(" ")[0]));

/** Why `type` of `kind` is not in otel/opentelemetry-collector-contrib of the pinned version. */
function contribProblem(kind: ComponentKind, type: string): string | undefined {
  const module = contribTypes[kind]?.[type];
  if (module === undefined) return `${kind}: ${type} is no known component type`;
  if (!manifestModules(kind).has(module)) return `${kind}: ${type} (${module}) is not built in`;
  return undefined;
}

function jaegerProblem(kind: ComponentKind, type: string): string | undefined {
  return jaegerTypes[kind]?.includes(type) ? undefined : `${kind}: ${type} is not in Jaeger 2.20.0`;
}

/**
 * Everything wrong with a config's component references: a pipeline or the service naming a
 * component the config does not define, a connector not used on both sides, or a defined type
 * the distribution does not have.
 */
export function componentProblems(
  config: CollectorConfig,
  distribution: "contrib" | "jaeger",
): string[] {
  const problems: string[] = [];
  const defined = (kind: ComponentKind, id: string) =>
    config[kind] !== undefined && Object.hasOwn(config[kind], id);
  const connectorsFed = new Set<string>();
  const connectorsRead = new Set<string>();
  for (const [name, pipeline] of Object.entries(config.service.pipelines)) {
    for (const id of pipeline.receivers) {
      if (defined("connectors", id)) connectorsRead.add(id);
      else if (!defined("receivers", id)) problems.push(`${name}: receiver ${id} is not defined`);
    }
    for (const id of pipeline.processors ?? [])
      if (!defined("processors", id)) problems.push(`${name}: processor ${id} is not defined`);
    for (const id of pipeline.exporters) {
      if (defined("connectors", id)) connectorsFed.add(id);
      else if (!defined("exporters", id)) problems.push(`${name}: exporter ${id} is not defined`);
    }
  }
  for (const id of config.service.extensions)
    if (!defined("extensions", id)) problems.push(`service: extension ${id} is not defined`);
  for (const id of Object.keys(config.connectors ?? {}))
    if (!connectorsFed.has(id) || !connectorsRead.has(id))
      problems.push(
        `connector ${id} must be an exporter of one pipeline and a receiver of another`,
      );
  const problemOf = distribution === "contrib" ? contribProblem : jaegerProblem;
  for (const kind of COMPONENT_KINDS)
    for (const id of Object.keys(config[kind] ?? {})) {
      const problem = problemOf(kind, typeOf(id));
      if (problem !== undefined) problems.push(problem);
    }
  return problems;
}
