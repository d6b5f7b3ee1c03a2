import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { DEFAULT_JAEGER_UI_URL } from "../src/cli/cli-session.js";
import { DEFAULT_OTLP_ENDPOINT } from "../src/telemetry/bootstrap/index.js";
import {
  ATTR_OPENROUTER_AGENT_COST,
  ATTR_OPENROUTER_AGENT_STOP_REASON,
  ATTR_OPENROUTER_USAGE_COST,
} from "../src/telemetry/semconv.js";
import { componentProblems } from "./helpers/collector-components.js";
import { configKeyProblems, readKeyShapes } from "./helpers/config-keys.js";
import { attributeKeysOf, checkOttlCondition } from "./helpers/ottl-condition.js";
import {
  type CollectorConfig,
  type ComposeFile,
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
} from "./helpers/stack-files.js";

const { services } = parseYaml<ComposeFile>("docker-compose.scale.yml");
const gateway = parseYaml<CollectorConfig>("stack/gateway-collector.yaml");
const sampling = parseYaml<CollectorConfig>("stack/sampling-collector.yaml");
const jaeger = parseYaml<CollectorConfig>("stack/jaeger-opensearch.yaml");
const prometheus = parseYaml<{
  scrape_configs: {
    job_name: string;
    static_configs?: { targets: string[] }[];
    dns_sd_configs?: { names: string[]; type: string; port: number }[];
  }[];
}>("stack/prometheus-scale.yml");
const rules = parse(readRepoFile("test/fixtures/otelcol-contrib-0.150.1/tail-sampling.yaml")) as {
  config_keys: string[];
  decision_cache_keys: string[];
  policy_types: Record<string, string[]>;
  status_codes: string[];
  error_modes: string[];
};

interface Policy {
  name: string;
  type: string;
  [config: string]: unknown;
}
type TailSampling = { policies: Policy[] } & Record<string, unknown>;
const tailSampling = sampling.processors.tail_sampling as TailSampling;
const endpointOf = (component: unknown) => (component as { endpoint: string }).endpoint;
const grpcPortOf = (config: CollectorConfig) =>
  portOf(
    (config.receivers.otlp as { protocols: { grpc: { endpoint: string } } }).protocols.grpc
      .endpoint,
  );

/**
 * Why a tail_sampling config would not load in contrib 0.150.x: unknown keys or policy types,
 * a policy without its settings, values out of range, OTTL that does not parse.
 */
function tailSamplingProblems(config: TailSampling): string[] {
  const problems: string[] = [];
  for (const key of Object.keys(config))
    if (!rules.config_keys.includes(key)) problems.push(`unknown key ${key}`);
  if (!/^\d+(ms|s|m)$/.test(String(config.decision_wait))) problems.push("decision_wait");
  for (const [key, size] of Object.entries((config.decision_cache ?? {}) as object)) {
    if (!rules.decision_cache_keys.includes(key)) problems.push(`unknown decision_cache.${key}`);
    else if (!(Number.isInteger(size) && size > 0)) problems.push(`decision_cache.${key} ${size}`);
  }
  const names = new Set<string>();
  for (const { name, type, ...rest } of config.policies) {
    if (names.has(name)) problems.push(`${name}: duplicate name`);
    names.add(name);
    const keys = rules.policy_types[type];
    if (keys === undefined) {
      problems.push(`${name}: unknown policy type ${type}`);
      continue;
    }
    for (const key of Object.keys(rest)) if (key !== type) problems.push(`${name}: stray ${key}`);
    const settings = (rest[type] ?? {}) as Record<string, unknown>;
    for (const key of Object.keys(settings))
      if (!keys.includes(key)) problems.push(`${name}: unknown ${type}.${key}`);
    if (type === "status_code")
      for (const code of settings.status_codes as string[])
        if (!rules.status_codes.includes(code)) problems.push(`${name}: status ${code}`);
    if (type === "latency" && !Number.isInteger(settings.threshold_ms))
      problems.push(`${name}: threshold_ms must be an integer`);
    if (type === "probabilistic") {
      const share = settings.sampling_percentage as number;
      if (!(share > 0 && share < 100)) problems.push(`${name}: sampling_percentage ${share}`);
    }
    if (type === "numeric_attribute" && !Number.isInteger(settings.min_value))
      problems.push(`${name}: min_value is an int64, not ${settings.min_value}`);
    if (type === "ottl_condition") {
      if (!rules.error_modes.includes(settings.error_mode as string))
        problems.push(`${name}: error_mode ${settings.error_mode}`);
      for (const condition of [
        ...((settings.span as string[]) ?? []),
        ...((settings.spanevent as string[]) ?? []),
      ]) {
        try {
          checkOttlCondition(condition);
        } catch (error) {
          problems.push(`${name}: ${(error as Error).message}`);
        }
      }
    }
  }
  return problems;
}

