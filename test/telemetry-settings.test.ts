import { DiagLogLevel, diag } from "@opentelemetry/api";
import { afterEach, describe, expect, it } from "vitest";
import { resolveTelemetrySettings } from "../src/telemetry/bootstrap/telemetry-settings.js";

afterEach(() => diag.disable());

/** The settings for these variables, and the warnings `diag` printed on the way. */
function resolve(env: Record<string, string>, options = {}) {
  const warnings: string[] = [];
  diag.setLogger(
    {
      warn: (message) => warnings.push(message),
      error: () => {},
      info: () => {},
      debug: () => {},
      verbose: () => {},
    },
    { logLevel: DiagLogLevel.WARN, suppressOverrideMessage: true },
  );
  return { settings: resolveTelemetrySettings(options, env), warnings };
}

// The receiver tests (start-telemetry-variables.test.ts) show the variables whose effect
// a collector can see; these pin the precedence of the ones that only change timing.
describe("resolveTelemetrySettings()", () => {
  it("OTEL_BSP_SCHEDULE_DELAY and OTEL_BSP_EXPORT_TIMEOUT set the batch timing", () => {
    const { settings } = resolve({
      OTEL_BSP_SCHEDULE_DELAY: "250",
      OTEL_BSP_EXPORT_TIMEOUT: "900",
    });
    expect(settings.batch).toMatchObject({ scheduledDelayMillis: 250, exportTimeoutMillis: 900 });
  });

  it("OTEL_BLRP_* set the log record batches, and only them", () => {
    const { settings } = resolve({
      OTEL_BLRP_SCHEDULE_DELAY: "10",
      OTEL_BLRP_EXPORT_TIMEOUT: "20",
      OTEL_BLRP_MAX_QUEUE_SIZE: "30",
      OTEL_BLRP_MAX_EXPORT_BATCH_SIZE: "3",
    });
    expect(settings.logBatch).toEqual({
      scheduledDelayMillis: 10,
      exportTimeoutMillis: 20,
      maxQueueSize: 30,
      maxExportBatchSize: 3,
    });
    expect(settings.batch).toEqual(resolve({}).settings.batch);
  });

  it("the options win over them", () => {
    const { settings } = resolve(
      { OTEL_BSP_SCHEDULE_DELAY: "250", OTEL_BSP_EXPORT_TIMEOUT: "900" },
      { scheduledDelayMillis: 5, exportTimeoutMillis: 7 },
    );
    expect(settings.batch).toMatchObject({ scheduledDelayMillis: 5, exportTimeoutMillis: 7 });
  });

  it("without them: this package's defaults, and the SDK's export timeout", () => {
    expect(resolve({}).settings.batch).toEqual({
      maxQueueSize: 16_384,
      maxExportBatchSize: 1_024,
      scheduledDelayMillis: 1_000,
      exportTimeoutMillis: undefined,
    });
    expect(resolve({}).settings.metricExportIntervalMs).toBe(60_000);
  });

  it("the metricExportIntervalMs option wins over OTEL_METRIC_EXPORT_INTERVAL", () => {
    const env = { OTEL_METRIC_EXPORT_INTERVAL: "5000" };
    expect(resolve(env).settings.metricExportIntervalMs).toBe(5_000);
    expect(resolve(env, { metricExportIntervalMs: 10 }).settings.metricExportIntervalMs).toBe(10);
  });

  it.each([
    ["OTEL_BSP_SCHEDULE_DELAY", "soon"],
    ["OTEL_BSP_MAX_QUEUE_SIZE", "0"],
    ["OTEL_METRIC_EXPORT_INTERVAL", "-1"],
    ["OTEL_BSP_EXPORT_TIMEOUT", "1.5"],
  ])("an invalid %s=%s is ignored with a warning", (name, value) => {
    const { settings, warnings } = resolve({ [name]: value });
    expect(settings).toEqual(resolve({}).settings);
    expect(warnings).toEqual([expect.stringContaining(`ignoring ${name}="${value}"`)]);
  });

  it("a queue smaller than the default batch makes the batch that small", () => {
    expect(resolve({ OTEL_BSP_MAX_QUEUE_SIZE: "8" }).settings.batch.maxExportBatchSize).toBe(8);
  });

  it.each([
    ["", ["otlp"]],
    ["console, OTLP", ["console", "otlp"]],
    ["none", []],
  ])("OTEL_TRACES_EXPORTER=%j exports to %j", (value, exporters) => {
    expect(resolve({ OTEL_TRACES_EXPORTER: value }).settings.traces.exporters).toEqual(exporters);
  });

  it("none with another exporter wins, with a warning; an unknown exporter is skipped", () => {
    const withNone = resolve({ OTEL_LOGS_EXPORTER: "otlp,none" });
    expect(withNone.settings.logs.exporters).toEqual([]);
    expect(withNone.warnings).toEqual([expect.stringContaining("contains none")]);
    const unknown = resolve({ OTEL_METRICS_EXPORTER: "prometheus,otlp" });
    expect(unknown.settings.metrics.exporters).toEqual(["otlp"]);
    expect(unknown.warnings).toEqual([
      expect.stringContaining('unsupported exporter "prometheus"'),
    ]);
  });

  it("the protocol: a variable's choice is marked, the default is not", () => {
    expect(resolve({}).settings.traces).toMatchObject({
      protocol: "http/protobuf",
      protocolRequested: false,
    });
    expect(
      resolve({ OTEL_EXPORTER_OTLP_PROTOCOL: " HTTP/PROTOBUF " }).settings.traces,
    ).toMatchObject({ protocol: "http/protobuf", protocolRequested: true });
  });
});
