import { execFileSync, spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { parse } from "yaml";

/** The text of a file at the repository's root, by relative path. */
export const readRepoFile = (file: string) =>
  readFileSync(new URL(`../../${file}`, import.meta.url), "utf8");

/** YAML with merge keys (`<<: *collector`), which Compose resolves too. */
export const parseYaml = <T>(file: string) => parse(readRepoFile(file), { merge: true }) as T;

export interface ComposeService {
  image?: string;
  build?: { context: string; dockerfile: string };
  command?: string[];
  environment?: Record<string, string>;
  ports?: string[];
  volumes?: string[];
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: string[] };
  restart?: string;
  deploy?: { replicas?: number; resources?: { limits?: { memory?: string } } };
}
export interface ComposeFile {
  services: Record<string, ComposeService>;
  volumes?: Record<string, unknown>;
}

type Components = Record<string, Record<string, unknown> | null>;
export interface Pipeline {
  receivers: string[];
  processors?: string[];
  exporters: string[];
}
export interface CollectorConfig {
  extensions: Components;
  receivers: Components;
  processors: Components;
  exporters: Components;
  connectors?: Components;
  service: {
    extensions: string[];
    pipelines: Record<string, Pipeline>;
    telemetry?: {
      metrics?: {
        readers?: { pull: { exporter: { prometheus: { host: string; port: number } } } }[];
      };
    };
  };
}
export const COMPONENT_KINDS = [
  "extensions",
  "receivers",
  "processors",
  "exporters",
  "connectors",
] as const;
export type ComponentKind = (typeof COMPONENT_KINDS)[number];

/** The type of a component id: `otlp_grpc/jaeger` is an `otlp_grpc`. */
export const typeOf = (id: string) => id.split("/")[0]!;

/** Host ports a service publishes. */
export const publishedPorts = (service: ComposeService) =>
  (service.ports ?? []).map((port) => Number(port.split(":")[0]));

/** The port of a URL or a `host:port` endpoint. */
export const portOf = (endpoint: string) =>
  Number(new URL(endpoint.includes("://") ? endpoint : `tcp://${endpoint}`).port);
export const hostOf = (endpoint: string) =>
  new URL(endpoint.includes("://") ? endpoint : `tcp://${endpoint}`).hostname;

/** Compose's `512M`, `1536M`, `2G` in MiB. */
export function mebibytes(size: string): number {
  const match = /^(\d+)(M|G|MiB|GiB)$/.exec(size);
  if (match === null) throw new Error(`not a size: ${size}`);
  return Number(match[1]) * (match[2]!.startsWith("G") ? 1024 : 1);
}

/** Where the service mounts a repository file (`./x.yaml:/etc/y.yaml:ro` → `/etc/y.yaml`). */
export function mountPointOf(service: ComposeService, file: string): string | undefined {
  const volume = service.volumes?.find((entry) => entry.startsWith(`./${file}:`));
  return volume?.split(":")[1];
}

/** The `--config=` / `--config.file=` path in a service's command. */
export function configArgOf(service: ComposeService, flag = "--config"): string | undefined {
  return service.command?.find((arg) => arg.startsWith(`${flag}=`))?.slice(flag.length + 1);
}

/** The URL a health check probes. */
export const healthUrlOf = (service: ComposeService) =>
  service.healthcheck?.test.join(" ").match(/https?:\/\/\S+?(?=['"\s]|$)/)?.[0];

/** The pull readers' Prometheus port of a collector's own telemetry. */
export const telemetryPortOf = (config: CollectorConfig) =>
  config.service.telemetry?.metrics?.readers?.[0]?.pull.exporter.prometheus.port;

/**
 * Runs Compose's own parser on a file: `docker-compose config -q`, or the `docker compose`
 * plugin. Neither needs a Docker engine for `config`. Throws with the fix when neither exists.
 */
export function composeConfig(file: string, cwd: string): { ok: boolean; output: string } {
  const runner = findCompose();
  const result = spawnSync(runner[0]!, [...runner.slice(1), "-f", file, "config", "-q"], {
    cwd,
    encoding: "utf8",
  });
  return { ok: result.status === 0, output: `${result.stdout}${result.stderr}` };
}

let compose: string[] | undefined;
function findCompose(): string[] {
  if (compose !== undefined) return compose;
  for (const candidate of [["docker-compose"], ["docker", "compose"]]) {
    try {
      execFileSync(candidate[0]!, [...candidate.slice(1), "version"], { stdio: "ignore" });
      compose = candidate;
      return candidate;
    } catch {}
  }
  throw new Error(
    "Neither `docker-compose` nor `docker compose` is installed, and the compose files are " +
      "checked by Compose itself. Install it (Debian/Ubuntu: `apt-get install -y docker-compose`, " +
      "as .ci/run does); `config` needs no Docker engine.",
  );
}