describe("the tail-sampling tier", () => {
  it("parses by the rules of contrib 0.150.x, OTTL conditions included", () => {
    expect(tailSamplingProblems(tailSampling)).toEqual([]);
  });

  it("would reject a broken policy (the check can fail)", () => {
    const broken = structuredClone(tailSampling);
    broken.sample_on_first_match = true;
    broken.decision_cache = { sampled_cache_sizes: 1 };
    broken.policies.push(
      { name: "cost", type: "numeric_attribute", numeric_attribute: { key: "c", min_value: 0.5 } },
      { name: "typo", type: "status_codes", status_codes: { status_codes: ["ERROR"] } },
      {
        name: "bad-ottl",
        type: "ottl_condition",
        ottl_condition: { error_mode: "ignore", span: ['attributes["c"] => 1'] },
      },
    );
    const problems = tailSamplingProblems(broken);
    expect(problems[0]).toBe("unknown key sample_on_first_match");
    expect(problems).toContain("unknown decision_cache.sampled_cache_sizes");
    expect(problems).toContain("cost: min_value is an int64, not 0.5");
    expect(problems).toContain("typo: unknown policy type status_codes");
    expect(problems.some((problem) => problem.startsWith("bad-ottl: "))).toBe(true);
  });

  it("keeps errors, slow traces, costly calls and runs, cut-short runs, and a share of the rest", () => {
    const byType = (type: string) => tailSampling.policies.filter((p) => p.type === type);
    expect(byType("status_code").map((p) => p.status_code)).toEqual([{ status_codes: ["ERROR"] }]);
    expect(byType("latency")).toHaveLength(1);
    expect(byType("probabilistic")).toHaveLength(1);
    // The costs are doubles: read by OTTL, on the attribute names the SDK writes.
    const ottlKeys = byType("ottl_condition").flatMap((policy) =>
      (policy.ottl_condition as { span: string[] }).span.flatMap(attributeKeysOf),
    );
    for (const key of [
      ATTR_OPENROUTER_USAGE_COST,
      ATTR_OPENROUTER_AGENT_COST,
      ATTR_OPENROUTER_AGENT_STOP_REASON,
    ])
      expect(ottlKeys).toContain(key);
    expect(byType("numeric_attribute")).toEqual([]);
  });

  it("holds every undecided trace and remembers decisions well past num_traces", () => {
    // A full num_traces drops its oldest trace undecided, errors and all: it must cover the
    // traces that arrive during one decision_wait. Upstream advises decision caches of at least
    // ten times num_traces, so late spans follow their trace's decision.
    const waitSeconds = Number.parseInt(String(tailSampling.decision_wait), 10);
    const numTraces = tailSampling.num_traces as number;
    expect(numTraces).toBeGreaterThanOrEqual(
      waitSeconds * (tailSampling.expected_new_traces_per_sec as number),
    );
    const cache = tailSampling.decision_cache as Record<string, number>;
    for (const key of rules.decision_cache_keys)
      expect(cache[key], key).toBeGreaterThanOrEqual(10 * numTraces);
  });

  it("waits for whole agent runs: decision_wait is past the slow threshold", () => {
    const latency = tailSampling.policies.find((p) => p.type === "latency")!;
    const waitMs = Number.parseInt(String(tailSampling.decision_wait), 10) * 1000;
    expect(String(tailSampling.decision_wait)).toMatch(/^\d+s$/);
    expect(waitMs).toBeGreaterThan((latency.latency as { threshold_ms: number }).threshold_ms);
  });
});

describe("docker-compose.scale.yml and its configs", () => {
  it("name only components they define, built into contrib 0.150.1 and Jaeger 2.20.0", () => {
    expect(componentProblems(gateway, "contrib")).toEqual([]);
    expect(componentProblems(sampling, "contrib")).toEqual([]);
    expect(componentProblems(jaeger, "jaeger")).toEqual([]);
  });

  it("use only config keys their components take in contrib 0.150.1 and Jaeger 2.20.0", () => {
    const contribKeys = readKeyShapes("test/fixtures/otelcol-contrib-0.150.1/config-keys.yaml");
    expect(configKeyProblems(gateway, contribKeys)).toEqual([]);
    expect(configKeyProblems(sampling, contribKeys)).toEqual([]);
    const jaegerKeys = readKeyShapes("test/fixtures/jaeger-2.20.0/config-keys.yaml");
    expect(configKeyProblems(jaeger, jaegerKeys)).toEqual([]);
    // The check can fail: the collector decodes strictly, and `port` is a string field.
    const broken = structuredClone(gateway);
    const lb = broken.exporters.loadbalancing as { resolver: { dns: Record<string, unknown> } };
    lb.resolver.dns.port = 4317;
    lb.resolver.dns.interval = 5;
    expect(configKeyProblems(broken, contribKeys)).toEqual([
      "exporters.loadbalancing.resolver.dns.port must be a string, not 4317",
      "exporters.loadbalancing.resolver.dns.interval must be a string, not 5",
    ]);
  });

  it("mounts each config where the command points", () => {
    for (const [service, file] of [
      ["gateway-collector", "stack/gateway-collector.yaml"],
      ["sampling-collector", "stack/sampling-collector.yaml"],
      ["jaeger", "stack/jaeger-opensearch.yaml"],
    ] as const)
      expect(mountPointOf(services[service]!, file), service).toBe(configArgOf(services[service]!));
    expect(mountPointOf(services.prometheus!, "stack/prometheus-scale.yml")).toBe(
      configArgOf(services.prometheus!, "--config.file"),
    );
  });

  it("routes by trace id to every replica of the sampling service, on its OTLP port", () => {
    const exporter = gateway.exporters.loadbalancing as {
      routing_key: string;
      resolver: { dns: { hostname: string; port: unknown } };
    };
    expect(exporter.routing_key).toBe("traceID");
    expect(services).toHaveProperty([exporter.resolver.dns.hostname]);
    expect(services[exporter.resolver.dns.hostname]!.deploy?.replicas).toBeGreaterThan(1);
    // A string, as the field is: the collector decodes config strictly, and a YAML number
    // there stops it from starting.
    expect(exporter.resolver.dns.port).toBe(String(grpcPortOf(sampling)));
    expect(gateway.service.pipelines.traces!.exporters).toEqual(["loadbalancing", "spanmetrics"]);
  });

  it("holds whole traces in the sampling tier and sends what it keeps to Jaeger", () => {
    const { processors, exporters } = sampling.service.pipelines.traces!;
    expect(processors).toEqual(["memory_limiter", "tail_sampling", "batch"]);
    const [exporter] = exporters;
    const endpoint = endpointOf(sampling.exporters[exporter!]);
    expect(services).toHaveProperty([hostOf(endpoint)]);
    expect(portOf(endpoint)).toBe(grpcPortOf(jaeger));
  });

  it("stores Jaeger's traces in the compose service opensearch", () => {
    const storage = jaeger.extensions.jaeger_storage as {
      backends: Record<string, { opensearch: { server_urls: string[] } }>;
      metric_backends: Record<string, { prometheus: { endpoint: string } }>;
    };
    const [backend] = Object.values(storage.backends);
    for (const url of backend!.opensearch.server_urls) {
      expect(services).toHaveProperty([hostOf(url)]);
      expect(portOf(url)).toBe(9200);
      expect(healthUrlOf(services[hostOf(url)]!)).toContain(":9200/");
    }
    const [metrics] = Object.values(storage.metric_backends);
    expect(services).toHaveProperty([hostOf(metrics!.prometheus.endpoint)]);
    expect(publishedPorts(services.prometheus!)).toContain(portOf(metrics!.prometheus.endpoint));
  });

  it("has Prometheus find every replica's metrics on the ports the configs serve them", () => {
    const jobs = Object.fromEntries(prometheus.scrape_configs.map((job) => [job.job_name, job]));
    const dns = (job: string) => jobs[job]!.dns_sd_configs![0]!;
    expect(dns("gateway-genai")).toEqual({
      names: ["gateway-collector"],
      type: "A",
      port: portOf(endpointOf(gateway.exporters.prometheus)),
    });
    expect(dns("gateway-collector").port).toBe(telemetryPortOf(gateway));
    expect(dns("sampling-collector")).toMatchObject({ names: ["sampling-collector"] });
    expect(dns("sampling-collector").port).toBe(telemetryPortOf(sampling));
    expect(jobs.jaeger!.static_configs![0]!.targets).toEqual([`jaeger:${telemetryPortOf(jaeger)}`]);
    for (const job of prometheus.scrape_configs)
      for (const { names } of job.dns_sd_configs ?? []) expect(services).toHaveProperty(names);
  });

  it("publishes the SDK's endpoint on the gateway, the UI on Jaeger, and probes each health port", () => {
    expect(publishedPorts(services["gateway-collector"]!)).toContain(portOf(DEFAULT_OTLP_ENDPOINT));
    expect(publishedPorts(services.jaeger!)).toContain(portOf(DEFAULT_JAEGER_UI_URL));
    expect(publishedPorts(services["sampling-collector"]!)).toEqual([]);
    for (const [service, config] of [
      ["gateway-collector", gateway],
      ["sampling-collector", sampling],
    ] as const)
      expect(portOf(healthUrlOf(services[service]!)!)).toBe(
        portOf(endpointOf(config.extensions.health_check)),
      );
    expect(portOf(healthUrlOf(services.jaeger!)!)).toBe(
      portOf((jaeger.extensions.healthcheckv2 as { http: { endpoint: string } }).http.endpoint),
    );
  });

  it("keeps every memory_limiter under its container's limit", () => {
    for (const [service, config] of [
      ["gateway-collector", gateway],
      ["sampling-collector", sampling],
      ["jaeger", jaeger],
    ] as const) {
      const limit = mebibytes(services[service]!.deploy!.resources!.limits!.memory!);
      const limiter = config.processors.memory_limiter as { limit_mib: number };
      expect(limiter.limit_mib, service).toBeLessThan(limit);
      for (const pipeline of Object.values(config.service.pipelines))
        expect(pipeline.processors?.[0], service).toBe("memory_limiter");
    }
    const heap = /-Xmx(\d+)g/.exec(services.opensearch!.environment!.OPENSEARCH_JAVA_OPTS!)!;
    expect(Number(heap[1]) * 1024 * 2).toBeLessThanOrEqual(
      mebibytes(services.opensearch!.deploy!.resources!.limits!.memory!),
    );
  });
});
